/**
 * The one catalogue of the engine's metrics (docs/design.md §7, issue 7): names, units
 * and dimensions. The handlers emit by catalogue key, the CDK dashboard and
 * alarms (lib/dashboard.ts) read the same entries, so a metric cannot be
 * emitted under one name and charted under another.
 *
 * Dimensions are kept few, since CloudWatch bills every metric per dimension
 * set: `service` (Powertools always adds it) and `campaign`; `variant` only on
 * the per-variant `sent`, `step` only on the per-step `sent`, `converted` and
 * `revenue`. Money (issue 15) is never summed across currencies: each money
 * metric is emitted per currency, `Currency` (ISO 4217), and with a base
 * currency configured (`kpis.baseCurrency`) also converted to it, under
 * `BaseCurrency` instead: another dimension set, so another metric.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Campaign } from './events/retention';
import { convertingCampaigns } from './campaigns/conversions';
import { convertAmount, roundMoney, type MoneyConversion, type PublishedKpis } from './ops/kpis';

export const namespace = 'Retention';
export const serviceName = 'retention';
/** A unit Powertools accepts (`Count`, `Milliseconds`, `None`). */
export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Powertools adds the service as a dimension to every metric it emits. */
export const serviceDimension = { service: serviceName } as const;
/** A money metric's currency (ISO 4217), and the base currency of its converted value. */
export const currencyDimension = 'Currency';
export const baseCurrencyDimension = 'BaseCurrency';

export interface CatalogueEntry {
  /** The CloudWatch metric name. */
  readonly name: string;
  readonly unit: Unit;
  /** What the dashboard calls it. */
  readonly label: string;
  /** `campaign`: emitted per campaign; `none`: the service dimension only. */
  readonly dimension: 'campaign' | 'none';
  /** The campaigns it applies to; every campaign when absent. */
  readonly campaigns?: readonly Campaign[];
  /** An amount of money: emitted per `Currency`, and converted to the base currency under `BaseCurrency`. */
  readonly money?: true;
}

const perCampaign = (name: string, label: string, unit: Unit = MetricUnit.Count) =>
  ({ name, label, unit, dimension: 'campaign' }) as const satisfies CatalogueEntry;

const service = (name: string, label: string, unit: Unit = MetricUnit.Count) =>
  ({ name, label, unit, dimension: 'none' }) as const satisfies CatalogueEntry;

export const catalogue = {
  // What a sweep found and did with it.
  eligible: perCampaign('eligible', 'Eligible (due)'),
  sent: perCampaign('sent', 'Sent'),
  deferred: perCampaign('deferred', 'Deferred'),
  suppressed: perCampaign('suppressed', 'Suppressed'),
  heldOut: perCampaign('heldOut', 'Held out'),
  failed: perCampaign('failed', 'Failed'),
  duplicate: perCampaign('duplicate', 'Already sent'),
  missed: perCampaign('missed', 'Missed window'),
  ineligible: perCampaign('ineligible', 'No longer eligible'),
  ended: perCampaign('ended', 'Sequence ended'),
  fatigued: perCampaign('fatigued', 'Fatigued'),
  sweepDuration: perCampaign('sweepDuration', 'Sweep duration', MetricUnit.Milliseconds),
  // What SES reported of the messages.
  delivered: perCampaign('delivered', 'Delivered'),
  bounced: perCampaign('bounced', 'Bounced'),
  complained: perCampaign('complained', 'Complained'),
  opened: perCampaign('opened', 'Opened'),
  clicked: perCampaign('clicked', 'Clicked'),
  // What it earned.
  converted: { ...perCampaign('converted', 'Converted'), campaigns: convertingCampaigns },
  revenue: { ...perCampaign('revenue', 'Revenue', MetricUnit.NoUnit), campaigns: convertingCampaigns, money: true },
  // Conversions undone: their order was cancelled or refunded in full.
  reverted: { ...perCampaign('reverted', 'Conversions reverted'), campaigns: convertingCampaigns },
  // NPS: the average score is score ÷ responses.
  npsResponses: { ...perCampaign('npsResponses', 'NPS responses'), campaigns: ['nps'] },
  npsScore: { ...perCampaign('npsScore', 'NPS score (sum)'), campaigns: ['nps'] },
  // Events the engine refused (`Event Rejected`), whatever their campaign.
  deadLetters: service('deadLetters', 'Rejected events'),
  // A shop platform's events of a topic the engine does not use (docs/design.md §3a): counted, not dead letters.
  ignoredEvents: service('ignoredEvents', 'Platform events ignored'),
  // The retention KPIs of the trailing period (README, "Retention KPIs"), published once a day by the kpis function.
  activeCustomers: service('activeCustomers', 'Active customers'),
  newCustomers: service('newCustomers', 'New customers'),
  retentionRate: service('retentionRate', 'Retention rate (%)', MetricUnit.Percent),
  churnRate: service('churnRate', 'Churn rate (%)', MetricUnit.Percent),
  repeatPurchaseRate: service('repeatPurchaseRate', 'Repeat purchase rate (%)', MetricUnit.Percent),
  winbackRate: service('winbackRate', 'Winback rate (%)', MetricUnit.Percent),
  periodRevenue: { ...service('periodRevenue', 'Revenue (period)', MetricUnit.NoUnit), money: true },
  averageOrderValue: { ...service('averageOrderValue', 'Average order value', MetricUnit.NoUnit), money: true },
  purchaseFrequency: service('purchaseFrequency', 'Purchase frequency', MetricUnit.NoUnit),
  customerLifetimeValue: { ...service('customerLifetimeValue', 'Customer lifetime value', MetricUnit.NoUnit), money: true },
  nps: service('nps', 'NPS', MetricUnit.NoUnit),
  attributedRevenue: { ...perCampaign('attributedRevenue', 'Revenue attributed (period)', MetricUnit.NoUnit), campaigns: convertingCampaigns, money: true },
  // The loyalty programme (docs/design.md §10). Referral codes sent are the referral campaign's step-1 `sent`.
  pointsIssued: service('pointsIssued', 'Points issued'),
  pointsRedeemed: service('pointsRedeemed', 'Points redeemed'),
  pointsExpired: service('pointsExpired', 'Points expired'),
  /** A daily gauge per `tier` dimension (its name), from the kpis function. */
  tierCustomers: service('tierCustomers', 'Customers in tier'),
  referralConverted: { ...perCampaign('referralConverted', 'Friends’ first orders (rewarded)'), campaigns: ['referral'] },
  referralRevenue: { ...perCampaign('referralRevenue', 'Friends’ first orders revenue', MetricUnit.NoUnit), campaigns: ['referral'], money: true },
} as const satisfies Record<string, CatalogueEntry>;

