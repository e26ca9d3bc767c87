/**
 * What ops watch (docs/design.md §7, issue 7): one CloudWatch dashboard, drawn from the
 * one dashboard layout (functions/ops/dashboard-layout.ts) that the local
 * dashboard draws too: a row per campaign, deliverability, the retention KPIs
 * and the system's health. And the alarms, each notifying one encrypted SNS topic.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { campaignSchema, type Campaign } from '../functions/events/retention';
import { catalogue, namespace } from '../functions/metrics';
import {
  alarmThresholds,
  bounceRate,
  complaintRate,
  dashboardLayout,
  deadLetterQueues,
  metricDimensions,
  type DeadLetterQueue,
  type FoundSeries,
  type GraphWidget,
  type LayoutConfig,
  type RatioTerm,
  type Series,
} from '../functions/ops/dashboard-layout';
import { wiring, type FunctionName } from '../functions/wiring';
import type { WiredFunction } from './wired-function';

export { alarmThresholds };

/** The wiring key of a campaign's sweep (`birthdaySweep`). */
export const sweepOf = (campaign: Campaign): FunctionName => {
  const name = `${campaign}Sweep`;
  if (!(name in wiring)) throw new Error(`no ${name} in the wiring table`);
  return name as FunctionName;
};

export interface RetentionDashboardProps {
  /** The shop configuration: how many steps the winback sequence has, the shop's currencies and the base currency. */
  readonly config: LayoutConfig;
  /** Every wired function, by wiring key. */
  readonly functions: Record<FunctionName, WiredFunction>;
  /** The queue of events the engine refused. */
  readonly rejectedEvents: sqs.IQueue;
  /**
   * How far back the dashboard opens.
   *
   * @default Duration.days(7)
   */
  readonly defaultInterval?: Duration;
}

/** A metric-math id for a ratio term: unique per metric and campaign (`bounced0`). */
const termId = (term: RatioTerm) => (term.campaign ? `${term.key}${campaignSchema.options.indexOf(term.campaign)}` : `${term.key}All`);

/**
 * A metric once per value of its dimension emitted (a currency, a loyalty tier): a search over the
 * metrics with exactly its dimensions and that one, one line per value, labelled with it (a dynamic label).
 */
export const dimensionSearch = (series: FoundSeries) => {
  const dimensions = metricDimensions(series);
  const schema = [namespace, series.dimension, ...Object.keys(dimensions)].join(',');
  const filters = Object.entries({ MetricName: catalogue[series.key].name, ...dimensions }).map(([name, value]) => `${name}="${value}"`);
  return {
    expression: `SEARCH('{${schema}} ${filters.join(' ')}', '${series.stat}', ${series.periodSeconds})`,
    label: `${series.label} (\${PROP('Dim.${series.dimension}')})`,
  };
};

/**
 * Construct ids (a contract): `Dashboard`, `AlarmKey`, `AlarmTopic`,
 * `BounceRate`, `ComplaintRate`, `<name>DeadLetters`, `RejectedEventsDeadLetters`,
 * `<name>Errors`, `<name>NearTimeout`.
 */
export class RetentionDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly topic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RetentionDashboardProps) {
    super(scope, id);
    const names = Object.keys(props.functions) as FunctionName[];
    const fn = (name: FunctionName) => props.functions[name].function;
    const queueOf = (queue: DeadLetterQueue): sqs.IQueue => {
      const found = queue === 'RejectedEvents' ? props.rejectedEvents : props.functions[queue].deadLetterQueue;
      if (!found) throw new Error(`${queue} has no dead-letter queue`);
      return found;
    };

    const key = new kms.Key(this, 'AlarmKey', {
      description: 'Encrypts the retention alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to an encrypted topic only with a customer managed key they may use.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Retention engine alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const notify = new actions.SnsAction(this.topic);
    /** Fires on any value above the threshold; no data (nothing happened) is not a breach. */
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, alarmDescription: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription,
      });
      created.addAlarmAction(notify);
      this.alarms.push(created);
      return created;
    };

    /** A series of the layout as a CloudWatch metric or metric-math expression. */
    const draw = (series: Series): cloudwatch.IMetric => {
      const period = Duration.seconds(series.periodSeconds);
      const options = series.kind === 'ratio' ? {} : { statistic: series.stat, period, label: series.label };
      switch (series.kind) {
        case 'metric':
          return new cloudwatch.Metric({
            namespace,
            metricName: catalogue[series.key].name,
            dimensionsMap: metricDimensions(series),
            ...options,
          });
        case 'found':
          return new cloudwatch.SearchExpression({ ...dimensionSearch(series), period });
        case 'ratio': {
          const term = (t: RatioTerm) => draw({ kind: 'metric', id: termId(t), label: termId(t), key: t.key, campaign: t.campaign, stat: 'Sum', periodSeconds: series.periodSeconds });
          const sum = (terms: readonly RatioTerm[]) => terms.map((t) => `FILL(${termId(t)}, 0)`).join(' + ');
          return new cloudwatch.MathExpression({
            expression: `${series.scale === 1 ? '' : `${series.scale} * `}(${sum(series.numerator)}) / (${sum(series.denominator)})`,
            usingMetrics: Object.fromEntries([...series.numerator, ...series.denominator].map((t) => [termId(t), term(t)])),
            label: series.label,
            period,
          });
        }
        case 'lambda':
          return fn(series.function).metric(series.metric, options);
        case 'queueDepth':
          return queueOf(series.queue).metricApproximateNumberOfMessagesVisible(options);
      }
    };
    const widget = (w: GraphWidget) =>
      new cloudwatch.GraphWidget({
        title: w.title,
        width: w.width,
        height: w.height,
        left: w.left.map(draw),
        right: w.right?.map(draw),
        leftAnnotations: w.leftAnnotations?.map((a) => ({ ...a })),
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-retention`,
      defaultInterval: props.defaultInterval ?? Duration.days(7),
    });
    for (const row of dashboardLayout(props.config)) {
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${row.title}`, width: 24, height: 1 }), ...row.widgets.map(widget));
    }

    // Deliverability: the rates the dashboard draws, before SES's review levels.
    alarm('BounceRate', draw(bounceRate), alarmThresholds.bounceRatePercent, `Bounce rate above ${alarmThresholds.bounceRatePercent} % over an hour, before SES's review level`);
    alarm('ComplaintRate', draw(complaintRate), alarmThresholds.complaintRatePercent, `Complaint rate above ${alarmThresholds.complaintRatePercent} % over an hour, before SES's review level`);

    // Health: any dead letter, any function error.
    for (const queue of deadLetterQueues) {
      alarm(
        `${queue}DeadLetters`,
        queueOf(queue).metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        0,
        `A message waits in the ${queue} dead-letter queue`,
      );
    }
    for (const name of names) {
      alarm(`${name}Errors`, fn(name).metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }), 0, `The ${name} function failed`);
    }
    // Lambda's own duration: recorded even when the sweep times out (and so emits no metric of its own).
    for (const campaign of campaignSchema.options) {
      const name = sweepOf(campaign);
      alarm(
        `${name}NearTimeout`,
        fn(name).metricDuration({ statistic: 'Maximum', period: Duration.hours(1) }),
        wiring[name].timeoutSeconds * 1000 * alarmThresholds.sweepTimeoutShare,
        `The ${campaign} sweep ran above ${alarmThresholds.sweepTimeoutShare * 100} % of its ${wiring[name].timeoutSeconds} s timeout`,
      );
    }
  }
}
