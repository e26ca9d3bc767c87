/** docs/design.md §10, loyalty: points per order, their expiry and its warning, tiers over a rolling year. */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseConfig } from '../../functions/config';
import type { OrderChange, StoredHistory } from '../../functions/customers/order-history';
import type { OrderHistoryEntry } from '../../functions/campaigns/winback/rules';
import { nextSendSlot } from '../../functions/campaigns/local-time';
import { loyaltyStanding, planLoyalty } from '../../functions/campaigns/loyalty/plan';
import {
  expiredBetween,
  loyaltyOrders,
  loyaltyRedemptions,
  nextExpiryWarning,
  nextLoyaltyChange,
  nextTierReview,
  pointsBatches,
  pointsStanding,
  tierAt,
  tierChange,
  tierNamed,
  type Loyalty,
  type Redemption,
} from '../../functions/campaigns/loyalty/rules';

/** The configuration of the product contract (DESIGN §10). */
const config = parseConfig({
  loyalty: {
    pointsPerUnit: { MYR: 1, USD: 4 },
    pointsExpireDays: 365,
    tiers: [
      { name: 'Silver', spend: { MYR: 500 } },
      { name: 'Gold', spend: { MYR: 2000 } },
    ],
  },
});
const loyalty = config.loyalty!;
const withLoyalty = (block: object) => parseConfig({ loyalty: block }).loyalty!;

const order = (orderId: string, placedAt: string, total: number, currency?: string): OrderHistoryEntry => ({
  orderId,
  placedAt: new Date(placedAt).toISOString(),
  total,
  ...(currency && { currency }),
});
const cancelled = (orderId: string): OrderChange => ({ kind: 'cancelled', orderId });
const refunded = (orderId: string, refundId: string, amount: number): OrderChange => ({ kind: 'refunded', orderId, refundId, amount });
const counted = (orders: OrderHistoryEntry[], changes: OrderChange[] = [], rules: Loyalty = loyalty) =>
  loyaltyOrders({ orders, changes } satisfies StoredHistory, rules);
const pointsOf = (orders: OrderHistoryEntry[], changes: OrderChange[] = [], rules: Loyalty = loyalty) =>
  counted(orders, changes, rules).map((o) => o.points);
const batches = (orders: OrderHistoryEntry[], changes: OrderChange[] = [], rules: Loyalty = loyalty) => pointsBatches(counted(orders, changes, rules), rules);
const balance = (orders: OrderHistoryEntry[], at: string, redemptions: Redemption[] = []) => pointsStanding(batches(orders), new Date(at), redemptions).balance;

describe('the configuration: off unless present', () => {
  it('has neither loyalty nor referral when they are absent', () => {
    const defaults = parseConfig({});
    expect(defaults.loyalty).toBeUndefined();
    expect(defaults.referral).toBeUndefined();
  });

  it('takes the contract’s blocks as written, with a 14-day warning from 10:00 local and no holdout', () => {
    expect(loyalty).toEqual({
      pointsPerUnit: { MYR: 1, USD: 4 },
      pointsExpireDays: 365,
      expiryWarningDays: 14,
      sendHour: 10,
      holdoutShare: 0,
      tiers: [
        { name: 'Silver', spend: { MYR: 500 } },
        { name: 'Gold', spend: { MYR: 2000 } },
      ],
    });
    expect(parseConfig({ referral: { percentOff: 10, rewardPercentOff: 15, validDays: 30 } }).referral).toEqual({ percentOff: 10, rewardPercentOff: 15, validDays: 30, sendHour: 10, holdoutShare: 0 });
  });

  it.each([
    [
      'a tier below the one before it, in one currency',
      { tiers: [{ name: 'Silver', spend: { MYR: 500, USD: 100 } }, { name: 'Gold', spend: { MYR: 2000, USD: 100 } }] },
      'loyalty.tiers.1.spend.USD must be more than the 100 USD of the lower tier "Silver" (tiers go from lowest to highest)',
    ],
    [
      'a tier below the one before it, in points',
      { tiers: [{ name: 'Silver', points: 500 }, { name: 'Gold', points: 200 }] },
      'loyalty.tiers.1.points must be more than the 500 points of the lower tier "Silver"',
    ],
    ['two tiers of one name', { tiers: [{ name: 'Gold', spend: { MYR: 5 } }, { name: 'Gold', spend: { MYR: 10 } }] }, 'loyalty.tiers.1.name must be unique'],
    ['an unknown currency', { pointsPerUnit: { RM: 1 } }, 'loyalty.pointsPerUnit.RM must be an ISO 4217 currency code such as EUR'],
    ['a tier’s unknown currency', { tiers: [{ name: 'Silver', spend: { MYX: 500 } }] }, 'loyalty.tiers.0.spend.MYX must be an ISO 4217 currency code'],
    ['a tier with no threshold', { tiers: [{ name: 'Silver' }] }, 'loyalty.tiers.0 needs either spend or points (not both)'],
    ['a tier with both', { tiers: [{ name: 'Silver', spend: { MYR: 5 }, points: 5 }] }, 'loyalty.tiers.0 needs either spend or points (not both)'],
    ['a tier spending in no currency', { tiers: [{ name: 'Silver', spend: {} }] }, 'loyalty.tiers.0.spend must name at least one currency'],
    ['points that expire before they can be warned of', { pointsExpireDays: 14 }, 'loyalty.pointsExpireDays must be more than expiryWarningDays'],
    ['a negative rate', { pointsPerUnit: { MYR: -1 } }, 'loyalty.pointsPerUnit.MYR'],
  ])('refuses %s, naming the field', (_, block, message) => {
    expect(() => parseConfig({ loyalty: block })).toThrow(`retention.config.json: ${message}`);
  });

  it('accepts a currency listed by a higher tier only, and tiers measured differently', () => {
    expect(() =>
      withLoyalty({ tiers: [{ name: 'Silver', spend: { MYR: 500 } }, { name: 'Gold', spend: { MYR: 2000, USD: 400 } }, { name: 'Platinum', points: 10_000 }] }),
    ).not.toThrow();
  });
});

