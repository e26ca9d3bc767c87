// Local emulation of Amazon EventBridge scheduled-rule expressions:
//   rate(value unit)  and  cron(Minutes Hours Day-of-month Month Day-of-week Year), always in UTC.
// EventBridge's cron dialect differs from unix cron (a Year field, Day-of-week 1-7 = SUN-SAT,
// "?" in exactly one day field, ranges that wrap such as 20-2), so each field is translated
// into explicit values that `cron-parser` understands; cron-parser then does the calendar work
// (month lengths, L, #) for whole days, and we expand each matching day by hours x minutes.
// Iterating days instead of firings keeps a year of hourly firings to a few tens of milliseconds.
import { CronExpressionParser } from 'cron-parser';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

type Schedule =
  | { kind: 'rate'; periodMs: number }
  | { kind: 'cron'; days: string; hours: number[]; minutes: number[]; years: Set<number> };

/** Throws an Error explaining why `expression` is not a valid EventBridge rule schedule. */
export function validateScheduleExpression(expression: string): void {
  parseSchedule(expression);
}

/** All fire times t with after < t <= until, ascending. */
export function nextFireTimes(expression: string, after: Date, until: Date): Date[] {
  const schedule = parseSchedule(expression);
  const from = after.getTime();
  const to = until.getTime();
  if (!(to > from)) return [];
  return schedule.kind === 'rate' ? rateTimes(schedule.periodMs, from, to) : cronTimes(schedule, from, to);
}

// ---------------------------------------------------------------------------
// rate(value unit)
// ---------------------------------------------------------------------------

const RATE_UNITS: Record<string, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

function parseRate(body: string): Schedule {
  const match = /^(\d+)\s+(minute|hour|day)(s?)$/.exec(body.trim());
  if (!match) invalid('expected rate(value unit) with unit minute(s), hour(s) or day(s)');
  const [, digits = '', unit = '', plural = ''] = match;
  const value = Number(digits);
  if (value < 1) invalid('the rate value must be a positive whole number');
  // EventBridge rejects rate(1 hours) and rate(5 hour).
  if (value === 1 && plural) invalid(`use the singular unit for a value of 1: rate(1 ${unit})`);
  if (value > 1 && !plural) invalid(`use the plural unit for a value above 1: rate(${value} ${unit}s)`);
  return { kind: 'rate', periodMs: value * (RATE_UNITS[unit] as number) };
}

// EventBridge starts a rate schedule when the rule is created. Locally we anchor it at the Unix
// epoch instead, so runs are reproducible: rate(1 hour) fires on every whole UTC hour and
// rate(1 day) at every 00:00 UTC.
function rateTimes(periodMs: number, from: number, to: number): Date[] {
  const times: Date[] = [];
  for (let t = (Math.floor(from / periodMs) + 1) * periodMs; t <= to; t += periodMs) times.push(new Date(t));
  return times;
}

// ---------------------------------------------------------------------------
// cron(Minutes Hours Day-of-month Month Day-of-week Year)
// ---------------------------------------------------------------------------

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']; // EventBridge numbers these 1-7

function parseCron(body: string): Schedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    invalid(`expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got ${fields.length}`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    invalid('exactly one of Day-of-month and Day-of-week must be "?"');
  }
  const days = [
    '0 0 0', // cron-parser's seconds, minutes, hours: we only ask it for matching days
    dayOfMonth === '?' ? '*' : translateDayOfMonth(dayOfMonth),
    month === '*' ? '*' : expandList(replaceNames(month, MONTHS, 1), 'Month', 1, 12).join(','),
    dayOfWeek === '?' ? '*' : translateDayOfWeek(dayOfWeek),
  ].join(' ');
  CronExpressionParser.parse(days, { tz: 'UTC' }); // surfaces cron-parser's own complaints now
  return {
    kind: 'cron',
    days,
    minutes: expandList(minute, 'Minutes', 0, 59),
    hours: expandList(hour, 'Hours', 0, 23),
    years: new Set(expandList(year, 'Year', 1970, 2199)),
  };
}

