import { describe, it, expect } from 'vitest';
import { nextFireTimes, validateScheduleExpression } from '../../local/schedule-expression';

const utc = (iso: string) => new Date(`${iso}Z`);
const fire = (expression: string, after: string, until: string) =>
  nextFireTimes(expression, utc(after), utc(until)).map((d) => d.toISOString().slice(0, 16));
const weekday = (iso: string) => ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'][new Date(`${iso}Z`).getUTCDay()];

// 2024-01-01 is a Monday.
describe('rate expressions', () => {
  it('rate(1 hour) fires on every whole UTC hour (anchored at the Unix epoch)', () => {
    expect(fire('rate(1 hour)', '2024-01-01T00:30', '2024-01-01T03:00')).toEqual([
      '2024-01-01T01:00',
      '2024-01-01T02:00',
      '2024-01-01T03:00',
    ]);
  });

  it('rate(1 minute) fires every minute', () => {
    expect(fire('rate(1 minute)', '2024-01-01T10:00', '2024-01-01T10:03')).toEqual([
      '2024-01-01T10:01',
      '2024-01-01T10:02',
      '2024-01-01T10:03',
    ]);
  });

  it('rate(5 minutes) fires on multiples of five minutes', () => {
    expect(fire('rate(5 minutes)', '2024-01-01T10:02', '2024-01-01T10:16')).toEqual([
      '2024-01-01T10:05',
      '2024-01-01T10:10',
      '2024-01-01T10:15',
    ]);
  });

  it('rate(2 hours) fires every other whole hour', () => {
    expect(fire('rate(2 hours)', '2024-01-01T00:00', '2024-01-01T07:00')).toEqual([
      '2024-01-01T02:00',
      '2024-01-01T04:00',
      '2024-01-01T06:00',
    ]);
  });

  it('rate(1 day) fires at 00:00 UTC every day', () => {
    expect(fire('rate(1 day)', '2024-01-01T12:00', '2024-01-04T12:00')).toEqual([
      '2024-01-02T00:00',
      '2024-01-03T00:00',
      '2024-01-04T00:00',
    ]);
  });

  it('rate(N days) fires every N days counted from the epoch', () => {
    const times = fire('rate(7 days)', '2024-01-01T00:00', '2024-01-31T00:00');
    expect(times).toEqual(['2024-01-04T00:00', '2024-01-11T00:00', '2024-01-18T00:00', '2024-01-25T00:00']);
    expect(times.map(weekday)).toEqual(['THU', 'THU', 'THU', 'THU']); // 1970-01-01 was a Thursday
  });

  it('requires the singular unit for a value of 1 and the plural otherwise', () => {
    expect(() => validateScheduleExpression('rate(1 hours)')).toThrow(/singular unit.*rate\(1 hour\)/);
    expect(() => validateScheduleExpression('rate(5 hour)')).toThrow(/plural unit.*rate\(5 hours\)/);
    expect(() => validateScheduleExpression('rate(1 minutes)')).toThrow(/singular/);
    expect(() => validateScheduleExpression('rate(2 day)')).toThrow(/plural/);
    for (const ok of ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(2 hours)', 'rate(1 day)', 'rate(3 days)']) {
      expect(() => validateScheduleExpression(ok)).not.toThrow();
    }
  });

  it('rejects a zero, fractional or unknown rate', () => {
    expect(() => validateScheduleExpression('rate(0 minutes)')).toThrow(/positive/);
    expect(() => validateScheduleExpression('rate(1.5 hours)')).toThrow(/rate\(value unit\)/);
    expect(() => validateScheduleExpression('rate(1 second)')).toThrow(/minute\(s\), hour\(s\) or day\(s\)/);
    expect(() => validateScheduleExpression('rate(1 week)')).toThrow(/Invalid schedule expression "rate\(1 week\)"/);
  });
});

