/**
 * The loyalty rules of docs/design.md §10, as pure functions:
 * - an order earns points per unit of its currency (`loyalty.pointsPerUnit`), rounded down;
 *   a currency without a rate earns none; a cancellation takes them back, a refund lowers
 *   them as if the order had been for what is left of it;
 * - each order's points are a batch that expires `pointsExpireDays` after the order;
 *   the balance is what is left of the unexpired batches after redemptions;
 * - a tier is reached by the spend of the last 365 days in any one currency it lists (never
 *   summed across currencies), or by the points earned in them; the customer holds the
 *   highest tier reached; reaching one is news, losing one is quiet;
 * - `expiryWarningDays` (14) before a batch expires, from the send hour local, the customer
 *   hears of it: batches expiring on the same local day are one warning.
 */
import { DateTime } from 'luxon';
import type { Config } from '../../config';
import type { StoredHistory } from '../../customers/order-history';
import { minorDigits, toMinor, unknownCurrency } from '../../ops/kpis';
import { memoized } from '../../memoized';
import { sweepOnDay, type SendWindow } from '../local-time';

export type Loyalty = NonNullable<Config['loyalty']>;

const day = 86_400_000;
/** A batch's instants, parsed once: every plan compares them again and again (at most 20,000 kept). */
const instant = memoized((iso: string) => Date.parse(iso), 20_000);
/** The rolling year tiers are measured over: an order counts for 365 days. */
export const tierWindowDays = 365;

/** An order as loyalty counts it: cancelled orders and orders refunded in full are left out. */
export interface LoyaltyOrder {
  orderId: string;
  placedAt: string;
  time: number;
  /** Absent in histories recorded before currencies were kept: such an order earns nothing. */
  currency?: string;
  /** Its total less its refunds, in its currency's minor units (whole yen, thousandths of a dinar). */
  amountMinor: number;
  points: number;
}

/**
 * Rounded down, after taking off floating-point dust: 60 USD at 1.15 a dollar is
 * 68.99999999999999 in binary floating point, and earns 69 points, not 68.
 */
const floorPoints = (points: number) => Math.floor(Number(points.toPrecision(15)));

/** The points an amount (in minor units) earns in its currency: none without a rate. */
export const pointsFor = (amountMinor: number, currency: string | undefined, loyalty: Pick<Loyalty, 'pointsPerUnit'>): number => {
  const rate = currency === undefined ? undefined : loyalty.pointsPerUnit[currency];
  return rate === undefined || amountMinor <= 0 ? 0 : floorPoints((amountMinor * rate) / 10 ** minorDigits(currency!));
};

/**
 * The orders of a stored history as loyalty counts them, oldest first (each orderId once).
 * As `countingOrders` (docs/design.md §3), but in each currency's own minor units, not cents:
 * a dinar's thousandths earn points too.
 */
export const loyaltyOrders = (history: StoredHistory, loyalty: Pick<Loyalty, 'pointsPerUnit'>): LoyaltyOrder[] => {
  const cancelled = new Set<string>();
  const refunds = new Map<string, Map<string, number>>();
  for (const change of history.changes) {
    if (change.kind === 'cancelled') cancelled.add(change.orderId);
    // Each refund once, however often it is reported; kept as an amount until its currency is known.
    else refunds.set(change.orderId, (refunds.get(change.orderId) ?? new Map()).set(change.refundId, change.amount));
  }
  const orders = new Map<string, LoyaltyOrder>();
  for (const order of history.orders) {
    if (cancelled.has(order.orderId) || orders.has(order.orderId)) continue;
    const currency = order.currency ?? unknownCurrency;
    const refunded = [...(refunds.get(order.orderId)?.values() ?? [])].reduce((sum, amount) => sum + toMinor(amount, currency), 0);
    const amountMinor = toMinor(order.total, currency) - refunded;
    // Refunded in full: as good as cancelled.
    if (amountMinor <= 0 && refunded > 0) continue;
    const points = pointsFor(amountMinor, order.currency, loyalty);
    orders.set(order.orderId, { orderId: order.orderId, placedAt: order.placedAt, time: Date.parse(order.placedAt), currency: order.currency, amountMinor, points });
  }
  return [...orders.values()].sort((a, b) => a.time - b.time);
};

/**
 * The points spent on orders that still count, each at its order's time: a cancelled order's, or
 * one refunded in full, are given back (as its own points are taken back).
 */
export const loyaltyRedemptions = (history: StoredHistory, orders: LoyaltyOrder[]): Redemption[] => {
  const counting = new Map(orders.map((order) => [order.orderId, order.placedAt]));
  const spent = new Map<string, Redemption>();
  for (const { orderId, points } of history.redemptions ?? []) {
    const at = counting.get(orderId);
    if (at !== undefined && points > 0 && !spent.has(orderId)) spent.set(orderId, { at, points });
  }
  return [...spent.values()];
};

// Points

/** The points one order earned, expiring together. */
export interface PointsBatch {
  orderId: string;
  earnedAt: string;
  expiresAt: string;
  /** What is left of them (after redemptions, when given). */
  points: number;
}