describe('points: earned per order, per unit of its currency, rounded down', () => {
  it('1 a ringgit and 4 a dollar: 123.99 MYR earns 123, 10.10 USD earns 40', () => {
    expect(pointsOf([order('o1', '2026-01-05T10:00:00Z', 123.99, 'MYR'), order('o2', '2026-01-06T10:00:00Z', 10.1, 'USD')])).toEqual([123, 40]);
  });

  it('none for an order in a currency without a rate, nor for one recorded without a currency', () => {
    expect(pointsOf([order('o1', '2026-01-05T10:00:00Z', 500, 'EUR'), order('o2', '2026-01-06T10:00:00Z', 500)])).toEqual([0, 0]);
  });

  it('counts whole yen: 1,999.6 JPY is 2,000 yen, 20 points at 0.01 a yen', () => {
    expect(pointsOf([order('o1', '2026-01-05T10:00:00Z', 1999.6, 'JPY')], [], withLoyalty({ pointsPerUnit: { JPY: 0.01 } }))).toEqual([20]);
  });

  it('counts thousandths of a dinar: 1.299 KWD at 10 a dinar earns 12, not the 13 that cents would give', () => {
    expect(pointsOf([order('o1', '2026-01-05T10:00:00Z', 1.299, 'KWD')], [], withLoyalty({ pointsPerUnit: { KWD: 10 } }))).toEqual([12]);
  });

  it('is not rounded down by floating-point dust: 60 USD at 1.15 a dollar earns 69 (6000 × 1.15 / 100 is 68.99999999999999)', () => {
    expect(pointsOf([order('o1', '2026-01-05T10:00:00Z', 60, 'USD')], [], withLoyalty({ pointsPerUnit: { USD: 1.15 } }))).toEqual([69]);
  });

  it('counts the same order once', () => {
    const o1 = order('o1', '2026-01-05T10:00:00Z', 50, 'MYR');
    expect(pointsOf([o1, o1])).toEqual([50]);
  });
});

describe('points taken back: a cancellation reverses them, a refund lowers them', () => {
  const o1 = order('o1', '2026-01-05T10:00:00Z', 100, 'MYR');
  const o2 = order('o2', '2026-02-05T10:00:00Z', 40, 'MYR');

  it('a cancelled order earns nothing: its points leave the balance', () => {
    expect(counted([o1, o2], [cancelled('o1')]).map((o) => o.orderId)).toEqual(['o2']);
    expect(balance([o1, o2], '2026-03-01T00:00:00Z')).toBe(140);
    expect(pointsStanding(batches([o1, o2], [cancelled('o1')]), new Date('2026-03-01T00:00:00Z')).balance).toBe(40);
  });

  it('a refund lowers them as if the order had been for what is left, rounded down as earned: 100 MYR less 33.33 earns 66', () => {
    expect(pointsOf([o1], [refunded('o1', 'r1', 33.33)])).toEqual([66]);
  });

  it('refund by refund, each counted once however often it is reported', () => {
    expect(pointsOf([o1], [refunded('o1', 'r1', 10), refunded('o1', 'r1', 10), refunded('o1', 'r2', 0.5)])).toEqual([89]);
  });

  it('refunds reaching the total leave no points and no batch', () => {
    expect(counted([o1, o2], [refunded('o2', 'r1', 30), refunded('o2', 'r2', 10)]).map((o) => o.orderId)).toEqual(['o1']);
  });

  it('a refund in dinars is taken off in fils', () => {
    const rules = withLoyalty({ pointsPerUnit: { KWD: 100 } });
    expect(pointsOf([order('o1', '2026-01-05T10:00:00Z', 2.5, 'KWD')], [refunded('o1', 'r1', 0.001)], rules)).toEqual([249]);
  });
});