describe('cron expressions', () => {
  it('cron(0 * * * ? *) fires 24 times in one day, on the hour', () => {
    const times = fire('cron(0 * * * ? *)', '2024-03-10T00:00', '2024-03-11T00:00');
    expect(times).toHaveLength(24);
    expect(times[0]).toBe('2024-03-10T01:00');
    expect(times[23]).toBe('2024-03-11T00:00');
  });

  it('cron(0 10 * * ? *) fires at 10:00 UTC every day', () => {
    expect(fire('cron(0 10 * * ? *)', '2024-01-01T00:00', '2024-01-04T00:00')).toEqual([
      '2024-01-01T10:00',
      '2024-01-02T10:00',
      '2024-01-03T10:00',
    ]);
  });

  it('cron(15 12 * * ? *) fires at 12:15 UTC every day', () => {
    expect(fire('cron(15 12 * * ? *)', '2024-01-01T12:15', '2024-01-02T23:59')).toEqual(['2024-01-02T12:15']);
  });

  it('cron(0 9 ? * MON-FRI *) fires at 09:00 on weekdays only', () => {
    const times = fire('cron(0 9 ? * MON-FRI *)', '2024-01-01T00:00', '2024-01-08T00:00');
    expect(times).toEqual([
      '2024-01-01T09:00',
      '2024-01-02T09:00',
      '2024-01-03T09:00',
      '2024-01-04T09:00',
      '2024-01-05T09:00',
    ]);
  });

  it('cron(0 9 ? * 2 *) fires on Mondays: EventBridge numbers days 1-7 from Sunday', () => {
    const times = fire('cron(0 9 ? * 2 *)', '2024-01-01T00:00', '2024-01-31T00:00');
    expect(times).toEqual(['2024-01-01T09:00', '2024-01-08T09:00', '2024-01-15T09:00', '2024-01-22T09:00', '2024-01-29T09:00']);
    expect(fire('cron(0 9 ? * 1 *)', '2024-01-01T00:00', '2024-01-08T00:00').map(weekday)).toEqual(['SUN']);
    expect(fire('cron(0 9 ? * 7 *)', '2024-01-01T00:00', '2024-01-08T00:00').map(weekday)).toEqual(['SAT']);
    expect(fire('cron(0 9 ? * 2-6 *)', '2024-01-01T00:00', '2024-01-08T00:00')).toEqual(
      fire('cron(0 9 ? * MON-FRI *)', '2024-01-01T00:00', '2024-01-08T00:00'),
    );
  });

  it('cron(0 18 ? * MON-FRI *) fires at 6:00 pm UTC Monday through Friday', () => {
    const times = fire('cron(0 18 ? * MON-FRI *)', '2024-01-05T00:00', '2024-01-09T00:00');
    expect(times).toEqual(['2024-01-05T18:00', '2024-01-08T18:00']);
  });

  it('cron(0 8 1 * ? *) fires at 8:00 am UTC on the first day of each month', () => {
    expect(fire('cron(0 8 1 * ? *)', '2024-01-01T00:00', '2024-04-01T00:00')).toEqual([
      '2024-01-01T08:00',
      '2024-02-01T08:00',
      '2024-03-01T08:00',
    ]);
  });

  it('cron(0/15 * * * ? *) fires every 15 minutes', () => {
    expect(fire('cron(0/15 * * * ? *)', '2024-01-01T00:00', '2024-01-01T01:00')).toEqual([
      '2024-01-01T00:15',
      '2024-01-01T00:30',
      '2024-01-01T00:45',
      '2024-01-01T01:00',
    ]);
  });

  it('cron(5,35 14 * * ? *) fires at 2:05 pm and 2:35 pm UTC', () => {
    expect(fire('cron(5,35 14 * * ? *)', '2024-01-01T00:00', '2024-01-02T00:00')).toEqual([
      '2024-01-01T14:05',
      '2024-01-01T14:35',
    ]);
  });

  it('cron(0/5 8-17 ? * MON-FRI *) fires every 5 minutes from 8:00 am to 5:55 pm on weekdays', () => {
    const monday = fire('cron(0/5 8-17 ? * MON-FRI *)', '2024-01-01T00:00', '2024-01-02T00:00');
    expect(monday).toHaveLength(10 * 12);
    expect(monday[0]).toBe('2024-01-01T08:00');
    expect(monday.at(-1)).toBe('2024-01-01T17:55');
    expect(fire('cron(0/5 8-17 ? * MON-FRI *)', '2024-01-06T00:00', '2024-01-08T00:00')).toEqual([]);
  });

  it('cron(0/30 20-2 ? * MON-FRI *) understands an hour range that wraps past midnight', () => {
    const times = fire('cron(0/30 20-2 ? * MON-FRI *)', '2024-01-05T00:00', '2024-01-08T03:00');
    // Friday 00:00-02:30 and 20:00-23:30, nothing at the weekend, then Monday 00:00-02:30.
    expect(times.filter((t) => t.startsWith('2024-01-05'))).toHaveLength(6 + 8 - 1); // 00:00 is not after `after`
    expect(times.filter((t) => t.startsWith('2024-01-06') || t.startsWith('2024-01-07'))).toEqual([]);
    expect(times.filter((t) => t.startsWith('2024-01-08'))).toEqual([
      '2024-01-08T00:00',
      '2024-01-08T00:30',
      '2024-01-08T01:00',
      '2024-01-08T01:30',
      '2024-01-08T02:00',
      '2024-01-08T02:30',
    ]);
  });

  it('cron(15 10 ? * 6L 2019-2022) fires on the last Friday of each month in those years', () => {
    const times = fire('cron(15 10 ? * 6L 2019-2022)', '2022-10-01T00:00', '2023-03-01T00:00');
    expect(times).toEqual(['2022-10-28T10:15', '2022-11-25T10:15', '2022-12-30T10:15']);
  });

  it('supports # for the nth weekday of the month (3#2 = second Tuesday)', () => {
    expect(fire('cron(0 12 ? * 3#2 *)', '2024-01-01T00:00', '2024-03-01T00:00')).toEqual([
      '2024-01-09T12:00',
      '2024-02-13T12:00',
    ]);
  });

  it('supports L for the last day of the month', () => {
    expect(fire('cron(0 0 L * ? *)', '2024-01-01T00:00', '2024-04-01T00:00')).toEqual([
      '2024-01-31T00:00',
      '2024-02-29T00:00',
      '2024-03-31T00:00',
    ]);
  });

  it('supports month names and the Year field', () => {
    expect(fire('cron(0 0 1 JAN,JUL ? 2025)', '2024-01-01T00:00', '2026-12-31T00:00')).toEqual([
      '2025-01-01T00:00',
      '2025-07-01T00:00',
    ]);
  });
});

