/**
 * Issue 7: the daily KPI counters. A customer's order history leaves a
 * footprint on the days it concerns; an order adds the difference its arrival
 * makes; a day's KPIs are sums over the days up to it. Hand-computed cases.
 */
import { describe, expect, it } from 'vitest';
import {
  combine,
  conversionChanges,
  customerFootprint,
  npsChanges,
  orderChanges,
  periodCounts,
  type DayCounters,
} from '../../functions/ops/counters';
import { publishedKpis, retentionKpis } from '../../functions/ops/kpis';

// The winback rule's defaults: at risk after twice the usual gap, 30 days without three orders.
const rule = { riskFactor: 2, defaultIntervalDays: 30 };
const order = (orderId: string, day: string, total = 10) => ({ orderId, placedAt: `${day}T12:00:00.000Z`, total });

describe("a customer's footprint", () => {
  it('counts each order and its revenue on its day, and the customer as new on the first', () => {
    const footprint = customerFootprint([order('a', '2026-01-01', 100), order('b', '2026-01-20', 50)], rule);
    expect(footprint['2026-01-01']).toMatchObject({ orders: 1, revenueCents: 10_000, newCustomers: 1 });
    expect(footprint['2026-01-20']).toMatchObject({ orders: 1, revenueCents: 5_000 });
  });

  it('keeps them active from the first order until 60 days after the last (fewer than three orders)', () => {
    const footprint = customerFootprint([order('a', '2026-01-01'), order('b', '2026-01-20')], rule);
    expect(footprint['2026-01-01']?.activated).toBe(1);
    // Jan 20 + 60 days; the lapse of the first order (Mar 2) was overtaken by the second.
    expect(footprint['2026-03-21']?.lapsed).toBe(1);
    expect(footprint['2026-03-02']).toBeUndefined();
  });

  it('with three orders, lapses at twice the median gap after the last', () => {
    const footprint = customerFootprint([order('a', '2026-01-01'), order('b', '2026-01-11'), order('c', '2026-01-21')], rule);
    // Gaps of 10 days: at risk 20 days after Jan 21.
    expect(footprint['2026-02-10']?.lapsed).toBe(1);
  });

  it('lapses and comes back when the next order is late', () => {
    const footprint = customerFootprint([order('a', '2026-01-01'), order('b', '2026-04-01')], rule);
    expect(footprint['2026-03-02']?.lapsed).toBe(1);
    expect(footprint['2026-04-01']?.activated).toBe(1);
    expect(footprint['2026-05-31']?.lapsed).toBe(1);
  });

  it('counts them among the ordering customers for 30 days after each order, and as repeating after the second', () => {
    const footprint = customerFootprint([order('a', '2026-01-01'), order('b', '2026-01-20')], rule);
    expect(footprint['2026-01-01']?.ordering).toBe(1);
    expect(footprint['2026-01-20']?.repeating).toBe(1);
    // Both runs end 30 days after the last order.
    expect(footprint['2026-02-19']).toMatchObject({ ordering: -1, repeating: -1 });
  });
});

describe('the changes an order makes', () => {
  const history = [order('a', '2026-01-01', 20), order('b', '2026-02-10', 30), order('c', '2026-01-15', 25), order('d', '2026-05-01', 40)];
  it('add up to the footprint of the whole history, whatever order the orders arrive in (late orders too)', () => {
    for (const arrival of [history, [...history].reverse(), [history[2]!, history[0]!, history[3]!, history[1]!]]) {
      const changes = arrival.map((o, i) => orderChanges(arrival.slice(0, i + 1), o.orderId, rule));
      expect(combine(...changes)).toEqual(combine(customerFootprint(history, rule)));
    }
  });
});

describe("a day's period counts and KPIs", () => {
  // Five customers, KPIs for the 30 days ending 2026-03-31 (Mar 2 – Mar 31, from the end of Mar 1).
  const counters: DayCounters = combine(
    customerFootprint([order('a1', '2026-01-01', 100), order('a2', '2026-01-20', 50)], rule), // A: lapses Mar 21
    customerFootprint([order('b1', '2026-01-01', 10), order('b2', '2026-04-01', 10)], rule), // B: lapses Mar 2, back Apr 1
    customerFootprint([order('c1', '2026-03-10', 80)], rule), // C: new in the period
    customerFootprint([order('d1', '2026-02-15', 40), order('d2', '2026-03-20', 60)], rule), // D: orders again
    customerFootprint([order('e1', '2025-12-01', 30), order('e2', '2026-03-15', 45)], rule), // E: lapsed Jan 30, won back
    conversionChanges('birthday', '2026-03-20T12:00:00Z', 60),
    conversionChanges('winback', '2026-03-15T12:00:00Z', 45),
    npsChanges('2026-02-20', 'promoter'), // before the period
    npsChanges('2026-03-05', 'promoter'),
    npsChanges('2026-03-06', 'promoter'),
    npsChanges('2026-03-07', 'passive'),
    npsChanges('2026-03-08', 'passive'),
    npsChanges('2026-03-08', 'detractor', 'passive'), // a changed score moves the response
  );
  const counts = periodCounts(counters, '2026-03-31');

  it('counts the active customers at both ends and the new ones', () => {
    // Start: A, B, D (E had lapsed). End: C, D, E (A and B lapsed; B's April order is not yet).
    expect(counts).toMatchObject({ customersAtStart: 3, customersAtEnd: 3, newCustomers: 1 });
  });
  it('counts the orders, revenue and ordering customers of the period', () => {
    expect(counts).toMatchObject({ orders: 3, revenue: 185, orderingCustomers: 3, repeatCustomers: 2 });
  });
  it('counts the lapses, the winback conversions, the NPS responses and the attributed revenue', () => {
    expect(counts).toMatchObject({ lapsedCustomers: 2, wonBack: 1, promoters: 2, passives: 1, detractors: 1 });
    expect(counts.attributedRevenue).toEqual({ birthday: 60, winback: 45 });
  });
  it('gives the KPIs by hand', () => {
    expect(publishedKpis(retentionKpis(counts))).toEqual({
      activeCustomers: 3,
      newCustomers: 1,
      retentionRate: 66.67, // (3 − 1) ÷ 3
      churnRate: 33.33,
      repeatPurchaseRate: 66.67, // D and E of C, D, E
      winbackRate: 50, // E of A and B
      averageOrderValue: 61.67, // 185 ÷ 3
      purchaseFrequency: 1,
      customerLifetimeValue: 185, // 61.67 × 1 × 3 periods
      nps: 25, // (2 − 1) ÷ 4
      attributedRevenue: { birthday: 60, winback: 45 },
    });
  });
});
