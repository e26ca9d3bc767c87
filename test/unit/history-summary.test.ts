/**
 * docs/design.md §3: what an order's ingest computes over the customer's whole
 * history (the order statistics, the KPI footprint) is told from the summary of
 * the full pages and the last page alone exactly as the whole history tells it,
 * or not told at all (and the whole history is read): on random histories of
 * late orders, equal times, an order sent twice with another total,
 * cancellations and refunds (some before their order), over many pages.
 */
import { describe, expect, it } from 'vitest';
import { historyPageSize } from '../../functions/adapters/dynamodb/orders';
import type { OrderHistoryEntry } from '../../functions/campaigns/winback/rules';
import { recentFacts, summarize, wholeFacts } from '../../functions/customers/history-summary';
import type { OrderChange, RecentHistory, StoredHistory } from '../../functions/customers/order-history';
import type { DayCounters } from '../../functions/ops/counters';
import { seededRandom } from '../../local/synthetic';

const rule = { riskFactor: 2, defaultIntervalDays: 30 };
const day = 86_400_000;

type Record = { order: OrderHistoryEntry } | { change: OrderChange };

/** Records in the order they are added: mostly orders in time order; `irregular` the odds of anything else. */
const randomRecords = (seed: number, count: number, irregular: number): Record[] => {
  const random = seededRandom(seed);
  let at = Date.UTC(2025, 0, 1);
  const placed: string[] = [];
  return Array.from({ length: count }, (_, i): Record => {
    const odd = random() < irregular;
    const kind = odd ? Math.floor(random() * 5) : -1;
    if (kind === 0 && placed.length) return { change: { kind: 'cancelled', orderId: placed[Math.floor(random() * placed.length)]! } };
    if (kind === 1 && placed.length) return { change: { kind: 'refunded', orderId: placed[Math.floor(random() * placed.length)]!, refundId: `r${i}`, amount: 5 } };
    // A cancellation before its order: the order comes a few records later.
    if (kind === 2) return { change: { kind: 'cancelled', orderId: `o${i + 3}` } };
    // The same order again, with another total.
    if (kind === 3 && placed.length) return { order: { orderId: placed.at(-1)!, placedAt: new Date(at).toISOString(), total: 99, currency: 'MYR' } };
    // Equal times now and then, days apart mostly; late (placed before the ones before it) when odd.
    at += random() < 0.1 ? 0 : Math.floor(random() * 12 * day) + Math.floor(random() * day);
    const placedAt = kind === 4 ? at - Math.floor(random() * 90 * day) : at;
    placed.push(`o${i}`);
    return { order: { orderId: `o${i}`, placedAt: new Date(placedAt).toISOString(), total: 10 + (i % 7) * 3.33, currency: i % 5 ? 'MYR' : 'GBP' } };
  });
};

/** The history of records in the order they were added, each numbered with the version it made, the last its newest. */
const historyOf = (records: Record[]): StoredHistory => {
  const orders: OrderHistoryEntry[] = [];
  const changes: OrderChange[] = [];
  const added = { orders: [] as number[], changes: [] as number[] };
  records.forEach((record, i) => {
    if ('order' in record) orders.push(record.order), added.orders.push(i + 1);
    else changes.push(record.change), added.changes.push(i + 1);
  });
  const last = records.at(-1)!;
  return { orders, changes, added, newest: 'order' in last ? { set: 'orders', index: orders.length - 1 } : { set: 'changes', index: changes.length - 1 } };
};

/** The history after record `k` (an order) as the store answers it from the page it went to and that page's summary. */
const recentAfter = (records: Record[], k: number): RecentHistory => {
  const page = Math.floor(k / historyPageSize);
  const earlier = records.slice(0, page * historyPageSize);
  const onPage = records.slice(page * historyPageSize, k + 1);
  const before = new Set(earlier.flatMap((record) => ('order' in record ? [record.order.orderId] : [])));
  return {
    summary: summarize(historyOf(earlier), rule),
    last: { ...historyOf(onPage), page },
    // What the writer of a record repeating an order of an earlier page says with it.
    repeats: onPage.some((record) => 'order' in record && before.has(record.order.orderId)),
    whole: async () => historyOf(records.slice(0, k + 1)),
  };
};

const from = (footprint: DayCounters | undefined, first: string | undefined) =>
  footprint && Object.fromEntries(Object.entries(footprint).filter(([day]) => first === undefined || day >= first));

describe("an order's facts from the summary of the full pages and its own page", () => {
  const compare = (records: Record[]) => {
    let told = 0;
    records.forEach((record, k) => {
      if (!('order' in record) || k < historyPageSize) return;
      const recent = recentAfter(records, k);
      const facts = recentFacts(recent, record.order.orderId, rule);
      if (!facts) return;
      told++;
      const whole = wholeFacts(historyOf(records.slice(0, k + 1)), record.order.orderId, rule);
      expect(facts.version).toBe(whole.version);
      expect(facts.stats).toEqual(whole.stats);
      expect(facts.counted).toEqual(whole.counted);
      expect(facts.page).toBe(Math.floor(k / historyPageSize));
      const { footprint } = facts;
      expect(footprint.footprint).toEqual(from(whole.footprint.footprint, footprint.from));
      // Every version since the summary's, under its rule: what the KPI item may hold; before it, only the whole history tells.
      const summarized = Math.floor(k / historyPageSize) * historyPageSize;
      for (let version = summarized; version <= k + 1; version++) {
        expect(footprint.at(version, footprint.rule)).toEqual(from(whole.footprint.at(version, footprint.rule), footprint.from));
      }
      expect(footprint.at(summarized - 1, footprint.rule)).toBeUndefined();
      expect(footprint.at(k, JSON.stringify([3, 30]))).toBeUndefined();
    });
    return told;
  };

  it('tells every order appended in time order as the whole history does', () => {
    for (const seed of [1, 2, 3]) {
      const records = randomRecords(seed, 6 * historyPageSize, 0);
      expect(compare(records)).toBe(records.length - historyPageSize);
    }
  });

  it('tells as the whole history does, or leaves it to the whole history, whatever the records', () => {
    let told = 0;
    let orders = 0;
    for (let seed = 10; seed < 30; seed++) {
      const records = randomRecords(seed, 5 * historyPageSize, 0.08);
      told += compare(records);
      orders += records.slice(historyPageSize).filter((record) => 'order' in record).length;
    }
    // Most pages have something irregular on them; the rest are told from their summary.
    expect(told).toBeGreaterThan(orders / 10);
    expect(told).toBeLessThan(orders);
  });

  it('leaves to the whole history a page whose writer said an order on it repeats an earlier one, and a lapse rule changed since', async () => {
    const records = randomRecords(5, 2 * historyPageSize, 0);
    const recent = recentAfter(records, 40);
    const orderId = (records[40] as { order: OrderHistoryEntry }).order.orderId;
    expect(recentFacts(recent, orderId, rule)).toBeDefined();
    expect(recentFacts({ ...recent, repeats: true }, orderId, rule)).toBeUndefined();
    expect(recentFacts(recent, orderId, { ...rule, riskFactor: 3 })).toBeUndefined();
    // And answers the whole history's footprints when asked.
    const whole = await recentFacts(recent, orderId, rule)!.footprint.whole!();
    expect(whole.footprint).toEqual(wholeFacts(historyOf(records.slice(0, 41)), orderId, rule).footprint.footprint);
  });
});
