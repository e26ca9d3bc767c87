/**
 * A customer's order history as it is stored (docs/design.md §3): the orders placed,
 * and what happened to them since (cancellations, refunds), each recorded once
 * whatever order the shop's events arrive in. What counts is derived from it:
 * a cancelled order, or one refunded in full, counts nowhere; a partial refund
 * lowers its total. Records are only ever added, so their number is a version:
 * of two things computed from the history, the one from more records is newer.
 * Each record also keeps the version it made, so the history as it was at an
 * earlier version can be told again (the KPI footprint diffs against it).
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
  /**
   * The version each record made, in the order of `orders` and `changes`
   * (record n of the history made version n); 0 for records kept before they
   * were numbered, which came before every numbered one.
   */
  added?: { orders: number[]; changes: number[] };
  /**
   * The record that made this version, when its writer knows it (it has just added it): the history one version
   * back is then this one without it, told without numbering every record.
   */
  newest?: { set: 'orders' | 'changes'; index: number };
  /** The number of the history's last page as its store read it (a hint for the next write: docs/design.md §3). */
  page?: number;
}

/** The history's last page with the summary of the pages before it (./history-summary.ts), without reading them. */
export interface SummarizedPage {
  /** The summary of the pages before, as it was stored with the page. */
  summary: string;
  /** The page's records, numbered from the page's first (version 1); after an order appended to it, that order the newest. */
  last: StoredHistory;
  /** A record on the page repeats an order of the pages before (its writer, which read them, said so). */
  repeats: boolean;
}

/** The history after an order appended to a page with a summary of the pages before it: that page as the write left it. */
export interface RecentHistory extends SummarizedPage {
  /** The whole history at this version: the pages before read, and this page as the write left it. */
  whole(): Promise<StoredHistory>;
}

/** The history's version: every record counts once, and none is ever removed. */
export const historyVersion = (history: StoredHistory) => history.orders.length + history.changes.length;

/** The history as it was at `version` (at most this one's); undefined when that cannot be told (records kept before they were numbered). */
export const historyAt = (history: StoredHistory, version: number): StoredHistory | undefined => {
  if (version === historyVersion(history)) return history;
  if (version === 0) return { orders: [], changes: [] };
  if (history.newest && version === historyVersion(history) - 1) {
    const { set, index } = history.newest;
    const drop = <T>(records: T[]) => records.filter((_, i) => i !== index);
    // Built field by field: a spread of the history would number it (`added` may be computed when read).
    return {
      orders: set === 'orders' ? drop(history.orders) : history.orders,
      changes: set === 'changes' ? drop(history.changes) : history.changes,
      ...(history.redemptions && { redemptions: history.redemptions }),
    };
  }
  if (!history.added) return undefined;
  const { orders, changes } = history.added;
  const unnumbered = [...orders, ...changes].filter((made) => made === 0).length;
  if (version < unnumbered) return undefined;
  const kept = (made: number) => made <= version;
  return {
    orders: history.orders.filter((_, i) => kept(orders[i]!)),
    changes: history.changes.filter((_, i) => kept(changes[i]!)),
    ...(history.redemptions && { redemptions: history.redemptions }),
  };
};

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
