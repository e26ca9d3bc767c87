/**
 * docs/design.md §3a, Shopify as a source: a shop on Shopify needs nothing of
 * its own. Half a year of one shop's history, fed once as the shop's own events
 * and once ONLY as the Shopify webhooks that say the same thing (EventBridge
 * partner events, translated on ingest by functions/sources/shopify.ts), sends
 * the same emails to the same customers at the same instants, and counts the
 * same conversions and KPIs. The Shopify side is what Shopify really sends:
 * numeric ids, money as strings, times in the shop's offset, consent on its
 * own topic, deliveries and refunds without a customer id (found by the order).
 *
 * Then the two things a webhook stream does that our own events do not: the
 * same webhook delivered twice, and an older update delivered after a newer one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticCustomers, syntheticOrders } from '../../local/synthetic';
import { runSimulation } from './run-simulation';
import { consentPayload, customerPayload, shopifyEncoder, shopifyLine, shopTime, webhookId, type EventLine } from './shopify-payloads';

type Run = Awaited<ReturnType<typeof runSimulation>>;

const loadedAt = '2025-12-31T23:01:00.000Z';
const halfYear = { from: loadedAt, to: '2026-07-01T00:00:00.000Z' };
const day = 86_400_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
/** What happened before the half-year arrives as it starts (a shop's backfill); the rest at its own time. */
const at = (time: string) => (time < loadedAt ? loadedAt : time);
const event = (time: string, detailType: string, detail: Record<string, unknown>): EventLine => ({ time, source: 'shop', 'detail-type': detailType, detail });

type Customers = ReturnType<typeof syntheticCustomers>;
/** Consent withdrawn on 10 March by a customer whose birthday email is still to come, so that it changes what is sent. */
const withdrawal = {
  at: '2026-03-10T12:00:00.000Z',
  of: (customers: Customers) =>
    customers.find(({ detail }) => detail.marketingConsent && detail.birthday && detail.birthday.slice(-5) >= '04-01' && detail.birthday.slice(-5) <= '06-30')!.detail.customerId,
};
/** Consent given on 1 February by a customer who had refused it. */
const lateConsent = { at: '2026-02-01T08:30:00.000Z', of: (customers: Customers) => customers.find(({ detail }) => !detail.marketingConsent)!.detail.customerId };

/**
 * The history, as the shop's own events: 40 customers in en/ms/ar across time
 * zones (80% with consent), a year of orders (a few with the shop's own
 * discount code), three in four delivered, two cancelled and refunded, two
 * refunded in part, one consent withdrawn and one given late. Ids are Shopify's
 * (13-digit decimal strings), birthdays have a year (Shopify's `date` metafield has one).
 */
