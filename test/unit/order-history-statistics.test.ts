/**
 * Issue 12: the order statistics and the KPI footprint are computed in
 * O(n log n) (times parsed once, running medians), not by recomputing every
 * prefix of the history. Here they must equal the straightforward
 * definitions, written out plainly, on random histories: late orders, the
 * same orderId twice, equal times, instants with and without milliseconds.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { gapMedians, orderStats, type OrderHistoryEntry, type OrderStats } from '../../functions/campaigns/winback/rules';
import { customerFootprint, dayOf, kpiPeriodDays, plusDays, type DayCounters } from '../../functions/ops/counters';
import { seededRandom } from '../../local/synthetic';

const day = 86_400_000;

/** The definitions of docs/design.md §5, spelled out: each orderId once (its last entry), by time, equal times as they came. */
const plainStats = (history: OrderHistoryEntry[]): OrderStats => {
  const byId = new Map<string, OrderHistoryEntry>();
  for (const order of history) byId.set(order.orderId, order);
  const orders = [...byId.values()].sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt));
  const gaps: number[] = [];
  for (let i = 1; i < orders.length; i++) gaps.push((Date.parse(orders[i]!.placedAt) - Date.parse(orders[i - 1]!.placedAt)) / day);
  gaps.sort((a, b) => a - b);
  const half = Math.floor(gaps.length / 2);
  let cents = 0;
  for (const order of orders) cents += order.total * 100;
  return {
    orderCount: orders.length,
    firstOrderAt: orders[0]!.placedAt,
    lastOrderAt: orders[orders.length - 1]!.placedAt,
    totalSpent: Math.round(cents) / 100,
    ...(orders.length >= 3 && { medianGapDays: gaps.length % 2 ? gaps[half]! : (gaps[half - 1]! + gaps[half]!) / 2 }),
  };
};

/** The footprint by its definition: every prefix's statistics recomputed, days counted with luxon. */
const plainFootprint = (history: OrderHistoryEntry[], rule: { riskFactor: number; defaultIntervalDays: number }): DayCounters => {
  const byId = new Map<string, OrderHistoryEntry>();
  for (const order of history) byId.set(order.orderId, order);
  const orders = [...byId.values()].sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt));
  const counters: DayCounters = {};
  const bump = (date: string, counter: keyof DayCounters[string], by: number) => {
    counters[date] ??= {};
    counters[date][counter] = (counters[date][counter] ?? 0) + by;
  };
  const later = (date: string, days: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
  if (!orders.length) return counters;
  const days = orders.map((order) => new Date(order.placedAt).toISOString().slice(0, 10));
  bump(days[0]!, 'newCustomers', 1);
  bump(days[0]!, 'activated', 1);
  for (let i = 0; i < orders.length; i++) {
    bump(days[i]!, 'orders', 1);
    bump(days[i]!, 'revenueCents', Math.round(orders[i]!.total * 100));
    const stats = plainStats(orders.slice(0, i + 1));
    const interval = stats.orderCount >= 3 ? stats.medianGapDays! : rule.defaultIntervalDays;
    const lapse = later(days[i]!, Math.ceil(rule.riskFactor * interval));
    if (i === orders.length - 1 || lapse <= days[i + 1]!) bump(lapse, 'lapsed', 1);
    if (i < orders.length - 1 && lapse <= days[i + 1]!) bump(days[i + 1]!, 'activated', 1);
  }
  // Each run of days covered by [order day, +30 days): +1 on its first day, −1 after its last.
  for (const [counter, starts] of [['ordering', days], ['repeating', days.slice(1)]] as const) {
    let from: string | undefined;
    let to = '';
    for (const start of starts) {
      if (from !== undefined && start <= to) {
        const end = later(start, kpiPeriodDays);
        if (end > to) to = end;
        continue;
      }
      if (from !== undefined) (bump(from, counter, 1), bump(to, counter, -1));
      [from, to] = [start, later(start, kpiPeriodDays)];
    }
    if (from !== undefined) (bump(from, counter, 1), bump(to, counter, -1));
  }
  return counters;
};

/** A random history: bursts and pauses, some orders late, some repeated, some at the same instant. */
const randomHistory = (next: () => number, length: number): OrderHistoryEntry[] => {
  const history: OrderHistoryEntry[] = [];
  let at = Date.UTC(2025, 0, 1) + Math.floor(next() * 365) * day;
  for (let i = 0; i < length; i++) {
    const pick = next();
    if (pick < 0.08 && history.length) {
      history.push({ ...history[Math.floor(next() * history.length)]!, total: Math.round(next() * 10_000) / 100 }); // the same orderId again
      continue;
    }
    const placed = pick < 0.2 ? at - Math.floor(next() * 90 * day) : pick < 0.35 ? at : (at += Math.floor(next() * (next() < 0.1 ? 200 : 20) * day + next() * day));
    const iso = new Date(placed).toISOString();
    history.push({ orderId: `o${i}`, placedAt: next() < 0.3 ? iso.replace('.000Z', 'Z') : iso, total: Math.round(next() * 50_000) / 100 });
  }
  return history;
};

describe('order statistics and footprints in O(n log n)', () => {
  it('give the running median of every prefix', () => {
    const next = seededRandom(5);
    const values = Array.from({ length: 300 }, () => (next() < 0.2 ? 7 : Math.round(next() * 1000) / 10));
    const gaps = gapMedians();
    const medians = values.map((value) => (gaps.push(value), gaps.median()));
    values.forEach((_, i) => {
      const sorted = values.slice(0, i + 1).sort((a, b) => a - b);
      const half = sorted.length >> 1;
      expect(medians[i]).toBe(sorted.length % 2 ? sorted[half] : (sorted[half - 1]! + sorted[half]!) / 2);
    });
  });

  it('write the days as toISOString and luxon do, 1970 to 9999 and beyond', () => {
    for (let days = -800; days < 2_932_897 + 800; days += days < 0 || days > 2_932_000 ? 1 : 37) {
      const instant = days * day + 43_200_000;
      const iso = new Date(instant).toISOString();
      expect(dayOf(instant)).toBe(iso.slice(0, iso.indexOf('T')));
      if (days % 11 === 0) expect(plusDays('1970-01-01', days)).toBe(DateTime.fromISO('1970-01-01', { zone: 'UTC' }).plus({ days }).toISODate());
    }
  });

  it('equal the straightforward definitions on random histories', () => {
    const next = seededRandom(12);
    for (let run = 0; run < 300; run++) {
      const history = randomHistory(next, 1 + Math.floor(next() * (run % 10 === 0 ? 250 : 25)));
      const rule = { riskFactor: [2, 1.5, 3][run % 3]!, defaultIntervalDays: [30, 45][run % 2]! };
      expect(orderStats(history)).toEqual(plainStats(history));
      expect(customerFootprint(history, rule)).toEqual(plainFootprint(history, rule));
    }
  });
});