/** The dimension of `tierCustomers`: the tier's name. */
export const tierDimension = 'tier';

export type MetricKey = keyof typeof catalogue;
/** Amounts of money: emitted per currency (`emitMoney`). */
export type MoneyMetric = { [K in MetricKey]: (typeof catalogue)[K] extends { money: true } ? K : never }[MetricKey];
/** Every metric emitted per campaign, money included. */
export type PerCampaignMetric = { [K in MetricKey]: (typeof catalogue)[K]['dimension'] extends 'campaign' ? K : never }[MetricKey];
/** Counts and durations per campaign (`emit`, `emitAll`). */
export type CampaignMetric = Exclude<PerCampaignMetric, MoneyMetric>;
/** Counts and gauges of the service (`emitService`). */
export type ServiceMetric = Exclude<MetricKey, PerCampaignMetric | MoneyMetric>;

/** Whether a catalogue metric is an amount of money. */
export const isMoney = (key: MetricKey): key is MoneyMetric => (catalogue[key] as CatalogueEntry).money === true;

/** The per-campaign metrics that apply to `campaign` (money included), in catalogue order. */
export const metricsOf = (campaign: Campaign): PerCampaignMetric[] =>
  (Object.keys(catalogue) as MetricKey[]).filter((key): key is PerCampaignMetric => {
    const entry: CatalogueEntry = catalogue[key];
    return entry.dimension === 'campaign' && (!entry.campaigns || entry.campaigns.includes(campaign));
  });

/** Whether `name` is a sweep outcome with a catalogue entry (`sent`, `deferred`, ...). */
export const isCampaignMetric = (name: string): name is CampaignMetric =>
  name in catalogue && catalogue[name as MetricKey].dimension === 'campaign' && !isMoney(name as MetricKey);

type Emitter = Pick<Metrics, 'addDimension' | 'addMetric' | 'singleMetric'>;

/**
 * Adds the campaign dimension once, then each metric; flushed by `logMetrics`.
 * One campaign per invocation: the dimension applies to every metric it stores.
 */
export const emitAll = (metrics: Emitter, campaign: Campaign, values: Partial<Record<CampaignMetric, number>>): void => {
  metrics.addDimension('campaign', campaign);
  for (const [key, value] of Object.entries(values) as [CampaignMetric, number | undefined][]) {
    if (value === undefined) continue;
    metrics.addMetric(catalogue[key].name, catalogue[key].unit, value);
  }
};

/** `emit(metrics, 'sent', campaign, 3)`. */
export const emit = (metrics: Emitter, key: CampaignMetric, campaign: Campaign, value: number): void =>
  emitAll(metrics, campaign, { [key]: value });

/** A metric without a campaign (`deadLetters`). */
export const emitService = (metrics: Emitter, key: ServiceMetric, value: number): void => {
  metrics.addMetric(catalogue[key].name, catalogue[key].unit, value);
};

/** A metric in a document of its own, flushed at once: its dimensions apply to it alone (none: the service's). */
export const emitSingle = (metrics: Emitter, key: MetricKey, dimensions: Record<string, string>, value: number): void => {
  const single = metrics.singleMetric();
  single.addDimensions(dimensions);
  single.addMetric(catalogue[key].name, catalogue[key].unit, value);
};

