/** Issue 7: each retention KPI's formula, on a small data set computed by hand. */
import { describe, expect, it } from 'vitest';
import { publishedKpis, retentionKpis, type PeriodCounts } from '../../functions/ops/kpis';

// 200 active customers at the start, 230 at the end of which 50 are new; 300 orders worth 15,000
// placed by 120 customers, 45 of them repeat customers; 80 lapsed and 12 were won back;
// 30 promoters, 10 passives, 10 detractors; the winback emails converted orders worth 600.
const counts: PeriodCounts = {
  customersAtStart: 200,
  customersAtEnd: 230,
  newCustomers: 50,
  orders: 300,
  revenue: 15_000,
  orderingCustomers: 120,
  repeatCustomers: 45,
  lapsedCustomers: 80,
  wonBack: 12,
  promoters: 30,
  passives: 10,
  detractors: 10,
  attributedRevenue: { birthday: 250, winback: 600 },
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
describe('average order value = revenue ÷ orders', () => {
  it('is 15,000 ÷ 300 = 50', () => expect(kpis.averageOrderValue).toBe(50));
});
describe('purchase frequency = orders ÷ customers who ordered', () => {
  it('is 300 ÷ 120 = 2.5', () => expect(kpis.purchaseFrequency).toBe(2.5));
});
describe('customer lifetime value = average order value × purchase frequency × lifespan (1 ÷ churn rate)', () => {
  it('is 50 × 2.5 × 10 = 1,250', () => expect(kpis.customerLifetimeValue).toBeCloseTo(1250, 8));
});
describe('NPS = % promoters − % detractors', () => {
  it('is 60 % − 20 % = 40', () => expect(kpis.nps).toBe(40));
});
describe('winback rate = winback conversions ÷ customers who lapsed', () => {
  it('is 12 ÷ 80 = 0.15', () => expect(kpis.winbackRate).toBe(0.15));
});
describe('revenue attributed per campaign', () => {
  it('is what each campaign converted', () => expect(kpis.attributedRevenue).toEqual({ birthday: 250, winback: 600 }));
});

describe('as published', () => {
  it('gives rates in percent and money to the cent', () => {
    expect(publishedKpis(kpis)).toEqual({
      activeCustomers: 230,
      newCustomers: 50,
      retentionRate: 90,
      churnRate: 10,
      repeatPurchaseRate: 37.5,
      winbackRate: 15,
      averageOrderValue: 50,
      purchaseFrequency: 2.5,
      customerLifetimeValue: 1250,
      nps: 40,
      attributedRevenue: { birthday: 250, winback: 600 },
    });
  });
});

describe('without a denominator', () => {
  it('says nothing rather than divide by zero', () => {
    const none = { birthday: 0, winback: 0 };
    const empty = retentionKpis({ ...counts, customersAtStart: 0, customersAtEnd: 0, newCustomers: 0, orders: 0, revenue: 0, orderingCustomers: 0, repeatCustomers: 0, lapsedCustomers: 0, wonBack: 0, promoters: 0, passives: 0, detractors: 0, attributedRevenue: none });
    expect(empty).toMatchObject({ retentionRate: null, churnRate: null, repeatPurchaseRate: null, winbackRate: null, averageOrderValue: null, purchaseFrequency: null, customerLifetimeValue: null, nps: null });
  });
  it('has no lifetime value while nobody churns, or more come back than leave (the lifespan is unknown)', () => {
    expect(retentionKpis({ ...counts, customersAtEnd: 250 }).customerLifetimeValue).toBeNull();
    expect(retentionKpis({ ...counts, customersAtEnd: 260 }).customerLifetimeValue).toBeNull();
  });
});
