/** The one dashboard layout (functions/ops/dashboard-layout.ts) that the CDK dashboard and the local dashboard both draw. */
import { describe, expect, it } from 'vitest';
import { campaignSchema } from '../../functions/events/retention';
import { catalogue, metricsOf, type MetricKey } from '../../functions/metrics';
import {
  dashboardLayout,
  deadLetterQueues,
  metricsRead,
  seriesOf,
  widgetsOf,
  type LambdaMetricName,
} from '../../functions/ops/dashboard-layout';
import { wiring, type FunctionName } from '../../functions/wiring';

const widgets = widgetsOf();
const read = new Set(widgets.flatMap(seriesOf).flatMap(metricsRead));

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
  it('a row per campaign, then deliverability, the KPIs and health', () => {
    expect(dashboardLayout.map((row) => row.id)).toEqual([...campaignSchema.options, 'deliverability', 'kpis', 'health']);
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

  it('the KPIs are daily gauges: the maximum of each day', () => {
    const kpis = dashboardLayout.find((row) => row.id === 'kpis')!.widgets.flatMap(seriesOf);
    for (const series of kpis) expect(series).toMatchObject({ kind: 'metric', stat: 'Maximum', periodSeconds: 86_400 });
  });
});

describe('health: what AWS records of the functions and queues', () => {
  const health = dashboardLayout.find((row) => row.id === 'health')!.widgets;
  const functionNames = Object.keys(wiring) as FunctionName[];

  it.each<LambdaMetricName>(['Errors', 'Throttles', 'Duration'])('%s of every wired function', (metric) => {
    const charted = health.flatMap(seriesOf).filter((s) => s.kind === 'lambda' && s.metric === metric);
    expect(charted.map((s) => (s.kind === 'lambda' ? s.function : undefined)).sort()).toEqual([...functionNames].sort());
  });

  it("the depth of every dead-letter queue: each EventBridge-triggered function's own and the rejected events'", () => {
    const eventBridge = functionNames.filter((name) => !('http' in wiring[name].trigger));
    expect([...deadLetterQueues].sort()).toEqual([...eventBridge, 'RejectedEvents'].sort());
    const charted = health.flatMap(seriesOf).flatMap((s) => (s.kind === 'queueDepth' ? [s.queue] : []));
    expect(charted).toEqual(deadLetterQueues);
  });
});
