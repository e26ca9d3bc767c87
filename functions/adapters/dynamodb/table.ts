/**
 * The single table's key schema, declared once: the CDK stack creates it from
 * this and so does the local runtime. Every attribute named here is a string.
 *
 * Items (pk / sk):
 * - `CUSTOMER#<id>` / `PROFILE`         the customer, with each campaign's due slot
 * - `CUSTOMER#<id>` / `ORDER#<orderId>` an order
 * - `CUSTOMER#<id>` / `ORDERS`          the customer's order history (for their statistics)
 * - `CUSTOMER#<id>` / `DAY#<localDate>` the one email of that local day
 * - `CUSTOMER#<id>` / `NPS#<surveyId>`  an NPS response (score, comment)
 * - `SEND#<sendKey>` / `SEND`           an occasion's claimed send
 * - `CODE#<code>` / `CODE`              a discount code
 * - `SUPPRESSED#<sha256>` / `SUPPRESSED` an address that must never be mailed
 * - `KPI` / `DAY#<utcDate>`             the day's KPI counters
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB may delete the item (day slots). */
  timeToLiveAttribute: 'ttl',
  /**
   * Sparse due-time indexes: a customer appears only while a campaign email is
   * pending for them, keyed by the UTC month and the instant it is due. A sweep
   * reads `dueAt <= now` in the current month: exactly the customers due, plus
   * any an earlier sweep missed, never the whole table.
   */
  indexes: {
    birthdayDue: { partitionKey: 'birthdayDueMonth', sortKey: 'birthdayDueAt' },
    winbackDue: { partitionKey: 'winbackDueMonth', sortKey: 'winbackDueAt' },
    npsDue: { partitionKey: 'npsDueMonth', sortKey: 'npsDueAt' },
  },
} as const;

export type DueIndexName = keyof typeof tableSchema.indexes;
