/**
 * Issue 7: after a year-long simulation, every day's retention KPIs in
 * `summary.json` (computed by the daily kpis function from the DynamoDB day
 * counters) match the KPIs computed by hand, straight from the input orders
 * and the engine's conversion and NPS events.
 */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseConfig } from '../../functions/config';
import type { ConvertingCampaign } from '../../functions/campaigns/conversions';
import { npsCategory } from '../../functions/campaigns/nps/rules';
import { expectedIntervalDays, orderStats } from '../../functions/campaigns/winback/rules';
import { publishedKpis, retentionKpis, type PeriodCounts } from '../../functions/ops/kpis';
import { syntheticCustomers, syntheticOrders } from '../../local/synthetic';
import { discountCodeFor } from '../../functions/campaigns/discount-code';
import { birthdaySendKey } from '../../functions/campaigns/birthday/sweep';
import { localKeyring } from '../../local/stack';
import { orderPlaced, runSimulation } from './run-simulation';

const from = '2026-01-01T00:00:00Z';
// Past 00:15 on 1 January, when the KPIs of 31 December are computed.
const to = '2027-01-01T00:30:00Z';
const config = parseConfig({});
const day = (instant: string) => instant.slice(0, 10);
/** Money summed to the cent, as a till would. */
const cents = (amount: number) => Math.round(amount * 100) / 100;
const plus = (d: string, days: number) => DateTime.fromISO(d, { zone: 'UTC' }).plus({ days }).toISODate()!;

type Order = { orderId: string; customerId: string; placedAt: string; total: number };
type BusLine = { source: string; 'detail-type': string; time: string; detail: Record<string, unknown> };

/** The KPIs of the 30 days ending with `last`, by their definitions, without the day counters. */
const byHand = (orders: Order[], bus: BusLine[], last: string): PeriodCounts => {
  const first = plus(last, -30); // the period is (first, last]
  const inPeriod = (d: string) => d > first && d <= last;
  const customers = new Map<string, Order[]>();
  for (const o of orders) if (day(o.placedAt) <= last) customers.set(o.customerId, [...(customers.get(o.customerId) ?? []), o]);
  const counts: PeriodCounts = {
    customersAtStart: 0, customersAtEnd: 0, newCustomers: 0, orders: 0, revenue: 0, orderingCustomers: 0, repeatCustomers: 0,
    lapsedCustomers: 0, wonBack: 0, promoters: 0, passives: 0, detractors: 0,
    attributedRevenue: { birthday: 0, winback: 0 },
  };
  for (const history of customers.values()) {
    history.sort((a, b) => a.placedAt.localeCompare(b.placedAt));
    // After each order, the day the winback rule calls them at risk.
    const lapses = history.map((_, i) => {
      const interval = expectedIntervalDays(orderStats(history.slice(0, i + 1)), config.winback.defaultIntervalDays);
      return plus(day(history[i]!.placedAt), Math.ceil(config.winback.riskFactor * interval));
    });
    const activeAt = (d: string) => {
      const latest = history.findLastIndex((o) => day(o.placedAt) <= d);
      return latest >= 0 && d < lapses[latest]!;
    };
    if (activeAt(first)) counts.customersAtStart++;
    if (activeAt(last)) counts.customersAtEnd++;
    if (inPeriod(day(history[0]!.placedAt))) counts.newCustomers++;
    const ordered = history.filter((o) => inPeriod(day(o.placedAt)));
    counts.orders += ordered.length;
    counts.revenue = cents(ordered.reduce((sum, o) => sum + o.total, counts.revenue));
    if (ordered.length) counts.orderingCustomers++;
    if (history.slice(1).some((o) => inPeriod(day(o.placedAt)))) counts.repeatCustomers++;
    history.forEach((_, i) => {
      const next = history[i + 1];
      if (inPeriod(lapses[i]!) && (!next || day(next.placedAt) >= lapses[i]!)) counts.lapsedCustomers++;
    });
  }
  const surveys = new Map<string, { first: string; score: number }>();
  for (const event of bus) {
    if (event.source !== 'retention' || day(event.time) > last) continue;
    if (event['detail-type'] === 'Campaign Conversion' && !event.detail.holdout && inPeriod(day(event.time))) {
      const campaign = event.detail.campaign as ConvertingCampaign;
      counts.attributedRevenue[campaign] = cents(counts.attributedRevenue[campaign] + (event.detail.revenue as number));
      if (campaign === 'winback') counts.wonBack++;
    }
    if (event['detail-type'] === 'Nps Response Recorded') {
      const key = `${event.detail.customerId}/${event.detail.surveyId}`;
      surveys.set(key, { first: surveys.get(key)?.first ?? day(event.time), score: event.detail.score as number });
    }
  }
  for (const { first: answered, score } of surveys.values()) if (inPeriod(answered)) counts[`${npsCategory(score)}s`]++;
  return counts;
};

describe('retention KPIs over a simulated year', () => {
  it('each day, summary.json has the KPIs of the 30 days that ended, as a hand computation gives them', async () => {
    const customers = syntheticCustomers({ count: 40, time: new Date(from), seed: 7 });
    const orderLines = syntheticOrders({ customerIds: customers.map((c) => c.detail.customerId), from: new Date(from), to: new Date('2026-12-01T00:00:00Z'), seed: 7 });
    // Some customers answer the survey of an order three weeks after it (after the 14-day survey).
    const answers = orderLines
      .filter((_, i) => i % 3 === 0)
      .map((line, i) => ({
        time: new Date(Date.parse(line.time) + 21 * 86_400_000).toISOString(),
        recipient: { customerId: line.detail.customerId, action: 'nps-score', score: (i * 7) % 11 },
      }));
    // One birthday code redeemed two days after the birthday (the code follows from the send key and the local signing key).
    const celebrant = customers.find((c) => c.detail.birthday && c.detail.marketingConsent && !String(c.detail.birthday).endsWith('02-29'))!;
    const birthday = `2026-${String(celebrant.detail.birthday).slice(-5)}`;
    const code = discountCodeFor(localKeyring.keys[localKeyring.current]!, birthdaySendKey(celebrant.detail.customerId, 2026));
    const redeemed = orderPlaced(`${plus(birthday, 2)}T12:00:00Z`, celebrant.detail.customerId, 'birthday-order', 80, { discountCode: code });
    const { summary, bus } = await runSimulation([...customers, ...orderLines, redeemed, ...answers], from, to, config);

    const orders = [...orderLines, redeemed].map((line) => line.detail as Order);
    const days = Object.keys(summary.kpis.days);
    // A run at 00:15 each day, about the day before: from 31 December 2025 to 31 December 2026.
    expect(days[0]).toBe('2025-12-31');
    expect(days).toHaveLength(366);
    for (const d of days) expect({ day: d, ...summary.kpis.days[d] }).toEqual({ day: d, ...publishedKpis(retentionKpis(byHand(orders, bus, d))) });
    expect(summary.kpis.latest).toEqual(summary.kpis.days['2026-12-31']);

    // The year exercised every KPI: customers churned, were won back, answered surveys, and campaigns converted.
    const values = Object.values(summary.kpis.days) as Record<string, unknown>[];
    for (const kpi of ['churnRate', 'winbackRate', 'nps', 'customerLifetimeValue']) {
      expect(values.some((v) => typeof v[kpi] === 'number' && v[kpi] !== 0), kpi).toBe(true);
    }
    for (const campaign of ['birthday', 'winback']) {
      expect(values.some((v) => (v.attributedRevenue as Record<string, number>)[campaign]! > 0), campaign).toBe(true);
    }
  }, 600_000);
});
