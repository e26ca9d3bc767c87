/**
 * Issue 7, "the local dashboard": after a year-long simulation, dashboard.html
 * opened in headless Chromium (./chromium.ts)
 * shows every widget of the one layout with data, the same sends as
 * summary.json, and the same latest KPIs. The screenshot is kept in
 * test-artifacts/dashboard.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { discountCodeFor } from '../../functions/campaigns/discount-code';
import { birthdaySendKey } from '../../functions/campaigns/birthday/sweep';
import { metricsOf } from '../../functions/metrics';
import { campaignsShown, dashboardLayout, seriesOf, widgetsOf } from '../../functions/ops/dashboard-layout';
import type { DashboardData } from '../../local/dashboard';
import { localKeyring } from '../../local/stack';
import { syntheticCustomers, syntheticOrders } from '../../local/synthetic';
import { orderDelivered, runSimulation, upsert } from '../integration/run-simulation';
import { openChromium } from './chromium';

const projectRoot = join(import.meta.dirname, '../..');
const artifacts = join(projectRoot, 'test-artifacts');
const from = '2026-03-01T00:00:00Z';
const to = '2027-03-01T00:00:00Z';
const day = 86_400_000;
// The simulation's configuration, the default one.
const layout = dashboardLayout(parseConfig({}));
const at = (iso: string, days: number) => new Date(Date.parse(iso) + days * day).toISOString();

/**
 * A year of a small shop: 30 customers with a year of orders (some delivered,
 * some surveyed and scored), addresses of the SES mailbox simulator that bounce
 * and complain, one birthday code redeemed, one customer who withdraws consent
 * and one event the engine must refuse.
 */
const input = () => {
  const customers = syntheticCustomers({ count: 30, time: new Date(from), seed: 7, consentShare: 1, birthdayShare: 1 });
  customers[0]!.detail.email = 'bounce@simulator.amazonses.com';
  customers[1]!.detail.email = 'bounce+second@simulator.amazonses.com';
  customers[2]!.detail.email = 'complaint@simulator.amazonses.com';
  const ids = customers.map((customer) => customer.detail.customerId);
  const orders = syntheticOrders({ customerIds: ids, from: new Date(from), to: new Date(at(to, -10)), seed: 7 });
  const lines: object[] = [...customers, ...orders];
  orders.forEach((order, i) => {
    const { customerId, orderId, placedAt } = order.detail as { customerId: string; orderId: string; placedAt: string };
    if (i % 2 === 1) return;
    lines.push(orderDelivered(at(placedAt, 3), customerId, orderId));
    // The survey goes out 7 days after delivery; some customers answer the latest they had.
    if (i % 3 === 0) lines.push({ time: at(placedAt, 12), recipient: { customerId, action: 'nps-score', score: i % 11 } });
  });

  // A birthday code redeemed two days after the birthday: the code is derived from the send key (local signing key).
  const celebrant = customers.find((c, i) => i > 2 && !String(c.detail.birthday).endsWith('02-29'))!;
  const monthDay = String(celebrant.detail.birthday).slice(-5);
  const year = `2026-${monthDay}` >= '2026-03-01' ? 2026 : 2027;
  const code = discountCodeFor(localKeyring.keys[localKeyring.current]!, birthdaySendKey(celebrant.detail.customerId, year));
  const redeemedAt = at(`${year}-${monthDay}T12:00:00Z`, 2);
  lines.push({
    time: redeemedAt,
    source: 'shop',
    'detail-type': 'Order Placed',
    detail: { orderId: 'birthday-order', customerId: celebrant.detail.customerId, placedAt: redeemedAt, total: 80, currency: 'EUR', discountCode: code },
  });

  // A customer withdraws consent; an event fails its schema.
  lines.push(upsert(at(from, 40), { ...customers[5]!.detail, marketingConsent: false }));
  lines.push(upsert(at(from, 1), { customerId: 'broken', email: 'not-an-address' }));
  return lines;
};

let run: Awaited<ReturnType<typeof runSimulation>>;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  run = await runSimulation(input(), from, to);
  mkdirSync(artifacts, { recursive: true });
  ({ browser, page, pageErrors } = await openChromium({ width: 1600, height: 1000 }));
  await page.goto(`file://${join(run.out, 'dashboard.html')}`);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

const widget = (id: string) => page.locator(`[data-widget="${id}"]`);
/** The figure under a chart: the total of a Sum, the latest value of a gauge. */
const figure = async (widgetId: string, seriesId: string) => {
  const value = await widget(widgetId).locator(`[data-series="${seriesId}"]`).getAttribute('data-value');
  return value === '' || value === null ? null : Number(value);
};
const embedded = async () => JSON.parse((await page.locator('#dashboard-data').textContent()) ?? '') as DashboardData;

