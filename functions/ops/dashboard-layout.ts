/**
 * The one layout of the ops dashboard (issue 7): rows of graph widgets over the
 * metric catalogue (functions/metrics.ts) and the metrics AWS records itself
 * for Lambda and SQS. lib/dashboard.ts draws it as the CloudWatch dashboard,
 * local/dashboard.ts as a web page over the local metrics, so both show the
 * same rows, widgets and series. Pure data: no CDK, no I/O.
 *
 * Money is shown per currency (issue 15), each series naming its currency: one
 * series per currency of `shop.currencies`, or, without that list, one series
 * per currency found in the metrics (a `found` series: a SEARCH on
 * CloudWatch, the currencies the local metrics hold on the local page); and,
 * with `kpis.baseCurrency`, the figure converted to the base currency.
 */
import { programmeRuns, type Config } from '../config';
import { campaignSchema, type Campaign } from '../events/retention';
import { baseCurrencyDimension, catalogue, currencyDimension, isMoney, metricsOf, serviceDimension, tierDimension, type CampaignMetric, type MetricKey, type MoneyMetric, type PerCampaignMetric, type ServiceMetric, type StepMetric } from '../metrics';
import { answersItsCaller, wiring, type FunctionName } from '../wiring';

/** Early warnings, below SES's review levels. */
export const alarmThresholds = { bounceRatePercent: 2, complaintRatePercent: 0.08, sweepTimeoutShare: 0.8 } as const;
/** Where SES starts reviewing an account. */
export const sesReviewLevels = { bounceRatePercent: 5, complaintRatePercent: 0.1 } as const;

export type Stat = 'Sum' | 'Maximum' | 'Average';

const minute = 60;
const hour = 60 * minute;
const day = 24 * hour;

/** A catalogue metric, per campaign or for the service. */
export interface MetricSeries {
  readonly kind: 'metric';
  /** Unique within its widget. */
  readonly id: string;
  readonly label: string;
  readonly key: MetricKey;
  readonly campaign?: Campaign;
  /** A step of a sequence (functions/metrics.ts `stepMetrics`). */
  readonly step?: number;
  /** A loyalty tier's name (`tierCustomers`' `tier` dimension). */
  readonly tier?: string;
  readonly stat: Stat;
  readonly periodSeconds: number;
  /** A money metric in this currency (its `Currency` dimension)... */
  readonly currency?: string;
  /** ...or converted to this base currency (its `BaseCurrency` dimension). */
  readonly baseCurrency?: string;
}

/**
 * A metric once per value of a dimension it is emitted with, one series per value found (a
 * SEARCH on CloudWatch, the values the local metrics hold on the local page): money per
 * `Currency` when `shop.currencies` is not configured; customers per loyalty `tier`, so a tier
 * the studio renames or adds is drawn without a deploy. Each is labelled `<label> (<value>)`,
 * with the id `<id>@<value>` (`valueSeries`).
 */
export interface FoundSeries {
  readonly kind: 'found';
  readonly dimension: typeof currencyDimension | typeof tierDimension;
  readonly id: string;
  readonly label: string;
  readonly key: MetricKey;
  readonly campaign?: Campaign;
  readonly step?: number;
  readonly stat: Stat;
  readonly periodSeconds: number;
}

/** One term of a ratio: a per-campaign metric, summed; without a campaign, its service-wide total. */
export interface RatioTerm {
  readonly key: CampaignMetric;
  readonly campaign?: Campaign;
}

/** `scale × Σ numerator ÷ Σ denominator` over each period, each term summed (metric math on AWS). */
export interface RatioSeries {
  readonly kind: 'ratio';
  readonly id: string;
  readonly label: string;
  readonly numerator: readonly RatioTerm[];
  readonly denominator: readonly RatioTerm[];
  readonly scale: number;
  readonly periodSeconds: number;
}

export type LambdaMetricName = 'Invocations' | 'Errors' | 'Throttles' | 'Duration';

/** What Lambda records of a wired function. */
export interface LambdaSeries {
  readonly kind: 'lambda';
  readonly id: string;
  readonly label: string;
  readonly function: FunctionName;
  readonly metric: LambdaMetricName;
  readonly stat: Stat;
  readonly periodSeconds: number;
}

/** A dead-letter queue: each EventBridge-triggered function's own, and the rejected events'. */
export type DeadLetterQueue = FunctionName | 'RejectedEvents';

/** Messages waiting in a dead-letter queue (SQS's ApproximateNumberOfMessagesVisible). */
export interface QueueDepthSeries {
  readonly kind: 'queueDepth';
  readonly id: string;
  readonly label: string;
  readonly queue: DeadLetterQueue;
  readonly stat: 'Maximum';
  readonly periodSeconds: number;
}

