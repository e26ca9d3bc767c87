/**
 * The daily KPI counters (issue 7): how the retention KPIs are computed each
 * day from DynamoDB without scanning the customers.
 *
 * One item per UTC day holds counters. An order adds to them the difference
 * between its customer's footprint after and before it, the footprint being a
 * pure function of the whole order history: so a late order (placed in the
 * past) moves the counters of the days it changes, and two concurrent orders
 * of one customer still add up to the footprint of both. A day's figures are
 * then sums over the day items up to it: one Query.
 *
 * A customer is *active* from their first order until they lapse by the
 * winback rule (no order for `riskFactor` × their usual gap, docs/design.md §5), and
 * again from their next order.
 */
import type { Config } from '../config';
import type { Campaign } from '../events/retention';
import { convertingCampaigns, type ConvertingCampaign } from '../campaigns/conversions';
import type { NpsCategory } from '../campaigns/nps/rules';
import { chronological, intervalsAfterEach, type OrderHistoryEntry } from '../campaigns/winback/rules';
import type { PeriodCounts } from './kpis';

/** The KPIs are over the trailing 30 days: a month, computed daily. */
export const kpiPeriodDays = 30;

export type Counter =
  | 'orders'
  | 'revenueCents'
  | 'newCustomers'
  /** Customers becoming active (a first order, or an order after a lapse) and lapsing. */
  | 'activated'
  | 'lapsed'
  /** Net change of the customers with an order in the trailing period (and of those with a second or later one). */
  | 'ordering'
  | 'repeating'
  | `${NpsCategory}s`
  | `${Campaign}Conversions`
  | `${Campaign}RevenueCents`;

/** Counter changes by UTC day (`2026-03-01`). */
export type DayCounters = Record<string, Partial<Record<Counter, number>>>;

const dayMs = 86_400_000;

/**
 * The date of a day counted from 1970-01-01 (UTC days are all 24 hours), as `toISOString` writes it: computed
 * (days to civil date) for the years 1970 to 9999, a footprint's hundreds of days being cheap; by `Date` beyond.
 */
const isoDay = (days: number): string => {
  if (!(days >= 0 && days <= 2_932_896)) {
    const instant = new Date(days * dayMs).toISOString();
    return instant.slice(0, instant.indexOf('T'));
  }
  const shifted = days + 719_468; // from 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const ofEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((ofEra - Math.floor(ofEra / 1460) + Math.floor(ofEra / 36_524) - Math.floor(ofEra / 146_096)) / 365);
  const ofYear = ofEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const fromMarch = Math.floor((5 * ofYear + 2) / 153);
  const day = ofYear - Math.floor((153 * fromMarch + 2) / 5) + 1;
  const month = fromMarch < 10 ? fromMarch + 3 : fromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
};

const dayNumber = (instant: number) => Math.floor(instant / dayMs);
export const dayOf = (instant: string | number | Date) => isoDay(dayNumber(new Date(instant).getTime()));
export const plusDays = (day: string, days: number) => isoDay(dayNumber(Date.parse(day)) + days);

const add = (counters: DayCounters, day: string, counter: Counter, value: number) => {
  const on = (counters[day] ??= {});
  on[counter] = (on[counter] ?? 0) + value;
};

/** +1 on the first day of each run of days covered by `[start, start + length)`, −1 after its last (days by number). */
const coverage = (counters: DayCounters, counter: Counter, starts: number[], length: number) => {
  let run: { from: string; to: string } | undefined;
  const close = () => run && (add(counters, run.from, counter, 1), add(counters, run.to, counter, -1));
  for (const first of starts) {
    const [start, end] = [isoDay(first), isoDay(first + length)];
    if (run && start <= run.to) run.to = end > run.to ? end : run.to;
    else {
      close();
      run = { from: start, to: end };
    }
  }
  close();
};

export type LapseRule = Pick<Config['winback'], 'riskFactor' | 'defaultIntervalDays'>;

