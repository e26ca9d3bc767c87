/**
 * A customer's order history as it is stored (docs/design.md §3): the orders placed,
 * and what happened to them since (cancellations, refunds), each recorded once
 * whatever order the shop's events arrive in. What counts is derived from it:
 * a cancelled order, or one refunded in full, counts nowhere; a partial refund
 * lowers its total. Records are only ever added, so their number is a version:
 * of two things computed from the history, the one from more records is newer.
 */
import type { OrderHistoryEntry } from '../campaigns/winback/rules';

export type OrderChange =
  | { kind: 'cancelled'; orderId: string }
  | { kind: 'refunded'; orderId: string; refundId: string; amount: number };

export interface StoredHistory {
  orders: OrderHistoryEntry[];
  changes: OrderChange[];
  /** Loyalty points spent on an order (docs/design.md §10), recorded with it. */
  redemptions?: { orderId: string; points: number }[];
}

/** The history's version: every record counts once, and none is ever removed. */
export const historyVersion = (history: StoredHistory) => history.orders.length + history.changes.length;

/** Cents, so refunds subtract without floating-point dust. */
const cents = (amount: number) => Math.round(amount * 100);

/** The orders that count, each with its total less its refunds; a refund of an order not yet placed waits for it. */
export const countingOrders = (history: StoredHistory): OrderHistoryEntry[] => {
  const cancelled = new Set<string>();
  const refundedCents = new Map<string, number>();
  const refunds = new Set<string>();
  for (const change of history.changes) {
    if (change.kind === 'cancelled') cancelled.add(change.orderId);
    else if (!refunds.has(`${change.orderId}\u0000${change.refundId}`)) {
      refunds.add(`${change.orderId}\u0000${change.refundId}`);
      refundedCents.set(change.orderId, (refundedCents.get(change.orderId) ?? 0) + cents(change.amount));
    }
  }
  const counting: OrderHistoryEntry[] = [];
  const seen = new Set<string>();
  for (const order of history.orders) {
    if (cancelled.has(order.orderId) || seen.has(order.orderId)) continue;
    seen.add(order.orderId);
    const left = cents(order.total) - (refundedCents.get(order.orderId) ?? 0);
    // Refunded in full: as good as cancelled. A free order (total 0) with no refund still counts.
    if (left <= 0 && refundedCents.has(order.orderId)) continue;
    counting.push(refundedCents.has(order.orderId) ? { ...order, total: left / 100 } : order);
  }
  return counting;
};

/** The order as it counts now: undefined when it was cancelled, refunded in full, or never placed. */
export const countingOrder = (history: StoredHistory, orderId: string) => countingOrders(history).find((order) => order.orderId === orderId);