describe('the time window', () => {
  it('excludes `after` and includes `until`', () => {
    expect(fire('cron(0 10 * * ? *)', '2024-01-01T10:00', '2024-01-02T10:00')).toEqual(['2024-01-02T10:00']);
    expect(fire('rate(1 hour)', '2024-01-01T10:00', '2024-01-01T11:00')).toEqual(['2024-01-01T11:00']);
  });

  it('is empty when `until` is not after `after`', () => {
    expect(fire('rate(1 minute)', '2024-01-01T10:00', '2024-01-01T10:00')).toEqual([]);
    expect(fire('cron(* * * * ? *)', '2024-01-02T00:00', '2024-01-01T00:00')).toEqual([]);
  });

  it('returns a year of hourly firings in ascending order, quickly', () => {
    const started = performance.now();
    const times = nextFireTimes('cron(0 * * * ? *)', utc('2025-01-01T00:00'), utc('2026-01-01T00:00'));
    const elapsed = performance.now() - started;
    expect(times).toHaveLength(8760);
    expect(times.every((t, i) => i === 0 || t.getTime() - (times[i - 1] as Date).getTime() === 3_600_000)).toBe(true);
    expect(elapsed).toBeLessThan(1000);
    expect(nextFireTimes('rate(1 hour)', utc('2025-01-01T00:00'), utc('2026-01-01T00:00'))).toEqual(times);
  });
});

describe('validateScheduleExpression', () => {
  it('accepts the documented examples', () => {
    for (const expression of [
      'cron(0 10 * * ? *)',
      'cron(15 12 * * ? *)',
      'cron(0 18 ? * MON-FRI *)',
      'cron(0 8 1 * ? *)',
      'cron(0/15 * * * ? *)',
      'cron(0/10 * ? * MON-FRI *)',
      'cron(0/5 8-17 ? * MON-FRI *)',
      'cron(0/30 20-2 ? * MON-FRI *)',
      'cron(0 12 * * ? *)',
      'cron(5,35 14 * * ? *)',
      'cron(15 10 ? * 6L 2019-2022)',
    ]) {
      expect(() => validateScheduleExpression(expression)).not.toThrow();
    }
  });

  it('rejects a malformed expression', () => {
    expect(() => validateScheduleExpression('every hour')).toThrow(
      /Invalid schedule expression "every hour": expected "rate\(value unit\)" or "cron\(fields\)"/,
    );
    expect(() => validateScheduleExpression('cron(0 10 * * ? *')).toThrow(/Invalid schedule expression/);
  });

  it('rejects a unix-style cron with five fields', () => {
    expect(() => validateScheduleExpression('cron(0 10 * * *)')).toThrow(/expected 6 fields.*got 5/);
  });

  it('requires exactly one of Day-of-month and Day-of-week to be ?', () => {
    expect(() => validateScheduleExpression('cron(0 10 * * * *)')).toThrow(/exactly one of Day-of-month and Day-of-week/);
    expect(() => validateScheduleExpression('cron(0 10 ? * ? *)')).toThrow(/exactly one of Day-of-month and Day-of-week/);
    expect(() => validateScheduleExpression('cron(0 10 1 * MON *)')).toThrow(/exactly one/);
  });

  it('rejects values outside each field’s range', () => {
    expect(() => validateScheduleExpression('cron(60 10 * * ? *)')).toThrow(/Minutes value 60 is outside 0-59/);
    expect(() => validateScheduleExpression('cron(0 24 * * ? *)')).toThrow(/Hours value 24/);
    expect(() => validateScheduleExpression('cron(0 10 32 * ? *)')).toThrow(/Day-of-month value 32/);
    expect(() => validateScheduleExpression('cron(0 10 * 13 ? *)')).toThrow(/Month value 13/);
    expect(() => validateScheduleExpression('cron(0 10 ? * 0 *)')).toThrow(/Day-of-week value 0 is outside 1-7/);
    expect(() => validateScheduleExpression('cron(0 10 ? * 8 *)')).toThrow(/Day-of-week value 8/);
    expect(() => validateScheduleExpression('cron(0 10 * * ? 1969)')).toThrow(/Year value 1969/);
  });

  it('rejects unknown names and syntax that is not EventBridge’s', () => {
    expect(() => validateScheduleExpression('cron(0 10 ? * FUN *)')).toThrow(/unknown name "FUN"/);
    expect(() => validateScheduleExpression('cron(H 10 * * ? *)')).toThrow(/cannot read "H" in the Minutes field/);
    expect(() => validateScheduleExpression('cron(0 10 ? * 2#1,3 *)')).toThrow(/"#"/);
  });

  it('says so when a feature is not emulated locally', () => {
    expect(() => validateScheduleExpression('cron(0 10 3W * ? *)')).toThrow(/W .*not supported by the local emulator/);
  });
});