describe('expiry: each order’s points are a batch, expiring pointsExpireDays after the order', () => {
  const o1 = order('o1', '2026-01-05T10:00:00Z', 100, 'MYR');
  const o2 = order('o2', '2026-03-05T10:00:00Z', 40, 'MYR');

  it('one batch per order that earned points, soonest to expire first', () => {
    expect(batches([o2, o1, order('o3', '2026-02-01T00:00:00Z', 99, 'EUR')])).toEqual([
      { orderId: 'o1', earnedAt: o1.placedAt, expiresAt: '2027-01-05T10:00:00.000Z', points: 100 },
      { orderId: 'o2', earnedAt: o2.placedAt, expiresAt: '2027-03-05T10:00:00.000Z', points: 40 },
    ]);
  });

  it('the balance is the unexpired points: a batch is gone at its expiry', () => {
    expect(balance([o1, o2], '2027-01-05T09:59:59Z')).toBe(140);
    expect(balance([o1, o2], '2027-01-05T10:00:00Z')).toBe(40);
    expect(balance([o1, o2], '2027-03-05T10:00:00Z')).toBe(0);
  });

  it('counts no points before their order', () => {
    expect(balance([o1, o2], '2026-02-01T00:00:00Z')).toBe(100);
  });

  it('a redemption takes from the batch soonest to expire, so what expires is what was not spent', () => {
    const standing = pointsStanding(batches([o1, o2]), new Date('2026-04-01T00:00:00Z'), [{ at: '2026-03-10T00:00:00Z', points: 120 }]);
    expect(standing.balance).toBe(20);
    expect(standing.batches).toMatchObject([{ orderId: 'o2', points: 20 }]);
  });
});

describe('the warning: 14 days before points expire, from 10:00 local, one per expiry day', () => {
  const zone = 'Asia/Kuala_Lumpur';
  const local = (instant: Date | undefined) => instant && DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
  const warning = (orders: OrderHistoryEntry[], now: string, lastWarnedDay?: string, redemptions: Redemption[] = []) =>
    nextExpiryWarning({ batches: batches(orders), redemptions, timeZone: zone, now: new Date(now), lastWarnedDay, loyalty, window: config.sendWindow });

  // Placed 18:00 on 5 January 2026 in Kuala Lumpur: expires 18:00 on 5 January 2027.
  const o1 = order('o1', '2026-01-05T10:00:00Z', 100, 'MYR');
  const o2 = order('o2', '2026-03-05T10:00:00Z', 40, 'MYR');

  it('at 10:00 local on the 14th day before the local expiry day, with the amount expiring and the balance', () => {
    const due = warning([o1, o2], '2026-03-05T10:00:00Z');
    expect(local(due?.dueAt)).toBe('2026-12-22T10:00');
    expect(due).toMatchObject({ occasion: '2027-01-05', expiring: 100, balance: 140 });
  });

  it('batches expiring on the same local day are one warning, with their sum', () => {
    // 01:00 and 23:00 on 6 January local: two UTC days, one local day.
    const early = order('e', '2026-01-05T17:00:00Z', 10, 'MYR');
    const late = order('l', '2026-01-06T15:00:00Z', 20, 'MYR');
    expect(warning([early, late], '2026-01-07T00:00:00Z')).toMatchObject({ occasion: '2027-01-06', expiring: 30 });
  });

  it('once per expiry day: with that day warned of, the next day’s batches are next', () => {
    const due = warning([o1, o2], '2026-12-22T02:00:00Z', '2027-01-05');
    expect(local(due?.dueAt)).toBe('2027-02-19T10:00');
    expect(due).toMatchObject({ occasion: '2027-03-05', expiring: 40, balance: 40 });
  });

  it('a warning asked for during its own day goes out within the hour, before 20:00', () => {
    expect(local(warning([o1], '2026-12-22T07:20:00Z')?.dueAt)).toBe('2026-12-22T16:00');
  });

  it('a warning whose day is over is skipped, never sent late', () => {
    expect(warning([o1], '2026-12-23T00:00:00Z')).toBeUndefined();
    expect(warning([o1, o2], '2026-12-23T00:00:00Z')).toMatchObject({ occasion: '2027-03-05' });
  });

  it('none for points all spent or taken back', () => {
    expect(warning([o1], '2026-03-05T10:00:00Z', undefined, [{ at: '2026-02-01T00:00:00Z', points: 100 }])).toBeUndefined();
    expect(warning([], '2026-03-05T10:00:00Z')).toBeUndefined();
  });
});

