/**
 * The one catalogue of the engine's metrics (docs/design.md §7, issue 7): names, units
 * and dimensions. The handlers emit by catalogue key, the CDK dashboard and
 * alarms (lib/dashboard.ts) read the same entries, so a metric cannot be
 * emitted under one name and charted under another.
 *
 * Dimensions are kept few, since CloudWatch bills every metric per dimension
 * set: `service` (Powertools always adds it) and `campaign`; `variant` only on
 * the per-variant `sent`, `step` only on the per-step `sent`, `converted` and
 * `revenue`.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Campaign } from './events/retention';
import { convertingCampaigns } from './campaigns/conversions';

export const namespace = 'Retention';
export const serviceName = 'retention';
/** A unit Powertools accepts (`Count`, `Milliseconds`, `None`). */
export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Powertools adds the service as a dimension to every metric it emits. */
export const serviceDimension = { service: serviceName } as const;

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
  revenue: { ...perCampaign('revenue', 'Revenue', MetricUnit.NoUnit), campaigns: convertingCampaigns },
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
  averageOrderValue: service('averageOrderValue', 'Average order value', MetricUnit.NoUnit),
  purchaseFrequency: service('purchaseFrequency', 'Purchase frequency', MetricUnit.NoUnit),
  customerLifetimeValue: service('customerLifetimeValue', 'Customer lifetime value', MetricUnit.NoUnit),
  nps: service('nps', 'NPS', MetricUnit.NoUnit),
  attributedRevenue: { ...perCampaign('attributedRevenue', 'Revenue attributed (period)', MetricUnit.NoUnit), campaigns: convertingCampaigns },
} as const satisfies Record<string, CatalogueEntry>;

export type MetricKey = keyof typeof catalogue;
export type CampaignMetric = { [K in MetricKey]: (typeof catalogue)[K]['dimension'] extends 'campaign' ? K : never }[MetricKey];
export type ServiceMetric = Exclude<MetricKey, CampaignMetric>;

/** The per-campaign metrics that apply to `campaign`, in catalogue order. */
export const metricsOf = (campaign: Campaign): CampaignMetric[] =>
  (Object.keys(catalogue) as MetricKey[]).filter((key): key is CampaignMetric => {
    const entry: CatalogueEntry = catalogue[key];
    return entry.dimension === 'campaign' && (!entry.campaigns || entry.campaigns.includes(campaign));
  });

/** Whether `name` is a sweep outcome with a catalogue entry (`sent`, `deferred`, ...). */
export const isCampaignMetric = (name: string): name is CampaignMetric =>
  name in catalogue && catalogue[name as MetricKey].dimension === 'campaign';

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

/** A metric in a document of its own, flushed at once: its dimensions apply to it alone. */
const emitSingle = (metrics: Emitter, key: MetricKey, dimensions: Record<string, string>, value: number): void => {
  const single = metrics.singleMetric();
  single.addDimensions(dimensions);
  single.addMetric(catalogue[key].name, catalogue[key].unit, value);
};

/** A/B tests: sends per `experiment/variant`, the one metric with a variant dimension. */
export const emitVariantSent = (metrics: Emitter, campaign: Campaign, variant: string, count: number): void =>
  emitSingle(metrics, 'sent', { campaign, variant }, count);

/** The steps of a sequence (winback): sends, conversions and revenue per step, the funnel a marketer tunes. */
export const stepMetrics = ['sent', 'converted', 'revenue'] as const satisfies CampaignMetric[];

/** Per `step` of `campaign`, in documents of their own (the step dimension is only on these). */
export const emitPerStep = (
  metrics: Emitter,
  campaign: Campaign,
  step: number,
  values: Partial<Record<(typeof stepMetrics)[number], number>>,
): void => {
  for (const [key, value] of Object.entries(values) as [(typeof stepMetrics)[number], number][]) {
    emitSingle(metrics, key, { campaign, step: String(step) }, value);
  }
};

/** A per-campaign metric from an invocation that speaks for several campaigns (the daily KPIs). */
export const emitForCampaign = (metrics: Emitter, key: CampaignMetric, campaign: Campaign, value: number): void =>
  emitSingle(metrics, key, { campaign }, value);
