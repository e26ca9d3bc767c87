/** Issue 7: each retention KPI's formula, on a small data set computed by hand. */
import { describe, expect, it } from 'vitest';
import { retentionKpis, winbackRate } from '../../functions/ops/kpis';

// 200 customers at the start, 230 at the end of which 50 joined; 300 orders worth 15,000
// placed by 120 customers, 45 of whom ordered more than once; customers stay 3 years.
const kpis = retentionKpis({
  customersAtStart: 200,
  customersAtEnd: 230,
  newCustomers: 50,
  orders: 300,
  revenue: 15_000,
  orderingCustomers: 120,
  repeatCustomers: 45,
  averageLifespanYears: 3,
});

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
describe('customer lifetime value = average order value × purchase frequency × lifespan', () => {
  it('is 50 × 2.5 × 3 = 375', () => expect(kpis.customerLifetimeValue).toBe(375));
});
describe('winback rate = customers won back ÷ customers who lapsed', () => {
  it('is 12 ÷ 80 = 0.15', () => expect(winbackRate(12, 80)).toBe(0.15));
});
describe('without a denominator', () => {
  it('says nothing rather than divide by zero', () => {
    const empty = retentionKpis({ customersAtStart: 0, customersAtEnd: 0, newCustomers: 0, orders: 0, revenue: 0, orderingCustomers: 0, repeatCustomers: 0, averageLifespanYears: 3 });
    expect(empty).toEqual({ retentionRate: null, churnRate: null, repeatPurchaseRate: null, averageOrderValue: null, purchaseFrequency: null, customerLifetimeValue: null });
  });
});