const ownHistory = (): EventLine[] => {
  const customers = syntheticCustomers({ count: 40, time: new Date(loadedAt), seed: 11 }).map((customer, i) => {
    const { birthday } = customer.detail;
    return {
      ...customer,
      detail: {
        ...customer.detail,
        customerId: String(7_000_000_000_001 + i),
        ...(birthday?.startsWith('--') && { birthday: `${birthday.endsWith('02-29') ? '1992' : '1990'}${birthday.slice(1)}` }),
      },
    };
  });
  const orders = syntheticOrders({
    customerIds: customers.map((c) => c.detail.customerId),
    from: new Date('2025-07-01T00:00:00Z'),
    to: new Date('2026-06-28T00:00:00Z'),
    seed: 5,
  }).map((order, i) =>
    event(at(order.time), 'Order Placed', {
      ...order.detail,
      orderId: String(5_000_000_000_001 + i),
      ...(i % 7 === 3 && { discountCode: 'WELCOME10' }),
    }),
  );
  const inHalfYear = orders.filter((order) => (order.detail.placedAt as string) >= '2026-01-15');
  const cancelled = [inHalfYear[3]!, inHalfYear[20]!];
  const refunded = [inHalfYear[10]!, inHalfYear[30]!];
  const cancellations = cancelled.map(({ detail }) => {
    const cancelledAt = plus(detail.placedAt as string, 2 * day);
    return event(cancelledAt, 'Order Cancelled', { orderId: detail.orderId, customerId: detail.customerId, cancelledAt, refunded: detail.total });
  });
  const refunds = refunded.map(({ detail }, i) => {
    const refundedAt = plus(detail.placedAt as string, 5 * day);
    const amount = Math.round((detail.total as number) * 30) / 100;
    return event(refundedAt, 'Order Refunded', { orderId: detail.orderId, customerId: detail.customerId, refundId: String(3_000_000_000_001 + i), refundedAt, amount });
  });
  const deliveries = orders
    .filter((order, i) => i % 4 !== 0 && !cancelled.includes(order))
    .map(({ detail: { orderId, customerId, placedAt } }) => ({ orderId, customerId, deliveredAt: plus(placedAt as string, 3 * day + 5 * 3_600_000) }))
    .filter(({ deliveredAt }) => deliveredAt < halfYear.to)
    .map((delivery) => event(at(delivery.deliveredAt), 'Order Delivered', delivery));
  const consents = [
    event(withdrawal.at, 'Customer Consent Changed', { customerId: withdrawal.of(customers), marketingConsent: false, changedAt: withdrawal.at }),
    event(lateConsent.at, 'Customer Consent Changed', { customerId: lateConsent.of(customers), marketingConsent: true, changedAt: lateConsent.at }),
  ];
  // In delivery order (a stable sort: the simulator's own order for lines of one instant).
  return [...customers, ...orders, ...deliveries, ...cancellations, ...refunds, ...consents].sort((a, b) => a.time.localeCompare(b.time));
};

/** What identifies an email: to whom, which campaign and step, when, in which language, with which subject (the greeting's name). */
const sent = (run: Run) => run.emails.map((e) => `${e.customerId} ${e.campaign} ${e.step ?? '-'} ${e.sentAt} ${e.locale} ${e.subject}`).sort();

describe('half a year fed only with Shopify webhooks', () => {
  const own = ownHistory();
  const encode = shopifyEncoder();
  const shopify = own.flatMap(encode);
  let ours: Run;
  let theirs: Run;

  beforeAll(async () => {
    // One after the other, each with its own stack: side by side, the two would share the one thread
    // and the process's AsyncLocalStorage would tell their invocations apart, slowing every promise of both.
    ours = await runSimulation(own, halfYear.from, halfYear.to);
    theirs = await runSimulation(shopify, halfYear.from, halfYear.to);
  }, 300_000);

  it('is a history with every kind of event, and only Shopify ones on the Shopify side', () => {
    const kinds = new Set(own.map((line) => line['detail-type']));
    expect([...kinds].sort()).toEqual(['Customer Consent Changed', 'Customer Upserted', 'Order Cancelled', 'Order Delivered', 'Order Placed', 'Order Refunded']);
    expect(shopify.every((line) => line['detail-type'] === 'shopifyWebhook' && line.source.startsWith('aws.partner/shopify.com/'))).toBe(true);
    const topics = new Set(shopify.map((line) => (line.detail.metadata as Record<string, string>)['X-Shopify-Topic']));
    expect([...topics].sort()).toEqual([
      'customers/create',
      'customers_email_marketing_consent/update',
      'fulfillment_events/create',
      'orders/cancelled',
      'orders/create',
      'refunds/create',
    ]);
  });

  it('takes in every webhook, rejecting none', () => {
    expect(theirs.deadLetters).toEqual([]);
    expect(ours.deadLetters).toEqual([]);
    // One outcome per webhook; each stores its event.
    expect(theirs.summary.ingested).toEqual({ stored: shopify.length });
    expect(ours.summary.ingested).toEqual({ stored: own.length });
  });

  it('sends the same emails, to the same customers, at the same instants, as the shop\'s own events', () => {
    expect(ours.emails.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(ours.summary.emails.byCampaign).sort()).toEqual(['birthday', 'nps', 'winback']);
    expect(sent(theirs)).toEqual(sent(ours));
  });

  it('honours consent as Shopify sends it, on its own topic: given late, and withdrawn', () => {
    const customers = own.filter((line) => line['detail-type'] === 'Customer Upserted') as unknown as Customers;
    const emailsTo = (customerId: string) => theirs.emails.filter((email) => email.customerId === customerId).map((email) => email.sentAt);
    const withdrawn = emailsTo(withdrawal.of(customers));
    expect(withdrawn.filter((sentAt) => sentAt > withdrawal.at)).toEqual([]);
    const late = emailsTo(lateConsent.of(customers));
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((sentAt) => sentAt < lateConsent.at)).toEqual([]);
  });

  it('counts the same conversions, campaign outcomes and KPIs, day by day', () => {
    expect(theirs.summary.conversions).toEqual(ours.summary.conversions);
    expect(theirs.summary.campaigns).toEqual(ours.summary.campaigns);
    expect(Object.keys(ours.summary.kpis.days).length).toBeGreaterThan(150);
    expect(theirs.summary.kpis).toEqual(ours.summary.kpis);
  });
});