describe('tiers: the highest reached by the spend of the rolling year', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const tier = (orders: OrderHistoryEntry[], rules: Loyalty = loyalty, at = now, changes: OrderChange[] = []) => tierAt(counted(orders, changes, rules), rules, at)?.name;

  it('none below the first threshold; Silver from 500 MYR; Gold, the highest reached, from 2000 MYR', () => {
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 499.99, 'MYR')])).toBeUndefined();
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 300, 'MYR'), order('o2', '2026-05-02T00:00:00Z', 200, 'MYR')])).toBe('Silver');
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 2500, 'MYR')])).toBe('Gold');
  });

  it('counts an order for 365 days: one placed 364 days ago counts, one placed 366 days ago no longer does', () => {
    const placed = (daysAgo: number) => order('o1', new Date(now.getTime() - daysAgo * 86_400_000).toISOString(), 600, 'MYR');
    expect(tier([placed(364)])).toBe('Silver');
    expect(tier([placed(366)])).toBeUndefined();
  });

  it('is reached in any one currency the tier lists, never by adding currencies together', () => {
    const rules = withLoyalty({ tiers: [{ name: 'Silver', spend: { MYR: 500, USD: 120 } }] });
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 120, 'USD')], rules)).toBe('Silver');
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 499, 'MYR'), order('o2', '2026-05-01T00:00:00Z', 119, 'USD')], rules)).toBeUndefined();
  });

  it('counts no spend in a currency the tier does not list, nor of an order of no known currency', () => {
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 10_000, 'EUR'), order('o2', '2026-05-01T00:00:00Z', 10_000)])).toBeUndefined();
  });

  it('counts what is left of a refunded order, and nothing of a cancelled one', () => {
    const o1 = order('o1', '2026-05-01T00:00:00Z', 2100, 'MYR');
    expect(tier([o1], loyalty, now, [refunded('o1', 'r1', 200)])).toBe('Silver');
    expect(tier([o1], loyalty, now, [cancelled('o1')])).toBeUndefined();
  });

  it('compares thresholds in the currency’s own minor unit (whole yen)', () => {
    const rules = withLoyalty({ tiers: [{ name: 'Silver', spend: { JPY: 10_000 } }] });
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 9999.4, 'JPY')], rules)).toBeUndefined();
    expect(tier([order('o1', '2026-05-01T00:00:00Z', 9999.6, 'JPY')], rules)).toBe('Silver');
  });

  it('by points, when a tier gives points: those earned in the rolling year, whatever became of them since', () => {
    const rules = withLoyalty({ pointsPerUnit: { MYR: 1, USD: 4 }, pointsExpireDays: 30, tiers: [{ name: 'Insider', points: 400 }] });
    // 300 + 4 × 25 points, long expired, still earned within the year.
    const orders = [order('o1', '2025-08-01T00:00:00Z', 300, 'MYR'), order('o2', '2025-09-01T00:00:00Z', 25, 'USD')];
    expect(tier(orders, rules)).toBe('Insider');
    expect(tier(orders.slice(1), rules)).toBeUndefined();
  });
});