/** One batch per order that earned points, soonest to expire first. */
export const pointsBatches = (orders: LoyaltyOrder[], loyalty: Pick<Loyalty, 'pointsExpireDays'>): PointsBatch[] =>
  orders
    .filter((order) => order.points > 0)
    .map((order) => ({
      orderId: order.orderId,
      earnedAt: order.placedAt,
      expiresAt: new Date(order.time + loyalty.pointsExpireDays * day).toISOString(),
      points: order.points,
    }))
    .sort((a, b) => instant(a.expiresAt) - instant(b.expiresAt) || (a.orderId < b.orderId ? -1 : 1));

/** Points spent on an order (`pointsRedeemed` of `Order Placed`). */
export interface Redemption {
  at: string;
  points: number;
}

const liveAt = (batch: PointsBatch, at: number) => instant(batch.earnedAt) <= at && at < instant(batch.expiresAt);

export interface PointsStanding {
  balance: number;
  /** The batches live at that instant, with what is left of each, soonest to expire first. */
  batches: PointsBatch[];
}

/**
 * The points a customer holds at `now`. Each redemption is drawn from the batches live at
 * its time, soonest to expire first, so what expires is what was not spent. Recomputed from
 * the orders that still count, a cancellation takes its points back whatever was redeemed:
 * the redemptions are drawn from what remains (never below nothing).
 */
export const pointsStanding = (batches: PointsBatch[], now: Date, redemptions: Redemption[] = []): PointsStanding => {
  const live = pointsLeft(batches, redemptions).filter((batch) => batch.points > 0 && liveAt(batch, now.getTime()));
  return { balance: live.reduce((sum, batch) => sum + batch.points, 0), batches: live };
};

/** Every batch with what is left of it after the redemptions, each drawn, in time order, from the batches live at its time. */
export const pointsLeft = (batches: PointsBatch[], redemptions: Redemption[]): PointsBatch[] => {
  const left = batches.map((batch) => ({ ...batch }));
  // Each instant parsed once: every redemption meets every batch.
  const lives = left.map((batch) => [instant(batch.earnedAt), instant(batch.expiresAt)] as const);
  const spent = redemptions.map((redemption) => ({ at: Date.parse(redemption.at), points: redemption.points })).sort((a, b) => a.at - b.at);
  for (const { at, points } of spent) {
    let owed = points;
    for (let i = 0; i < left.length && owed > 0; i++) {
      const [earned, expires] = lives[i]!;
      if (at < earned || at >= expires) continue;
      const taken = Math.min(owed, left[i]!.points);
      left[i]!.points -= taken;
      owed -= taken;
    }
  }
  return left;
};

export interface ExpiryWarningDue {
  /** The customer's local day the points expire, `YYYY-MM-DD`: the occasion of the send key. */
  occasion: string;
  /** The hourly sweep that sends it. */
  dueAt: Date;
  /** The points expiring that day, and the balance when the warning goes out. */
  expiring: number;
  balance: number;
}

export interface ExpiryWarningInput {
  batches: PointsBatch[];
  redemptions?: Redemption[];
  timeZone: string;
  now: Date;
  /** The last expiry day already warned of (or settled for good). */
  lastWarnedDay?: string;
  loyalty: Pick<Loyalty, 'expiryWarningDays' | 'sendHour'>;
  window: SendWindow;
}

/**
 * The next warning of points about to expire: `expiryWarningDays` before the local day they
 * expire, from the send hour; one per local expiry day, however many orders' points expire
 * on it. A warning whose day is over is skipped, never sent late.
 */
export const nextExpiryWarning = ({ batches, redemptions = [], timeZone, now, lastWarnedDay = '', loyalty, window }: ExpiryWarningInput): ExpiryWarningDue | undefined => {
  // Soonest to expire first: each local day's batches together, the days in order, so only the days up to the first
  // warning that can go out are looked at (a local date per batch is most of a plan's time at a year of weekly orders).
  const live = pointsStanding(batches, now, redemptions).batches.sort((a, b) => instant(a.expiresAt) - instant(b.expiresAt));
  const days: string[] = [];
  const dayOf = (i: number) => (days[i] ??= DateTime.fromISO(live[i]!.expiresAt, { zone: timeZone }).toISODate()!);
  for (let i = 0; i < live.length; ) {
    const occasion = dayOf(i);
    let expiring = 0;
    for (; i < live.length && dayOf(i) === occasion; i++) expiring += live[i]!.points;
    if (occasion <= lastWarnedDay) continue;
    const warningDay = DateTime.fromISO(occasion, { zone: timeZone }).minus({ days: loyalty.expiryWarningDays });
    const dueAt = sweepOnDay(warningDay, loyalty.sendHour, now, window);
    if (dueAt) return { occasion, dueAt, expiring, balance: pointsStanding(batches, dueAt, redemptions).balance };
  }
  return undefined;
};

// Tiers

