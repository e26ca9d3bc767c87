import { BatchWriteCommand, QueryCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The single table's key schema, declared once: the CDK stack creates it from
 * this and so does the local runtime. Every attribute named here is a string.
 *
 * Items (pk / sk):
 * - `CUSTOMER#<id>` / `PROFILE`         the customer, with each campaign's due slot
 * - `CUSTOMER#<id>` / `ORDER#<orderId>` an order
 * - `CUSTOMER#<id>` / `ORDERS`, `ORDERS#<n>` the customer's order history (for their statistics) in pages of 32 records, with the order they came in
 * - `CUSTOMER#<id>` / `DAY#<localDate>` the one email of that local day
 * - `CUSTOMER#<id>` / `NPS#<surveyId>`  an NPS response (score, comment)
 * - `CUSTOMER#<id>` / `REFERRAL#<referredId>` a friend the customer referred: the reward owed, and when it was settled
 * - `SEND#<sendKey>` / `SEND`           an occasion's send: its lease, SES's message id, its outbox
 * - `CODE#<code>` / `CODE`              a discount code
 * - `SUPPRESSED#<sha256>` / `SUPPRESSED` an address that must never be mailed
 * - `CUSTOMER#<id>` / `KPI`            the versions of the customer's KPI footprint claimed and on every day, its lapse rule, the days touched since
 * - `KPI#<utcDate>` / `<event key>`     what one customer, conversion or survey answer adds to that day
 * - `KPI#DIRTY#<n>` / `<utcDate>`       a day whose total must be recomputed, with the version its last contribution put
 * - `KPI` / `DAY#<utcDate>`             the day's KPI counters
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB may delete the item (day slots). */
  timeToLiveAttribute: 'ttl',
  /**
   * Sparse indexes, keys only: an item appears only while something is
   * pending. The due-time indexes hold a customer while a campaign email is
   * pending for them, keyed by a shard of the customer id and the instant it
   * is due: a sweep reads `dueAt <= now` in each shard, so exactly the
   * customers due, however long ago (an item is never stranded), and no
   * partition takes more than its share of the writes (docs/design.md §8). The outbox
   * index holds the sends whose events are not yet published. The order index
   * finds an order's customer by the order id alone (a platform's refund names
   * only its order).
   */
  indexes: {
    birthdayDue: { partitionKey: 'birthdayDueShard', sortKey: 'birthdayDueAt' },
    winbackDue: { partitionKey: 'winbackDueShard', sortKey: 'winbackDueAt' },
    npsDue: { partitionKey: 'npsDueShard', sortKey: 'npsDueAt' },
    // The loyalty programme (docs/design.md §10): its three emails, and the moment a customer's
    // points or tier next change with no event (points expire, an order leaves the rolling year).
    tierDue: { partitionKey: 'tierDueShard', sortKey: 'tierDueAt' },
    pointsDue: { partitionKey: 'pointsDueShard', sortKey: 'pointsDueAt' },
    referralDue: { partitionKey: 'referralDueShard', sortKey: 'referralDueAt' },
    loyaltyReview: { partitionKey: 'loyaltyReviewShard', sortKey: 'loyaltyReviewAt' },
    // The customers holding each tier, counted by key for the dashboard (docs/design.md §10).
    loyaltyTiers: { partitionKey: 'loyaltyTier', sortKey: 'pk' },
    outbox: { partitionKey: 'outboxShard', sortKey: 'outboxAt' },
    orders: { partitionKey: 'orderKey', sortKey: 'sk' },
  },
} as const;

export type IndexName = keyof typeof tableSchema.indexes;
export type DueIndexName = Exclude<IndexName, 'outbox' | 'orders' | 'loyaltyTiers'>;

/** Partitions of each sparse index: at 10 million customers, a busy hour's writes stay far below 1,000 a second in each. */
export const indexShards = 1;

/** A stable hash of a key (FNV-1a), to spread keys over shards. */
export const hashOf = (key: string) => {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return hash >>> 0;
};

/** The index shard of a key: the same customer is always in the same one. */
export const shardOf = (key: string) => String(hashOf(key) % indexShards);
export const allShards = Array.from({ length: indexShards }, (_, shard) => String(shard));

/** The items of a sparse index whose sort key is at most `upTo` (`below`: strictly less), shard by shard, page by page. */
export async function* indexUpTo(client: DynamoDBDocumentClient, tableName: string, index: IndexName, upTo: string, below = false) {
  const { partitionKey, sortKey } = tableSchema.indexes[index];
  for (const shard of allShards) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index,
          KeyConditionExpression: `#shard = :shard AND #at ${below ? '<' : '<='} :at`,
          ExpressionAttributeNames: { '#shard': partitionKey, '#at': sortKey },
          ExpressionAttributeValues: { ':shard': shard, ':at': upTo },
          ExclusiveStartKey,
        }),
      );
      if (page.Items?.length) yield page.Items;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}

/** Every item of one partition (a customer's: `CUSTOMER#<id>`), or those whose sort key starts with `prefix`, page by page: a read by key, never a scan. */
export async function* partitionItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  options: { projection?: string; consistent?: boolean; prefix?: string } = {},
) {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: options.prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ...(options.prefix !== undefined && { ':prefix': options.prefix }) },
        ...(options.projection && { ProjectionExpression: options.projection }),
        ...(options.consistent && { ConsistentRead: true }),
        ExclusiveStartKey,
      }),
    );
    yield* page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/**
 * Unconditional puts and deletes of independent items, 25 to a call (BatchWriteItem's limit); what DynamoDB
 * leaves unprocessed (throttled) is sent again after a pause. Each request is safe to repeat, as a retry repeats it.
 */
export const batchWrite = async (client: DynamoDBDocumentClient, tableName: string, requests: WriteRequest[]) => {
  for (let start = 0; start < requests.length; start += 25) {
    let pending: WriteRequest[] = requests.slice(start, start + 25);
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = UnprocessedItems?.[tableName] ?? [];
    }
  }
};