export type Series = MetricSeries | FoundSeries | RatioSeries | LambdaSeries | QueueDepthSeries;

export interface Annotation {
  readonly value: number;
  readonly label: string;
}

export interface GraphWidget {
  /** Stable: the local page marks each widget with it (`data-widget`). */
  readonly id: string;
  readonly title: string;
  /** Columns of CloudWatch's 24-column grid. */
  readonly width: number;
  readonly height: number;
  readonly left: readonly Series[];
  readonly right?: readonly Series[];
  readonly leftAnnotations?: readonly Annotation[];
}

export interface Row {
  readonly id: string;
  readonly title: string;
  readonly widgets: readonly GraphWidget[];
}

const campaigns = campaignSchema.options;
const functionNames = Object.keys(wiring) as FunctionName[];

/** What the layout depends on: the winback steps, the shop's currencies and the base currency, the loyalty programme run. */
export interface LayoutConfig {
  readonly winback: Pick<Config['winback'], 'steps'>;
  readonly shop: Pick<Config['shop'], 'currencies'>;
  readonly kpis: Pick<Config['kpis'], 'baseCurrency'>;
  readonly loyalty?: Pick<NonNullable<Config['loyalty']>, 'tiers'>;
  readonly referral?: object;
}

/** The campaigns the shop runs: the three always; the loyalty programme's when configured (docs/design.md §10). */
export const campaignsShown = (config: Pick<LayoutConfig, 'loyalty' | 'referral'>): Campaign[] =>
  campaigns.filter((campaign) => (campaign === 'tier' || campaign === 'points' || campaign === 'referral' ? programmeRuns(config, campaign) : true));

/** The dimensions of a metric a series reads, as CloudWatch and the local store both name them. */
export const metricDimensions = (series: Pick<MetricSeries, 'campaign' | 'step' | 'tier' | 'currency' | 'baseCurrency'>): Record<string, string> => ({
  ...serviceDimension,
  ...(series.campaign && { campaign: series.campaign }),
  ...(series.step !== undefined && { step: String(series.step) }),
  ...(series.tier && { [tierDimension]: series.tier }),
  ...(series.currency && { [currencyDimension]: series.currency }),
  ...(series.baseCurrency && { [baseCurrencyDimension]: series.baseCurrency }),
});

/** A series' id and label for one value of its dimension: `averageOrderValue@MYR`, "Average order value (MYR)". */
export const valueSeries = (series: Pick<MetricSeries | FoundSeries, 'id' | 'label'>, value: string) => ({
  id: `${series.id}@${value}`,
  label: `${series.label} (${value})`,
});
/** Converted to the base currency: `averageOrderValue@all-in-EUR`, "Average order value (all in EUR)". */
const convertedSeries = (series: MetricSeries, currency: string): MetricSeries => ({
  ...series,
  id: `${series.id}@all-in-${currency}`,
  label: `${series.label} (all in ${currency})`,
  baseCurrency: currency,
});

const metric = (key: MetricKey, stat: Stat, periodSeconds: number, campaign?: Campaign): MetricSeries => ({
  kind: 'metric',
  id: campaign ? `${key}:${campaign}` : key,
  label: campaign ? `${campaign} ${catalogue[key].label}` : catalogue[key].label,
  key,
  ...(campaign && { campaign }),
  stat,
  periodSeconds,
});
/** A metric of one step of a campaign's sequence. */
const stepMetric = (key: StepMetric, campaign: Campaign, step: number): MetricSeries => ({
  ...metric(key, 'Sum', hour, campaign),
  id: `${key}:${campaign}:${step}`,
  label: `step ${step} ${catalogue[key].label}`,
  step,
});
/** Counts per hour, as the alarms evaluate them. */
const count = (key: PerCampaignMetric, campaign: Campaign) => metric(key, 'Sum', hour, campaign);
/** The KPIs are daily gauges: one value a day, for the trailing period. */
const kpi = (key: ServiceMetric | MoneyMetric) => metric(key, 'Maximum', day);

/**
 * A series as configured: a count as it is; an amount of money once per currency (those of
 * `shop.currencies`, else every currency found) and, with a base currency, converted to it.
 */
const inCurrencies = (series: MetricSeries, config: LayoutConfig): Series[] => {
  if (!isMoney(series.key)) return [series];
  const { currencies } = config.shop;
  const { baseCurrency } = config.kpis;
  return [
    ...(currencies
      ? currencies.map((currency): MetricSeries => ({ ...series, ...valueSeries(series, currency), currency }))
      : [{ ...series, kind: 'found', dimension: currencyDimension } satisfies FoundSeries]),
    ...(baseCurrency ? [convertedSeries(series, baseCurrency)] : []),
  ];
};

