/** The one dashboard layout (functions/ops/dashboard-layout.ts) that the CDK dashboard and the local dashboard both draw. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
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

// The default configuration: a winback sequence of three steps.
const layout = dashboardLayout(parseConfig({}));
const widgets = widgetsOf(layout);
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
    expect(layout.map((row) => row.id)).toEqual([...campaignSchema.options, 'deliverability', 'kpis', 'health']);
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
    for (const series of kpis) expect(series).toMatchObject({ kind: 'metric', stat: 'Maximum', periodSeconds: 86_400 });
  });
});

describe('health: what AWS records of the functions and queues', () => {
  const health = layout.find((row) => row.id === 'health')!.widgets;
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