describe('dashboard.html after a year-long simulation', () => {
  it('is written next to summary.json, self-contained: no script or style from the network', () => {
    const html = readFileSync(join(run.out, 'dashboard.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.js\b/i);
    expect(pageErrors).toEqual([]);
  });

  it('draws the rows of the layout, with the titles and widths of the CloudWatch dashboard', async () => {
    expect(await page.locator('[data-row] > h2').allTextContents()).toEqual(layout.map((row) => row.title));
    for (const { id, title, width } of widgetsOf(layout)) {
      await expect(widget(id).locator('h3').textContent()).resolves.toBe(title);
      expect(await widget(id).getAttribute('style')).toContain(`span ${width}`);
    }
  });

  it.each(widgetsOf(layout).map((w) => [w.id, w] as const))('%s has data, drawn as a chart with every series of the layout', async (id, layout) => {
    await expect(widget(id).getAttribute('data-has-data')).resolves.toBe('true');
    expect(await widget(id).locator('canvas').count()).toBe(1);
    expect(await widget(id).evaluate((element) => (globalThis as any).Chart.getChart(element.querySelector('canvas')) !== undefined)).toBe(true);
    expect(await widget(id).locator('[data-series]').evaluateAll((items) => items.map((item) => item.getAttribute('data-series')))).toEqual(
      // Money in every currency the metrics hold: here, the simulation's one, euros.
      seriesOf(layout).map((s) => (s.kind === 'found' ? `${s.id}@EUR` : s.id)),
    );
  });

  it('marks no widget "no data"', async () => {
    expect(await page.locator('.no-data, [data-widget][data-has-data="false"]').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toMatch(/no data/i);
  });

  it.each(campaignsShown(parseConfig({})))('%s: the emails sent over the year are the emails in summary.json', async (campaign) => {
    expect(run.summary.emails.byCampaign[campaign]).toBeGreaterThan(0);
    expect(await figure(`${campaign}-sweep`, `sent:${campaign}`)).toBe(run.summary.emails.byCampaign[campaign]);
  });

  const converting = campaignsShown(parseConfig({})).filter((campaign) => metricsOf(campaign).includes('converted'));
  it.each(converting)('%s: the conversions and their revenue are those in summary.json', async (campaign) => {
    const expected = run.summary.conversions[campaign] ?? { conversions: 0, revenue: { EUR: 0 } };
    expect(await figure(`${campaign}-conversions`, `converted:${campaign}`)).toBe(expected.conversions || null);
    expect(await figure(`${campaign}-conversions`, `revenue:${campaign}@EUR`)).toBeCloseTo(expected.revenue.EUR, 2);
  });

  it.each([1, 2, 3])('winback step %i: the emails sent and the conversions are those of emails.ndjson and summary.json', async (step) => {
    const sent = run.emails.filter((email) => email.campaign === 'winback' && email.step === step).length;
    expect(sent).toBeGreaterThan(0);
    expect(await figure('winback-steps', `sent:winback:${step}`)).toBe(sent);
    const converted = run.summary.conversions.winback?.byStep?.[step]?.conversions ?? null;
    expect(await figure('winback-steps', `converted:winback:${step}`)).toBe(converted);
  });

  it('the NPS responses are the surveys answered in summary.json; the refused events are those ingestion rejected', async () => {
    expect(run.summary.nps.overall.responses).toBeGreaterThan(0);
    expect(await figure('nps-nps', 'npsResponses:nps')).toBe(run.summary.nps.overall.responses);
    expect(run.summary.ingested.rejected).toBe(1);
    expect(await figure('health-rejected-events', 'deadLetters')).toBe(1);
    expect(await figure('health-dead-letters', 'queue:RejectedEvents')).toBe(1);
  });

  it('the latest KPIs are the latest in summary.json: the values emitted as metrics', async () => {
    const { attributedRevenue, revenue, averageOrderValue, customerLifetimeValue, ...kpis } = run.summary.kpis.latest as Record<string, number | null> & {
      attributedRevenue: Record<string, Record<string, number>>;
    } & Record<'revenue' | 'averageOrderValue' | 'customerLifetimeValue', Record<string, number | null>>;
    const data = await embedded();
    const kpiSeries = data.rows.find((row) => row.id === 'kpis')!.widgets.flatMap((w) => w.series.map((s) => ({ widget: w.id, ...s })));
    const shown = async (seriesId: string, expected: number | null) => {
      const series = kpiSeries.find((s) => s.id === seriesId)!;
      expect(series, seriesId).toBeDefined();
      // A KPI without a denominator is not emitted that day: then the last day has no datapoint.
      if (expected === null) expect(series.values.at(-1), seriesId).toBeNull();
      else expect(await figure(series.widget, seriesId), seriesId).toBe(expected);
    };
    expect(Object.keys(kpis).length).toBeGreaterThanOrEqual(8);
    for (const [key, value] of Object.entries(kpis)) await shown(key, value);
    // Money, in its currency.
    for (const [key, value] of Object.entries({ periodRevenue: revenue, averageOrderValue, customerLifetimeValue })) await shown(`${key}@EUR`, value.EUR ?? null);
    const converting = campaignsShown(parseConfig({})).filter((campaign) => metricsOf(campaign).includes('attributedRevenue'));
    expect(Object.keys(attributedRevenue)).toEqual(converting);
    for (const campaign of converting) await shown(`attributedRevenue:${campaign}@EUR`, attributedRevenue[campaign]!.EUR ?? null);
  });

  it('a year is 365 daily points', async () => {
    const data = await embedded();
    expect(data.periodMs).toBe(day);
    expect(data.labels).toHaveLength(365);
  });
});
