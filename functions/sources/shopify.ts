/**
 * Shopify webhooks, as Amazon EventBridge delivers them from a Shopify partner
 * event source, as the shop's own events (functions/events/shop.ts). Pure: no
 * I/O, no clock; never throws.
 *
 * Admin API 2025-10: payloads as Shopify's webhook reference shows them
 * (https://shopify.dev/docs/api/webhooks/2025-10): ids are JSON numbers, money
 * is a decimal string ("199.00"), times are ISO-8601 with the shop's offset.
 * The EventBridge event (https://shopify.dev/docs/apps/build/webhooks/eventbridge):
 *   { 'detail-type': 'shopifyWebhook', source: 'aws.partner/shopify.com/<app-id>/<name>', time, ...,
 *     detail: { payload: <the webhook body>, metadata: { 'X-Shopify-Topic', 'X-Shopify-Triggered-At', ... } } }
 *
 * Every event's `time` is X-Shopify-Triggered-At (else the payload's
 * `updated_at`, else the envelope's `time`), in UTC: the engine keeps a
 * customer's newest update by it, so an older update delivered late is stale.
 *
 * What the customer payloads lack comes from customer metafields, which the
 * webhook subscription must include (its `metafields` or `metafieldNamespaces`):
 * - birthday: `facts.birth_date`, Shopify's standard definition (a `date`, YYYY-MM-DD);
 * - time zone: `custom.time_zone`, our convention: an IANA name such as
 *   Europe/Paris. Shopify has no standard definition for it, and `custom` is the
 *   namespace of the merchant's own definitions (`facts` is Shopify's).
 *   Without a valid one, the zone of the default address's country.
 * Email consent is not in customer payloads since API 2025-01: it comes from
 * its own topic, as `Customer Consent Changed`.
 *
 * No customer id in refunds/create, fulfillment_events/create or
 * fulfillments/update: their events leave `customerId` out, for the engine to
 * find by the order.
 */
import ct from 'countries-and-timezones';
import { z } from 'zod';
import { timeZoneSchema } from '../config';
import { describeIssues, isoInstant } from '../events/event';
import {
  birthdaySchema,
  customerConsentChanged,
  customerDeleted,
  customerUpserted,
  emailSchema,
  localeSchema,
  orderCancelled,
  orderDelivered,
  orderPlaced,
  orderRefunded,
} from '../events/shop';
import { shopEvent, type ShopEventLine, type Translation } from './translation';

export const shopifyApiVersion = '2025-10';

const partnerSource = 'aws.partner/shopify.com/';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isShopifyEvent = (event: unknown): boolean =>
  isRecord(event) &&
  event['detail-type'] === 'shopifyWebhook' &&
  typeof event.source === 'string' &&
  event.source.startsWith(partnerSource);

/** A payload we cannot use: thrown inside, answered as `rejected` with the platform and topic. */
class Refusal {
  constructor(readonly reason: string) {}
}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/** `missing` when absent, else what the field must be. */
const must = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'missing' : `must be ${what}`) });

const withPath = (issues: z.core.$ZodIssue[], path: (issue: z.core.$ZodIssue) => PropertyKey[]) =>
  describeIssues(new z.ZodError(issues.map((issue) => ({ ...issue, path: path(issue) }))));

/** The value `schema` reads from `value`, found at `at` (named so in a refusal). */
const parse = <S extends z.ZodType>(schema: S, value: unknown, ...at: string[]): z.output<S> => {
  const result = schema.safeParse(value);
  return result.success ? result.data : refuse(withPath(result.error.issues, (issue) => [...at, ...issue.path]));
};

/** `value` when `schema` accepts it, else nothing: for what only enriches a profile. */
const valid = (schema: z.ZodType<string>, value: unknown) => (schema.safeParse(value).success ? (value as string) : undefined);

