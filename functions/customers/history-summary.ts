/**
 * What an order's ingest computes over the customer's whole history (the order statistics, the KPI footprint), told
 * without reading the whole history (docs/design.md §3). The history is kept in pages, and a full page never changes:
 * so the pass over the counting orders that computes both can stop at the end of the full pages, be kept with the
 * last page (`summarize`, written once), and go on over that page's few records alone. An order appended after every
 * counted one then costs the same at a customer's tenth order as at their thousandth. Anything the summary cannot
 * tell (a change on the page, an order placed before the summary's last, a rule changed since) is told from the
 * whole history, as before. With the loyalty programme on, the summary also keeps the orders that can still count for a
 * tier or hold live points, so an order's points and tier are told the same way.
 */
import { loyaltyStanding, type LoyaltyStanding } from '../campaigns/loyalty/plan';
import { countsNoLongerAfter, pointsBatches, pointsLeft, type Loyalty, type LoyaltyOrder } from '../campaigns/loyalty/rules';
import { chronological, gapMedians, historyStats, statsFrom, type GapMedians, type NoOrderStats, type OrderHistoryEntry, type OrderStats } from '../campaigns/winback/rules';
import { dayOf, footprintFold, ruleKey, versionedFootprint, type DayCounters, type FootprintState, type LapseRule, type VersionedFootprint } from '../ops/counters';
import { countingOrders, historyAt, historyVersion, type RecentHistory, type StoredHistory, type SummarizedPage } from './order-history';

export interface HistorySummary {
  /** The history's version it summarizes: the records of the pages before the one it is kept with. */
  version: number;
  /** The lapse rule its footprint was computed with (`ruleKey`). */
  rule: string;
  /** The counting orders' totals in hundredths, summed oldest first as `orderStats` sums them. */
  cents: number;
  /** The first counting order's time as stored (the last one's is the page's, for an order told from the summary). */
  firstOrderAt?: string;
  footprint: FootprintState;
  /** The footprint's counters on the last order's day, so far (every day before it is final). */
  counters: DayCounters[string];
  /** The gaps between the orders, sorted: the middle ones, and how many lie below and above them. */
  gaps: { below: number; middle: number[]; above: number };
  /** Orders a change was recorded for before they were (a cancellation before its order): not summarized. */
  pending: string[];
  /** With the loyalty programme on (`loyaltySummary`). */
  loyalty?: LoyaltySummary;
}

type PointsRules = Pick<Loyalty, 'pointsPerUnit' | 'pointsExpireDays'>;

/**
 * What loyalty needs of the summarized pages at any time from their last order (`at`) on: the orders of the tier's
 * rolling year and of the points' lifetime before it, and what redemptions left of those orders' points (where they
 * took some). Everything older can count for nothing at `at` or after.
 */
interface LoyaltySummary {
  /** The points rules it was made with (`pointsRules`): another rate or lifetime, and the whole history is read. */
  rules: string;
  at: number;
  orders: KeptOrder[];
  left: Record<string, number>;
}

/** An order as a summary keeps it, in half the bytes of the object (a summary is rewritten with every order on its page). */
type KeptOrder = [orderId: string, time: number, currency: string | null, amountMinor: number, points: number];
const toKept = ({ orderId, time, currency, amountMinor, points }: LoyaltyOrder): KeptOrder => [orderId, time, currency ?? null, amountMinor, points];
const fromKept = ([orderId, time, currency, amountMinor, points]: KeptOrder): LoyaltyOrder => ({
  orderId,
  // Only ever read as an instant.
  placedAt: new Date(time).toISOString(),
  time,
  ...(currency !== null && { currency }),
  amountMinor,
  points,
});

const pointsRules = (loyalty: PointsRules) => JSON.stringify([loyalty.pointsPerUnit, loyalty.pointsExpireDays]);

const loyaltySummary = (history: StoredHistory, loyalty: PointsRules): LoyaltySummary => {
  const { orders, batches, redemptions } = loyaltyStanding(history, loyalty);
  const at = orders.at(-1)?.time ?? 0;
  const since = countsNoLongerAfter(at, loyalty);
  const left: Record<string, number> = {};
  pointsLeft(batches, redemptions).forEach((batch, i) => {
    if (batch.points < batches[i]!.points && Date.parse(batch.earnedAt) > since) left[batch.orderId] = batch.points;
  });
  return { rules: pointsRules(loyalty), at, orders: orders.filter((order) => order.time > since).map(toKept), left };
};

