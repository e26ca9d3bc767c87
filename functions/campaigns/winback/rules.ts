/**
 * The winback rules of DESIGN §5, as pure functions:
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
import { sweepSlot, type SendWindow } from '../local-time';

const day = 86_400_000;

export interface OrderHistoryEntry {
  orderId: string;
  placedAt: string;
  total: number;
}

export interface OrderStats {
  orderCount: number;
  firstOrderAt: string;
  lastOrderAt: string;
  totalSpent: number;
  /** Median gap between consecutive orders, in days; only with three or more orders. */
  medianGapDays?: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Statistics of an order history in any order (late orders included); each orderId counts once. */
export const orderStats = (history: OrderHistoryEntry[]): OrderStats => {
  const orders = [...new Map(history.map((order) => [order.orderId, order])).values()].sort(
    (a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt),
  );
  const times = orders.map((order) => Date.parse(order.placedAt));
  const gaps = times.slice(1).map((time, i) => (time - times[i]!) / day);
  return {
    orderCount: orders.length,
    firstOrderAt: orders[0]!.placedAt,
    lastOrderAt: orders.at(-1)!.placedAt,
    // Cents, to keep floating-point dust out of the sum.
    totalSpent: Math.round(orders.reduce((sum, order) => sum + order.total * 100, 0)) / 100,
    ...(orders.length >= 3 && { medianGapDays: median(gaps) }),
  };
};

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
    const stepDay = riskDay.plus({ days: winback.steps[step - 1]!.offsetDays });
    const sendTime = stepDay.set({ hour: winback.sendHour }).toJSDate();
    const dueAt = sweepSlot(sendTime > now ? sendTime : now);
    const dueLocal = DateTime.fromJSDate(dueAt, { zone: timeZone });
    // A step whose day is over (say consent came later) is skipped, never sent late.
    if (dueLocal.hasSame(stepDay, 'day') && dueLocal.hour < window.endHour) return { lapse: stats.lastOrderAt, step, dueAt };
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