describe('a change of tier: reaching one is news, losing one is quiet', () => {
  const [silver, gold] = [tierNamed('Silver', loyalty), tierNamed('Gold', loyalty)];

  it('ranks the tiers as configured, lowest first', () => {
    expect([silver, gold]).toEqual([
      { name: 'Silver', rank: 1 },
      { name: 'Gold', rank: 2 },
    ]);
    expect(tierNamed('Bronze', loyalty)).toBeUndefined();
  });

  it('up is reached: a first tier, or a higher one', () => {
    expect(tierChange(undefined, silver)).toBe('reached');
    expect(tierChange(silver, gold)).toBe('reached');
    expect(tierChange(undefined, gold)).toBe('reached');
  });

  it('down is lost, and unchanged is the same', () => {
    expect(tierChange(gold, silver)).toBe('lost');
    expect(tierChange(silver, undefined)).toBe('lost');
    expect(tierChange(gold, gold)).toBe('same');
    expect(tierChange(undefined, undefined)).toBe('same');
  });

  it('is lost when the order that made it leaves the rolling year, or is cancelled', () => {
    const orders = counted([order('o1', '2025-07-01T00:00:00Z', 1600, 'MYR'), order('o2', '2026-03-01T00:00:00Z', 600, 'MYR')]);
    const [before, after] = [tierAt(orders, loyalty, new Date('2026-06-30T23:00:00Z')), tierAt(orders, loyalty, new Date('2026-07-01T00:00:00Z'))];
    expect([before?.name, after?.name]).toEqual(['Gold', 'Silver']);
    expect(tierChange(before, after)).toBe('lost');
    const withoutO2 = counted([order('o1', '2026-05-01T00:00:00Z', 600, 'MYR'), order('o2', '2026-05-02T00:00:00Z', 1600, 'MYR')], [cancelled('o2')]);
    expect(tierChange(gold, tierAt(withoutO2, loyalty, new Date('2026-06-01T00:00:00Z')))).toBe('lost');
  });

  it('is looked at again when the oldest order of the year leaves it, and never without a tier', () => {
    const orders = counted([order('o1', '2025-07-01T00:00:00Z', 1600, 'MYR'), order('o2', '2026-03-01T00:00:00Z', 600, 'MYR')]);
    expect(nextTierReview(orders, loyalty, new Date('2026-06-01T00:00:00Z'))?.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(nextTierReview(counted([order('o1', '2026-03-01T00:00:00Z', 100, 'MYR')]), loyalty, new Date('2026-06-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('what time alone changes', () => {
  const orders = [order('a', '2026-01-10T04:00:00Z', 600, 'MYR'), order('b', '2026-02-10T04:00:00Z', 1500, 'MYR')];
  const short = withLoyalty({ pointsPerUnit: { MYR: 1 }, pointsExpireDays: 120, tiers: [{ name: 'Silver', spend: { MYR: 500 } }] });
  const shortBatches = () => batches(orders, [], short);

  it('expires each batch once, with what was left of it: those after the last review and by now', () => {
    const expired = (after: string | undefined, upTo: string) => expiredBetween(shortBatches(), after ? new Date(after) : undefined, new Date(upTo)).map((b) => [b.orderId, b.points]);
    expect(expired(undefined, '2026-05-10T03:59:59Z')).toEqual([]);
    expect(expired(undefined, '2026-05-10T04:00:00Z')).toEqual([['a', 600]]);
    expect(expired('2026-05-10T04:00:00Z', '2026-07-01T00:00:00Z')).toEqual([['b', 1500]]);
    // Spent before it expired: what is left expires.
    expect(expiredBetween(shortBatches(), undefined, new Date('2026-05-11T00:00:00Z'), [{ at: '2026-03-01T00:00:00Z', points: 250 }]).map((b) => b.points)).toEqual([350]);
  });

  it('is next looked at when a batch expires, or when the oldest order of a tier holder leaves the year', () => {
    const next = (at: string) => nextLoyaltyChange(counted(orders, [], short), shortBatches(), short, new Date(at))?.toISOString();
    expect(next('2026-03-01T00:00:00Z')).toBe('2026-05-10T04:00:00.000Z');
    expect(next('2026-05-10T04:00:00Z')).toBe('2026-06-10T04:00:00.000Z');
    expect(next('2026-06-10T04:00:00Z')).toBe('2027-01-10T04:00:00.000Z');
    // Without tiers, nothing to lose: after the last expiry, never.
    expect(nextLoyaltyChange(counted(orders, [], short), shortBatches(), { tiers: [] }, new Date('2026-06-10T04:00:00Z'))).toBeUndefined();
  });
});

describe('the first sweep inside the send window', () => {
  const window = { startHour: 9, endHour: 20 };
  const slot = (from: string) => DateTime.fromJSDate(nextSendSlot(new Date(from), 'Asia/Kuala_Lumpur', 10, window), { zone: 'Asia/Kuala_Lumpur' }).toISO({ suppressMilliseconds: true });
  it('is the next hourly sweep when that is between the send hour and 20:00 local', () => {
    expect(slot('2026-03-10T04:20:00Z')).toBe('2026-03-10T13:00:00+08:00');
  });
  it('waits for the send hour in the morning, and for the next morning at night', () => {
    expect(slot('2026-03-10T00:30:00Z')).toBe('2026-03-10T10:00:00+08:00');
    expect(slot('2026-03-10T12:00:00Z')).toBe('2026-03-11T10:00:00+08:00');
  });
});

describe('the plan after a change', () => {
  const both = parseConfig({ loyalty: { pointsPerUnit: { MYR: 1 }, tiers: [{ name: 'Silver', spend: { MYR: 500 } }, { name: 'Gold', spend: { MYR: 2000 } }] }, referral: {} });
  const plan = (history: OrderHistoryEntry[], profile: Record<string, unknown>, time: string) =>
    planLoyalty({ customerId: 'c', standing: loyaltyStanding({ orders: history, changes: [] }, both.loyalty!), profile: { customerId: 'c', updatedAt: time, ...profile } as never, time: new Date(time), from: new Date(time), changeKey: 'k', config: both })!;

  it('makes the tier email due at once, and the invitation too for the top tier', () => {
    const gold = plan([order('a', '2026-03-10T04:00:00Z', 2100, 'MYR')], { timeZone: 'Asia/Kuala_Lumpur' }, '2026-03-10T04:00:00Z');
    expect(gold.values).toMatchObject({ loyaltyTier: 'Gold', tierOccasion: 'Gold#2026-03-10', tierDueAt: '2026-03-10T04:00:00.000Z', referralStep: 1, referralDueAt: '2026-03-10T04:00:00.000Z' });
    expect(gold.events.map((e) => e.detail)).toEqual([{ customerId: 'c', from: null, to: 'Gold', direction: 'reached' }]);
  });

  it('invites no one twice, and takes back a tier email whose tier is lost before it went out', () => {
    const invited = plan([order('a', '2026-03-10T04:00:00Z', 2100, 'MYR')], { referralInvitedAt: '2026-01-01T00:00:00Z' }, '2026-03-10T04:00:00Z');
    expect(invited.values.referralDueAt).toBeUndefined();
    const lost = plan([], { loyaltyTier: 'Gold', tierOccasion: 'Gold#2026-03-10', tierDueAt: '2026-03-11T02:00:00Z' }, '2026-03-10T08:00:00Z');
    expect(lost.values).toMatchObject({ loyaltyTier: undefined, tierOccasion: undefined, tierDueAt: undefined });
    expect('tierDueAt' in lost.values).toBe(true);
  });
});

describe('points spent on orders', () => {
  const history = (changes: OrderChange[] = []): StoredHistory => ({
    orders: [order('a', '2026-01-10T04:00:00Z', 600, 'MYR'), order('b', '2026-02-10T04:00:00Z', 1500, 'MYR')],
    changes,
    redemptions: [{ orderId: 'b', points: 500 }],
  });
  const short = withLoyalty({ pointsPerUnit: { MYR: 1 }, pointsExpireDays: 120 });

  it('are spent at their order’s time, and given back when the order is cancelled', () => {
    const counting = loyaltyOrders(history(), short);
    expect(loyaltyRedemptions(history(), counting)).toEqual([{ at: '2026-02-10T04:00:00.000Z', points: 500 }]);
    expect(loyaltyRedemptions(history([cancelled('b')]), loyaltyOrders(history([cancelled('b')]), short))).toEqual([]);
  });

  it('come out of the batch that expires first: what expires, and what the warning says, is what is left', () => {
    const counting = loyaltyOrders(history(), short);
    const spent = loyaltyRedemptions(history(), counting);
    const all = pointsBatches(counting, short);
    expect(pointsStanding(all, new Date('2026-03-01T00:00:00Z'), spent).balance).toBe(1600);
    // Of a's 600, 100 are left to expire on 10 May; b's 1,500 expire whole on 10 June.
    expect(expiredBetween(all, undefined, new Date('2026-07-01T00:00:00Z'), spent).map((b) => [b.orderId, b.points])).toEqual([
      ['a', 100],
      ['b', 1500],
    ]);
    const warning = nextExpiryWarning({ batches: all, redemptions: spent, timeZone: 'UTC', now: new Date('2026-04-01T00:00:00Z'), loyalty: short, window: { startHour: 9, endHour: 20 } });
    expect(warning).toMatchObject({ occasion: '2026-05-10', expiring: 100, balance: 1600 });
  });
});
