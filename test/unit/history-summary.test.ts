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
import { recentFacts, recentLoyalty, summarize, wholeFacts } from '../../functions/customers/history-summary';
import type { OrderChange, RecentHistory, StoredHistory } from '../../functions/customers/order-history';
import type { DayCounters } from '../../functions/ops/counters';
import { seededRandom } from '../../local/synthetic';
import { loyaltyStanding, planLoyalty } from '../../functions/campaigns/loyalty/plan';
import type { Loyalty } from '../../functions/campaigns/loyalty/rules';
import type { CustomerProfile } from '../../functions/customers/profile';
import { parseConfig } from '../../functions/config';

const rule = { riskFactor: 2, defaultIntervalDays: 30 };
const day = 86_400_000;

/** An order may say it spent loyalty points (`pointsRedeemed`). */
type Record = { order: OrderHistoryEntry; points?: number } | { change: OrderChange };

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
  const redemptions: { orderId: string; points: number }[] = [];
  const added = { orders: [] as number[], changes: [] as number[] };
  records.forEach((record, i) => {
    if ('order' in record) orders.push(record.order), added.orders.push(i + 1);
    else changes.push(record.change), added.changes.push(i + 1);
    if ('points' in record && record.points) redemptions.push({ orderId: record.order.orderId, points: record.points });
  });
  const last = records.at(-1)!;
  return { orders, changes, redemptions, added, newest: 'order' in last ? { set: 'orders', index: orders.length - 1 } : { set: 'changes', index: changes.length - 1 } };
};