/** What one customer's order history contributes to the day counters: O(n log n) in its orders. */
export const customerFootprint = (history: OrderHistoryEntry[], rule: LapseRule): DayCounters => {
  const orders = chronological(history);
  const counters: DayCounters = {};
  if (!orders.length) return counters;
  const numbers = orders.map((order) => dayNumber(order.time));
  const days = numbers.map(isoDay);
  add(counters, days[0]!, 'newCustomers', 1);
  orders.forEach((order, i) => {
    add(counters, days[i]!, 'orders', 1);
    add(counters, days[i]!, 'revenueCents', Math.round(order.total * 100));
  });
  // Active from the first order; after each order, until its at-risk day unless the next order comes first.
  add(counters, days[0]!, 'activated', 1);
  intervalsAfterEach(orders, rule.defaultIntervalDays).forEach((interval, i) => {
    const lapseDay = isoDay(numbers[i]! + Math.ceil(rule.riskFactor * interval));
    const next = days[i + 1];
    if (next === undefined || lapseDay <= next) add(counters, lapseDay, 'lapsed', 1);
    if (next !== undefined && lapseDay <= next) add(counters, next, 'activated', 1);
  });
  coverage(counters, 'ordering', numbers, kpiPeriodDays);
  coverage(counters, 'repeating', numbers.slice(1), kpiPeriodDays);
  return counters;
};

/** The sum of several sets of changes (the sign of each set given), without the counters that came to zero. */
const sum = (...signed: [number, DayCounters][]): DayCounters => {
  const total: DayCounters = {};
  for (const [sign, set] of signed) {
    for (const [day, counters] of Object.entries(set)) for (const [counter, value] of Object.entries(counters)) add(total, day, counter as Counter, sign * value);
  }
  for (const [day, counters] of Object.entries(total)) {
    for (const [counter, value] of Object.entries(counters)) if (!value) delete counters[counter as Counter];
    if (!Object.keys(counters).length) delete total[day];
  }
  return total;
};

export const combine = (...changes: DayCounters[]): DayCounters => sum(...changes.map((set): [number, DayCounters] => [1, set]));

/** `after − before`, without the counters that did not change. */
export const difference = (before: DayCounters, after: DayCounters): DayCounters => sum([-1, before], [1, after]);

/** The counter changes of an order: the customer's footprint with it, less the one without it. */
export const orderChanges = (historyWithOrder: OrderHistoryEntry[], orderId: string, rule: LapseRule) =>
  difference(
    customerFootprint(historyWithOrder.filter((order) => order.orderId !== orderId), rule),
    customerFootprint(historyWithOrder, rule),
  );

/** An order a campaign email converted: counted on the order's day (`conversions` 0: a conversion its order's cancellation undid). */
export const conversionChanges = (campaign: Campaign, placedAt: string, revenue: number, conversions: 0 | 1 = 1): DayCounters => ({
  [dayOf(placedAt)]: { [`${campaign}Conversions`]: conversions, [`${campaign}RevenueCents`]: Math.round(revenue * 100) },
});

/**
 * An NPS response counts once, on the day of its first score, in the category
 * of its latest score: a changed score moves it between categories.
 */
export const npsChanges = (firstDay: string, category: NpsCategory, previous?: NpsCategory): DayCounters => {
  const changes: DayCounters = {};
  if (previous === category) return changes;
  add(changes, firstDay, `${category}s`, 1);
  if (previous) add(changes, firstDay, `${previous}s`, -1);
  return changes;
};

/** The counts of the period of `kpiPeriodDays` ending with `day` (included), from the day counters. */
export const periodCounts = (counters: DayCounters, day: string): PeriodCounts => {
  const start = plusDays(day, -kpiPeriodDays);
  const upTo = (last: string, counter: Counter) =>
    Object.entries(counters).reduce((sum, [d, values]) => (d <= last ? sum + (values[counter] ?? 0) : sum), 0);
  const inPeriod = (counter: Counter) => upTo(day, counter) - upTo(start, counter);
  const active = (last: string) => upTo(last, 'activated') - upTo(last, 'lapsed');
  return {
    customersAtStart: active(start),
    customersAtEnd: active(day),
    newCustomers: inPeriod('newCustomers'),
    orders: inPeriod('orders'),
    revenue: inPeriod('revenueCents') / 100,
    orderingCustomers: upTo(day, 'ordering'),
    repeatCustomers: upTo(day, 'repeating'),
    lapsedCustomers: inPeriod('lapsed'),
    wonBack: inPeriod('winbackConversions'),
    promoters: inPeriod('promoters'),
    passives: inPeriod('passives'),
    detractors: inPeriod('detractors'),
    attributedRevenue: Object.fromEntries(
      convertingCampaigns.map((campaign) => [campaign, inPeriod(`${campaign}RevenueCents`) / 100]),
    ) as Record<ConvertingCampaign, number>,
  };
};