const graph = (id: string, title: string, width: number, left: Series[], more: Partial<GraphWidget> = {}): GraphWidget => ({
  id,
  title,
  width,
  height: 6,
  left,
  ...more,
});

/** A row per campaign: every catalogue metric that applies to it, and for a sequence, its funnel per step. */
const campaignRow = (campaign: Campaign, steps: number, config: LayoutConfig): Row => {
  const applies = new Set(metricsOf(campaign));
  const some = (keys: PerCampaignMetric[]) => keys.filter((key) => applies.has(key)).flatMap((key) => inCurrencies(count(key, campaign), config));
  const widgets: GraphWidget[] = [
    graph(`${campaign}-sweep`, `${campaign}: sweep`, 6, some(['eligible', 'sent', 'deferred', 'suppressed', 'heldOut', 'failed'])),
    graph(`${campaign}-skipped`, `${campaign}: skipped`, 6, some(['duplicate', 'missed', 'ineligible', 'ended', 'fatigued'])),
    graph(`${campaign}-delivery`, `${campaign}: delivery`, 6, some(['delivered', 'bounced', 'complained', 'opened', 'clicked'])),
    graph(`${campaign}-conversions`, `${campaign}: conversions`, 6, some(['converted', 'reverted', 'referralConverted']), { right: some(['revenue', 'referralRevenue']) }),
  ];
  if (applies.has('npsResponses') && applies.has('npsScore')) {
    const average: RatioSeries = {
      kind: 'ratio',
      id: `npsAverage:${campaign}`,
      label: 'Average score',
      numerator: [{ key: 'npsScore', campaign }],
      denominator: [{ key: 'npsResponses', campaign }],
      scale: 1,
      periodSeconds: hour,
    };
    widgets.push(graph(`${campaign}-nps`, `${campaign}: responses and average score`, 24, some(['npsResponses']), { right: [average] }));
  }
  if (steps > 1) {
    // A step's conversions only where the campaign converts (a referral's steps: what each sent).
    const each = (key: StepMetric) => (applies.has(key) ? Array.from({ length: steps }, (_, i) => inCurrencies(stepMetric(key, campaign, i + 1), config)).flat() : []);
    widgets.push(graph(`${campaign}-steps`, `${campaign}: per step`, 24, [...each('sent'), ...each('converted')], { right: each('revenue') }));
  }
  return { id: campaign, title: campaign, widgets: widgets.filter((w) => w.left.length + (w.right?.length ?? 0) > 0) };
};

/**
 * A rate over every campaign, in %, of what SES reported back (delivered + bounced), as SES computes it:
 * from the service-wide totals the ses-events function emits beside the per-campaign counts, since an
 * alarm's metric math holds at most 10 metrics and six campaigns' terms would be 18.
 */
const deliverabilityRate = (id: string, of: CampaignMetric, label: string): RatioSeries => ({
  kind: 'ratio',
  id,
  label,
  numerator: [{ key: of }],
  denominator: [{ key: 'delivered' }, { key: 'bounced' }],
  scale: 100,
  periodSeconds: hour,
});

/** What the bounce and complaint alarms evaluate: the same series the dashboard draws. */
export const bounceRate = deliverabilityRate('bounceRate', 'bounced', 'Bounce rate (%)');
export const complaintRate = deliverabilityRate('complaintRate', 'complained', 'Complaint rate (%)');

const deliverabilityRow: Row = {
  id: 'deliverability',
  title: 'Deliverability',
  widgets: [
    graph('deliverability-bounce-rate', 'Bounce rate (%)', 12, [bounceRate], {
      leftAnnotations: [
        { value: alarmThresholds.bounceRatePercent, label: 'alarm' },
        { value: sesReviewLevels.bounceRatePercent, label: 'SES review' },
      ],
    }),
    graph('deliverability-complaint-rate', 'Complaint rate (%)', 12, [complaintRate], {
      leftAnnotations: [
        { value: alarmThresholds.complaintRatePercent, label: 'alarm' },
        { value: sesReviewLevels.complaintRatePercent, label: 'SES review' },
      ],
    }),
  ],
};

