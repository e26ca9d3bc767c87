/**
 * The local CloudWatch (local/metrics.ts): metrics arrive as on AWS, as the
 * embedded-metric-format lines Powertools writes to stdout, and land in the
 * store of the stack whose invocation wrote them, on that stack's clock.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { emitAll, emitKpis, emitMoney, emitService, namespace, serviceDimension, serviceName } from '../../functions/metrics';
import { publishedKpis, retentionKpis } from '../../functions/ops/kpis';
import { dashboardData } from '../../local/dashboard';
import { captureEmbeddedMetrics, lambdaMetric, LocalMetrics, queueDepthMetric, type MetricId } from '../../local/metrics';

const hour = 3_600_000;
const start = new Date('2026-03-01T00:00:00Z');
const sent = (campaign: string): MetricId => ({ namespace, name: 'sent', dimensions: { ...serviceDimension, campaign } });

/** What reached stdout behind the capture. */
const passedThrough: string[] = [];

// Installed before the capture, so it sees what the capture passes on (and keeps it off the test's output).
beforeAll(() => {
  process.stdout.write = ((chunk: string | Uint8Array) => passedThrough.push(String(chunk)) > 0) as typeof process.stdout.write;
  captureEmbeddedMetrics();
});

/** A store on a clock the test moves; closed after the test, as its stack would be. */
const opened: LocalMetrics[] = [];
const storeAt = (at: Date) => {
  const clock = { now: at };
  const store = new LocalMetrics(() => clock.now);
  opened.push(store);
  return { clock, store };
};
afterEach(() => opened.splice(0).forEach((store) => store.close()));

/** A Powertools instance as the handlers have (functions/observability.ts), flushed as `logMetrics` does. */
const powertools = () => new Metrics({ namespace, serviceName });

/** An invocation of `store`'s stack that flushes one winback `sent` of `value` after `delay` ms. */
const emitAfter = (store: LocalMetrics, value: number, delay: number) =>
  store.invocation('winbackSweep', async () => {
    const metrics = powertools();
    await new Promise((resolve) => setTimeout(resolve, delay));
    emitAll(metrics, 'winback', { sent: value });
    metrics.publishStoredMetrics();
  });

describe('EMF lines on stdout become datapoints of the stack that wrote them', () => {
  it('records what a real Powertools flush emits, with its dimensions, stamped with the stack clock (not EMF wall-clock time)', async () => {
    const { store } = storeAt(start);
    await store.invocation('birthdaySweep', async () => {
      const metrics = powertools();
      emitAll(metrics, 'birthday', { eligible: 4, sent: 3 });
      metrics.publishStoredMetrics();
    });
    expect(store.datapoints(sent('birthday'))).toEqual([{ at: start.getTime(), value: 3 }]);
    expect(store.datapoints({ namespace, name: 'eligible', dimensions: { ...serviceDimension, campaign: 'birthday' } })).toEqual([{ at: start.getTime(), value: 4 }]);
    expect(passedThrough.join('')).not.toContain('"_aws"');
  });

  it('keeps a metric with other dimensions apart, as CloudWatch does (a service metric, the per-variant sends)', async () => {
    const { store } = storeAt(start);
    await store.invocation('ingest', async () => {
      const metrics = powertools();
      emitService(metrics, 'deadLetters', 1);
      metrics.singleMetric().addDimensions({ campaign: 'winback', variant: 'subject/b' }).addMetric('sent', 'Count', 2);
      metrics.publishStoredMetrics();
    });
    expect(store.datapoints({ namespace, name: 'deadLetters', dimensions: serviceDimension })).toHaveLength(1);
    expect(store.datapoints(sent('winback'))).toEqual([]);
    expect(store.datapoints({ namespace, name: 'sent', dimensions: { ...serviceDimension, campaign: 'winback', variant: 'subject/b' } })).toEqual([
      { at: start.getTime(), value: 2 },
    ]);
  });

  it('records a literal EMF document, every value of a repeated metric', async () => {
    const { store } = storeAt(start);
    const document = {
      _aws: { Timestamp: 0, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['service', 'campaign']], Metrics: [{ Name: 'sent', Unit: 'Count' }] }] },
      service: serviceName,
      campaign: 'nps',
      sent: [1, 2],
    };
    await store.invocation('npsSweep', async () => void process.stdout.write(`${JSON.stringify(document)}\n`));
    expect(store.datapoints(sent('nps')).map((p) => p.value)).toEqual([1, 2]);
  });

  it('never mixes two stacks in one process, even when their invocations interleave', async () => {
    const a = storeAt(start).store;
    const b = storeAt(start).store;
    await Promise.all([emitAfter(a, 1, 20), emitAfter(b, 2, 5)]);
    expect(a.datapoints(sent('winback')).map((p) => p.value)).toEqual([1]);
    expect(b.datapoints(sent('winback')).map((p) => p.value)).toEqual([2]);
  });

  it('never mixes a stack alone in the process with one started while its invocation runs', async () => {
    const alone = storeAt(start).store;
    const first = emitAfter(alone, 1, 20);
    const second = storeAt(start).store;
    await Promise.all([first, emitAfter(second, 2, 5)]);
    second.close();
    await emitAfter(alone, 3, 1);
    expect(alone.datapoints(sent('winback')).map((p) => p.value)).toEqual([1, 3]);
    expect(second.datapoints(sent('winback')).map((p) => p.value)).toEqual([2]);
  });

  it('passes every other line through: log lines, and EMF written outside any local invocation', async () => {
    const { store } = storeAt(start);
    passedThrough.length = 0;
    await store.invocation('ingest', async () => {
      process.stdout.write('{"level":"INFO","message":"not a metric"}\n');
      const emf = JSON.stringify({ _aws: { CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: 'deadLetters' }] }] }, service: serviceName, deadLetters: 1 });
      process.stdout.write(`before\n${emf}\nafter\n`);
    });
    const outside = JSON.stringify({ _aws: { CloudWatchMetrics: [] } });
    process.stdout.write(`${outside}\n`);
    expect(passedThrough).toEqual(['{"level":"INFO","message":"not a metric"}\n', 'before\nafter\n', `${outside}\n`]);
    expect(store.datapoints({ namespace, name: 'deadLetters', dimensions: serviceDimension })).toHaveLength(1);
  });
});

