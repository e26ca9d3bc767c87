/** The metrics catalogue (functions/metrics.ts): one name, unit and dimension per metric, emitted by key. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { campaignSchema } from '../../functions/events/retention';
import {
  catalogue,
  emit,
  emitAll,
  emitConverted,
  emitForCampaign,
  emitMoney,
  emitPerStep,
  emitService,
  emitVariantSent,
  isCampaignMetric,
  isMoney,
  metricsOf,
  namespace,
  type MetricKey,
} from '../../functions/metrics';

const recorder = () => {
  const calls: unknown[][] = [];
  const single = {
    addDimensions: (d: object) => (calls.push(['single.addDimensions', d]), single),
    addMetric: (...args: unknown[]) => (calls.push(['single.addMetric', ...args]), single),
  };
  const metrics = {
    addDimension: (...args: unknown[]) => (calls.push(['addDimension', ...args]), metrics),
    addMetric: (...args: unknown[]) => (calls.push(['addMetric', ...args]), metrics),
    singleMetric: () => single,
  };
  return { calls, metrics: metrics as unknown as Parameters<typeof emit>[0] };
};

describe('catalogue: every metric the issue names, in the Retention namespace', () => {
  it('lives in the Retention namespace, each name used once', () => {
    expect(namespace).toBe('Retention');
    const names = Object.values(catalogue).map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('holds the per-campaign funnel, deliverability, conversions, NPS, dead letters and sweep duration', () => {
    const keys: MetricKey[] = ['eligible', 'sent', 'deferred', 'suppressed', 'heldOut', 'failed', 'delivered', 'bounced', 'complained',
      'opened', 'clicked', 'converted', 'revenue', 'npsResponses', 'npsScore', 'deadLetters', 'sweepDuration'];
    for (const key of keys) expect(catalogue).toHaveProperty(key);
    expect(catalogue.sweepDuration.unit).toBe(MetricUnit.Milliseconds);
    expect(catalogue.deadLetters.dimension).toBe('none');
  });

  it('gives NPS responses and score to the nps campaign only', () => {
    expect(metricsOf('nps')).toEqual(expect.arrayContaining(['npsResponses', 'npsScore', 'sent', 'delivered']));
    for (const campaign of campaignSchema.options.filter((c) => c !== 'nps')) expect(metricsOf(campaign)).not.toContain('npsScore');
  });

  it('recognises sweep outcomes that have an entry', () => {
    expect(isCampaignMetric('sent')).toBe(true);
    expect(isCampaignMetric('deadLetters')).toBe(false);
    expect(isCampaignMetric('nothing')).toBe(false);
  });
});

describe('emitting by catalogue key', () => {
  it('adds the campaign dimension once, then every metric with its unit', () => {
    const { calls, metrics } = recorder();
    emitAll(metrics, 'winback', { eligible: 4, sent: 3, sweepDuration: 120 });
    expect(calls).toEqual([
      ['addDimension', 'campaign', 'winback'],
      ['addMetric', 'eligible', MetricUnit.Count, 4],
      ['addMetric', 'sent', MetricUnit.Count, 3],
      ['addMetric', 'sweepDuration', MetricUnit.Milliseconds, 120],
    ]);
  });

  it('emits one metric, a service metric without campaign, and the per-variant sends apart', () => {
    const { calls, metrics } = recorder();
    emit(metrics, 'bounced', 'birthday', 1);
    emitService(metrics, 'deadLetters', 1);
    emitVariantSent(metrics, 'birthday', 'subject/b', 2);
    expect(calls).toEqual([
      ['addDimension', 'campaign', 'birthday'],
      ['addMetric', 'bounced', MetricUnit.Count, 1],
      ['addMetric', 'deadLetters', MetricUnit.Count, 1],
      ['single.addDimensions', { campaign: 'birthday', variant: 'subject/b' }],
      ['single.addMetric', 'sent', MetricUnit.Count, 2],
    ]);
  });

  it('emits the per-step funnel of a sequence (revenue in its currency), and a campaign metric of a run that speaks for several, each in its own document', () => {
    const { calls, metrics } = recorder();
    emitPerStep(metrics, 'winback', 2, { converted: 1, revenue: { amount: 42.5, currency: 'MYR' } });
    emitForCampaign(metrics, 'converted', 'birthday', 10);
    expect(calls).toEqual([
      ['single.addDimensions', { campaign: 'winback', step: '2' }],
      ['single.addMetric', 'converted', MetricUnit.Count, 1],
      ['single.addDimensions', { campaign: 'winback', step: '2', Currency: 'MYR' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 42.5],
      ['single.addDimensions', { campaign: 'birthday' }],
      ['single.addMetric', 'converted', MetricUnit.Count, 10],
    ]);
  });

  it('holds every retention KPI, published without a campaign (revenue attributed: per campaign)', () => {
    for (const key of ['activeCustomers', 'newCustomers', 'retentionRate', 'churnRate', 'repeatPurchaseRate', 'winbackRate',
      'periodRevenue', 'averageOrderValue', 'purchaseFrequency', 'customerLifetimeValue', 'nps'] as MetricKey[]) {
      expect(catalogue[key].dimension, key).toBe('none');
    }
    expect(catalogue.attributedRevenue.dimension).toBe('campaign');
  });
});

describe('money: never summed across currencies (issue 15)', () => {
  it('marks every amount of money, and only those', () => {
    const money = (Object.keys(catalogue) as MetricKey[]).filter(isMoney);
    expect(money).toEqual(['revenue', 'periodRevenue', 'averageOrderValue', 'customerLifetimeValue', 'attributedRevenue', 'referralRevenue']);
    // Money is not a sweep outcome: no handler emits it without its currency.
    expect(isCampaignMetric('revenue')).toBe(false);
    expect(metricsOf('winback')).toEqual(expect.arrayContaining(['revenue', 'attributedRevenue']));
  });

  it('emits each amount with its currency as a dimension, in a document of its own', () => {
    const { calls, metrics } = recorder();
    emitMoney(metrics, 'revenue', { campaign: 'birthday' }, { amount: 80, currency: 'GBP' });
    emitMoney(metrics, 'averageOrderValue', {}, { amount: 1234, currency: 'JPY' });
    expect(calls).toEqual([
      ['single.addDimensions', { campaign: 'birthday', Currency: 'GBP' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 80],
      ['single.addDimensions', { Currency: 'JPY' }],
      ['single.addMetric', 'averageOrderValue', MetricUnit.NoUnit, 1234],
    ]);
  });

  it('with a base currency configured, also converted to it, under BaseCurrency (another metric); a currency without a rate is not converted', () => {
    const { calls, metrics } = recorder();
    const conversion = { baseCurrency: 'EUR', rates: { MYR: 0.25 } };
    emitMoney(metrics, 'revenue', { campaign: 'winback' }, { amount: 100, currency: 'MYR' }, conversion);
    emitMoney(metrics, 'revenue', { campaign: 'winback' }, { amount: 7, currency: 'EUR' }, conversion);
    emitMoney(metrics, 'revenue', { campaign: 'winback' }, { amount: 9, currency: 'GBP' }, conversion);
    emitConverted(metrics, 'customerLifetimeValue', {}, { amount: 310, currency: 'EUR' });
    expect(calls).toEqual([
      ['single.addDimensions', { campaign: 'winback', Currency: 'MYR' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 100],
      ['single.addDimensions', { campaign: 'winback', BaseCurrency: 'EUR' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 25],
      ['single.addDimensions', { campaign: 'winback', Currency: 'EUR' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 7],
      ['single.addDimensions', { campaign: 'winback', BaseCurrency: 'EUR' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 7],
      ['single.addDimensions', { campaign: 'winback', Currency: 'GBP' }],
      ['single.addMetric', 'revenue', MetricUnit.NoUnit, 9],
      ['single.addDimensions', { BaseCurrency: 'EUR' }],
      ['single.addMetric', 'customerLifetimeValue', MetricUnit.NoUnit, 310],
    ]);
  });
});