/** The standing after the page's orders, from the summary's, at `time` or later: undefined when it was made under other rules, or `time` is before its last order. */
const recentStanding = (part: LoyaltySummary | undefined, page: StoredHistory, loyalty: PointsRules, time: Date): LoyaltyStanding | undefined => {
  if (!part || part.rules !== pointsRules(loyalty) || time.getTime() < part.at) return undefined;
  const recent = loyaltyStanding(page, loyalty);
  if (recent.orders.some((order) => order.time < part.at)) return undefined;
  // Oldest first, the summary's before the page's at the same time, as the whole history sorts them.
  const orders = [...part.orders.map(fromKept), ...recent.orders].sort((a, b) => a.time - b.time);
  const batches = pointsBatches(orders, loyalty).map((batch) => (Object.hasOwn(part.left, batch.orderId) ? { ...batch, points: part.left[batch.orderId]! } : batch));
  return { orders, batches, redemptions: recent.redemptions, spent: recent.spent };
};

/**
 * Gaps kept each side of the median. A page adds at most `historyPageSize` (32) orders, so a gap each, which moves
 * the median by at most half as many places: 20 a side always hold it.
 */
const keptEachSide = 20;

/** The median moved out of the gaps a summary keeps (never, with pages of 32: a safeguard). */
class BeyondSummary extends Error {}

/** The medians of a summary's gaps and those pushed after: the gaps below and above its middle ones are only counted. */
const middleGaps = (kept: HistorySummary['gaps']): GapMedians => {
  const sorted = [...kept.middle];
  let { below, above } = kept;
  return {
    push(gap) {
      if (below && gap < sorted[0]!) below++;
      else if (above && gap > sorted.at(-1)!) above++;
      else {
        let at = 0;
        while (at < sorted.length && sorted[at]! < gap) at++;
        sorted.splice(at, 0, gap);
      }
    },
    median() {
      const count = below + sorted.length + above;
      const [low, high] = [(count - 1) >> 1, count >> 1];
      if (low < below || high >= below + sorted.length) throw new BeyondSummary();
      return low === high ? sorted[low - below]! : (sorted[low - below]! + sorted[high - below]!) / 2;
    },
  };
};

/** The summary of a whole history (the pages before a new one), as it is stored: JSON. */
export const summarize = (history: StoredHistory, rule: LapseRule, loyalty?: PointsRules): string => {
  const orders = chronological(countingOrders(history));
  const gaps = gapMedians();
  const fold = footprintFold(rule, gaps);
  let cents = 0;
  for (const order of orders) fold.add(order), (cents += order.total * 100);
  const sorted = gaps.values().sort((a, b) => a - b);
  const low = (sorted.length - 1) >> 1;
  const [from, to] = [Math.max(0, low - keptEachSide), Math.min(sorted.length, low + keptEachSide + 2)];
  const placed = new Set(history.orders.map((order) => order.orderId));
  const { last } = fold.state;
  const summary: HistorySummary = {
    version: historyVersion(history),
    rule: ruleKey(rule),
    cents,
    firstOrderAt: orders[0]?.placedAt,
    footprint: fold.state,
    counters: (last && fold.counters[dayOf(last.time)]) || {},
    gaps: { below: from, middle: sorted.slice(from, to), above: sorted.length - to },
    pending: [...new Set(history.changes.map((change) => change.orderId).filter((orderId) => !placed.has(orderId)))],
    ...(loyalty && { loyalty: loyaltySummary(history, loyalty) }),
  };
  return JSON.stringify(summary);
};

/** What an order's ingest computes over the history at its version. */
export interface HistoryFacts {
  version: number;
  stats: OrderStats | NoOrderStats;
  /** The order as it counts now; undefined when it does not (cancelled, or refunded in full, before it came). */
  counted?: OrderHistoryEntry;
  footprint: VersionedFootprint;
  /** The history's last page (a hint for the customer's next order). */
  page: number;
  /** The whole history, when it was read. */
  history?: StoredHistory;
  /** With the loyalty programme on. */
  loyalty?: LoyaltyStanding;
}

/** The loyalty programme's rules, and the time of the change it is planned at. */
export interface LoyaltyAt {
  rules: PointsRules;
  time: Date;
}

export const wholeFacts = (history: StoredHistory, orderId: string, rule: LapseRule, loyalty?: PointsRules): HistoryFacts => {
  const counting = countingOrders(history);
  return {
    version: historyVersion(history),
    stats: historyStats(counting),
    counted: counting.find((order) => order.orderId === orderId),
    footprint: versionedFootprint(history, rule),
    page: history.page ?? 0,
    history,
    ...(loyalty && { loyalty: loyaltyStanding(history, loyalty) }),
  };
};

