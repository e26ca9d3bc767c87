/**
 * Issue 7: after a year-long simulation, every day's retention KPIs in
 * `summary.json` (computed by the daily kpis function from the DynamoDB day
 * counters) match the KPIs computed by hand, straight from the input orders
 * and the engine's conversion and NPS events.
 *
 * Issue 15: the shop sells in ringgit and pounds (a few customers in both),
 * with a base currency configured: every money figure (revenue, average order
 * value, lifetime value, attributed revenue, conversions) comes per currency
 * and converted to euros, in summary.json and on the dashboard, each naming
 * its currency.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseConfig } from '../../functions/config';
import type { ConvertingCampaign } from '../../functions/campaigns/conversions';
import { npsCategory } from '../../functions/campaigns/nps/rules';
import { expectedIntervalDays, orderStats } from '../../functions/campaigns/winback/rules';
import { publishedKpis, retentionKpis, type Money, type PeriodCounts } from '../../functions/ops/kpis';
import type { DashboardData } from '../../local/dashboard';
import { seededRandom, syntheticCustomers, syntheticOrders } from '../../local/synthetic';
import { discountCodeFor } from '../../functions/campaigns/discount-code';
import { birthdaySendKey } from '../../functions/campaigns/birthday/sweep';
import { localKeyring } from '../../local/stack';
import { orderPlaced, runSimulation } from './run-simulation';

const from = '2026-01-01T00:00:00Z';
// Past 00:15 on 1 January, when the KPIs of 31 December are computed.
const to = '2027-01-01T00:30:00Z';
// Euros as the base currency: one ringgit is 0.2 €, one pound 1.17 €.
const rates = { MYR: 0.2, GBP: 1.17 };
const config = parseConfig({ kpis: { baseCurrency: 'EUR', rates } });
const day = (instant: string) => instant.slice(0, 10);
/** Money summed to the cent, as a till would. */
const cents = (amount: number) => Math.round(amount * 100) / 100;
const plus = (d: string, days: number) => DateTime.fromISO(d, { zone: 'UTC' }).plus({ days }).toISODate()!;

type Order = { orderId: string; customerId: string; placedAt: string; total: number; currency: string };
/** Amounts per currency, summed to the cent; a currency whose sum is zero is left out. */
const addTo = (money: Money, currency: string, amount: number) => {
  money[currency] = cents((money[currency] ?? 0) + amount);
  if (!money[currency]) delete money[currency];
};
type BusLine = { source: string; 'detail-type': string; time: string; detail: Record<string, unknown> };

