/** Issue 7: each retention KPI's formula, on a small data set computed by hand; issue 15: money per currency. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { convertMoney, minorDigits, publishedKpis, retentionKpis, roundMoney, toMinor, type PeriodCounts } from '../../functions/ops/kpis';

// 200 active customers at the start, 230 at the end of which 50 are new; 300 orders placed by 120
// customers, 200 of them worth 12,000 MYR and 100 worth 3,000 GBP; 45 repeat customers; 80 lapsed
// and 12 were won back; 30 promoters, 10 passives, 10 detractors; the birthday emails converted
// orders worth 250 MYR, the winback emails 400 MYR and 200 GBP.
const counts: PeriodCounts = {
  customersAtStart: 200,
  customersAtEnd: 230,
  newCustomers: 50,
  orders: 300,
  ordersByCurrency: { MYR: 200, GBP: 100 },
  revenue: { MYR: 12_000, GBP: 3_000 },
  orderingCustomers: 120,
  repeatCustomers: 45,
  lapsedCustomers: 80,
  wonBack: 12,
  promoters: 30,
  passives: 10,
  detractors: 10,
  attributedRevenue: { birthday: { MYR: 250 }, winback: { MYR: 400, GBP: 200 } },
};
const kpis = retentionKpis(counts);

describe('retention rate = (customers at end − new customers) ÷ customers at start', () => {
  it('is (230 − 50) ÷ 200 = 0.9', () => expect(kpis.retentionRate).toBeCloseTo(0.9, 10));
});
describe('churn rate = 1 − retention rate', () => {
  it('is 0.1', () => expect(kpis.churnRate).toBeCloseTo(0.1, 10));
});
describe('repeat purchase rate = repeat customers ÷ customers who ordered', () => {
  it('is 45 ÷ 120 = 0.375', () => expect(kpis.repeatPurchaseRate).toBe(0.375));
});
describe('average order value = revenue ÷ orders, per currency', () => {
  it('is 12,000 ÷ 200 = 60 MYR and 3,000 ÷ 100 = 30 GBP, never one figure of both', () => expect(kpis.averageOrderValue).toEqual({ GBP: 30, MYR: 60 }));
});
describe('purchase frequency = orders ÷ customers who ordered', () => {
  it('is 300 ÷ 120 = 2.5', () => expect(kpis.purchaseFrequency).toBe(2.5));
});
describe('customer lifetime value = average order value × purchase frequency × lifespan (1 ÷ churn rate), per currency', () => {
  it("is 60 × 2.5 × 10 = 1,500 MYR and 30 × 2.5 × 10 = 750 GBP (each currency's order value, the shop's frequency and lifespan)", () => {
    expect(kpis.customerLifetimeValue.MYR).toBeCloseTo(1500, 8);
    expect(kpis.customerLifetimeValue.GBP).toBeCloseTo(750, 8);
    expect(Object.keys(kpis.customerLifetimeValue)).toEqual(['GBP', 'MYR']);
  });
});
describe('NPS = % promoters − % detractors', () => {
  it('is 60 % − 20 % = 40', () => expect(kpis.nps).toBe(40));
});
describe('winback rate = winback conversions ÷ customers who lapsed', () => {
  it('is 12 ÷ 80 = 0.15', () => expect(kpis.winbackRate).toBe(0.15));
});
describe('revenue, and revenue attributed per campaign', () => {
  it('is what the orders brought and each campaign converted, in each currency', () => {
    expect(kpis.revenue).toEqual({ GBP: 3000, MYR: 12_000 });
    expect(kpis.attributedRevenue).toEqual({ birthday: { MYR: 250 }, winback: { GBP: 200, MYR: 400 } });
  });
});

describe('as published', () => {
  it('gives rates in percent and money per currency, to the cent', () => {
    expect(publishedKpis(kpis)).toEqual({
      activeCustomers: 230,
      newCustomers: 50,
      retentionRate: 90,
      churnRate: 10,
      repeatPurchaseRate: 37.5,
      winbackRate: 15,
      revenue: { GBP: 3000, MYR: 12_000 },
      averageOrderValue: { GBP: 30, MYR: 60 },
      purchaseFrequency: 2.5,
      customerLifetimeValue: { GBP: 750, MYR: 1500 },
      nps: 40,
      attributedRevenue: { birthday: { MYR: 250 }, winback: { GBP: 200, MYR: 400 } },
    });
  });

  it("rounds each currency to its own minor unit: whole yen, thousandths of a dinar", () => {
    expect([minorDigits('EUR'), minorDigits('JPY'), minorDigits('KWD'), minorDigits('BHD')]).toEqual([2, 0, 3, 3]);
    expect([toMinor(42.5, 'MYR'), toMinor(1234, 'JPY'), toMinor(12.345, 'KWD')]).toEqual([4250, 1234, 12_345]);
    const published = publishedKpis(retentionKpis({ ...counts, ordersByCurrency: { JPY: 3, KWD: 3 }, revenue: { JPY: 1000, KWD: 10 } }));
    expect(published.averageOrderValue).toEqual({ JPY: 333, KWD: 3.333 });
    expect(published.customerLifetimeValue).toEqual({ JPY: roundMoney((1000 / 3) * 2.5 * 10, 'JPY'), KWD: roundMoney((10 / 3) * 2.5 * 10, 'KWD') });
    expect(published.customerLifetimeValue).toEqual({ JPY: 8333, KWD: 83.333 });
  });
});

describe('converted to a base currency, when one is configured', () => {
  const conversion = parseConfig({ kpis: { baseCurrency: 'EUR', rates: { MYR: 0.2, GBP: 1.2 } } }).kpis;

  it('is absent without a base currency: money is per currency only', () => {
    expect(retentionKpis(counts)).not.toHaveProperty('converted');
    expect(retentionKpis(counts, parseConfig({}).kpis)).not.toHaveProperty('converted');
  });

  it('converts every currency by its rate, then divides: 12,000 × 0.2 + 3,000 × 1.2 = 6,000 EUR over 300 orders', () => {
    const published = publishedKpis(retentionKpis(counts, conversion));
    expect(published.converted).toEqual({
      currency: 'EUR',
      revenue: 6000,
      averageOrderValue: 20,
      customerLifetimeValue: 500, // 20 × 2.5 × 10
      attributedRevenue: { birthday: 50, winback: 320 }, // 250 × 0.2; 400 × 0.2 + 200 × 1.2
    });
    // The figures per currency stay as they were.
    expect(published.averageOrderValue).toEqual({ GBP: 30, MYR: 60 });
  });

  it('takes the base currency at 1, whether or not it has a rate', () => {
    const inRinggit = retentionKpis(counts, parseConfig({ kpis: { baseCurrency: 'MYR', rates: { GBP: 5.5 } } }).kpis);
    expect(inRinggit.converted).toMatchObject({ currency: 'MYR', revenue: 12_000 + 3000 * 5.5, averageOrderValue: 28_500 / 300 });
  });

  it('gives no converted figure, and names the currency, when a currency has no rate (never a partial sum)', () => {
    const converted = retentionKpis(counts, parseConfig({ kpis: { baseCurrency: 'EUR', rates: { MYR: 0.2 } } }).kpis).converted;
    expect(converted).toMatchObject({ revenue: null, averageOrderValue: null, customerLifetimeValue: null, attributedRevenue: { birthday: 50, winback: null }, missingRates: ['GBP'] });
    expect(convertMoney({ MYR: 10, GBP: 1 }, conversion)).toEqual({ currency: 'EUR', amount: 3.2 });
    expect(convertMoney({ MYR: 10, JPY: 1 }, conversion)).toEqual({ currency: 'EUR', amount: null, missingRates: ['JPY'] });
    expect(convertMoney({ MYR: 10 }, undefined)).toBeUndefined();
  });

  it('is refused without a base currency, or with a currency ISO 4217 does not know', () => {
    expect(() => parseConfig({ kpis: { rates: { MYR: 0.2 } } })).toThrow(/kpis.baseCurrency/);
    expect(() => parseConfig({ kpis: { baseCurrency: 'EURO' } })).toThrow(/ISO 4217/);
    expect(() => parseConfig({ shop: { currencies: ['MYR', 'ZZZ'] } })).toThrow(/shop.currencies.1 must be an ISO 4217/);
  });
});

describe('without a denominator', () => {
  it('says nothing rather than divide by zero', () => {
    const none = { birthday: {}, winback: {} };
    const empty = retentionKpis({ ...counts, customersAtStart: 0, customersAtEnd: 0, newCustomers: 0, orders: 0, ordersByCurrency: {}, revenue: {}, orderingCustomers: 0, repeatCustomers: 0, lapsedCustomers: 0, wonBack: 0, promoters: 0, passives: 0, detractors: 0, attributedRevenue: none });
    expect(empty).toMatchObject({ retentionRate: null, churnRate: null, repeatPurchaseRate: null, winbackRate: null, averageOrderValue: {}, purchaseFrequency: null, customerLifetimeValue: {}, nps: null });
  });
  it('has no lifetime value while nobody churns, or more come back than leave (the lifespan is unknown)', () => {
    expect(retentionKpis({ ...counts, customersAtEnd: 250 }).customerLifetimeValue).toEqual({ GBP: null, MYR: null });
    expect(retentionKpis({ ...counts, customersAtEnd: 260 }).customerLifetimeValue).toEqual({ GBP: null, MYR: null });
  });
});
