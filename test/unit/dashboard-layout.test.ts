/** The one dashboard layout (functions/ops/dashboard-layout.ts) that the CDK dashboard and the local dashboard both draw. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { campaignSchema } from '../../functions/events/retention';
import { catalogue, isMoney, metricsOf, type MetricKey } from '../../functions/metrics';
import {
  valueSeries,
  dashboardLayout,
  deadLetterQueues,
  metricsRead,
  seriesOf,
  widgetsOf,
  type LambdaMetricName,
} from '../../functions/ops/dashboard-layout';
import { wiring, type FunctionName } from '../../functions/wiring';

// The default configuration: a winback sequence of three steps, no loyalty programme.
const layout = dashboardLayout(parseConfig({}));
const widgets = widgetsOf(layout);
// Every campaign run: the loyalty programme too (docs/design.md §10).
const everything = parseConfig({ loyalty: { pointsPerUnit: { MYR: 1 }, tiers: [{ name: 'Silver', spend: { MYR: 500 } }, { name: 'Gold', spend: { MYR: 2000 } }] }, referral: {} });
const read = new Set(widgetsOf(dashboardLayout(everything)).flatMap(seriesOf).flatMap(metricsRead));

describe('the layout covers the catalogue', () => {
  it.each(campaignSchema.options)('%s: every catalogue metric that applies to the campaign is in a widget', (campaign) => {
    for (const key of metricsOf(campaign)) expect(read.has(`${key}:${campaign}`), `${key} for ${campaign}`).toBe(true);
  });

  it('every service metric (rejected events, the KPIs) is in a widget', () => {
    const serviceKeys = (Object.keys(catalogue) as MetricKey[]).filter((key) => catalogue[key].dimension === 'none');
    for (const key of serviceKeys) expect(read.has(key), key).toBe(true);
  });

  it('charts no metric outside the catalogue, and no campaign metric for a campaign it does not apply to', () => {
    for (const id of read) {
      const [key, campaign] = id.split(':') as [MetricKey, string | undefined];
      expect(catalogue).toHaveProperty(key);
      if (campaign) expect(metricsOf(campaign as never)).toContain(key);
    }
  });
});

describe('rows and widgets', () => {
  it('a row per campaign the shop runs, the loyalty programme’s figures when it runs, then deliverability, the KPIs and health', () => {
    expect(layout.map((row) => row.id)).toEqual(['birthday', 'winback', 'nps', 'deliverability', 'kpis', 'health']);
    expect(dashboardLayout(everything).map((row) => row.id)).toEqual([...campaignSchema.options, 'loyalty', 'deliverability', 'kpis', 'health']);
  });

  it('the loyalty row: points issued, redeemed and expired per day, and a daily gauge of customers per tier', () => {
    const loyalty = dashboardLayout(everything).find((row) => row.id === 'loyalty')!;
    expect(loyalty.widgets.map((w) => [w.id, w.left.map((s) => s.id)])).toEqual([
      ['loyalty-points', ['pointsIssued', 'pointsRedeemed', 'pointsExpired']],
      ['loyalty-tiers', ['tierCustomers']],
    ]);
    // Every tier counted, as the published settings name it: a tier renamed or added in the studio is drawn without a deploy.
    expect(loyalty.widgets[1]!.left).toEqual([expect.objectContaining({ kind: 'found', dimension: 'tier', stat: 'Maximum', periodSeconds: 86_400 })]);
    // The referral row: codes sent and rewards per step, friends converted with their revenue.
    const referral = widgetsOf(dashboardLayout(everything)).filter((w) => w.id.startsWith('referral-'));
    expect(referral.find((w) => w.id === 'referral-steps')!.left.map((s) => s.id)).toEqual(['sent:referral:1', 'sent:referral:2']);
    expect(referral.find((w) => w.id === 'referral-conversions')!.left.map((s) => s.id)).toEqual(['referralConverted:referral']);
  });

  it('a shop with referrals and no loyalty programme: the referral row, no tier or points row, no loyalty row', () => {
    const rows = dashboardLayout(parseConfig({ referral: {} }));
    expect(rows.map((row) => row.id)).toEqual(['birthday', 'winback', 'nps', 'referral', 'deliverability', 'kpis', 'health']);
    const durations = widgetsOf(rows).find((w) => w.id === 'health-sweep-duration')!.left.map((s) => s.id);
    expect(durations).toEqual(['sweepDuration:birthday', 'sweepDuration:winback', 'sweepDuration:nps', 'sweepDuration:referral']);
  });

  it('a loyalty programme without tiers: points, but no tier row and no customers-per-tier chart', () => {
    const rows = dashboardLayout(parseConfig({ loyalty: { pointsPerUnit: { MYR: 1 } } }));
    expect(rows.map((row) => row.id)).toEqual(['birthday', 'winback', 'nps', 'points', 'loyalty', 'deliverability', 'kpis', 'health']);
    expect(rows.find((row) => row.id === 'loyalty')!.widgets.map((w) => w.id)).toEqual(['loyalty-points']);
    expect(widgetsOf(rows).flatMap(seriesOf).flatMap(metricsRead).filter((id) => id.startsWith('tierCustomers'))).toEqual([]);
  });

  it('the deliverability rates read the service-wide totals: an alarm holds at most 10 metrics, whatever the campaigns', () => {
    for (const config of [parseConfig({}), everything]) {
      const rates = widgetsOf(dashboardLayout(config)).filter((w) => w.id.startsWith('deliverability-')).flatMap(seriesOf);
      for (const rate of rates) {
        if (rate.kind !== 'ratio') throw new Error(rate.id);
        expect(rate.numerator.length + rate.denominator.length).toBeLessThanOrEqual(10);
        for (const term of [...rate.numerator, ...rate.denominator]) expect(term.campaign).toBeUndefined();
      }
    }
  });

  it('widget ids are unique, and series ids unique within their widget', () => {
    const ids = widgets.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const widget of widgets) {
      const series = seriesOf(widget).map((s) => s.id);
      expect(new Set(series).size, widget.id).toBe(series.length);
    }
  });

  it('every widget has a series and fits the 24-column grid', () => {
    for (const widget of widgets) {
      expect(seriesOf(widget).length, widget.id).toBeGreaterThan(0);
      expect(widget.width).toBeGreaterThanOrEqual(1);
      expect(widget.width).toBeLessThanOrEqual(24);
    }
  });

  it('the winback row shows the funnel of each configured step: sends and conversions, revenue on the right', () => {
    const perStep = (steps: { percentOff?: number; offsetDays: number }[]) =>
      widgetsOf(dashboardLayout(parseConfig({ winback: { steps } }))).find((w) => w.id === 'winback-steps')!;
    const three = widgets.find((w) => w.id === 'winback-steps')!;
    expect(three.left.map((s) => s.id)).toEqual(['sent:winback:1', 'sent:winback:2', 'sent:winback:3', 'converted:winback:1', 'converted:winback:2', 'converted:winback:3']);
    expect(three.right?.map((s) => s.id)).toEqual(['revenue:winback:1', 'revenue:winback:2', 'revenue:winback:3']);
    expect(perStep([{ offsetDays: 0 }, { percentOff: 10, offsetDays: 30 }, { percentOff: 15, offsetDays: 45 }, { percentOff: 20, offsetDays: 60 }]).left).toHaveLength(8);
    // Campaigns of one email have no step widget.
    expect(widgets.filter((w) => w.id.endsWith('-steps')).map((w) => w.id)).toEqual(['winback-steps']);
  });

  it('the KPIs are daily gauges: the maximum of each day', () => {
    const kpis = layout.find((row) => row.id === 'kpis')!.widgets.flatMap(seriesOf);
    for (const series of kpis) expect(series).toMatchObject({ kind: expect.stringMatching(/^(metric|found)$/), stat: 'Maximum', periodSeconds: 86_400 });
  });
});

describe('money: every figure names its currency (issue 15)', () => {
  const moneySeries = (config: Parameters<typeof dashboardLayout>[0]) =>
    widgetsOf(dashboardLayout(config))
      .flatMap(seriesOf)
      .filter((s) => (s.kind === 'metric' || s.kind === 'found') && isMoney(s.key));

  it('without shop.currencies: one series per money figure that draws every currency found, none other', () => {
    const money = moneySeries(parseConfig({}));
    expect(money.length).toBeGreaterThan(0);
    for (const series of money) expect([series.kind, series.kind === 'found' && series.dimension], series.id).toEqual(['found', 'Currency']);
    // Locally and on AWS each currency found becomes its own series, labelled with it.
    expect(valueSeries({ id: 'averageOrderValue', label: 'Average order value' }, 'MYR')).toEqual({ id: 'averageOrderValue@MYR', label: 'Average order value (MYR)' });
  });

  it('with shop.currencies: a series per currency, labelled with it; with a base currency, one more, converted', () => {
    const config = parseConfig({ shop: { currencies: ['MYR', 'GBP'] }, kpis: { baseCurrency: 'EUR', rates: { MYR: 0.2, GBP: 1.17 } } });
    for (const series of moneySeries(config)) {
      expect(series.kind).toBe('metric');
      if (series.kind !== 'metric') continue;
      const named = series.currency ?? `all in ${series.baseCurrency}`;
      expect(series.label, series.id).toMatch(new RegExp(`\\(${named}\\)$`));
      expect(series.id.endsWith(`@${named.replaceAll(' ', '-')}`), series.id).toBe(true);
    }
    const widgets = widgetsOf(dashboardLayout(config));
    const conversions = widgets.find((w) => w.id === 'birthday-conversions')!;
    expect(conversions.right?.map((s) => [s.id, s.label])).toEqual([
      ['revenue:birthday@MYR', 'birthday Revenue (MYR)'],
      ['revenue:birthday@GBP', 'birthday Revenue (GBP)'],
      ['revenue:birthday@all-in-EUR', 'birthday Revenue (all in EUR)'],
    ]);
    const orderValue = widgets.find((w) => w.id === 'kpi-order-value')!;
    expect(orderValue.left.map((s) => s.id)).toEqual([
      'averageOrderValue@MYR',
      'averageOrderValue@GBP',
      'averageOrderValue@all-in-EUR',
      'customerLifetimeValue@MYR',
      'customerLifetimeValue@GBP',
      'customerLifetimeValue@all-in-EUR',
    ]);
    expect(orderValue.right?.map((s) => s.id)).toEqual(['periodRevenue@MYR', 'periodRevenue@GBP', 'periodRevenue@all-in-EUR']);
    expect(widgets.find((w) => w.id === 'winback-steps')!.right?.map((s) => s.id)).toEqual(
      [1, 2, 3].flatMap((step) => [`revenue:winback:${step}@MYR`, `revenue:winback:${step}@GBP`, `revenue:winback:${step}@all-in-EUR`]),
    );
    expect(widgets.find((w) => w.id === 'kpi-attributed-revenue')!.left.map((s) => s.id)).toEqual([
      'attributedRevenue:birthday@MYR',
      'attributedRevenue:birthday@GBP',
      'attributedRevenue:birthday@all-in-EUR',
      'attributedRevenue:winback@MYR',
      'attributedRevenue:winback@GBP',
      'attributedRevenue:winback@all-in-EUR',
    ]);
  });

  it('counts stay one series each', () => {
    const config = parseConfig({ shop: { currencies: ['MYR', 'GBP'] } });
    const conversions = widgetsOf(dashboardLayout(config)).find((w) => w.id === 'winback-conversions')!;
    expect(conversions.left.map((s) => s.id)).toEqual(['converted:winback', 'reverted:winback']);
  });
});

describe('health: what AWS records of the functions and queues', () => {
  const health = layout.find((row) => row.id === 'health')!.widgets;
  const functionNames = Object.keys(wiring) as FunctionName[];

  it.each<LambdaMetricName>(['Errors', 'Throttles', 'Duration'])('%s of every wired function', (metric) => {
    const charted = health.flatMap(seriesOf).filter((s) => s.kind === 'lambda' && s.metric === metric);
    expect(charted.map((s) => (s.kind === 'lambda' ? s.function : undefined)).sort()).toEqual([...functionNames].sort());
  });

  it("the depth of every dead-letter queue: each EventBridge- or queue-triggered function's own and the rejected events'", () => {
    // http and invoked functions answer their caller: no dead letters of their own.
    const eventBridge = functionNames.filter((name) => !('http' in wiring[name].trigger) && !('invoke' in wiring[name].trigger));
    expect([...deadLetterQueues].sort()).toEqual([...eventBridge, 'RejectedEvents'].sort());
    const charted = health.flatMap(seriesOf).flatMap((s) => (s.kind === 'queueDepth' ? [s.queue] : []));
    expect(charted).toEqual(deadLetterQueues);
  });
});
