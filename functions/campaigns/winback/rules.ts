/**
 * The winback rules of docs/design.md §5, as pure functions:
 * - the expected reorder interval is the median gap between a customer's orders
 *   when they have three or more, else 30 days;
 * - they are at risk when the days since their last order reach twice that;
 * - steps: at risk (reminder), +30 days (10 % code), +60 days (20 % code),
 *   each once per lapse, from 10:00 local on its day;
 * - a new order starts a new lapse: the old sequence is over.
 */
import { DateTime } from 'luxon';
import type { Config } from '../../config';
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { sweepOnDay, type SendWindow } from '../local-time';

const day = 86_400_000;

export interface OrderHistoryEntry {
  orderId: string;
  placedAt: string;
  total: number;
  /** ISO 4217; absent in histories recorded before it was kept (the KPIs count those as currency unknown). */
  currency?: string;
}

export interface OrderStats {
  orderCount: number;
  firstOrderAt: string;
  lastOrderAt: string;
  totalSpent: number;
  /** Median gap between consecutive orders, in days; only with three or more orders. */
  medianGapDays?: number;
}

/** A binary heap of numbers, `above(a, b)` when a belongs nearer the top. */
const heap = (above: (a: number, b: number) => boolean) => {
  const items: number[] = [];
  const swap = (i: number, j: number) => ([items[i], items[j]] = [items[j]!, items[i]!]);
  return {
    items,
    get size() {
      return items.length;
    },
    top: () => items[0]!,
    push(value: number) {
      items.push(value);
      for (let i = items.length - 1; i > 0 && above(items[i]!, items[(i - 1) >> 1]!); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    },
    pop() {
      const top = items[0]!;
      const last = items.pop()!;
      if (items.length) {
        items[0] = last;
        for (let i = 0; ; ) {
          const [left, right] = [2 * i + 1, 2 * i + 2];
          let first = i;
          if (left < items.length && above(items[left]!, items[first]!)) first = left;
          if (right < items.length && above(items[right]!, items[first]!)) first = right;
          if (first === i) break;
          swap(i, first);
          i = first;
        }
      }
      return top;
    },
  };
};

/** What keeps the gaps between orders to tell their median as they come (the running medians below, or a summary's: docs/design.md §3). */
export interface GapMedians {
  push(gap: number): void;
  /** The median of every gap pushed: the middle one, or the mean of the two middle ones. */
  median(): number;
}

/** Gaps in O(log n) a push: the lower half in a max-heap, holding the middle, and the upper half in a min-heap. */
export const gapMedians = (): GapMedians & { values(): number[] } => {
  const lower = heap((a, b) => a > b);
  const upper = heap((a, b) => a < b);
  return {
    push(value) {
      if (lower.size && value > lower.top()) upper.push(value);
      else lower.push(value);
      if (lower.size > upper.size + 1) upper.push(lower.pop());
      else if (upper.size > lower.size) lower.push(upper.pop());
    },
    median: () => (lower.size > upper.size ? lower.top() : (lower.top() + upper.top()) / 2),
    /** Every gap pushed, in no particular order. */
    values: () => [...lower.items, ...upper.items],
  };
};

export type TimedOrder = OrderHistoryEntry & { time: number };

/** Each orderId once (its last entry), oldest first (equal times in the order given), its time parsed once. */
export const chronological = (history: OrderHistoryEntry[]): TimedOrder[] => {
  const orders = [...new Map(history.map((order) => [order.orderId, order])).values()];
  const times = orders.map((order) => Date.parse(order.placedAt));
  const order = orders.map((_, i) => i);
  // A history usually comes in time order already: then nothing moves.
  if (times.some((time, i) => i > 0 && !(time >= times[i - 1]!))) order.sort((a, b) => times[a]! - times[b]! || a - b);
  return order.map((i) => ({ orderId: orders[i]!.orderId, placedAt: orders[i]!.placedAt, total: orders[i]!.total, currency: orders[i]!.currency, time: times[i]! }));
};

/** Days between consecutive orders of a chronological history. */
const gapsOf = (orders: TimedOrder[]) => orders.slice(1).map((order, i) => (order.time - orders[i]!.time) / day);

/** The statistics from what a pass over the orders, oldest first, keeps: here, or in a summary of the history (docs/design.md §3). */
export const statsFrom = (orderCount: number, firstOrderAt: string, lastOrderAt: string, cents: number, medianGap: () => number): OrderStats => ({
  orderCount,
  firstOrderAt,
  lastOrderAt,
  // Cents, to keep floating-point dust out of the sum.
  totalSpent: Math.round(cents) / 100,
  // Always written: a cancelled order can bring a history back under three orders.
  medianGapDays: orderCount >= 3 ? medianGap() : undefined,
});

/** Statistics of an order history in any order (late orders included); each orderId counts once. */
export const orderStats = (history: OrderHistoryEntry[]): OrderStats => {
  const orders = chronological(history);
  const cents = orders.reduce((sum, order) => sum + order.total * 100, 0);
  return statsFrom(orders.length, orders[0]!.placedAt, orders.at(-1)!.placedAt, cents, () => {
    const gaps = gapMedians();
    for (const gap of gapsOf(orders)) gaps.push(gap);
    return gaps.median();
  });
};

/** The statistics of a customer whose every order was cancelled: none, and so no winback. */
export type NoOrderStats = { orderCount: 0; totalSpent: 0 } & { [K in Exclude<keyof OrderStats, 'orderCount' | 'totalSpent'>]?: undefined };
export const noOrderStats: NoOrderStats = { orderCount: 0, totalSpent: 0, firstOrderAt: undefined, lastOrderAt: undefined, medianGapDays: undefined };

/** `orderStats`, or none for an empty history. */
export const historyStats = (history: OrderHistoryEntry[]): OrderStats | NoOrderStats => (history.length ? orderStats(history) : noOrderStats);

export const expectedIntervalDays = (stats: Pick<OrderStats, 'orderCount' | 'medianGapDays'>, defaultIntervalDays: number) =>
  stats.orderCount >= 3 && stats.medianGapDays !== undefined ? stats.medianGapDays : defaultIntervalDays;

/** The local day the days since the last order reach `riskFactor` intervals. */
export const atRiskDay = (lastOrderAt: string, intervalDays: number, riskFactor: number, timeZone: string): DateTime =>
  DateTime.fromISO(lastOrderAt, { zone: timeZone })
    .startOf('day')
    .plus({ days: Math.ceil(riskFactor * intervalDays) });

export interface WinbackDue {
  /** The lapse this sequence belongs to: the last order before it. */
  lapse: string;
  step: number;
  /** The hourly sweep that sends it. */
  dueAt: Date;
}

export interface WinbackDueInput {
  stats: Pick<OrderStats, 'orderCount' | 'lastOrderAt' | 'medianGapDays'>;
  timeZone: string;
  now: Date;
  /** Steps already sent (or settled) in this lapse. */
  stepsSent: number;
  winback: Config['winback'];
  window: SendWindow;
}

/** The next step of the sequence still to go out, or none when the sequence is over. */
export const nextWinbackStep = ({ stats, timeZone, now, stepsSent, winback, window }: WinbackDueInput): WinbackDue | undefined => {
  const riskDay = atRiskDay(stats.lastOrderAt, expectedIntervalDays(stats, winback.defaultIntervalDays), winback.riskFactor, timeZone);
  for (let step = stepsSent + 1; step <= winback.steps.length; step++) {
    // A step whose day is over (say consent came later) is skipped, never sent late.
    const stepDay = riskDay.plus({ days: winback.steps[step - 1]!.offsetDays });
    const dueAt = sweepOnDay(stepDay, winback.sendHour, now, window);
    if (dueAt) return { lapse: stats.lastOrderAt, step, dueAt };
  }
  return undefined;
};

/** Steps already settled in the customer's current lapse. */
export const stepsSentIn = (profile: Pick<CustomerProfile, 'winbackLapse' | 'winbackStepsSent' | 'lastOrderAt'>) =>
  profile.winbackLapse !== undefined && profile.winbackLapse === profile.lastOrderAt ? (profile.winbackStepsSent ?? 0) : 0;

/** The next winback email for a profile, or none when it has no orders or cannot be mailed. */
export const nextWinbackFor = (profile: CustomerProfile, now: Date, config: Config, stepsSent = stepsSentIn(profile)) =>
  profile.lastOrderAt && profile.orderCount && isMailable(profile)
    ? nextWinbackStep({
        stats: { orderCount: profile.orderCount, lastOrderAt: profile.lastOrderAt, medianGapDays: profile.medianGapDays },
        timeZone: timeZoneOf(profile, config.defaultTimeZone),
        now,
        stepsSent,
        winback: config.winback,
        window: config.sendWindow,
      })
    : undefined;
