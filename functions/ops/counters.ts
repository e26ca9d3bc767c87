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
 *
 * Money is counted per currency (issue 15), in the currency's minor units
 * (cents, whole yen, fils): `orders#MYR`, `revenue#MYR`, `winbackRevenue#MYR`.
 * Counters written before, and orders whose currency the history does not hold,
 * are in `revenueCents` (hundredths, currency unknown) and read as the
 * currency `XXX` (./kpis.ts `unknownCurrency`).
 */
import type { Config } from '../config';
import type { Campaign } from '../events/retention';
import { convertingCampaigns, type ConvertingCampaign } from '../campaigns/conversions';
import type { NpsCategory } from '../campaigns/nps/rules';
import { chronological, gapMedians, type GapMedians, type OrderHistoryEntry, type TimedOrder } from '../campaigns/winback/rules';
import { countingOrders, historyAt, historyVersion, type StoredHistory } from '../customers/order-history';
import { memoized } from '../memoized';
import { fromMinor, toMinor, unknownCurrency, type Money, type PeriodCounts } from './kpis';

/** The KPIs are over the trailing 30 days: a month, computed daily. */
export const kpiPeriodDays = 30;

export type Counter =
  | 'orders'
  /** Per currency: orders, and their revenue in the currency's minor units. */
  | `orders#${string}`
  | `revenue#${string}`
  /** Revenue of orders without a known currency, in hundredths (every revenue, before currencies were counted). */
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
  /** Revenue a campaign converted, per currency in its minor units; without a known currency, in hundredths. */
  | `${Campaign}Revenue#${string}`
  | `${Campaign}RevenueCents`;

/** Counter changes by UTC day (`2026-03-01`). */
export type DayCounters = Record<string, Partial<Record<Counter, number>>>;

const dayMs = 86_400_000;

/**
 * The date of a day counted from 1970-01-01 (UTC days are all 24 hours), as `toISOString` writes it: computed
 * (days to civil date) for the years 1970 to 9999, a footprint's hundreds of days being cheap; by `Date` beyond.
 */