function cronTimes(schedule: Extract<Schedule, { kind: 'cron' }>, from: number, to: number): Date[] {
  const startOfFirstDay = Math.floor(from / DAY_MS) * DAY_MS;
  const days = CronExpressionParser.parse(schedule.days, {
    currentDate: new Date(startOfFirstDay - 1000), // next() is exclusive, so step back to include that day
    endDate: new Date(to),
    tz: 'UTC',
  });
  const times: Date[] = [];
  while (days.hasNext()) {
    const day = days.next().getTime();
    if (!schedule.years.has(new Date(day).getUTCFullYear())) continue;
    for (const hour of schedule.hours) {
      for (const minute of schedule.minutes) {
        const t = day + hour * HOUR_MS + minute * MINUTE_MS;
        if (t > from && t <= to) times.push(new Date(t));
      }
    }
  }
  return times;
}

// Day-of-month: numbers, ranges, steps and L (last day). W (nearest weekday) is not emulated.
function translateDayOfMonth(field: string): string {
  if (field === '*') return '*';
  if (field.includes('W')) invalid('the W (nearest weekday) wildcard is not supported by the local emulator');
  return field
    .split(',')
    .map((item) => (item === 'L' ? 'L' : expandItem(item, 'Day-of-month', 1, 31).join(',')))
    .join(',');
}

// Day-of-week: EventBridge counts 1-7 from Sunday, cron-parser 0-6, so every day number moves down one.
function translateDayOfWeek(field: string): string {
  if (field === '*') return '*';
  const items = replaceNames(field, WEEKDAYS, 1).split(',');
  if (field.includes('#') && items.length > 1) invalid('a Day-of-week using "#" may hold only that one expression');
  return items
    .map((item) => {
      if (item === 'L') return '6'; // a bare L is the last day of the week: Saturday
      const special = /^(\d+)(L|#[1-5])$/.exec(item); // 6L = last Friday of the month, 3#2 = second Tuesday
      if (special) return `${toUnixWeekday(Number(special[1]))}${special[2]}`;
      return expandItem(item, 'Day-of-week', 1, 7)
        .map((day) => day - 1)
        .join(',');
    })
    .join(',');
}

function toUnixWeekday(day: number): number {
  if (day < 1 || day > 7) invalid(`Day-of-week value ${day} is outside 1-7 (SUN-SAT)`);
  return day - 1;
}

// Replaces JAN..DEC or SUN..SAT with their numbers, so that ranges like NOV-FEB or FRI-MON expand.
function replaceNames(field: string, names: string[], first: number): string {
  return field.replace(/[A-Za-z]{3}/g, (name) => {
    const index = names.indexOf(name.toUpperCase());
    return index >= 0 ? String(index + first) : invalid(`unknown name "${name}"`);
  });
}

function expandList(field: string, name: string, min: number, max: number): number[] {
  const values = field.split(',').flatMap((item) => expandItem(item, name, min, max));
  return [...new Set(values)].sort((a, b) => a - b);
}

// Expands one item: *, 5, 1-5, */15, 0/15, 1-30/5, and ranges that wrap such as 20-2.
function expandItem(item: string, name: string, min: number, max: number): number[] {
  const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
  if (!match || (match[1] === '*' && match[2] !== undefined)) {
    return invalid(`cannot read "${item}" in the ${name} field`);
  }
  const [, first, last, by] = match;
  const start = first === '*' ? min : Number(first);
  // A bare step (0/15) or * runs to the end of the field; a bare number is just itself.
  const end = last !== undefined ? Number(last) : first === '*' || by !== undefined ? max : start;
  const step = by === undefined ? 1 : Number(by);
  for (const value of [start, end]) {
    if (value < min || value > max) invalid(`${name} value ${value} is outside ${min}-${max}`);
  }
  if (step < 1) invalid(`${name} step must be at least 1`);
  const size = max - min + 1;
  // EventBridge ranges may wrap around, e.g. hours 20-2 means 20..23 then 0..2.
  const span = (end - start + size) % size;
  const values: number[] = [];
  for (let offset = 0; offset <= span; offset += step) values.push(min + ((start - min + offset) % size));
  return values;
}

// ---------------------------------------------------------------------------

// Every parsing error, including cron-parser's, is reported against the whole expression.
function parseSchedule(expression: string): Schedule {
  try {
    const match = /^(rate|cron)\((.*)\)$/s.exec(expression.trim());
    if (!match) invalid('expected "rate(value unit)" or "cron(fields)"');
    return match[1] === 'rate' ? parseRate(match[2] ?? '') : parseCron(match[2] ?? '');
  } catch (error) {
    throw new Error(`Invalid schedule expression "${expression}": ${(error as Error).message}`);
  }
}

function invalid(message: string): never {
  throw new Error(message);
}