/**
 * Shopify's ids are JSON numbers (digit strings accepted too); ours are strings.
 * One above 2^53 has lost digits to JSON.parse before we see it, but loses the
 * same ones in every topic, so orders and customers still match up (real ids
 * are 13 digits today; the docs' samples have 18).
 */
const idText = 'a Shopify id (a positive whole number)';
const id = z
  .union(
    [
      z.number().refine((value) => Number.isInteger(value) && value > 0 && value < 1e20, `must be ${idText}`),
      z.string().regex(/^[1-9]\d{0,19}$/, `must be ${idText}`),
    ],
    must(idText),
  )
  .transform(String);
const instantText = 'an ISO-8601 time such as 2025-10-01T09:30:00-04:00';
const instant = z.string(must(instantText)).refine((value) => isoInstant.safeParse(value).success, `must be ${instantText}`);
const decimalText = 'a decimal string such as "19.99"';
const decimal = z.string(must(decimalText)).regex(/^\d{1,15}(\.\d{1,6})?$/, `must be ${decimalText}`);
const text = z.string(must('text')).nullish();
const list = <T extends z.ZodType>(item: T) => z.array(item, must('a list')).nullish();

/** An instant as the envelope's `time` wants it (UTC), if `value` is one. */
const utc = (value: unknown) => {
  const time = typeof value === 'string' && isoInstant.safeParse(value).success ? Date.parse(value) : NaN;
  return time >= 0 && time < Date.UTC(10_000, 0, 1) ? new Date(time).toISOString() : undefined;
};

/** Decimal strings added exactly (in the smallest unit any of them uses: cents, mostly). */
const sum = (amounts: string[]) => {
  const places = amounts.reduce((most, amount) => Math.max(most, amount.split('.')[1]?.length ?? 0), 0);
  const units = amounts.reduce((total, amount) => {
    const [whole = '', fraction = ''] = amount.split('.');
    return total + BigInt(whole + fraction.padEnd(places, '0'));
  }, 0n);
  return Number(units) / 10 ** places;
};

const transaction = z.object({ kind: z.unknown().optional(), status: z.unknown().optional(), amount: decimal }, must('an object'));
/** What a refund paid back: its successful refund transactions; undefined when none. */
const refundedBy = (transactions: z.output<typeof transaction>[]) => {
  const paid = transactions.filter(({ kind, status }) => kind === 'refund' && status === 'success').map(({ amount }) => amount);
  return paid.length ? sum(paid) : undefined;
};

/**
 * The zone of the largest city, for countries whose clocks differ from place to
 * place: the library lists a country's zones alphabetically (America/Adak
 * first for the United States), so its first is no guide. A country with
 * zones but none here (Antarctica, the French Southern Territories, the US
 * Minor Outlying Islands: no one to mail) gets none: the engine's default beats a guess.
 */
const largestCityZone: Record<string, string> = {
  AR: 'America/Argentina/Buenos_Aires', AU: 'Australia/Sydney', BR: 'America/Sao_Paulo', CA: 'America/Toronto',
  CD: 'Africa/Kinshasa', CL: 'America/Santiago', CN: 'Asia/Shanghai', CY: 'Asia/Nicosia', DE: 'Europe/Berlin',
  EC: 'America/Guayaquil', ES: 'Europe/Madrid', FM: 'Pacific/Chuuk', GL: 'America/Nuuk', ID: 'Asia/Jakarta',
  KI: 'Pacific/Tarawa', KZ: 'Asia/Almaty', MH: 'Pacific/Majuro', MN: 'Asia/Ulaanbaatar', MX: 'America/Mexico_City',
  MY: 'Asia/Kuala_Lumpur', NZ: 'Pacific/Auckland', PF: 'Pacific/Tahiti', PG: 'Pacific/Port_Moresby', PS: 'Asia/Gaza',
  PT: 'Europe/Lisbon', RU: 'Europe/Moscow', UA: 'Europe/Kyiv', US: 'America/New_York', UZ: 'Asia/Tashkent',
  VN: 'Asia/Ho_Chi_Minh',
};

