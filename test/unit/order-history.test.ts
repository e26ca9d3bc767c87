/** docs/design.md §3, `Order Cancelled` and `Order Refunded`: which orders still count, and for how much. */
import { describe, expect, it } from 'vitest';
import { countingOrders, historyVersion, type OrderChange, type StoredHistory } from '../../functions/customers/order-history';
import { customerFootprint } from '../../functions/ops/counters';
import { historyStats } from '../../functions/campaigns/winback/rules';
import { parseConfig } from '../../functions/config';

const order = (orderId: string, placedAt: string, total: number) => ({ orderId, placedAt, total });
const o1 = order('o1', '2026-01-05T10:00:00.000Z', 40);
const o2 = order('o2', '2026-02-05T10:00:00.000Z', 60);
const o3 = order('o3', '2026-03-05T10:00:00.000Z', 25.5);
const cancelled = (orderId: string): OrderChange => ({ kind: 'cancelled', orderId });
const refunded = (orderId: string, refundId: string, amount: number): OrderChange => ({ kind: 'refunded', orderId, refundId, amount });
const history = (orders: StoredHistory['orders'], changes: OrderChange[] = []): StoredHistory => ({ orders, changes });

describe('a cancelled order', () => {
  it('counts nowhere: the others count as placed', () => {
    expect(countingOrders(history([o1, o2, o3], [cancelled('o2')]))).toEqual([o1, o3]);
  });

  it('counts nowhere when the cancellation came before the order', () => {
    // The order is added to a history that already holds its cancellation.
    expect(countingOrders(history([o3, o1], [cancelled('o3')]))).toEqual([o1]);
  });

  it('leaves statistics as if it had never been placed: last order, spend and no median under three orders', () => {
    const stats = historyStats(countingOrders(history([o1, o2, o3], [cancelled('o3')])));
    expect(stats).toEqual({ orderCount: 2, firstOrderAt: o1.placedAt, lastOrderAt: o2.placedAt, totalSpent: 100, medianGapDays: undefined });
  });

  it('of a customer with one order leaves no statistics at all, and no footprint in the KPIs', () => {
    const left = countingOrders(history([o1], [cancelled('o1')]));
    expect(historyStats(left)).toMatchObject({ orderCount: 0, lastOrderAt: undefined });
    expect(customerFootprint(left, parseConfig({}).winback)).toEqual({});
  });
});

describe('a refund', () => {
  it('lowers the order’s total, to the cent, refund by refund', () => {
    expect(countingOrders(history([o3], [refunded('o3', 'r1', 10.2), refunded('o3', 'r2', 0.1)]))).toEqual([{ ...o3, total: 15.2 }]);
  });

  it('counts once however often it is reported', () => {
    const once = countingOrders(history([o1], [refunded('o1', 'r1', 15)]));
    expect(countingOrders(history([o1], [refunded('o1', 'r1', 15), refunded('o1', 'r1', 15)]))).toEqual(once);
  });

  it('that reaches the total makes the order count no more, as a cancellation does', () => {
    expect(countingOrders(history([o1, o2], [refunded('o2', 'r1', 50), refunded('o2', 'r2', 10)]))).toEqual([o1]);
  });

  it('waits for an order that has not arrived yet', () => {
    expect(countingOrders(history([o1], [refunded('o2', 'r1', 10)]))).toEqual([o1]);
    expect(countingOrders(history([o1, o2], [refunded('o2', 'r1', 10)]))).toEqual([o1, { ...o2, total: 50 }]);
  });

  it('leaves a free order counting when nothing was refunded of it', () => {
    const free = order('free', '2026-01-06T00:00:00.000Z', 0);
    expect(countingOrders(history([free]))).toEqual([free]);
  });
});

describe('the history’s version', () => {
  it('grows with every order, cancellation and refund recorded, so the latest computation wins', () => {
    expect(historyVersion(history([o1]))).toBe(1);
    expect(historyVersion(history([o1, o2]))).toBe(2);
    expect(historyVersion(history([o1, o2], [cancelled('o2')]))).toBe(3);
    expect(historyVersion(history([o1, o2], [cancelled('o2'), refunded('o1', 'r1', 5)]))).toBe(4);
  });
});