const kpiRow = (config: LayoutConfig): Row => ({
  id: 'kpis',
  title: 'Retention KPIs',
  widgets: [
    graph('kpi-customers', 'Active and new customers', 8, [kpi('activeCustomers'), kpi('newCustomers')]),
    graph('kpi-rates', 'Retention, churn, repeat purchase and winback rates (%)', 8, [
      kpi('retentionRate'),
      kpi('churnRate'),
      kpi('repeatPurchaseRate'),
      kpi('winbackRate'),
    ]),
    graph(
      'kpi-order-value',
      'Average order value and customer lifetime value, revenue (right), per currency',
      8,
      [...inCurrencies(kpi('averageOrderValue'), config), ...inCurrencies(kpi('customerLifetimeValue'), config)],
      { right: inCurrencies(kpi('periodRevenue'), config) },
    ),
    graph('kpi-purchase-frequency', 'Purchase frequency (orders per ordering customer)', 8, [kpi('purchaseFrequency')]),
    graph('kpi-nps', 'NPS', 8, [kpi('nps')]),
    graph(
      'kpi-attributed-revenue',
      'Revenue attributed per campaign (period), per currency',
      8,
      campaigns
        .filter((campaign) => metricsOf(campaign).includes('attributedRevenue'))
        .flatMap((campaign) => inCurrencies(metric('attributedRevenue', 'Maximum', day, campaign), config)),
    ),
  ],
});

/** Every function EventBridge or a queue invokes has its own dead-letter queue; http and invoked functions answer their caller instead. */
export const deadLetterQueues: readonly DeadLetterQueue[] = [
  ...functionNames.filter((name) => !answersItsCaller(wiring[name].trigger)),
  'RejectedEvents',
];

const health = 5 * minute;
const lambda = (metricName: LambdaMetricName, stat: Stat) =>
  functionNames.map((name): LambdaSeries => ({ kind: 'lambda', id: `${metricName}:${name}`, label: name, function: name, metric: metricName, stat, periodSeconds: health }));

/** The loyalty programme's own figures (docs/design.md §10): points per day, customers per tier; its emails have their rows. */
const loyaltyRow = (config: LayoutConfig): Row => ({
  id: 'loyalty',
  title: 'Loyalty programme',
  widgets: [
    graph('loyalty-points', 'Points issued, redeemed and expired (per day)', 12, [metric('pointsIssued', 'Sum', day), metric('pointsRedeemed', 'Sum', day), metric('pointsExpired', 'Sum', day)]),
    // Every tier counted, as the published settings name them.
    graph('loyalty-tiers', 'Customers per tier', 12, config.loyalty?.tiers.length ? [{ ...kpi('tierCustomers'), kind: 'found', dimension: tierDimension }] : []),
  ].filter((w) => w.left.length > 0),
});

const healthRow = (config: LayoutConfig): Row => ({
  id: 'health',
  title: 'Health',
  widgets: [
    graph('health-errors', 'Function errors', 8, lambda('Errors', 'Sum')),
    graph('health-throttles', 'Function throttles', 8, lambda('Throttles', 'Sum')),
    graph('health-duration', 'Function duration (max, ms)', 8, lambda('Duration', 'Maximum')),
    graph(
      'health-dead-letters',
      'Dead letters (visible messages)',
      8,
      deadLetterQueues.map((queue): QueueDepthSeries => ({ kind: 'queueDepth', id: `queue:${queue}`, label: queue, queue, stat: 'Maximum', periodSeconds: health })),
    ),
    graph('health-rejected-events', 'Rejected and ignored events', 8, [metric('deadLetters', 'Sum', hour), metric('ignoredEvents', 'Sum', hour)]),
    graph('health-sweep-duration', 'Sweep duration (max, ms)', 8, campaignsShown(config).map((campaign) => metric('sweepDuration', 'Maximum', hour, campaign))),
  ],
});

/** The steps of each campaign's sequence, as configured: the winback steps; the others send one email. */
const stepsOf = (config: LayoutConfig): Record<Campaign, number> => ({ birthday: 1, winback: config.winback.steps.length, nps: 1, tier: 1, points: 1, referral: 2 });

/** The dashboard, top to bottom: a row per campaign run, the loyalty programme's figures, deliverability, the KPIs, the system's health. */
export const dashboardLayout = (config: LayoutConfig): readonly Row[] => {
  const steps = stepsOf(config);
  return [
    ...campaignsShown(config).map((campaign) => campaignRow(campaign, steps[campaign], config)),
    ...(config.loyalty ? [loyaltyRow(config)] : []),
    deliverabilityRow,
    kpiRow(config),
    healthRow(config),
  ];
};

export const widgetsOf = (layout: readonly Row[]): GraphWidget[] => layout.flatMap((row) => row.widgets);
export const seriesOf = (widget: GraphWidget): Series[] => [...widget.left, ...(widget.right ?? [])];

/** The catalogue metrics a series reads, as `key` or `key:campaign` (a ratio reads each of its terms). */
export const metricsRead = (series: Series): string[] => {
  if (series.kind === 'metric' || series.kind === 'found') return [series.campaign ? `${series.key}:${series.campaign}` : series.key];
  if (series.kind === 'ratio') return [...series.numerator, ...series.denominator].map((term) => (term.campaign ? `${term.key}:${term.campaign}` : term.key));
  return [];
};