/** A country's time zone: its only one (the library's canonical name: Sweden's is Europe/Berlin, the same clock), else its largest city's. */
export const countryTimeZone = (countryCode: unknown): string | undefined => {
  if (typeof countryCode !== 'string' || !/^[A-Z]{2}$/.test(countryCode)) return undefined;
  const zones = ct.getCountry(countryCode)?.timezones ?? [];
  return valid(timeZoneSchema, zones.length === 1 ? zones[0] : largestCityZone[countryCode]);
};

const metafield = (metafields: unknown, namespace: string, key: string): unknown =>
  Array.isArray(metafields)
    ? (metafields.find((field) => isRecord(field) && field.namespace === namespace && field.key === key) as Record<string, unknown> | undefined)?.value
    : undefined;

interface At {
  topic: string;
  time: string;
}
type Handler = (payload: Record<string, unknown>, at: At) => Translation;

const events = (...lines: ShopEventLine[]): Translation => ({ kind: 'events', events: lines });
const ignored = ({ topic }: At, why: string): Translation => ({ kind: 'ignored', reason: `shopify ${topic}: ${why}` });

/**
 * The event, once the engine's own schema accepts its detail (so a refusal
 * names the Shopify field, `fields` mapping ours to theirs, not ours later at ingestion).
 */
const checked = (
  definition: { detailType: string; detail: z.ZodType },
  time: string,
  detail: Record<string, unknown>,
  fields: Record<string, string>,
): ShopEventLine => {
  const result = definition.detail.safeParse(detail);
  if (!result.success) refuse(withPath(result.error.issues, ({ path: [field, ...rest] }) => [fields[String(field)] ?? String(field), ...rest]));
  return shopEvent(time, definition.detailType, detail);
};

const customerPayload = z.object({
  id,
  email: text,
  first_name: text,
  last_name: text,
  // What only enriches the profile is read leniently: a bad one is left out.
  locale: z.unknown().optional(),
  default_address: z.unknown().optional(),
  metafields: z.unknown().optional(),
});

const upsertCustomer: Handler = (payload, at) => {
  const customer = parse(customerPayload, payload, 'payload');
  if (!customer.email?.trim()) return ignored(at, 'payload.email: none, so the customer cannot be mailed');
  const address = isRecord(customer.default_address) ? customer.default_address : {};
  return events(
    checked(
      customerUpserted,
      at.time,
      {
        customerId: customer.id,
        email: customer.email,
        firstName: customer.first_name?.trim() || undefined,
        lastName: customer.last_name?.trim() || undefined,
        locale: valid(localeSchema, customer.locale),
        // The customer's own zone wins; else their country's.
        timeZone: valid(timeZoneSchema, metafield(customer.metafields, 'custom', 'time_zone')) ?? countryTimeZone(address.country_code),
        birthday: valid(birthdaySchema, metafield(customer.metafields, 'facts', 'birth_date')),
      },
      { customerId: 'payload.id', email: 'payload.email', firstName: 'payload.first_name', lastName: 'payload.last_name' },
    ),
  );
};

const consentPayload = z.object({
  customer_id: id,
  email_address: z.unknown().optional(),
  email_marketing_consent: z.object(
    { state: z.string(must('a consent state such as subscribed')), consent_updated_at: instant.nullish() },
    must('an object'),
  ),
});

const changeConsent: Handler = (payload, at) => {
  const { customer_id, email_address, email_marketing_consent: consent } = parse(consentPayload, payload, 'payload');
  return events(
    checked(
      customerConsentChanged,
      at.time,
      {
        customerId: customer_id,
        // A withdrawal counts even with no usable address beside it.
        email: valid(emailSchema, email_address),
        // Pending (double opt-in not confirmed yet), unsubscribed, redacted...: no.
        marketingConsent: consent.state === 'subscribed',
        changedAt: consent.consent_updated_at ?? at.time,
      },
      { customerId: 'payload.customer_id', changedAt: 'payload.email_marketing_consent.consent_updated_at' },
    ),
  );
};

