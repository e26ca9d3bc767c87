/**
 * docs/design.md §5 winback, end to end through `retention simulate` over dynalite and
 * aws-ses-v2-local: a year of synthetic order histories.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { syntheticCustomers, syntheticOrders } from '../../local/synthetic';
import { parseConfig } from '../../functions/config';
import { runSimulation, upsert } from './run-simulation';

const day = 86_400_000;
/** NPS surveys would follow these orders too, and take some of their days: this file is about winback. */
const winbackOnly = parseConfig({ nps: { enabled: false } });
const hour = 3_600_000;

interface Order {
  customerId: string;
  placedAt: string;
  total: number;
}

/**
 * The winback emails docs/design.md §5 implies, written out from the rule: after each
 * order, the expected interval is the median gap of the orders so far (three
 * or more) or 30 days; the customer is at risk on the local day the days since
 * that order reach twice it; steps go out on that day, 30 and 60 days later, at
 * the first hourly sweep from 10:00 local, each only if no new order came first.
 */
const expectedSends = (orders: Order[], zone: string, to: Date) => {
  const sends: { customerId: string; step: number; sentAt: number }[] = [];
  orders.forEach((order, i) => {
    const times = orders.slice(0, i + 1).map((o) => Date.parse(o.placedAt));
    const gaps = times.slice(1).map((t, g) => (t - times[g]!) / day).sort((a, b) => a - b);
    const m = gaps.length >> 1;
    const interval = times.length >= 3 ? (gaps.length % 2 ? gaps[m]! : (gaps[m - 1]! + gaps[m]!) / 2) : 30;
    const riskDay = DateTime.fromISO(order.placedAt, { zone }).startOf('day').plus({ days: Math.ceil(2 * interval) });
    const nextOrder = orders[i + 1] ? Date.parse(orders[i + 1]!.placedAt) : Infinity;
    for (const [step, offset] of [[1, 0], [2, 30], [3, 60]] as const) {
      const sentAt = Math.ceil(riskDay.plus({ days: offset }).set({ hour: 10 }).toMillis() / hour) * hour;
      if (sentAt >= nextOrder) break;
      if (sentAt < to.getTime()) sends.push({ customerId: order.customerId, step, sentAt });
    }
  });
  return sends;
};

