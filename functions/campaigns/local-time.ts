/**
 * Local time: the customer's `timeZone`, else the configured default (docs/design.md §5).
 * Pure functions over instants; the instant always comes from the event.
 */
import { DateTime } from 'luxon';

export interface SendWindow {
  startHour: number;
  endHour: number;
}

export const inZone = (instant: Date, timeZone: string): DateTime => DateTime.fromJSDate(instant, { zone: timeZone });

/** The customer's local calendar date, `YYYY-MM-DD`. */
export const localDate = (instant: Date, timeZone: string): string => inZone(instant, timeZone).toISODate()!;

/** Emails go out only between startHour and endHour local time. */
export const inSendWindow = (instant: Date, timeZone: string, window: SendWindow): boolean => {
  const { hour } = inZone(instant, timeZone);
  return hour >= window.startHour && hour < window.endHour;
};

/**
 * The sweep run that will pick up something due at `instant`: sweeps run on
 * whole UTC hours, so it is the instant rounded up to the hour.
 */
export const sweepSlot = (instant: Date): Date => {
  const hour = 3_600_000;
  return new Date(Math.ceil(instant.getTime() / hour) * hour);
};

/**
 * The sweep that sends what is due on the local `day` from `hour` (not before `now`: eligible late on the day itself,
 * the next sweep); none when that sweep falls on another day or after the day's send window: a day over is skipped,
 * never sent late.
 */
export const sweepOnDay = (day: DateTime, hour: number, now: Date, window: SendWindow): Date | undefined => {
  const sendTime = day.set({ hour }).toJSDate();
  const dueAt = sweepSlot(sendTime > now ? sendTime : now);
  const local = DateTime.fromJSDate(dueAt, { zone: day.zone });
  // The same local day: what luxon's `hasSame(day, 'day')` tells, without its nine time-zone offsets (half an order's
  // time-zone work: BENCHMARKS.md).
  const sameDay = local.day === day.day && local.month === day.month && local.year === day.year;
  return sameDay && local.hour < window.endHour ? dueAt : undefined;
};

/** `hour`:00 local time on the local day after `instant`: where a deferred send moves to. */
export const nextLocalDayAt = (instant: Date, timeZone: string, hour: number): Date =>
  inZone(instant, timeZone).plus({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 }).toJSDate();

/**
 * The first sweep at or after `from` that is inside the customer's send window, from `sendHour`
 * local: an email that becomes due at night waits for the morning, never missed.
 */
export const nextSendSlot = (from: Date, timeZone: string, sendHour: number, window: SendWindow): Date => {
  const startHour = Math.max(sendHour, window.startHour);
  const slot = sweepSlot(from);
  const local = inZone(slot, timeZone);
  if (local.hour >= startHour && local.hour < window.endHour) return slot;
  const day = local.hour < startHour ? local : local.plus({ days: 1 });
  return sweepSlot(day.set({ hour: startHour, minute: 0, second: 0, millisecond: 0 }).toJSDate());
};
