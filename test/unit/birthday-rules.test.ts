/** docs/design.md §5, birthday: when the email is due, in the customer's own time zone. */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { birthdayPercentOff, celebrationDate, nextBirthdayDue, parseBirthday } from '../../functions/campaigns/birthday/rules';
import { parseConfig } from '../../functions/config';

const config = parseConfig({});
const due = (birthday: string, timeZone: string, now: string, lastCelebratedYear?: number) =>
  nextBirthdayDue({
    birthday: parseBirthday(birthday),
    timeZone,
    now: new Date(now),
    lastCelebratedYear,
    sendHour: config.birthday.sendHour,
    window: config.sendWindow,
  });
/** The due time as the customer's wall clock shows it. */
const local = (instant: Date | undefined, timeZone: string) => instant && DateTime.fromJSDate(instant, { zone: timeZone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('the birthday email goes out in the 09:00–10:00 local hour of the local birthday', () => {
  it('at 09:00 local for a whole-hour zone east of UTC (Kuala Lumpur, UTC+8)', () => {
    const result = due('1990-03-02', 'Asia/Kuala_Lumpur', '2026-01-10T00:00:00Z');
    expect(result?.dueAt.toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(local(result?.dueAt, 'Asia/Kuala_Lumpur')).toBe('2026-03-02T09:00');
  });

  it('at 09:00 local for a zone west of UTC (Los Angeles, UTC−8 in winter)', () => {
    const result = due('--01-20', 'America/Los_Angeles', '2026-01-10T00:00:00Z');
    expect(result?.dueAt.toISOString()).toBe('2026-01-20T17:00:00.000Z');
  });

  it('inside the hour for half- and quarter-hour zones (Kolkata +5:30, Kathmandu +5:45, St John\'s −3:30)', () => {
    expect(local(due('--06-01', 'Asia/Kolkata', '2026-01-01T00:00:00Z')?.dueAt, 'Asia/Kolkata')).toBe('2026-06-01T09:30');
    expect(local(due('--06-01', 'Asia/Kathmandu', '2026-01-01T00:00:00Z')?.dueAt, 'Asia/Kathmandu')).toBe('2026-06-01T09:45');
    expect(local(due('--06-01', 'America/St_Johns', '2026-01-01T00:00:00Z')?.dueAt, 'America/St_Johns')).toBe('2026-06-01T09:30');
  });

  it('on the local date even when that is another UTC date (Kiritimati, UTC+14)', () => {
    const result = due('--07-04', 'Pacific/Kiritimati', '2026-01-01T00:00:00Z');
    expect(result?.dueAt.toISOString()).toBe('2026-07-03T19:00:00.000Z');
    expect(local(result?.dueAt, 'Pacific/Kiritimati')).toBe('2026-07-04T09:00');
  });

  it('at 09:00 local across a daylight-saving change (London, birthday the day after clocks go forward)', () => {
    // BST starts on 29 March 2026: 09:00 local is 08:00 UTC from then on.
    expect(due('--03-28', 'Europe/London', '2026-01-01T00:00:00Z')?.dueAt.toISOString()).toBe('2026-03-28T09:00:00.000Z');
    expect(due('--03-30', 'Europe/London', '2026-01-01T00:00:00Z')?.dueAt.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('on the day the clocks change itself (New York, 8 March 2026)', () => {
    expect(local(due('--03-08', 'America/New_York', '2026-03-01T00:00:00Z')?.dueAt, 'America/New_York')).toBe('2026-03-08T09:00');
  });
});

describe('a customer who becomes eligible later on their birthday', () => {
  it('upserted at 15:00 local gets it within the hour', () => {
    // 15:00 in Kuala Lumpur is 07:00 UTC; the next sweep is 08:00 UTC, 16:00 local.
    const result = due('--05-05', 'Asia/Kuala_Lumpur', '2026-05-05T07:00:00Z');
    expect(result).toEqual({ occasion: 2026, dueAt: new Date('2026-05-05T07:00:00Z') });
  });

  it('upserted at 15:20 local gets it at the next whole hour', () => {
    expect(local(due('--05-05', 'Asia/Kuala_Lumpur', '2026-05-05T07:20:00Z')?.dueAt, 'Asia/Kuala_Lumpur')).toBe('2026-05-05T16:00');
  });

  it('upserted at 21:00 local does not get it that day, but next year', () => {
    const result = due('--05-05', 'Asia/Kuala_Lumpur', '2026-05-05T13:00:00Z');
    expect(result?.occasion).toBe(2027);
    expect(local(result?.dueAt, 'Asia/Kuala_Lumpur')).toBe('2027-05-05T09:00');
  });

  it('upserted at 19:40 local in a half-hour zone misses the window: the next sweep would be 20:10', () => {
    // 19:40 in Kolkata is 14:10 UTC; the 15:00 UTC sweep is 20:30 local, after the window.
    expect(due('--05-05', 'Asia/Kolkata', '2026-05-05T14:10:00Z')?.occasion).toBe(2027);
  });

  it('upserted at 07:00 local gets it at 09:00', () => {
    expect(local(due('--05-05', 'Europe/Lisbon', '2026-05-05T06:00:00Z')?.dueAt, 'Europe/Lisbon')).toBe('2026-05-05T09:00');
  });
});

describe('29 February', () => {
  it('is celebrated on 28 February in a non-leap year', () => {
    expect(celebrationDate({ month: 2, day: 29 }, 2027)).toEqual({ month: 2, day: 28 });
    expect(local(due('2000-02-29', 'UTC', '2027-01-01T00:00:00Z')?.dueAt, 'UTC')).toBe('2027-02-28T09:00');
  });

  it('is celebrated on 29 February in a leap year', () => {
    expect(celebrationDate({ month: 2, day: 29 }, 2028)).toEqual({ month: 2, day: 29 });
    expect(local(due('2000-02-29', 'UTC', '2028-01-01T00:00:00Z')?.dueAt, 'UTC')).toBe('2028-02-29T09:00');
  });

  it('moves on from a 28 February celebration to the next year, not to 29 February of the same year', () => {
    expect(due('--02-29', 'UTC', '2027-02-28T12:00:00Z', 2027)?.dueAt.toISOString()).toBe('2028-02-29T09:00:00.000Z');
  });

  it('does not move other birthdays (1 March stays 1 March)', () => {
    expect(celebrationDate({ month: 3, day: 1 }, 2027)).toEqual({ month: 3, day: 1 });
  });
});

describe('once per customer per year', () => {
  it('a birthday already celebrated this year is next due next year', () => {
    const result = due('--05-05', 'UTC', '2026-05-05T08:00:00Z', 2026);
    expect(result?.occasion).toBe(2027);
  });

  it('a birthday still ahead this year is due this year', () => {
    expect(due('--12-24', 'UTC', '2026-05-05T08:00:00Z', 2025)?.occasion).toBe(2026);
  });

  it('a birthday already past this year is due next year', () => {
    expect(due('--01-02', 'UTC', '2026-05-05T08:00:00Z')?.occasion).toBe(2027);
  });
});

describe('the discount', () => {
  it('is the default percentage, or the tier\'s when one is configured', () => {
    const birthday = parseConfig({ birthday: { percentOffByTier: { gold: 25 } } }).birthday;
    expect(birthdayPercentOff(undefined, birthday)).toBe(15);
    expect(birthdayPercentOff('silver', birthday)).toBe(15);
    expect(birthdayPercentOff('gold', birthday)).toBe(25);
  });
});
