/**
 * Issue 7: the daily KPI counters. A customer's order history leaves a
 * footprint on the days it concerns; an order adds the difference its arrival
 * makes; a day's KPIs are sums over the days up to it. Hand-computed cases.
 * Issue 15: money is counted per currency, in its minor units.
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
const order = (orderId: string, day: string, total = 10, currency = 'EUR') => ({ orderId, placedAt: `${day}T12:00:00.000Z`, total, currency });

describe("a customer's footprint", () => {
  it('counts each order and its revenue on its day, per currency in its minor units, and the customer as new on the first', () => {
    const footprint = customerFootprint([order('a', '2026-01-01', 100), order('b', '2026-01-20', 50, 'MYR')], rule);
    expect(footprint['2026-01-01']).toEqual(expect.objectContaining({ orders: 1, 'orders#EUR': 1, 'revenue#EUR': 10_000, newCustomers: 1 }));
    expect(footprint['2026-01-20']).toEqual(expect.objectContaining({ orders: 1, 'orders#MYR': 1, 'revenue#MYR': 5_000 }));
    expect(footprint['2026-01-20']).not.toHaveProperty('revenue#EUR');
  });

  it("counts minor units as the currency has them: whole yen, thousandths of a dinar", () => {
    const footprint = customerFootprint([order('a', '2026-01-01', 1234, 'JPY'), order('b', '2026-01-02', 12.345, 'KWD'), order('c', '2026-01-03', 19.99, 'BHD')], rule);
    expect([footprint['2026-01-01']?.['revenue#JPY'], footprint['2026-01-02']?.['revenue#KWD'], footprint['2026-01-03']?.['revenue#BHD']]).toEqual([1234, 12_345, 19_990]);
    const counts = periodCounts(footprint, '2026-01-10');
    expect(counts.revenue).toEqual({ BHD: 19.99, JPY: 1234, KWD: 12.345 });
    expect(counts.ordersByCurrency).toEqual({ BHD: 1, JPY: 1, KWD: 1 });
  });

  it('counts an order of a history recorded without its currency as before, in cents of no known currency', () => {
    const footprint = customerFootprint([{ orderId: 'old', placedAt: '2026-01-01T12:00:00.000Z', total: 42.5 }], rule);
    expect(footprint['2026-01-01']).toEqual(expect.objectContaining({ orders: 1, revenueCents: 4250 }));
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

  it('counts an order on the day the previous one stops counting as one run; a day later, as two', () => {
    // Jan 31 is the day the order of Jan 1 leaves the 30 days: one run to Mar 2.
    const touching = customerFootprint([order('a', '2026-01-01'), order('b', '2026-01-31')], rule);
    expect([touching['2026-01-01']?.ordering, touching['2026-01-31']?.ordering, touching['2026-03-02']?.ordering]).toEqual([1, undefined, -1]);
    const apart = customerFootprint([order('a', '2026-01-01'), order('b', '2026-02-01')], rule);
    expect([apart['2026-01-01']?.ordering, apart['2026-01-31']?.ordering, apart['2026-02-01']?.ordering, apart['2026-03-03']?.ordering]).toEqual([1, -1, 1, -1]);
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
    // Customers in Malaysia pay in ringgit, customers in the UK in pounds.
    customerFootprint([order('a1', '2026-01-01', 100, 'MYR'), order('a2', '2026-01-20', 50, 'MYR')], rule), // A: lapses Mar 21
    customerFootprint([order('b1', '2026-01-01', 10, 'GBP'), order('b2', '2026-04-01', 10, 'GBP')], rule), // B: lapses Mar 2, back Apr 1
    customerFootprint([order('c1', '2026-03-10', 80, 'MYR')], rule), // C: new in the period
    customerFootprint([order('d1', '2026-02-15', 40, 'GBP'), order('d2', '2026-03-20', 60, 'GBP')], rule), // D: orders again
    customerFootprint([order('e1', '2025-12-01', 30, 'MYR'), order('e2', '2026-03-15', 45, 'MYR')], rule), // E: lapsed Jan 30, won back
    conversionChanges('birthday', '2026-03-20T12:00:00Z', 60, 'GBP'),
    conversionChanges('winback', '2026-03-15T12:00:00Z', 45, 'MYR'),
    conversionChanges('winback', '2026-03-16T12:00:00Z', 0, 'GBP', 0), // a conversion its cancellation undid
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
  it('counts the orders, revenue and ordering customers of the period, revenue per currency', () => {
    expect(counts).toMatchObject({ orders: 3, orderingCustomers: 3, repeatCustomers: 2 });
    expect(counts.ordersByCurrency).toEqual({ GBP: 1, MYR: 2 });
    expect(counts.revenue).toEqual({ GBP: 60, MYR: 125 }); // D's 60; C's 80 and E's 45
  });
  it('counts the lapses, the winback conversions, the NPS responses and the attributed revenue', () => {
    expect(counts).toMatchObject({ lapsedCustomers: 2, wonBack: 1, promoters: 2, passives: 1, detractors: 1 });
    expect(counts.attributedRevenue).toEqual({ birthday: { GBP: 60 }, winback: { MYR: 45 } });
  });
  it('gives the KPIs by hand, two sets of money figures, never one of both currencies', () => {
    expect(publishedKpis(retentionKpis(counts))).toEqual({
      activeCustomers: 3,
      newCustomers: 1,
      retentionRate: 66.67, // (3 − 1) ÷ 3
      churnRate: 33.33,
      repeatPurchaseRate: 66.67, // D and E of C, D, E
      winbackRate: 50, // E of A and B
      revenue: { GBP: 60, MYR: 125 },
      averageOrderValue: { GBP: 60, MYR: 62.5 }, // 60 ÷ 1; 125 ÷ 2
      purchaseFrequency: 1,
      customerLifetimeValue: { GBP: 180, MYR: 187.5 }, // × 1 × 3 periods
      nps: 25, // (2 − 1) ÷ 4
      attributedRevenue: { birthday: { GBP: 60 }, winback: { MYR: 45 } },
    });
  });
  it('converts them to the base currency by the configured rates, when one is configured', () => {
    const kpis = publishedKpis(retentionKpis(counts, { baseCurrency: 'MYR', rates: { GBP: 5.5 } }));
    // 125 + 60 × 5.5 = 455 MYR over 3 orders.
    expect(kpis.converted).toEqual({
      currency: 'MYR',
      revenue: 455,
      averageOrderValue: 151.67,
      customerLifetimeValue: 455,
      attributedRevenue: { birthday: 330, winback: 45 },
    });
  });
  it('reads counters written before currencies were counted as currency unknown (XXX), beside the ones after', () => {
    const legacy: DayCounters = combine(counters, {
      '2026-03-25': { orders: 2, revenueCents: 3050, activated: 0, winbackConversions: 1, winbackRevenueCents: 1000 },
    });
    const mixed = periodCounts(legacy, '2026-03-31');
    expect(mixed.ordersByCurrency).toEqual({ GBP: 1, MYR: 2, XXX: 2 });
    expect(mixed.revenue).toEqual({ GBP: 60, MYR: 125, XXX: 30.5 });
    expect(mixed.attributedRevenue.winback).toEqual({ MYR: 45, XXX: 10 });
    expect(publishedKpis(retentionKpis(mixed)).averageOrderValue).toEqual({ GBP: 60, MYR: 62.5, XXX: 15.25 });
  });
});

describe('the changes of a conversion', () => {
  it('count it, and its revenue in its currency, on the day of its order; undone, they count nothing', () => {
    expect(conversionChanges('winback', '2026-03-15T23:00:00Z', 12.5, 'GBP')).toEqual({ '2026-03-15': { winbackConversions: 1, 'winbackRevenue#GBP': 1250 } });
    expect(conversionChanges('birthday', '2026-03-15T12:00:00Z', 1500, 'JPY')).toEqual({ '2026-03-15': { birthdayConversions: 1, 'birthdayRevenue#JPY': 1500 } });
    expect(conversionChanges('birthday', '2026-03-15T12:00:00Z', 0, 'JPY', 0)).toEqual({ '2026-03-15': { birthdayConversions: 0, 'birthdayRevenue#JPY': 0 } });
  });
});
