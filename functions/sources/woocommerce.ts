/**
 * WooCommerce webhooks as the shop's own events (docs/design.md §3a).
 *
 * A delivery is a POST whose headers name it (`X-WC-Webhook-Topic`, e.g. `order.updated`) and
 * sign it (`X-WC-Webhook-Signature`: base64 of HMAC-SHA256 of the raw body with the webhook's
 * secret); its body is the resource exactly as REST API v3 returns it
 * (woocommerce-rest-api-docs, wp-api-v3 "Webhooks", "Orders", "Customers"), except for
 * `*.deleted`, whose body is `{ "id": n }` only (WC_Webhook::build_payload). REST dates
 * `*_gmt` are UTC written without a zone; money is a decimal string; ids are integers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { describeIssues } from '../events/event';
import { customerDeleted, customerUpserted, orderCancelled, orderDelivered, orderPlaced, orderRefunded } from '../events/shop';
import { shopEvent, type ShopEventLine, type Translation } from './translation';

/** Constant-time check (crypto.timingSafeEqual on equal-length buffers; false on any missing/malformed input, never throws). */
export const verifyWooSignature = (rawBody: string | Buffer, signature: string | undefined, secret: string): boolean => {
  try {
    if (typeof signature !== 'string' || !signature || typeof secret !== 'string' || !secret) return false;
    // The base64 texts are compared, not decoded bytes: Buffer's base64 decoder skips junk characters.
    const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('base64'));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
};

const header = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' && value ? value : undefined;
};

/**
 * The ping WooCommerce sends when a webhook is created (body `webhook_id=<n>`, no topic header): answer 200, store nothing.
 * WooCommerce saves the webhook only if the ping is answered 200 (WC_Webhook::deliver_ping); it is not signed.
 */
export const isWooPing = (headers: Record<string, string | undefined>, rawBody: string): boolean =>
  typeof rawBody === 'string' && /^webhook_id=\d+$/.test(rawBody.trim()) && !header(headers, 'x-wc-webhook-topic');

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const wooId = z.number('must be a positive integer').int('must be a positive integer').positive('must be a positive integer');

const decimalMessage = 'must be a decimal string such as "19.99"';
const decimal = (pattern: RegExp) => z.string(decimalMessage).regex(pattern, decimalMessage);
const instant = orderPlaced.detail.shape.placedAt;

const gmtMessage = 'must be a GMT date-time such as "2017-03-22T19:28:02"';
/** REST v3 writes `*_gmt` dates in UTC without a zone; a `Z` already there is kept. Bounded as the engine bounds instants. */
const gmt = z
  .string(gmtMessage)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/, gmtMessage)
  .transform((value) => (value.endsWith('Z') ? value : `${value}Z`))
  .pipe(instant);

/** WooCommerce sends "" for a name never given: left out, not stored as a name. */
const optionalText = <T extends z.ZodType<unknown, string | undefined>>(field: T) =>
  z
    .string('must be a string')
    .transform((value) => (value.trim() ? value : undefined))
    .pipe(field)
    .nullish();

const dates = { date_created_gmt: gmt.nullish(), date_modified_gmt: gmt.nullish() };

const customerSchema = z.object({
  id: wooId,
  email: z.string('must be a string').pipe(customerUpserted.detail.shape.email),
  first_name: optionalText(customerUpserted.detail.shape.firstName),
  last_name: optionalText(customerUpserted.detail.shape.lastName),
  ...dates,
});

const orderSchema = z.object({
  id: wooId,
  customer_id: wooId,
  // Any status: plugins add their own (e.g. `shipped`); only the core ones below mean anything here.
  status: z.string('must be a string'),
  date_completed_gmt: gmt.nullish(),
  // Read-only and always present in REST v3; bounded so one order cannot fan out into thousands of events.
  refunds: z
    .array(
      // A refund's total is negative ("-10.00"): what was paid back.
      z.object({ id: wooId, total: decimal(/^-?\d+(\.\d+)?$/).transform((total) => Math.abs(Number(total))).pipe(orderRefunded.detail.shape.amount) }),
      'must be an array',
    )
    .max(100, 'must hold at most 100 refunds')
    .nullish(),
  ...dates,
});

const newOrderSchema = orderSchema.extend({
  date_created_gmt: gmt,
  total: decimal(/^\d+(\.\d+)?$/).transform(Number).pipe(orderPlaced.detail.shape.total),
  currency: z.string('must be a string').pipe(orderPlaced.detail.shape.currency),
  coupon_lines: z.array(z.object({ code: optionalText(orderPlaced.detail.shape.discountCode) }), 'must be an array').nullish(),
});

interface Target {
  detailType: string;
  detail: z.ZodType;
}
interface Pending {
  target: Target;
  line: ShopEventLine;
}
const emit = (target: Target, time: string, detail: Record<string, unknown>): Pending => ({ target, line: shopEvent(time, target.detailType, detail) });

/** A reason names the platform and the topic (bounded: it is whatever the sender wrote). */
const rejected = (topic: string, why: string): Translation => ({ kind: 'rejected', reason: `woocommerce ${topic.slice(0, 100)}: ${why}` });
const ignored = (topic: string, why: string): Translation => ({ kind: 'ignored', reason: `woocommerce ${topic.slice(0, 100)}: ${why}` });

