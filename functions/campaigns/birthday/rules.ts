/**
 * The birthday rules of docs/design.md §5, as pure functions:
 * - on the customer's local birthday, in the local send hour (09:00–10:00);
 * - a customer who becomes eligible later that day gets it within the hour, if before 20:00;
 * - 29 February is celebrated on 28 February in non-leap years;
 * - once per customer per year.
 */
import { DateTime } from 'luxon';
import type { Config } from '../../config';
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { sweepOnDay, type SendWindow } from '../local-time';

export interface MonthDay {
  month: number;
  day: number;
}

/** `YYYY-MM-DD` or `--MM-DD` (already validated by the event schema). */
export const parseBirthday = (birthday: string): MonthDay => {
  const [month, day] = birthday.slice(-5).split('-').map(Number) as [number, number];
  return { month, day };
};

const isLeapYear = (year: number) => DateTime.fromObject({ year }).isInLeapYear;

/** The local date the birthday is celebrated on in `year`. */
export const celebrationDate = ({ month, day }: MonthDay, year: number): MonthDay =>
  month === 2 && day === 29 && !isLeapYear(year) ? { month: 2, day: 28 } : { month, day };

export interface BirthdayDueInput {
  birthday: MonthDay;
  timeZone: string;
  /** When the question is asked: the time of the event being handled. */
  now: Date;
  /** The last year a birthday email went out (or was skipped for good). */
  lastCelebratedYear?: number;
  sendHour: number;
  window: SendWindow;
}

export interface BirthdayDue {
  /** The year being celebrated: the occasion of the send key. */
  occasion: number;
  /** The hourly sweep that sends it. */
  dueAt: Date;
}

/** When the next birthday email is due, or undefined if none is (never happens for a valid birthday). */
export const nextBirthdayDue = (input: BirthdayDueInput): BirthdayDue | undefined => {
  const { birthday, timeZone, now, lastCelebratedYear = -Infinity, sendHour, window } = input;
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  for (const year of [local.year, local.year + 1, local.year + 2]) {
    if (year <= lastCelebratedYear) continue;
    const day = DateTime.fromObject({ year, ...celebrationDate(birthday, year) }, { zone: timeZone });
    if (day < local.startOf('day')) continue;
    const dueAt = sweepOnDay(day, sendHour, now, window);
    if (dueAt) return { occasion: year, dueAt };
  }
  return undefined;
};

/** The birthday discount: by tier if configured, else the default. */
export const birthdayPercentOff = (tier: string | undefined, birthday: Config['birthday']): number =>
  (tier !== undefined ? birthday.percentOffByTier[tier] : undefined) ?? birthday.percentOff;

/** The next birthday email for a profile, or none when it has no birthday or cannot be mailed. */
export const nextDueFor = (profile: CustomerProfile, now: Date, config: Config, lastCelebratedYear?: number) =>
  profile.birthday && isMailable(profile)
    ? nextBirthdayDue({
        birthday: parseBirthday(profile.birthday),
        timeZone: timeZoneOf(profile, config.defaultTimeZone),
        now,
        lastCelebratedYear,
        sendHour: config.birthday.sendHour,
        window: config.sendWindow,
      })
    : undefined;