/** The KPIs of the 30 days ending with `last`, by their definitions, without the day counters. */
const byHand = (orders: Order[], bus: BusLine[], last: string): PeriodCounts => {
  const first = plus(last, -30); // the period is (first, last]
  const inPeriod = (d: string) => d > first && d <= last;
  const customers = new Map<string, Order[]>();
  for (const o of orders) if (day(o.placedAt) <= last) customers.set(o.customerId, [...(customers.get(o.customerId) ?? []), o]);
  const counts: PeriodCounts = {
    customersAtStart: 0, customersAtEnd: 0, newCustomers: 0, orders: 0, ordersByCurrency: {}, revenue: {}, orderingCustomers: 0, repeatCustomers: 0,
    lapsedCustomers: 0, wonBack: 0, promoters: 0, passives: 0, detractors: 0,
    attributedRevenue: { birthday: {}, winback: {} },
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
    for (const o of ordered) {
      counts.ordersByCurrency[o.currency] = (counts.ordersByCurrency[o.currency] ?? 0) + 1;
      counts.revenue[o.currency] = cents((counts.revenue[o.currency] ?? 0) + o.total);
    }
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
      addTo(counts.attributedRevenue[campaign], event.detail.currency as string, event.detail.revenue as number);
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
    const customerIds = customers.map((c) => c.detail.customerId);
    // Customers in Malaysia pay in ringgit, those in the UK in pounds; every seventh order is in the other currency.
    const orderLines = syntheticOrders({ customerIds, from: new Date(from), to: new Date('2026-12-01T00:00:00Z'), seed: 7 }).map((line, i) => {
      const inRinggit = customerIds.indexOf(String(line.detail.customerId)) % 2 === 0;
      return { ...line, detail: { ...line.detail, currency: inRinggit !== (i % 7 === 3) ? 'MYR' : 'GBP' } as Record<string, unknown> };
    });
    // Two regulars order every four to eight days all year, over pages of history (docs/design.md §3: most of their orders
    // are told from a summary of the pages before); now and then an order placed an hour before another reaches the
    // shop a minute after it (before the day's KPIs are counted).
    const random = seededRandom(3);
    for (const [c, customerId] of customerIds.slice(0, 2).entries()) {
      for (let at = Date.parse(from) + c * 3_600_000, i = 0; at < Date.parse('2026-12-01T00:00:00Z'); at += (4 + random() * 4) * 86_400_000, i++) {
        const order = (placedAt: number, time: number, orderId: string) =>
          orderPlaced(new Date(time).toISOString(), customerId, orderId, Math.round(random() * 9000) / 100, { placedAt: new Date(placedAt).toISOString(), currency: c ? 'GBP' : 'MYR' });
        orderLines.push(order(at, at, `regular-${c}-${i}`));
        if (i % 20 === 19) orderLines.push(order(at - 3_600_000, at + 60_000, `regular-${c}-${i}-late`));
      }
    }
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
    const redeemed = orderPlaced(`${plus(birthday, 2)}T12:00:00Z`, celebrant.detail.customerId, 'birthday-order', 80, { discountCode: code, currency: 'MYR' });
    const { summary, bus, out } = await runSimulation([...customers, ...orderLines, redeemed, ...answers], from, to, config);

    const orders = [...orderLines, redeemed].map((line) => line.detail as unknown as Order);
    const days = Object.keys(summary.kpis.days);
    // A run at 00:15 each day, about the day before: from 31 December 2025 to 31 December 2026.
    expect(days[0]).toBe('2025-12-31');
    expect(days).toHaveLength(366);
    for (const d of days) expect({ day: d, ...summary.kpis.days[d] }).toEqual({ day: d, ...publishedKpis(retentionKpis(byHand(orders, bus, d), config.kpis)) });
    expect(summary.kpis.latest).toEqual(summary.kpis.days['2026-12-31']);

    // The year exercised every KPI: customers churned, were won back, answered surveys, and campaigns converted.
    const values = Object.values(summary.kpis.days) as Record<string, unknown>[];
    for (const kpi of ['churnRate', 'winbackRate', 'nps']) {
      expect(values.some((v) => typeof v[kpi] === 'number' && v[kpi] !== 0), kpi).toBe(true);
    }
    for (const currency of ['MYR', 'GBP']) {
      expect(values.some((v) => (v.customerLifetimeValue as Money)[currency]! > 0), `customerLifetimeValue ${currency}`).toBe(true);
      expect(values.some((v) => (v.attributedRevenue as Record<string, Money>).winback![currency]! > 0), `winback ${currency}`).toBe(true);
    }
    expect(values.some((v) => (v.attributedRevenue as Record<string, Money>).birthday!.MYR === 80)).toBe(true);

    // Two sets of money figures, never one of both currencies: the latest day with orders in both, by hand from the input.
    const latest = summary.kpis.latest;
    const both = days.findLast((d) => Object.keys(summary.kpis.days[d].revenue).length === 2)!;
    const period = orders.filter((o) => day(o.placedAt) > plus(both, -30) && day(o.placedAt) <= both);
    const sums = (currency: string) => {
      const mine = period.filter((o) => o.currency === currency);
      return { revenue: cents(mine.reduce((sum, o) => sum + o.total, 0)), orders: mine.length };
    };
    const [myr, gbp] = [sums('MYR'), sums('GBP')];
    const kpis = summary.kpis.days[both];
    expect(kpis.revenue).toEqual({ GBP: gbp.revenue, MYR: myr.revenue });
    expect(kpis.averageOrderValue).toEqual({ GBP: cents(gbp.revenue / gbp.orders), MYR: cents(myr.revenue / myr.orders) });
    expect(kpis.converted).toMatchObject({
      currency: 'EUR',
      revenue: cents(myr.revenue * rates.MYR + gbp.revenue * rates.GBP),
      averageOrderValue: cents((myr.revenue * rates.MYR + gbp.revenue * rates.GBP) / (myr.orders + gbp.orders)),
    });

    // Conversions, per campaign and step, in each currency and converted; the birthday code's order was in ringgit.
    const conversions: Record<string, { conversions: number; revenue: Money; byStep: Record<string, { conversions: number; revenue: Money }> }> = {};
    for (const event of bus.filter((e) => e['detail-type'] === 'Campaign Conversion' && !e.detail.holdout)) {
      const { campaign, step, revenue: amount, currency } = event.detail as { campaign: string; step?: number; revenue: number; currency: string };
      const count = (conversions[campaign] ??= { conversions: 0, revenue: {}, byStep: {} });
      count.conversions++;
      count.revenue[currency] = cents((count.revenue[currency] ?? 0) + amount);
      if (step !== undefined) {
        const atStep = (count.byStep[step] ??= { conversions: 0, revenue: {} });
        atStep.conversions++;
        atStep.revenue[currency] = cents((atStep.revenue[currency] ?? 0) + amount);
      }
    }
    expect(conversions.birthday!.revenue).toEqual({ MYR: 80 });
    expect(Object.keys(conversions.winback!.revenue).sort()).toEqual(['GBP', 'MYR']);
    const inEuros = (money: Money) => cents(Object.entries(money).reduce((sum, [currency, amount]) => sum + amount * rates[currency as keyof typeof rates], 0));
    for (const [campaign, count] of Object.entries(conversions)) {
      expect(summary.conversions[campaign]).toMatchObject({ conversions: count.conversions, revenue: count.revenue, converted: { currency: 'EUR', revenue: inEuros(count.revenue) } });
      for (const [step, atStep] of Object.entries(count.byStep)) expect(summary.conversions[campaign].byStep[step]).toMatchObject({ ...atStep, converted: { currency: 'EUR', revenue: inEuros(atStep.revenue) } });
    }

    // The dashboard's metrics: a series per currency, labelled with it, and the figure converted to euros.
    const html = await readFile(join(out, 'dashboard.html'), 'utf8');
    const data = JSON.parse(html.match(/<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s)![1]!) as DashboardData;
    const series = (widget: string) => data.rows.flatMap((row) => row.widgets).find((w) => w.id === widget)!.series;
    const shown = (widget: string) => Object.fromEntries(series(widget).map((s) => [s.id, [s.label, s.figure]]));
    // Conversions: the total over the year, per currency.
    expect(series('birthday-conversions').filter((s) => s.id.startsWith('revenue:')).map((s) => [s.id, s.label, s.figure])).toEqual([
      ['revenue:birthday@MYR', 'birthday Revenue (MYR)', 80],
      ['revenue:birthday@all-in-EUR', 'birthday Revenue (all in EUR)', 16], // 80 × 0.2
    ]);
    const winback = shown('winback-conversions');
    expect(winback['revenue:winback@GBP']![0]).toBe('winback Revenue (GBP)');
    expect(winback['revenue:winback@GBP']![1]).toBeCloseTo(conversions.winback!.revenue.GBP!, 6);
    expect(winback['revenue:winback@MYR']![0]).toBe('winback Revenue (MYR)');
    expect(winback['revenue:winback@MYR']![1]).toBeCloseTo(conversions.winback!.revenue.MYR!, 6);
    expect(winback['revenue:winback@all-in-EUR']![0]).toBe('winback Revenue (all in EUR)');
    // Each conversion's revenue converted as it came, to the cent.
    const eachInEuros = bus
      .filter((e) => e['detail-type'] === 'Campaign Conversion' && e.detail.campaign === 'winback' && !e.detail.holdout)
      .reduce((sum, e) => sum + cents((e.detail.revenue as number) * rates[e.detail.currency as keyof typeof rates]), 0);
    expect(winback['revenue:winback@all-in-EUR']![1]).toBeCloseTo(eachInEuros, 6);
    expect(eachInEuros).toBeCloseTo(inEuros(conversions.winback!.revenue), 1);
    // The KPIs: the latest value, the one of summary.json's latest day (a KPI without a value that day is not emitted).
    const orderValue = shown('kpi-order-value');
    for (const currency of ['GBP', 'MYR']) {
      const expected = latest.averageOrderValue[currency];
      if (expected !== undefined) expect(orderValue[`averageOrderValue@${currency}`]).toEqual([`Average order value (${currency})`, expected]);
      expect(orderValue[`periodRevenue@${currency}`]![0]).toBe(`Revenue (period) (${currency})`);
      expect(orderValue[`customerLifetimeValue@${currency}`]![0]).toBe(`Customer lifetime value (${currency})`);
    }
    expect(orderValue['averageOrderValue@all-in-EUR']![0]).toBe('Average order value (all in EUR)');
    if (latest.converted.averageOrderValue !== null) expect(orderValue['averageOrderValue@all-in-EUR']![1]).toBe(latest.converted.averageOrderValue);
    const attributed = shown('kpi-attributed-revenue');
    expect(Object.keys(attributed).sort()).toEqual([
      'attributedRevenue:birthday@MYR',
      'attributedRevenue:birthday@all-in-EUR',
      'attributedRevenue:winback@GBP',
      'attributedRevenue:winback@MYR',
      'attributedRevenue:winback@all-in-EUR',
    ]);
    // Every money series names its currency; none sums currencies.
    for (const widget of data.rows.flatMap((row) => row.widgets)) {
      for (const s of widget.series.filter((s) => /^(revenue|periodRevenue|averageOrderValue|customerLifetimeValue|attributedRevenue)[:@]/.test(s.id))) {
        expect(s.label, s.id).toMatch(/\((MYR|GBP|all in EUR)\)$/);
      }
    }
  }, 600_000);
});