const civilDay = (days: number): string => {
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

/** `civilDay`, each day's string made once: a footprint names hundreds of days, and every order names them again. */
const isoDay = memoized(civilDay, 100_000);

const dayNumber = (instant: number) => Math.floor(instant / dayMs);
export const dayOf = (instant: string | number | Date) => isoDay(dayNumber(new Date(instant).getTime()));
export const plusDays = (day: string, days: number) => isoDay(dayNumber(Date.parse(day)) + days);

const add = (counters: DayCounters, day: string, counter: Counter, value: number) => {
  const on = (counters[day] ??= {});
  on[counter] = (on[counter] ?? 0) + value;
};

/** A currency's order and revenue counters, each name made once (a property name met again is found faster). */
const currencyCounters = memoized((currency: string): [Counter, Counter] => [`orders#${currency}`, `revenue#${currency}`], 1_000);

export type LapseRule = Pick<Config['winback'], 'riskFactor' | 'defaultIntervalDays'>;

/**
 * Where a footprint's pass stands after an order: its number, the last order's time, day (by number) and the interval
 * expected after it, and the open runs of days covered by the trailing period (of every order; of the second and later).
 */
export interface FootprintState {
  orders: number;
  last?: { time: number; day: number; interval: number };
  ordering?: [from: number, to: number];
  repeating?: [from: number, to: number];
}

/**
 * A customer's footprint as one pass over their counting orders, oldest first. Everything an order adds is on its own
 * day or later, or on the day of the order before it; so after any order every day before that order's is final, and
 * the pass can go on later from its state, the counters of that day and the gaps' medians (a summary of the history's
 * full pages, docs/design.md §3).
 */
export const footprintFold = (rule: LapseRule, gaps: GapMedians, counters: DayCounters = {}, state: FootprintState = { orders: 0 }) => {
  /** +1 on the first day of each run of days covered by `[start, start + kpiPeriodDays)`, −1 after its last. */
  const cover = (counter: 'ordering' | 'repeating', start: number) => {
    const run = state[counter];
    if (run && start <= run[1]) run[1] = Math.max(run[1], start + kpiPeriodDays);
    else {
      if (run) add(counters, isoDay(run[1]), counter, -1);
      add(counters, isoDay(start), counter, 1);
      state[counter] = [start, start + kpiPeriodDays];
    }
  };
  const lapseDay = (last: NonNullable<FootprintState['last']>) => last.day + Math.ceil(rule.riskFactor * last.interval);
  return {
    counters,
    state,
    add(order: TimedOrder) {
      const number = dayNumber(order.time);
      const day = isoDay(number);
      const { last } = state;
      // Active from the first order; after each order, until its at-risk day unless the next order comes first.
      if (!last) add(counters, day, 'newCustomers', 1), add(counters, day, 'activated', 1);
      else {
        const lapse = lapseDay(last);
        if (lapse <= number) add(counters, isoDay(lapse), 'lapsed', 1), add(counters, day, 'activated', 1);
        gaps.push((order.time - last.time) / dayMs);
      }
      add(counters, day, 'orders', 1);
      if (order.currency) {
        const [orders, revenue] = currencyCounters(order.currency);
        add(counters, day, orders, 1);
        add(counters, day, revenue, toMinor(order.total, order.currency));
      } else add(counters, day, 'revenueCents', Math.round(order.total * 100));
      state.orders++;
      state.last = { time: order.time, day: number, interval: state.orders >= 3 ? gaps.median() : rule.defaultIntervalDays };
      cover('ordering', number);
      if (state.orders >= 2) cover('repeating', number);
    },
    /** The footprint: the last order's lapse and the open runs' ends added (once, at the end). */
    finish(): DayCounters {
      if (state.last) add(counters, isoDay(lapseDay(state.last)), 'lapsed', 1);
      for (const counter of ['ordering', 'repeating'] as const) if (state[counter]) add(counters, isoDay(state[counter][1]), counter, -1);
      return counters;
    },
  };
};

/** What one customer's order history contributes to the day counters: O(n log n) in its orders. */
export const customerFootprint = (history: OrderHistoryEntry[], rule: LapseRule): DayCounters => {
  const fold = footprintFold(rule, gapMedians());
  for (const order of chronological(history)) fold.add(order);
  return fold.finish();
};

/**
 * A customer's footprint at their history's version, and at any earlier version they can tell: the days hold the
 * footprint of some earlier version, and only the days where the two differ need writing.
 */
export interface VersionedFootprint {
  version: number;
  /** The lapse rule it was computed with, as it is stored: `[riskFactor, defaultIntervalDays]`. */
  rule: string;
  footprint: DayCounters;
  /** The footprint at an earlier version, under a stored rule; undefined when that history cannot be told. */
  at(version: number, rule: string): DayCounters | undefined;
  /**
   * The first day these footprints tell, when they are told from a summary of the history (docs/design.md §3): every
   * day before it is the same in all of them, and only the whole history tells what it holds.
   */
  from?: string;
  /** The footprints told from the whole history, when these are not. */
  whole?(): Promise<VersionedFootprint>;
}

/** A lapse rule as the KPI item stores it with the footprint it computed: `[riskFactor, defaultIntervalDays]`. */
export const ruleKey = (rule: LapseRule) => JSON.stringify([rule.riskFactor, rule.defaultIntervalDays]);

export const versionedFootprint = (history: StoredHistory, rule: LapseRule): VersionedFootprint => {
  // Usually asked twice for the previous version: the days likely changed, then the days settled.
  const computed = new Map<string, DayCounters | undefined>();
  const at = (version: number, stored: string) => {
    const key = `${version} ${stored}`;
    if (!computed.has(key)) {
      const earlier = historyAt(history, version);
      const [riskFactor, defaultIntervalDays] = JSON.parse(stored) as [number, number];
      computed.set(key, earlier && customerFootprint(countingOrders(earlier), { riskFactor, defaultIntervalDays }));
    }
    return computed.get(key);
  };
  const own = ruleKey(rule);
  return { version: historyVersion(history), rule: own, footprint: at(historyVersion(history), own)!, at };
};

/** The sum of several sets of changes (the sign of each set given), without the counters that came to zero. */
const sum = (...signed: [number, DayCounters][]): DayCounters => {
  const total: DayCounters = {};
  for (const [sign, set] of signed) {
    for (const [day, counters] of Object.entries(set)) for (const [counter, value] of Object.entries(counters)) add(total, day, counter as Counter, sign * (value ?? 0));
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

/**
 * An order a campaign email converted: counted on the order's day, its revenue in its currency
 * (`conversions` 0: a conversion its order's cancellation undid).
 */
export const conversionChanges = (campaign: Campaign, placedAt: string, revenue: number, currency: string | undefined, conversions: 0 | 1 = 1): DayCounters => ({
  [dayOf(placedAt)]: {
    [`${campaign}Conversions`]: conversions,
    ...(currency ? { [`${campaign}Revenue#${currency}`]: toMinor(revenue, currency) } : { [`${campaign}RevenueCents`]: Math.round(revenue * 100) }),
  },
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

/** Amounts of counters `<prefix>#<currency>` (minor units) and the legacy `<prefix>Cents` (unknown currency), in each currency's units. */
const moneyOf = (totals: Partial<Record<Counter, number>>, prefix: string): Money => {
  const minor: Record<string, number> = {};
  for (const [counter, value] of Object.entries(totals)) {
    const currency = counter.startsWith(`${prefix}#`) ? counter.slice(prefix.length + 1) : counter === `${prefix}Cents` ? unknownCurrency : undefined;
    if (currency !== undefined && value) minor[currency] = (minor[currency] ?? 0) + value;
  }
  return Object.fromEntries(Object.entries(minor).filter(([, value]) => value).map(([currency, value]) => [currency, fromMinor(value, currency)]));
};

/** The counts of the period of `kpiPeriodDays` ending with `day` (included), from the day counters. */
export const periodCounts = (counters: DayCounters, day: string): PeriodCounts => {
  const start = plusDays(day, -kpiPeriodDays);
  // Every counter summed up to the period's start and up to its end: one pass over the days.
  const atStart: Partial<Record<Counter, number>> = {};
  const atEnd: Partial<Record<Counter, number>> = {};
  for (const [d, values] of Object.entries(counters)) {
    if (d > day) continue;
    for (const [counter, value] of Object.entries(values) as [Counter, number][]) {
      atEnd[counter] = (atEnd[counter] ?? 0) + value;
      if (d <= start) atStart[counter] = (atStart[counter] ?? 0) + value;
    }
  }
  const inPeriod = (counter: Counter) => (atEnd[counter] ?? 0) - (atStart[counter] ?? 0);
  const period = Object.fromEntries((Object.keys(atEnd) as Counter[]).map((counter) => [counter, inPeriod(counter)])) as Partial<Record<Counter, number>>;
  const active = (totals: Partial<Record<Counter, number>>) => (totals.activated ?? 0) - (totals.lapsed ?? 0);
  // Orders per currency; those without a known currency are the rest, in `XXX` with the legacy revenue.
  const ordersByCurrency: Record<string, number> = {};
  let known = 0;
  for (const [counter, value] of Object.entries(period)) {
    if (!counter.startsWith('orders#') || !value) continue;
    ordersByCurrency[counter.slice('orders#'.length)] = value;
    known += value;
  }
  const unknown = inPeriod('orders') - known;
  if (unknown) ordersByCurrency[unknownCurrency] = (ordersByCurrency[unknownCurrency] ?? 0) + unknown;
  const revenue = moneyOf(period, 'revenue');
  // A currency with orders and no revenue (free orders) has revenue 0.
  for (const currency of Object.keys(ordersByCurrency)) revenue[currency] ??= 0;
  return {
    customersAtStart: active(atStart),
    customersAtEnd: active(atEnd),
    newCustomers: inPeriod('newCustomers'),
    orders: inPeriod('orders'),
    ordersByCurrency,
    revenue,
    orderingCustomers: atEnd.ordering ?? 0,
    repeatCustomers: atEnd.repeating ?? 0,
    lapsedCustomers: inPeriod('lapsed'),
    wonBack: inPeriod('winbackConversions'),
    promoters: inPeriod('promoters'),
    passives: inPeriod('passives'),
    detractors: inPeriod('detractors'),
    attributedRevenue: Object.fromEntries(convertingCampaigns.map((campaign) => [campaign, moneyOf(period, `${campaign}Revenue`)])) as Record<
      ConvertingCampaign,
      Money
    >,
  };
};