describe('a webhook stream, as Shopify delivers it', () => {
  const customerId = '7100000000002';
  const customer = (firstName: string, at: string) => ({
    id: customerId,
    email: 'robert@example.com',
    firstName,
    locale: 'en',
    timeZone: 'Europe/London',
    birthday: '1990-03-04',
    at,
  });
  const order = (time: string) => ({
    id: 5_100_000_000_001,
    created_at: shopTime(time),
    processed_at: shopTime(time),
    currency: 'EUR',
    total_price: '80.00',
    discount_codes: [],
    customer: { id: Number(customerId) },
    line_items: [],
  });
  const from = '2026-03-01T00:00:00Z';
  const lines = [
    shopifyLine('2026-03-01T08:00:00Z', 'customers/create', customerPayload(customer('Bob', '2026-03-01T08:00:00Z')), { webhookId: webhookId(1) }),
    shopifyLine('2026-03-01T08:00:00Z', 'customers_email_marketing_consent/update', consentPayload(customerId, 'robert@example.com', true, '2026-03-01T08:00:00Z'), {
      webhookId: webhookId(2),
    }),
    // The same order webhook, delivered again half an hour later (Shopify retries; EventBridge delivers at least once).
    shopifyLine('2026-03-01T10:00:00Z', 'orders/create', order('2026-03-01T10:00:00Z'), { webhookId: webhookId(3) }),
    shopifyLine('2026-03-01T10:30:00Z', 'orders/create', order('2026-03-01T10:00:00Z'), { webhookId: webhookId(3), triggeredAt: '2026-03-01T10:00:00Z' }),
    // Renamed on the 2nd at 09:00; the update before it (at 08:00, still Bob) arrives five minutes after.
    shopifyLine('2026-03-02T09:00:00Z', 'customers/update', customerPayload(customer('Robert', '2026-03-02T09:00:00Z')), { webhookId: webhookId(4) }),
    shopifyLine('2026-03-02T09:05:00Z', 'customers/update', customerPayload(customer('Bob', '2026-03-02T08:00:00Z')), {
      webhookId: webhookId(5),
      triggeredAt: '2026-03-02T08:00:00Z',
    }),
  ];
  let run: Run;

  beforeAll(async () => {
    run = await runSimulation(lines, from, '2026-03-06T00:00:00Z');
  }, 120_000);

  it('counts an order delivered twice (the same X-Shopify-Webhook-Id) once', () => {
    expect(run.deadLetters).toEqual([]);
    expect(run.summary.ingested).toEqual({ stored: 4, duplicate: 1, stale: 1 });
    // The KPIs of the days after it: one order of 80.00 by one customer.
    const kpis = run.summary.kpis.latest;
    expect({ aov: kpis.averageOrderValue, frequency: kpis.purchaseFrequency, active: kpis.activeCustomers }).toEqual({ aov: { EUR: 80 }, frequency: 1, active: 1 });
  });

  it('keeps the newer update when an older one (by X-Shopify-Triggered-At) arrives after it', () => {
    const birthday = run.emails.filter((email) => email.campaign === 'birthday');
    expect(birthday.map((email) => [email.customerId, email.sentAt, email.subject])).toEqual([
      [customerId, '2026-03-04T09:00:00.000Z', expect.stringMatching(/^Happy birthday, Robert!/)],
    ]);
  });
});