const deleteCustomer: Handler = (payload, at) =>
  events(shopEvent(at.time, customerDeleted.detailType, { customerId: parse(z.object({ id }), payload, 'payload').id }));

/** GDPR: the shop must erase the customer's data. */
const redactCustomer: Handler = (payload, at) => {
  const { customer } = parse(z.object({ customer: z.object({ id }, must('an object')) }), payload, 'payload');
  return events(shopEvent(at.time, customerDeleted.detailType, { customerId: customer.id }));
};

// An order without a customer (a guest checkout with neither email nor phone) has no one to follow up.
const orderCustomer = z.object({ id: id.nullish() }, must('an object')).nullish();
const noCustomer = (at: At) => ignored(at, 'payload.customer: none (a guest checkout), so no one to follow up');

const orderPayload = z.object({
  id,
  customer: orderCustomer,
  created_at: instant,
  processed_at: instant.nullish(),
  total_price: decimal,
  currency: z.string(must('an ISO 4217 code such as USD')).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  discount_codes: list(z.object({ code: text }, must('an object'))),
});

const placeOrder: Handler = (payload, at) => {
  const order = parse(orderPayload, payload, 'payload');
  const customerId = order.customer?.id;
  if (!customerId) return noCustomer(at);
  // processed_at is when the customer bought: it differs from created_at for orders imported from elsewhere.
  const placedAt = order.processed_at ? 'processed_at' : 'created_at';
  return events(
    checked(
      orderPlaced,
      at.time,
      {
        orderId: order.id,
        customerId,
        placedAt: order[placedAt],
        total: Number(order.total_price),
        currency: order.currency,
        discountCode: order.discount_codes?.[0]?.code?.trim() || undefined,
      },
      {
        orderId: 'payload.id',
        customerId: 'payload.customer.id',
        placedAt: `payload.${placedAt}`,
        total: 'payload.total_price',
        discountCode: 'payload.discount_codes.0.code',
      },
    ),
  );
};

const cancelledPayload = z.object({
  id,
  customer: orderCustomer,
  cancelled_at: instant,
  refunds: list(z.object({ transactions: list(transaction) }, must('an object'))),
});

const cancelOrder: Handler = (payload, at) => {
  const order = parse(cancelledPayload, payload, 'payload');
  const customerId = order.customer?.id;
  if (!customerId) return noCustomer(at);
  return events(
    checked(
      orderCancelled,
      at.time,
      {
        orderId: order.id,
        customerId,
        cancelledAt: order.cancelled_at,
        refunded: refundedBy((order.refunds ?? []).flatMap((refund) => refund.transactions ?? [])),
      },
      { orderId: 'payload.id', customerId: 'payload.customer.id', refunded: 'payload.refunds' },
    ),
  );
};

const refundPayload = z.object({ id, order_id: id, created_at: instant, transactions: z.array(transaction, must('a list')) });

const refundOrder: Handler = (payload, at) => {
  const refund = parse(refundPayload, payload, 'payload');
  const amount = refundedBy(refund.transactions);
  if (!amount) return ignored(at, 'payload.transactions: no successful refund, so nothing was paid back');
  return events(
    checked(
      orderRefunded,
      at.time,
      { orderId: refund.order_id, refundId: refund.id, refundedAt: refund.created_at, amount },
      { orderId: 'payload.order_id', refundId: 'payload.id', refundedAt: 'payload.created_at', amount: 'payload.transactions' },
    ),
  );
};

// No customer id in fulfillment payloads: the engine finds the order's customer.
const delivered = orderDelivered.detail.partial({ customerId: true });

const deliveryEventPayload = z.object({ order_id: id, happened_at: instant.nullish(), created_at: instant.nullish() });