/**
 * The facts told from the summary and the last page, when they can be: the page holds orders only, each once, none
 * of them repeating an order before it, pending a change, or placed before the summary's last order, and the lapse
 * rule is the summary's; and, with the loyalty programme on, its points rules are the summary's and the change comes
 * after its last order. The footprints start on the summary's last order's day (`from`).
 */
export const recentFacts = (recent: RecentHistory, orderId: string, rule: LapseRule, loyalty?: LoyaltyAt): HistoryFacts | undefined => {
  const summary = JSON.parse(recent.summary) as HistorySummary;
  const { last: page } = recent;
  const orders = chronological(page.orders);
  if (summary.rule !== ruleKey(rule) || !plainAfter(summary, recent, orders)) return undefined;
  const standing = loyalty && recentStanding(summary.loyalty, page, loyalty.rules, loyalty.time);
  if (loyalty && !standing) return undefined;
  const from = summary.footprint.last && dayOf(summary.footprint.last.time);

  /** The summary's pass gone on over the page's orders at a version of the page. */
  const continued = (upTo: StoredHistory) => {
    const gaps = middleGaps(summary.gaps);
    const fold = footprintFold(rule, gaps, from ? { [from]: { ...summary.counters } } : {}, structuredClone(summary.footprint));
    let cents = summary.cents;
    for (const order of upTo === page ? orders : chronological(upTo.orders)) fold.add(order), (cents += order.total * 100);
    return { gaps, fold, cents };
  };
  const computed = new Map<number, DayCounters | undefined>();
  /** Versions before the summary's, and other rules, only the whole history tells. */
  const at = (version: number, stored: string) => {
    if (stored !== summary.rule || version < summary.version) return undefined;
    if (!computed.has(version)) {
      const upTo = historyAt(page, version - summary.version);
      computed.set(version, upTo && tolerant(() => continued(upTo).fold.finish()));
    }
    return computed.get(version);
  };
  const now = tolerant(() => {
    const { gaps, fold, cents } = continued(page);
    // Every order of the page comes after the summary's: the first is the summary's, if it has one, the last the page's.
    const stats = statsFrom(fold.state.orders, summary.firstOrderAt ?? orders[0]!.placedAt, orders.at(-1)!.placedAt, cents, gaps.median);
    return { stats, footprint: fold.finish() };
  });
  if (!now) return undefined;
  const version = summary.version + historyVersion(page);
  computed.set(version, now.footprint);
  return {
    version,
    stats: now.stats,
    counted: page.orders.find((order) => order.orderId === orderId),
    footprint: {
      version,
      rule: summary.rule,
      footprint: now.footprint,
      at,
      ...(from && { from }),
      whole: async () => versionedFootprint(await recent.whole(), rule),
    },
    page: page.page ?? 0,
    ...(standing && { loyalty: standing }),
  };
};

/** The page holds orders only, each once, none of them repeating an order before it, pending a change, or placed before the summary's last order. */
const plainAfter = (summary: HistorySummary, recent: SummarizedPage, orders = chronological(recent.last.orders)) => {
  const lastTime = summary.footprint.last?.time ?? -Infinity;
  const pending = new Set(summary.pending);
  return (
    !recent.repeats &&
    !recent.last.changes.length &&
    orders.length === recent.last.orders.length &&
    orders.every((order) => order.time >= lastTime && !pending.has(order.orderId))
  );
};

/**
 * The loyalty standing told from the summary and the last page, valid at `from` and after (the loyalty review's), when
 * it can be told as for an order (`recentFacts`); with the history's version it is of.
 */
export const recentLoyalty = (recent: SummarizedPage, loyalty: PointsRules, from: Date): { standing: LoyaltyStanding; version: number } | undefined => {
  const summary = JSON.parse(recent.summary) as HistorySummary;
  const standing = plainAfter(summary, recent) ? recentStanding(summary.loyalty, recent.last, loyalty, from) : undefined;
  return standing && { standing, version: summary.version + historyVersion(recent.last) };
};

/** `compute`, or undefined if the median left the summary's gaps. */
const tolerant = <T>(compute: () => T): T | undefined => {
  try {
    return compute();
  } catch (error) {
    if (error instanceof BeyondSummary) return undefined;
    throw error;
  }
};
