/** docs/design.md §5, winback: who is drifting away, and the sequence that brings them back. */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseConfig } from '../../functions/config';
import { attributeOrder } from '../../functions/campaigns/conversions';
import {
  atRiskDay,
  expectedIntervalDays,
  nextWinbackStep,
  orderStats,
  type OrderHistoryEntry,
} from '../../functions/campaigns/winback/rules';

const config = parseConfig({});
const orders = (...dates: string[]): OrderHistoryEntry[] =>
  dates.map((placedAt, i) => ({ orderId: `o${i + 1}`, placedAt: new Date(placedAt).toISOString(), total: 10 }));
const interval = (history: OrderHistoryEntry[]) => expectedIntervalDays(orderStats(history), config.winback.defaultIntervalDays);
const riskDay = (history: OrderHistoryEntry[], zone = 'UTC') =>
  atRiskDay(orderStats(history).lastOrderAt, interval(history), config.winback.riskFactor, zone).toISODate();

describe('the expected reorder interval', () => {
  it('is 30 days for a customer with one order, who is at risk 60 days later', () => {
    const history = orders('2026-01-10T12:00:00Z');
    expect(interval(history)).toBe(30);
    expect(riskDay(history)).toBe('2026-03-11');
  });

  it('is still 30 days with two orders, whatever their gap', () => {
    expect(interval(orders('2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'))).toBe(30);
  });

  it('is the gap of a steady rhythm with three or more orders (every 14 days: at risk after 28)', () => {
    const history = orders('2026-01-01T10:00:00Z', '2026-01-15T10:00:00Z', '2026-01-29T10:00:00Z', '2026-02-12T10:00:00Z');
    expect(interval(history)).toBe(14);
    expect(riskDay(history)).toBe('2026-03-12');
  });

  it('is the median gap of an irregular history, not the mean (gaps 5, 40 and 10 days: 10)', () => {
    const history = orders('2026-01-01T00:00:00Z', '2026-01-06T00:00:00Z', '2026-02-15T00:00:00Z', '2026-02-25T00:00:00Z');
    expect(interval(history)).toBe(10);
    expect(riskDay(history)).toBe('2026-03-17');
  });

  it('is the mean of the two middle gaps for an even number of gaps (4 and 6 days: 5)', () => {
    expect(interval(orders('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-06T00:00:00Z', '2026-01-12T00:00:00Z', '2026-01-22T00:00:00Z'))).toBe(5);
  });

  it('counts risk from the customer\'s local date of the last order', () => {
    // 23:00 UTC on 10 January is already 11 January in Kuala Lumpur.
    expect(riskDay(orders('2026-01-10T23:00:00Z'), 'Asia/Kuala_Lumpur')).toBe('2026-03-12');
  });

  it('rounds a fractional risk up: the days since the last order must reach twice the interval', () => {
    // Gaps of 10.25 days: at risk after 20.5 days, so on day 21.
    const history = orders('2026-01-01T00:00:00Z', '2026-01-11T06:00:00Z', '2026-01-21T12:00:00Z');
    expect(interval(history)).toBe(10.25);
    expect(riskDay(history)).toBe('2026-02-11');
  });
});

describe('order statistics', () => {
  it('count, first and last order, total spent', () => {
    expect(orderStats([...orders('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'), { orderId: 'o3', placedAt: '2026-03-01T00:00:00.000Z', total: 5.1 }])).toEqual({
      orderCount: 3,
      firstOrderAt: '2026-01-01T00:00:00.000Z',
      lastOrderAt: '2026-03-01T00:00:00.000Z',
      totalSpent: 25.1,
      medianGapDays: 29.5,
    });
  });

  it('place a late-arriving order where it belongs: the last order stays the newest one', () => {
    const inOrder = orderStats(orders('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'));
    const late = orderStats([...orders('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'), { orderId: 'o3', placedAt: '2026-02-01T00:00:00.000Z', total: 10 }]);
    expect(late).toEqual(inOrder);
  });

  it('count the same orderId once', () => {
    const history = orders('2026-01-01T00:00:00Z');
    expect(orderStats([...history, ...history]).orderCount).toBe(1);
  });
});