const recordDeliveryEvent: Handler = (payload, at) => {
  if (payload.status !== 'delivered') return ignored(at, 'payload.status: not "delivered"');
  const event = parse(deliveryEventPayload, payload, 'payload');
  const deliveredAt = event.happened_at ?? event.created_at ?? refuse('payload.happened_at: missing, and so is payload.created_at');
  return events(
    checked({ ...orderDelivered, detail: delivered }, at.time, { orderId: event.order_id, deliveredAt }, { orderId: 'payload.order_id', deliveredAt: 'payload.happened_at' }),
  );
};

const recordFulfillment: Handler = (payload, at) => {
  if (payload.shipment_status !== 'delivered') return ignored(at, 'payload.shipment_status: not "delivered"');
  const fulfillment = parse(z.object({ order_id: id, updated_at: instant }), payload, 'payload');
  return events(
    checked(
      { ...orderDelivered, detail: delivered },
      at.time,
      { orderId: fulfillment.order_id, deliveredAt: fulfillment.updated_at },
      { orderId: 'payload.order_id', deliveredAt: 'payload.updated_at' },
    ),
  );
};

const handlers: Record<string, Handler> = {
  'customers/create': upsertCustomer,
  'customers/update': upsertCustomer,
  'customers_email_marketing_consent/update': changeConsent,
  'customers/delete': deleteCustomer,
  'customers/redact': redactCustomer,
  'orders/create': placeOrder,
  'orders/cancelled': cancelOrder,
  'refunds/create': refundOrder,
  'fulfillment_events/create': recordDeliveryEvent,
  'fulfillments/update': recordFulfillment,
};

const envelope = z.object(
  {
    'detail-type': z.literal('shopifyWebhook', must('"shopifyWebhook"')),
    source: z.string(must(`a Shopify partner event source, ${partnerSource}...`)).startsWith(partnerSource, `must start with ${partnerSource}`),
    time: z.unknown().optional(),
    detail: z.object({ metadata: z.record(z.string(), z.unknown(), must('an object (the headers)')), payload: z.unknown().optional() }, must('an object')),
  },
  { error: 'must be an EventBridge event (an object)' },
);
// A topic is short and plain (it goes into reasons): orders/create, customers_email_marketing_consent/update...
const topicSchema = z
  .string(must('a topic such as orders/create'))
  .regex(/^[a-z0-9_]{1,60}(\/[a-z0-9_]{1,60}){1,2}$/, 'must be a topic such as orders/create');
const payloadSchema = z.record(z.string(), z.unknown(), must('the webhook body (an object)'));

/** Header names are case-insensitive (Shopify's docs): the exact one first. */
const header = (metadata: Record<string, unknown>, name: string) =>
  metadata[name] ?? Object.entries(metadata).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

export const translateShopify = (event: unknown): Translation => {
  let platform = 'shopify';
  try {
    const { time, detail } = parse(envelope, event);
    const topic = parse(topicSchema, header(detail.metadata, 'X-Shopify-Topic'), 'detail', 'metadata', 'X-Shopify-Topic');
    platform = `shopify ${topic}`;
    const handler = Object.hasOwn(handlers, topic) ? handlers[topic] : undefined;
    if (!handler) return { kind: 'ignored', reason: `${platform}: not a topic the engine uses` };
    const payload = parse(payloadSchema, detail.payload, 'detail', 'payload');
    const at =
      utc(header(detail.metadata, 'X-Shopify-Triggered-At')) ??
      utc(payload.updated_at) ??
      utc(time) ??
      refuse(`detail.metadata.X-Shopify-Triggered-At: must be ${instantText}, and neither payload.updated_at nor time is one`);
    return handler(payload, { topic, time: at });
  } catch (error) {
    // Refusals name the field; anything else (a throwing getter...) is still an answer, not a crash.
    const reason = error instanceof Refusal ? error.reason : `(event): could not be read (${error instanceof Error ? error.name : typeof error})`;
    return { kind: 'rejected', reason: `${platform}: ${reason}` };
  }
};