describe('what AWS records by itself', () => {
  it('Lambda: an invocation, its duration, no throttle, and an error when it throws', async () => {
    const { store } = storeAt(start);
    await store.invocation('ingest', async () => 'ok');
    await expect(store.invocation('ingest', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const values = (name: 'Invocations' | 'Errors' | 'Throttles' | 'Duration') => store.datapoints(lambdaMetric('ingest', name)).map((p) => p.value);
    expect(values('Invocations')).toEqual([1, 1]);
    expect(values('Errors')).toEqual([0, 1]);
    expect(values('Throttles')).toEqual([0, 0]);
    expect(values('Duration').every((ms) => ms >= 0)).toBe(true);
  });

  it('SQS: a declared queue starts at depth 0; each dead letter adds one, as nothing drains it locally', () => {
    const { clock, store } = storeAt(start);
    store.declareQueues(['ingest', 'RejectedEvents']);
    clock.now = new Date(start.getTime() + 2 * hour);
    store.deadLetter('RejectedEvents');
    store.deadLetter('RejectedEvents');
    expect(store.datapoints(queueDepthMetric('RejectedEvents')).map((p) => p.value)).toEqual([0, 1, 2]);
    expect(store.datapoints(queueDepthMetric('ingest')).map((p) => p.value)).toEqual([0]);
  });
});

describe('queries: a statistic per period, as GetMetricData answers', () => {
  const id: MetricId = { namespace, name: 'sent', dimensions: { ...serviceDimension, campaign: 'birthday' } };
  const { store } = storeAt(start);
  // Hour 0: 1 and 3; hour 1: nothing; hour 2: 5. One before the range, one after.
  for (const [offset, value] of [[-hour, 100], [0, 1], [30 * 60_000, 3], [2 * hour, 5], [3 * hour, 100]] as const) {
    store.record(id, value, start.getTime() + offset);
  }
  const range = { from: start, to: new Date(start.getTime() + 3 * hour), periodMs: hour };
  const values = (stat: 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount', fill?: 'previous') =>
    store.query(id, { ...range, stat, fill }).map((bucket) => bucket.value);

  it('buckets [from, to) by period, starting at from', () => {
    expect(store.query(id, { ...range, stat: 'Sum' }).map((bucket) => bucket.start - start.getTime())).toEqual([0, hour, 2 * hour]);
  });

  it.each([
    ['Sum', [4, null, 5]],
    ['Maximum', [3, null, 5]],
    ['Minimum', [1, null, 5]],
    ['Average', [2, null, 5]],
    ['SampleCount', [2, null, 1]],
  ] as const)('%s over each period; a period without datapoints has none', (stat, expected) => {
    expect(values(stat)).toEqual(expected);
  });

  it('a gauge recorded only when it changes holds its last value through an empty period (fill: previous)', () => {
    expect(values('Maximum', 'previous')).toEqual([3, 3, 5]);
    const from = new Date(start.getTime() - 30 * 60_000);
    expect(store.query(id, { from, to: new Date(from.getTime() + hour), periodMs: hour / 2, stat: 'Maximum', fill: 'previous' }).map((b) => b.value)).toEqual([100, 1]);
  });

  it('only the exact metric: another campaign, or no campaign, is another metric', () => {
    expect(store.query({ ...id, dimensions: { ...serviceDimension, campaign: 'nps' } }, { ...range, stat: 'Sum' }).map((b) => b.value)).toEqual([null, null, null]);
    expect(store.query({ ...id, dimensions: serviceDimension }, { ...range, stat: 'Sum' }).map((b) => b.value)).toEqual([null, null, null]);
  });
});

describe('money, per currency (issue 15)', () => {
  // A day's KPIs with orders in ringgit and pounds, converted to euros.
  const kpis = publishedKpis(
    retentionKpis(
      {
        customersAtStart: 10, customersAtEnd: 10, newCustomers: 1, orders: 3, ordersByCurrency: { MYR: 2, GBP: 1 }, revenue: { MYR: 125, GBP: 60 },
        orderingCustomers: 3, repeatCustomers: 1, lapsedCustomers: 1, wonBack: 1, promoters: 0, passives: 0, detractors: 0,
        attributedRevenue: { birthday: { GBP: 60 }, winback: { MYR: 45 } },
      },
      { baseCurrency: 'EUR', rates: { MYR: 0.2, GBP: 1.2 } },
    ),
  );
  const money = (name: string, dimensions: Record<string, string>): MetricId => ({ namespace, name, dimensions: { ...serviceDimension, ...dimensions } });

  it('the daily KPIs reach the local CloudWatch with their currency, and converted under BaseCurrency', async () => {
    const { store } = storeAt(start);
    await store.invocation('kpis', async () => {
      const metrics = powertools();
      emitKpis(metrics, kpis);
      metrics.publishStoredMetrics();
    });
    const value = (id: MetricId) => store.datapoints(id).map((p) => p.value);
    expect(value(money('averageOrderValue', { Currency: 'MYR' }))).toEqual([62.5]);
    expect(value(money('averageOrderValue', { Currency: 'GBP' }))).toEqual([60]);
    expect(value(money('averageOrderValue', {}))).toEqual([]);
    expect(value(money('averageOrderValue', { BaseCurrency: 'EUR' }))).toEqual([32.33]); // (125 × 0.2 + 60 × 1.2) ÷ 3 = 97 ÷ 3, to the cent
    expect(value(money('periodRevenue', { Currency: 'MYR' }))).toEqual([125]);
    expect(value(money('attributedRevenue', { campaign: 'birthday', Currency: 'GBP' }))).toEqual([60]);
    expect(value(money('attributedRevenue', { campaign: 'winback', BaseCurrency: 'EUR' }))).toEqual([9]);
    expect(value(money('activeCustomers', {}))).toEqual([10]);
    // What a search for the currencies of a money metric finds: only those with exactly the other dimensions.
    expect(store.dimensionValues(money('averageOrderValue', {}), 'Currency')).toEqual(['GBP', 'MYR']);
    expect(store.dimensionValues(money('attributedRevenue', { campaign: 'winback' }), 'Currency')).toEqual(['MYR']);
    expect(store.dimensionValues(money('averageOrderValue', {}), 'BaseCurrency')).toEqual(['EUR']);
  });

  it('the local dashboard draws a series per currency it sees, each labelled with it, or those of shop.currencies', async () => {
    const { store } = storeAt(start);
    await store.invocation('ingest', async () => {
      const metrics = powertools();
      emitMoney(metrics, 'revenue', { campaign: 'winback' }, { amount: 100, currency: 'MYR' });
      emitMoney(metrics, 'revenue', { campaign: 'winback' }, { amount: 20, currency: 'GBP' });
      emitMoney(metrics, 'revenue', { campaign: 'winback' }, { amount: 30, currency: 'MYR' });
      metrics.publishStoredMetrics();
    });
    const range = { from: start, to: new Date(start.getTime() + 24 * hour) };
    const conversions = (config: ReturnType<typeof parseConfig>) =>
      dashboardData(store, range, config).rows.flatMap((row) => row.widgets).find((w) => w.id === 'winback-conversions')!.series.filter((s) => s.axis === 'right');
    expect(conversions(parseConfig({})).map((s) => [s.id, s.label, s.figure])).toEqual([
      ['revenue:winback@GBP', 'winback Revenue (GBP)', 20],
      ['revenue:winback@MYR', 'winback Revenue (MYR)', 130],
    ]);
    expect(conversions(parseConfig({ shop: { currencies: ['MYR', 'JPY'] } })).map((s) => [s.id, s.figure])).toEqual([
      ['revenue:winback@MYR', 130],
      ['revenue:winback@JPY', null],
    ]);
    // Nothing emitted yet: one series without data, not a figure of no currency.
    const none = dashboardData(new LocalMetrics(() => start), range, parseConfig({})).rows.flatMap((row) => row.widgets).find((w) => w.id === 'birthday-conversions')!;
    expect(none.series.filter((s) => s.axis === 'right').map((s) => [s.id, s.label, s.figure])).toEqual([['revenue:birthday', 'birthday Revenue (every currency)', null]]);
  });
});