/** An amount in a currency (ISO 4217), in its units. */
export interface Amount {
  amount: number;
  currency: string;
}

/**
 * A money metric (`revenue`, the money KPIs) in a document of its own, with its currency as a
 * dimension beside `dimensions` (a campaign, a step); and, when `conversion` has a base currency
 * and a rate for it, converted to the base currency under `BaseCurrency`.
 */
export const emitMoney = (
  metrics: Emitter,
  key: MoneyMetric,
  dimensions: Record<string, string>,
  { amount, currency }: Amount,
  conversion?: MoneyConversion,
): void => {
  emitSingle(metrics, key, { ...dimensions, [currencyDimension]: currency }, amount);
  const converted = convertAmount(amount, currency, conversion);
  // To the base currency's minor unit, as money is published.
  if (converted !== undefined) emitConverted(metrics, key, dimensions, { amount: roundMoney(converted, conversion!.baseCurrency!)!, currency: conversion!.baseCurrency! });
};

/** A money metric already in the base currency (a sum over every currency, converted): `BaseCurrency`. */
export const emitConverted = (metrics: Emitter, key: MoneyMetric, dimensions: Record<string, string>, { amount, currency }: Amount): void =>
  emitSingle(metrics, key, { ...dimensions, [baseCurrencyDimension]: currency }, amount);

/** A/B tests: sends per `experiment/variant`, the one metric with a variant dimension. */
export const emitVariantSent = (metrics: Emitter, campaign: Campaign, variant: string, count: number): void =>
  emitSingle(metrics, 'sent', { campaign, variant }, count);

/** The steps of a sequence (winback): sends, conversions and revenue per step, the funnel a marketer tunes. */
export const stepMetrics = ['sent', 'converted', 'revenue'] as const satisfies PerCampaignMetric[];
export type StepMetric = (typeof stepMetrics)[number];

/** Per `step` of `campaign`, in documents of their own (the step dimension is only on these); revenue in its currency. */
export const emitPerStep = (
  metrics: Emitter,
  campaign: Campaign,
  step: number,
  values: { [K in StepMetric]?: K extends MoneyMetric ? Amount : number },
  conversion?: MoneyConversion,
): void => {
  const dimensions = { campaign, step: String(step) };
  for (const [key, value] of Object.entries(values) as [StepMetric, number | Amount][]) {
    if (typeof value === 'number') emitSingle(metrics, key, dimensions, value);
    else if (isMoney(key)) emitMoney(metrics, key, dimensions, value, conversion);
  }
};

/** A per-campaign metric from an invocation that speaks for several campaigns (the daily KPIs). */
export const emitForCampaign = (metrics: Emitter, key: CampaignMetric, campaign: Campaign, value: number): void =>
  emitSingle(metrics, key, { campaign }, value);

/** Customers holding each tier (the daily kpis function, when loyalty is on): a gauge per tier. */
export const emitTierCustomers = (metrics: Emitter, counts: Record<string, number>): void => {
  for (const [tier, count] of Object.entries(counts)) emitSingle(metrics, 'tierCustomers', { [tierDimension]: tier }, count);
};

/** The published KPIs that are money, and their metrics. */
const moneyKpis = [
  ['periodRevenue', 'revenue'],
  ['averageOrderValue', 'averageOrderValue'],
  ['customerLifetimeValue', 'customerLifetimeValue'],
] as const satisfies readonly (readonly [MoneyMetric, keyof PublishedKpis])[];

/**
 * One day's published KPIs (the daily kpis function): counts and rates for the service; money per
 * currency (`Currency`) and, when a base currency is configured, converted (`BaseCurrency`). A KPI
 * without a value (no denominator, no rate) is left out, not sent as zero.
 */
export const emitKpis = (emitter: Emitter, kpis: PublishedKpis): void => {
  const { attributedRevenue, revenue: _revenue, averageOrderValue: _aov, customerLifetimeValue: _clv, converted, ...counts } = kpis;
  for (const [key, value] of Object.entries(counts) as [ServiceMetric, number | null][]) {
    if (value !== null) emitService(emitter, key, value);
  }
  const emitBoth = (key: MoneyMetric, dimensions: Record<string, string>, money: Record<string, number | null>, inBase: number | null | undefined) => {
    for (const [currency, amount] of Object.entries(money)) if (amount !== null) emitMoney(emitter, key, dimensions, { amount, currency });
    if (converted && inBase !== undefined && inBase !== null) emitConverted(emitter, key, dimensions, { amount: inBase, currency: converted.currency });
  };
  for (const [key, field] of moneyKpis) emitBoth(key, {}, kpis[field], converted?.[field]);
  for (const [campaign, money] of Object.entries(attributedRevenue) as [keyof typeof attributedRevenue, Record<string, number>][]) {
    emitBoth('attributedRevenue', { campaign }, money, converted?.attributedRevenue[campaign]);
  }
};