describe('the sequence: at risk, +30 days, +60 days, from 10:00 local', () => {
  const stats = orderStats(orders('2026-01-10T12:00:00Z'));
  const step = (now: string, stepsSent = 0, zone = 'Europe/Lisbon') =>
    nextWinbackStep({ stats, timeZone: zone, now: new Date(now), stepsSent, winback: config.winback, window: config.sendWindow });
  const local = (due: { dueAt: Date } | undefined, zone = 'Europe/Lisbon') => due && DateTime.fromJSDate(due.dueAt, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

  it('step 1 goes out at 10:00 local on the at-risk day', () => {
    expect(step('2026-01-10T12:00:00Z')).toMatchObject({ step: 1, lapse: stats.lastOrderAt });
    expect(local(step('2026-01-10T12:00:00Z'))).toBe('2026-03-11T10:00');
  });

  it('step 2 thirty days later, step 3 sixty days later', () => {
    expect(local(step('2026-03-11T10:00:00Z', 1))).toBe('2026-04-10T10:00');
    expect(step('2026-03-11T10:00:00Z', 1)?.step).toBe(2);
    expect(local(step('2026-04-10T10:00:00Z', 2))).toBe('2026-05-10T10:00');
    expect(step('2026-04-10T10:00:00Z', 2)?.step).toBe(3);
  });

  it('each step once: after step 3 the sequence is over', () => {
    expect(step('2026-05-10T10:00:00Z', 3)).toBeUndefined();
  });

  it('a step whose day has passed is skipped, never sent late', () => {
    // Asked on 20 March (say consent came then): step 1's day is over, step 2 is next.
    expect(step('2026-03-20T12:00:00Z')).toMatchObject({ step: 2 });
  });

  it('a step asked for during its own day goes out within the hour', () => {
    expect(local(step('2026-03-11T15:20:00Z'))).toBe('2026-03-11T16:00');
  });

  it('follows the customer\'s time zone (Kuala Lumpur, UTC+8)', () => {
    expect(local(step('2026-01-10T12:00:00Z', 0, 'Asia/Kuala_Lumpur'), 'Asia/Kuala_Lumpur')).toBe('2026-03-11T10:00');
  });

  it('a new order starts a new lapse: the sequence restarts from it', () => {
    const reordered = orderStats(orders('2026-01-10T12:00:00Z', '2026-04-01T09:00:00Z'));
    const next = nextWinbackStep({ stats: reordered, timeZone: 'UTC', now: new Date('2026-04-01T09:00:00Z'), stepsSent: 0, winback: config.winback, window: config.sendWindow });
    expect(next).toMatchObject({ step: 1, lapse: '2026-04-01T09:00:00.000Z' });
    expect(next?.dueAt.toISOString()).toBe('2026-05-31T10:00:00.000Z');
  });

  it('an order on a step\'s due day, before it went out, leaves nothing due that day', () => {
    const reordered = orderStats(orders('2026-01-10T12:00:00Z', '2026-03-11T08:00:00Z'));
    const next = nextWinbackStep({ stats: reordered, timeZone: 'UTC', now: new Date('2026-03-11T08:00:00Z'), stepsSent: 0, winback: config.winback, window: config.sendWindow });
    expect(next?.dueAt.toISOString().slice(0, 10)).toBe('2026-05-10');
  });
});

describe('conversions', () => {
  const profile = {
    winbackLastSentAt: '2026-04-10T10:00:00.000Z',
    winbackLastSentStep: 2,
    winbackLastSendKey: 'winback#c#lapse#2',
  };
  const attribute = (placedAt: string, extra: object = {}) =>
    attributeOrder({ placedAt, profile: { ...profile, ...extra }, windowDays: 30 });

  it('an order within 30 days after a winback email converts for that step', () => {
    expect(attribute('2026-05-09T10:00:00.000Z')).toEqual({ campaign: 'winback', step: 2, via: 'window' });
  });

  it('an order more than 30 days after does not', () => {
    expect(attribute('2026-05-10T10:00:01.000Z')).toBeUndefined();
  });

  it('an order placed before the email (arriving late) does not', () => {
    expect(attribute('2026-04-09T10:00:00.000Z')).toBeUndefined();
  });

  it('an email converts once', () => {
    expect(attribute('2026-04-20T10:00:00.000Z', { winbackConvertedKey: 'winback#c#lapse#2' })).toBeUndefined();
  });

  it('an order that redeems a campaign\'s code converts for that campaign and step, whenever it comes', () => {
    expect(attributeOrder({ placedAt: '2026-09-01T00:00:00.000Z', redeemed: { campaign: 'winback', step: 3 }, profile, windowDays: 30 })).toEqual({
      campaign: 'winback',
      step: 3,
      via: 'code',
    });
    expect(attributeOrder({ placedAt: '2026-09-01T00:00:00.000Z', redeemed: { campaign: 'birthday' }, windowDays: 30 })).toEqual({
      campaign: 'birthday',
      step: undefined,
      via: 'code',
    });
  });
});