/** Every event is checked against the engine's own schema too, so a translation is never refused downstream. */
const checked = (topic: string, pending: Pending[]): Translation => {
  for (const { target, line } of pending) {
    const result = target.detail.safeParse(line.detail);
    if (!result.success) return rejected(topic, `${target.detailType}: ${describeIssues(result.error)}`);
  }
  return { kind: 'events', events: pending.map(({ line }) => line) };
};

/** The resource's last change orders out-of-order updates (the engine keeps the newest); its creation when never changed. */
const timeOf = (resource: { date_modified_gmt?: string | null; date_created_gmt?: string | null }) => resource.date_modified_gmt ?? resource.date_created_gmt ?? undefined;

const customer = (topic: string, body: Record<string, unknown>): Translation => {
  // Mandatory in WooCommerce, but a customer without one is no one to mail rather than a bad delivery.
  if (body.email === undefined || body.email === null || body.email === '') return ignored(topic, 'email: none, no one to mail');
  const parsed = customerSchema.safeParse(body);
  if (!parsed.success) return rejected(topic, describeIssues(parsed.error));
  const { id, email, first_name, last_name } = parsed.data;
  const time = timeOf(parsed.data);
  if (!time) return rejected(topic, 'date_modified_gmt: missing, and no date_created_gmt');
  return checked(topic, [
    // WooCommerce core has no locale, time zone or marketing consent on a customer (REST v3 "Customer properties"):
    // they are left out, so the shop's default zone applies and consent stays as it is.
    emit(customerUpserted, time, { customerId: String(id), email, firstName: first_name ?? undefined, lastName: last_name ?? undefined }),
  ]);
};

const deletedCustomer = (topic: string, body: Record<string, unknown>, receivedAt: string | undefined): Translation => {
  const parsed = z.object({ id: wooId }).safeParse(body);
  if (!parsed.success) return rejected(topic, describeIssues(parsed.error));
  // The payload is `{ id }` only: the deletion happened when it was delivered.
  const time = instant.safeParse(receivedAt);
  if (!time.success) return rejected(topic, 'receivedAt: the body carries no date, so the time the delivery was received is needed');
  return checked(topic, [emit(customerDeleted, time.data, { customerId: String(parsed.data.id) })]);
};

const order = (topic: string, body: Record<string, unknown>, created: boolean): Translation => {
  // Documented: `customer_id` 0 for guests. No customer record, no one the engine may mail.
  if (body.customer_id === 0) return ignored(topic, 'guest order (customer_id 0), no customer to mail');
  const placed = created ? newOrderSchema.safeParse(body) : undefined;
  const parsed = placed ?? orderSchema.safeParse(body);
  if (!parsed.success) return rejected(topic, describeIssues(parsed.error));
  const data = parsed.data;
  const time = timeOf(data);
  if (!time) return rejected(topic, 'date_modified_gmt: missing, and no date_created_gmt');
  const ids = { orderId: String(data.id), customerId: String(data.customer_id) };
  const refunds = data.refunds ?? [];
  const events: Pending[] = [];
  // Placed only when created: every later update of the order is an `order.updated`.
  if (placed?.success) {
    const { date_created_gmt: placedAt, total, currency, coupon_lines } = placed.data;
    events.push(emit(orderPlaced, time, { ...ids, placedAt, total, currency, discountCode: coupon_lines?.[0]?.code ?? undefined }));
  }
  if (data.status === 'completed') events.push(emit(orderDelivered, time, { ...ids, deliveredAt: data.date_completed_gmt ?? time }));
  if (data.status === 'cancelled' || data.status === 'refunded') {
    const refunded = refunds.length ? refunds.reduce((sum, refund) => sum + refund.total, 0) : undefined;
    events.push(emit(orderCancelled, time, { ...ids, cancelledAt: time, refunded }));
  } else {
    // Every refund on every update: the engine counts each refundId once.
    for (const refund of refunds) events.push(emit(orderRefunded, time, { ...ids, refundId: String(refund.id), refundedAt: time, amount: refund.total }));
  }
  return checked(topic, events);
};

type Handler = (topic: string, body: Record<string, unknown>, receivedAt: string | undefined) => Translation;
const handlers: Record<string, Handler> = {
  'customer.created': customer,
  'customer.updated': customer,
  'customer.deleted': deletedCustomer,
  'order.created': (topic, body) => order(topic, body, true),
  'order.updated': (topic, body) => order(topic, body, false),
  'order.deleted': (topic) => ignored(topic, 'an order moved to the trash is not a cancellation'),
};

/**
 * headers: lower-cased header names. Pure, never throws.
 * receivedAt: when the delivery arrived (ISO-8601), the time of a `customer.deleted`, whose body has no date.
 */
export const translateWoo = (headers: Record<string, string | undefined>, body: unknown, receivedAt?: string): Translation => {
  try {
    const topic = header(headers, 'x-wc-webhook-topic');
    if (!topic) return { kind: 'rejected', reason: 'woocommerce: x-wc-webhook-topic: missing header' };
    // Own keys only: a topic such as `constructor` must find nothing.
    const handler = Object.hasOwn(handlers, topic) ? handlers[topic] : undefined;
    if (!handler) return ignored(topic, 'topic not used');
    if (!isRecord(body)) return rejected(topic, 'body: must be a JSON object');
    return handler(topic, body, receivedAt);
  } catch {
    // Only a hostile object (a throwing getter) gets here: JSON never does.
    return { kind: 'rejected', reason: 'woocommerce: the delivery could not be read' };
  }
};