/** The history after record `k` (an order) as the store answers it from the page it went to and that page's summary. */
const recentAfter = (records: Record[], k: number, loyalty?: Loyalty): RecentHistory => {
  const page = Math.floor(k / historyPageSize);
  const earlier = records.slice(0, page * historyPageSize);
  const onPage = records.slice(page * historyPageSize, k + 1);
  const before = new Set(earlier.flatMap((record) => ('order' in record ? [record.order.orderId] : [])));
  return {
    summary: summarize(historyOf(earlier), rule, loyalty),
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

describe("with the loyalty programme on, an order's points and tier from the summary and its own page", () => {
  /** Points spent on some orders, drawn apart from the records so that those of the tests above stay as they are. */
  const withRedemptions = (records: Record[], seed: number): Record[] => {
    const random = seededRandom(seed);
    return records.map((record) => ('order' in record && random() < 0.3 ? { ...record, points: 1 + Math.floor(random() * 150) } : record));
  };
  // Points that outlive the tier's year, and points that expire well within it; tiers by spend and by points.
  const programmes = [120, 500].map((pointsExpireDays) =>
    parseConfig({
      loyalty: {
        pointsPerUnit: { MYR: 1, GBP: 2.5 },
        pointsExpireDays,
        tiers: [
          { name: 'Silver', spend: { MYR: 300 } },
          { name: 'Gold', points: 900 },
        ],
      },
    }),
  );
  /** The tier the profile holds before the order: none, the lower or the higher one, in turn. */
  const profileAt = (k: number): CustomerProfile => ({
    customerId: 'c',
    email: 'c@example.com',
    marketingConsent: true,
    updatedAt: '2025-01-01T00:00:00.000Z',
    loyaltyTier: [undefined, 'Silver', 'Gold'][k % 3],
    pointsWarnedDay: '2025-06-01',
  });

  /** What the plans compared did, so that the comparisons are not of empty plans. */
  const seen = new Set<string>();
  const compare = (records: Record[], config: (typeof programmes)[number]) => {
    const loyalty = config.loyalty!;
    let told = 0;
    records.forEach((record, k) => {
      if (!('order' in record) || k < historyPageSize) return;
      // The event an hour after the order was placed.
      const time = new Date(Date.parse(record.order.placedAt) + 3_600_000);
      const facts = recentFacts(recentAfter(records, k, loyalty), record.order.orderId, rule, { rules: loyalty, time });
      if (!facts) return;
      told++;
      const plan = (standing: ReturnType<typeof loyaltyStanding>) =>
        planLoyalty({ customerId: 'c', standing, profile: profileAt(k), time, from: time, changeKey: `c#${k}`, config })!;
      const [summarized, whole] = [plan(facts.loyalty!), plan(loyaltyStanding(historyOf(records.slice(0, k + 1)), loyalty))];
      expect(summarized.values).toEqual(whole.values);
      expect(summarized.events).toEqual(whole.events);
      expect(summarized.earned(record.order.orderId)).toBe(whole.earned(record.order.orderId));
      expect(summarized.redeemed(record.order.orderId)).toBe(whole.redeemed(record.order.orderId));
      seen.add(`tier ${whole.change}`);
      if (whole.values.pointsDueAt) seen.add('warning');
      if (whole.redeemed(record.order.orderId)) seen.add('spent');
    });
    return told;
  };

  it('tells the balance, the tier, its change, the next warning and review, and the points earned and spent as the whole history does', () => {
    for (const config of programmes) {
      const records = withRedemptions(randomRecords(1, 6 * historyPageSize, 0), 1);
      expect(compare(records, config)).toBe(records.length - historyPageSize);
      let told = 0;
      for (let seed = 10; seed < 14; seed++) told += compare(withRedemptions(randomRecords(seed, 5 * historyPageSize, 0.08), seed), config);
      expect(told).toBeGreaterThan(0);
    }
    expect([...seen].sort()).toEqual(['spent', 'tier lost', 'tier reached', 'tier same', 'warning']);
  });

  it("tells the loyalty review's standing, and the points expired since the last review, as the whole history does", () => {
    const random = seededRandom(4);
    let told = 0;
    let expired = 0;
    for (const config of programmes) {
      const loyalty = config.loyalty!;
      const records = withRedemptions(randomRecords(3, 5 * historyPageSize, 0), 3);
      records.forEach((record, k) => {
        if (!('order' in record) || k < historyPageSize) return;
        // A review up to a year after the order; the last one after the summary's last order, or before it (then it is
        // not told: points that expired between the two may be older than the summary keeps).
        const at = new Date(Date.parse(record.order.placedAt) + random() * 365 * 86_400_000);
        const summarizedUpTo = Math.max(...records.slice(0, Math.floor(k / historyPageSize) * historyPageSize).map((r) => Date.parse((r as { order: OrderHistoryEntry }).order.placedAt)));
        const after = new Date(summarizedUpTo + random() * (at.getTime() - summarizedUpTo));
        expect(recentLoyalty(recentAfter(records, k, loyalty), loyalty, new Date(summarizedUpTo - 1))).toBeUndefined();
        const recent = recentLoyalty(recentAfter(records, k, loyalty), loyalty, after)!;
        told++;
        const whole = historyOf(records.slice(0, k + 1));
        expect(recent.version).toBe(k + 1);
        const plan = (standing: ReturnType<typeof loyaltyStanding>) =>
          planLoyalty({ customerId: 'c', standing, profile: profileAt(k), time: at, from: at, changeKey: `c#${k}`, config })!;
        const [summarized, reviewed] = [plan(recent.standing), plan(loyaltyStanding(whole, loyalty))];
        expect(summarized.values).toEqual(reviewed.values);
        expect(summarized.events).toEqual(reviewed.events);
        expect(summarized.expired(after)).toEqual(reviewed.expired(after));
        expired += reviewed.expired(after).length;
      });
    }
    expect(told).toBeGreaterThan(100);
    expect(expired).toBeGreaterThan(0);
  });

  it('leaves to the whole history a summary made under other points rules, or without the programme, and a change dated before its last order', () => {
    const records = withRedemptions(randomRecords(5, 2 * historyPageSize, 0), 5);
    const { order } = records[40] as { order: OrderHistoryEntry };
    const [loyalty, other] = programmes.map((config) => config.loyalty!);
    const time = new Date(order.placedAt);
    expect(recentFacts(recentAfter(records, 40, loyalty), order.orderId, rule, { rules: loyalty!, time })?.loyalty).toBeDefined();
    expect(recentFacts(recentAfter(records, 40, other), order.orderId, rule, { rules: loyalty!, time })).toBeUndefined();
    expect(recentFacts(recentAfter(records, 40), order.orderId, rule, { rules: loyalty!, time })).toBeUndefined();
    const summarizedUpTo = Math.max(...records.slice(0, historyPageSize).map((record) => Date.parse((record as { order: OrderHistoryEntry }).order.placedAt)));
    expect(recentFacts(recentAfter(records, 40, loyalty), order.orderId, rule, { rules: loyalty!, time: new Date(summarizedUpTo - 1) })).toBeUndefined();
  });
});