describe('a year of order histories', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  const to = new Date('2027-01-01T00:00:00Z');
  const customers = syntheticCustomers({ count: 80, time: from, seed: 5, consentShare: 1, birthdayShare: 0 });
  const orders = syntheticOrders({ customerIds: customers.map((c) => c.detail.customerId), from, to: new Date('2026-10-01T00:00:00Z'), seed: 9 });
  const ordersOf = (customerId: string): Order[] =>
    orders.filter((o) => o.detail.customerId === customerId).map((o) => o.detail as unknown as Order);
  const expected = customers.flatMap((c) => expectedSends(ordersOf(c.detail.customerId), c.detail.timeZone ?? 'UTC', to));
  let result: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    result = await runSimulation([...customers, ...orders], from.toISOString(), to.toISOString(), winbackOnly);
  }, 300_000);

  it('sends each at-risk customer exactly the steps the rules imply, and stops at the first new order', () => {
    const key = (s: { customerId: string; step?: number; sentAt: number | string }) =>
      `${s.customerId} step ${s.step} at ${new Date(s.sentAt).toISOString()}`;
    expect(expected.length).toBeGreaterThan(60);
    expect(new Set(expected.map((s) => s.step))).toEqual(new Set([1, 2, 3]));
    expect(result.emails.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('labels every email campaign "winback" with its step, in the 09:00–20:00 local window', () => {
    const zones = new Map(customers.map((c) => [c.detail.customerId, c.detail.timeZone ?? 'UTC']));
    for (const email of result.emails) {
      expect(email.campaign).toBe('winback');
      expect([1, 2, 3]).toContain(email.step);
      const localHour = DateTime.fromISO(email.sentAt, { zone: zones.get(email.customerId) }).hour;
      expect(localHour).toBeGreaterThanOrEqual(10);
      expect(localHour).toBeLessThan(20);
    }
  });

  it('gives step 1 no code, step 2 a 10 % code and step 3 a 20 % code', () => {
    const issued = new Map(
      result.bus.filter((e) => e['detail-type'] === 'Discount Code Issued').map((e) => [e.detail.code, e.detail.percentOff]),
    );
    for (const email of result.emails) {
      if (email.step === 1) expect(email.discountCode).toBeUndefined();
      else {
        expect(issued.get(email.discountCode)).toBe(email.step === 2 ? 10 : 20);
        expect(email.text).toContain(email.discountCode);
      }
    }
  });

  it('reports the conversions and attributed revenue the orders imply in summary.json', () => {
    // The first order within 30 days after a winback email converts it.
    let conversions = 0;
    let revenue = 0;
    for (const customer of customers) {
      const sent = expected.filter((s) => s.customerId === customer.detail.customerId);
      for (const order of ordersOf(customer.detail.customerId)) {
        const placedAt = Date.parse(order.placedAt);
        const lastEmail = sent.filter((s) => s.sentAt < placedAt).at(-1);
        const previousOrders = ordersOf(customer.detail.customerId).filter((o) => Date.parse(o.placedAt) < placedAt);
        const firstSinceEmail = lastEmail && previousOrders.every((o) => Date.parse(o.placedAt) < lastEmail.sentAt);
        if (lastEmail && firstSinceEmail && placedAt - lastEmail.sentAt <= 30 * day) {
          conversions++;
          revenue += order.total;
        }
      }
    }
    expect(conversions).toBeGreaterThan(3);
    expect(result.summary.conversions.winback.conversions).toBe(conversions);
    expect(result.summary.conversions.winback.revenue.EUR).toBeCloseTo(revenue, 2);
    expect(result.bus.filter((e) => e['detail-type'] === 'Campaign Conversion')).toHaveLength(conversions);
  });
});

describe('one customer\'s story', () => {
  const order = (time: string, orderId: string, total: number, extra: Record<string, unknown> = {}) => ({
    time,
    source: 'shop',
    'detail-type': 'Order Placed',
    detail: { orderId, customerId: 'ana', placedAt: time, total, currency: 'EUR', ...extra },
  });

  it('a code converts for its step, once; a late order is placed where it belongs; an order on the due day ends the sequence; a new lapse starts again', async () => {
    const start = [
      upsert('2026-01-01T00:00:00Z', { customerId: 'ana', email: 'ana@example.com', timeZone: 'UTC' }),
      order('2026-01-10T12:00:00Z', 'o1', 40),
    ];
    // One order: at risk 60 days later, on 11 March; step 2 (10 % code) on 10 April.
    const first = await runSimulation(start, '2026-01-01T00:00:00Z', '2026-04-11T00:00:00Z', winbackOnly);
    const code = first.emails.find((e) => e.step === 2)!.discountCode!;

    const { emails, bus, summary } = await runSimulation(
      [
        ...start,
        // The code is used within its 14 days: a conversion by code, for step 2.
        order('2026-04-20T12:00:00Z', 'o2', 60, { discountCode: code }),
        // The same code again: single use, no second conversion (and the step-2 email already converted).
        order('2026-04-21T12:00:00Z', 'o3', 25, { discountCode: code }),
        // Placed on 19 April, published on 22 April: it joins the history where it belongs. Gaps are
        // now 98.8, 1.17 and 1 days: median 1.17, so the customer is at risk 3 days on, on 24 April.
        { ...order('2026-04-19T08:00:00Z', 'o0', 5), time: '2026-04-22T00:00:00Z' },
        // Step 3 of that lapse is due on 23 June at 10:00; an order that morning ends the sequence.
        order('2026-06-23T08:00:00Z', 'o4', 30),
      ],
      '2026-01-01T00:00:00Z',
      '2026-12-31T00:00:00Z',
      winbackOnly,
    );
    expect(emails.map((e) => `${e.sentAt.slice(0, 13)} step ${e.step}`)).toEqual([
      '2026-03-11T10 step 1',
      '2026-04-10T10 step 2',
      '2026-04-24T10 step 1',
      '2026-05-24T10 step 2',
      // No step 3 on 23 June. New lapse: gaps 98.8, 1.17, 1 and 62.8 days, median 32, at risk 64 days on.
      '2026-08-26T10 step 1',
      '2026-09-25T10 step 2',
      '2026-10-25T10 step 3',
    ]);
    const conversions = bus.filter((e) => e['detail-type'] === 'Campaign Conversion').map((e) => e.detail);
    expect(conversions).toEqual([
      { campaign: 'winback', step: 2, orderId: 'o2', customerId: 'ana', revenue: 60, currency: 'EUR', via: 'code', eventId: 'CampaignConversion#o2' },
      // 29.9 days after the step-2 email of 24 May.
      { campaign: 'winback', step: 2, orderId: 'o4', customerId: 'ana', revenue: 30, currency: 'EUR', via: 'window', eventId: 'CampaignConversion#o4' },
    ]);
    expect(summary.conversions.winback).toEqual({ conversions: 2, revenue: { EUR: 90 }, byStep: { 2: { conversions: 2, revenue: { EUR: 90 } } } });
  }, 120_000);
});