export interface Tier {
  name: string;
  /** 1 for the lowest tier configured; higher is better. */
  rank: number;
}

/** The configured tier of that name (a stored tier), or none. */
export const tierNamed = (name: string | undefined, loyalty: Pick<Loyalty, 'tiers'>): Tier | undefined => {
  const index = loyalty.tiers.findIndex((tier) => tier.name === name);
  return index < 0 ? undefined : { name: loyalty.tiers[index]!.name, rank: index + 1 };
};

/** The orders of the rolling year at `now`: placed less than 365 days before it (and not after it). */
const inWindow = (orders: LoyaltyOrder[], now: Date) =>
  orders.filter((order) => order.time <= now.getTime() && now.getTime() - order.time < tierWindowDays * day);

export interface YearSpend {
  /** Per currency, in its minor units; never summed across currencies. */
  spendMinor: Record<string, number>;
  points: number;
}

/** What the customer spent, and the points they earned, over the rolling year at `now`. */
export const yearSpend = (orders: LoyaltyOrder[], now: Date): YearSpend => {
  const spendMinor: Record<string, number> = {};
  let points = 0;
  for (const order of inWindow(orders, now)) {
    // An order of no known currency is compared with no threshold.
    if (order.currency !== undefined) spendMinor[order.currency] = (spendMinor[order.currency] ?? 0) + order.amountMinor;
    points += order.points;
  }
  return { spendMinor, points };
};

type TierConfig = Loyalty['tiers'][number];

/** Reached in any one of the currencies the tier lists (a shop selling in two needs no exchange rate), or by points. */
export const reachesTier = (tier: TierConfig, year: YearSpend): boolean =>
  tier.points !== undefined
    ? year.points >= tier.points
    : Object.entries(tier.spend ?? {}).some(([currency, threshold]) => (year.spendMinor[currency] ?? 0) >= toMinor(threshold, currency));

/** The highest tier the customer reaches at `now`, or none. */
export const tierAt = (orders: LoyaltyOrder[], loyalty: Pick<Loyalty, 'tiers'>, now: Date): Tier | undefined => {
  const year = yearSpend(orders, now);
  for (let rank = loyalty.tiers.length; rank > 0; rank--) if (reachesTier(loyalty.tiers[rank - 1]!, year)) return { name: loyalty.tiers[rank - 1]!.name, rank };
  return undefined;
};

export type TierChange = 'reached' | 'lost' | 'same';

/** Up is `reached` (an email and an event), down is `lost` (an event, no email). */
export const tierChange = (before: Tier | undefined, after: Tier | undefined): TierChange => {
  const [from, to] = [before?.rank ?? 0, after?.rank ?? 0];
  return to > from ? 'reached' : to < from ? 'lost' : 'same';
};

/**
 * When the tier held at `now` must next be looked at again without a new event: the moment
 * the oldest order of the rolling year leaves it. None without a tier (nothing to lose), so a
 * daily recomputation need only visit the customers due by it, never scan them all.
 */
export const nextTierReview = (orders: LoyaltyOrder[], loyalty: Pick<Loyalty, 'tiers'>, now: Date): Date | undefined => {
  if (!tierAt(orders, loyalty, now)) return undefined;
  const oldest = inWindow(orders, now)[0];
  return oldest && new Date(oldest.time + tierWindowDays * day);
};

/** An order placed at or before this counts for nothing at `at` or later: out of the tier's rolling year, its points expired. */
export const countsNoLongerAfter = (at: number, loyalty: Pick<Loyalty, 'pointsExpireDays'>) => at - Math.max(tierWindowDays, loyalty.pointsExpireDays) * day;

// What time alone changes

/** The batches that expired in (`after`, `upTo`], with what was left of each when it did. */
export const expiredBetween = (batches: PointsBatch[], after: Date | undefined, upTo: Date, redemptions: Redemption[] = []): PointsBatch[] =>
  batches.flatMap((batch) => {
    const expiry = instant(batch.expiresAt);
    if (expiry > upTo.getTime() || (after && expiry <= after.getTime())) return [];
    // What was left of it the instant before it expired, the redemptions drawn from every batch as they were.
    const left = pointsStanding(batches, new Date(expiry - 1), redemptions).batches.find((live) => live.orderId === batch.orderId)?.points ?? 0;
    return left > 0 ? [{ ...batch, points: left }] : [];
  });

/**
 * The next moment the points or the tier change with no event: a batch expires, or an order
 * leaves the rolling year of a customer who holds a tier. None when nothing will.
 */
export const nextLoyaltyChange = (orders: LoyaltyOrder[], batches: PointsBatch[], loyalty: Pick<Loyalty, 'tiers'>, now: Date): Date | undefined => {
  const expiries = batches.map((batch) => instant(batch.expiresAt)).filter((expiry) => expiry > now.getTime());
  const review = nextTierReview(orders, loyalty, now)?.getTime();
  const next = Math.min(...expiries, review ?? Infinity);
  return Number.isFinite(next) ? new Date(next) : undefined;
};
