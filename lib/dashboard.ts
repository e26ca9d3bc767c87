/**
 * What ops watch (DESIGN §7, issue 7): one CloudWatch dashboard, drawn from the
 * metrics catalogue (functions/metrics.ts), with a row per campaign, one for
 * deliverability and one for the system's health; and the alarms, each
 * notifying one encrypted SNS topic.
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
import { catalogue, metricsOf, namespace, serviceDimension, type CampaignMetric } from '../functions/metrics';
import { wiring, type FunctionName } from '../functions/wiring';
import type { WiredFunction } from './wired-function';

/** Early warnings, below SES's review levels of 5 % and 0.1 %. */
export const alarmThresholds = { bounceRatePercent: 2, complaintRatePercent: 0.08, sweepTimeoutShare: 0.8 } as const;

/** The wiring key of a campaign's sweep (`birthdaySweep`). */
export const sweepOf = (campaign: Campaign): FunctionName => {
  const name = `${campaign}Sweep`;
  if (!(name in wiring)) throw new Error(`no ${name} in the wiring table`);
  return name as FunctionName;
};

export interface RetentionDashboardProps {
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

const rateWindow = Duration.hours(1);

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
    const campaigns = campaignSchema.options;
    const names = Object.keys(props.functions) as FunctionName[];

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
    const alarm = (alarmId: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, props);
      created.addAlarmAction(notify);
      this.alarms.push(created);
      return created;
    };

    const metric = (keyName: CampaignMetric, campaign: Campaign, statistic = 'Sum', period = rateWindow) =>
      new cloudwatch.Metric({
        namespace,
        metricName: catalogue[keyName].name,
        dimensionsMap: { ...serviceDimension, campaign },
        statistic,
        period,
        label: `${campaign} ${catalogue[keyName].label}`,
      });
    const graph = (title: string, metrics: cloudwatch.IMetric[], width = 6) =>
      new cloudwatch.GraphWidget({ title, left: metrics, width, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-retention`,
      defaultInterval: props.defaultInterval ?? Duration.days(7),
    });

    // A row per campaign: every catalogue metric that applies to it.
    for (const campaign of campaigns) {
      const has = new Set(metricsOf(campaign));
      const some = (keys: CampaignMetric[]) => keys.filter((k) => has.has(k)).map((k) => metric(k, campaign));
      const widgets: cloudwatch.IWidget[] = [
        new cloudwatch.TextWidget({ markdown: `## ${campaign}`, width: 24, height: 1 }),
        graph(`${campaign}: sweep`, some(['eligible', 'sent', 'deferred', 'suppressed', 'heldOut', 'failed'])),
        graph(`${campaign}: skipped`, some(['duplicate', 'missed', 'ineligible', 'ended', 'fatigued'])),
        graph(`${campaign}: delivery`, some(['delivered', 'bounced', 'complained', 'opened', 'clicked'])),
        new cloudwatch.GraphWidget({
          title: `${campaign}: conversions`,
          left: some(['converted']),
          right: some(['revenue']),
          width: 6,
          height: 6,
        }),
      ];
      if (has.has('npsResponses') && has.has('npsScore')) {
        widgets.push(
          new cloudwatch.GraphWidget({
            title: `${campaign}: responses and average score`,
            left: [metric('npsResponses', campaign)],
            right: [
              new cloudwatch.MathExpression({
                expression: 'score / responses',
                usingMetrics: { score: metric('npsScore', campaign), responses: metric('npsResponses', campaign) },
                label: 'Average score',
                period: rateWindow,
              }),
            ],
            width: 24,
            height: 6,
          }),
        );
      }
      this.dashboard.addWidgets(...widgets);
    }

    // Deliverability: rates over every campaign, as the alarms see them.
    const sumOf = (keyName: CampaignMetric) =>
      Object.fromEntries(campaigns.map((campaign, i) => [`${keyName}${i}`, metric(keyName, campaign)]));
    const total = (keyName: CampaignMetric) =>
      campaigns.map((_, i) => `FILL(${keyName}${i}, 0)`).join(' + ');
    const rate = (of: CampaignMetric, label: string) =>
      new cloudwatch.MathExpression({
        expression: `100 * (${total(of)}) / (${total('delivered')} + ${total('bounced')})`,
        usingMetrics: { ...sumOf(of), ...sumOf('delivered'), ...sumOf('bounced') },
        label,
        period: rateWindow,
      });
    const bounceRate = rate('bounced', 'Bounce rate (%)');
    const complaintRate = rate('complained', 'Complaint rate (%)');
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## Deliverability', width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: 'Bounce rate (%)',
        left: [bounceRate],
        leftAnnotations: [{ value: alarmThresholds.bounceRatePercent, label: 'alarm' }, { value: 5, label: 'SES review' }],
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Complaint rate (%)',
        left: [complaintRate],
        leftAnnotations: [{ value: alarmThresholds.complaintRatePercent, label: 'alarm' }, { value: 0.1, label: 'SES review' }],
        width: 12,
        height: 6,
      }),
    );
    const rateAlarm = (alarmId: string, metricOf: cloudwatch.MathExpression, threshold: number, what: string) =>
      alarm(alarmId, {
        metric: metricOf,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${what} above ${threshold} % over an hour, before SES's review level`,
      });
    rateAlarm('BounceRate', bounceRate, alarmThresholds.bounceRatePercent, 'Bounce rate');
    rateAlarm('ComplaintRate', complaintRate, alarmThresholds.complaintRatePercent, 'Complaint rate');

    // The system's health.
    const fn = (name: FunctionName) => props.functions[name].function;
    const queues: [string, sqs.IQueue][] = [
      ...names.flatMap((name): [string, sqs.IQueue][] => {
        const queue = props.functions[name].deadLetterQueue;
        return queue ? [[name, queue]] : [];
      }),
      ['RejectedEvents', props.rejectedEvents],
    ];
    const visible = (label: string, queue: sqs.IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5), label });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## Health', width: 24, height: 1 }),
      graph('Function errors', names.map((name) => fn(name).metricErrors({ label: name, period: Duration.minutes(5) })), 8),
      graph('Function throttles', names.map((name) => fn(name).metricThrottles({ label: name, period: Duration.minutes(5) })), 8),
      graph(
        'Function duration (max, ms)',
        names.map((name) => fn(name).metricDuration({ label: name, statistic: 'Maximum', period: Duration.minutes(5) })),
        8,
      ),
      graph('Dead letters (visible messages)', queues.map(([label, queue]) => visible(label, queue)), 12),
      graph('Sweep duration (max, ms)', campaigns.map((campaign) => metric('sweepDuration', campaign, 'Maximum')), 12),
    );

    for (const [label, queue] of queues) {
      alarm(`${label}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `A message waits in the ${label} dead-letter queue`,
      });
    }
    for (const name of names) {
      alarm(`${name}Errors`, {
        metric: fn(name).metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `The ${name} function failed`,
      });
    }
    // Lambda's own duration: recorded even when the sweep times out (and so emits no metric of its own).
    for (const campaign of campaigns) {
      const name = sweepOf(campaign);
      const threshold = wiring[name].timeoutSeconds * 1000 * alarmThresholds.sweepTimeoutShare;
      alarm(`${name}NearTimeout`, {
        metric: fn(name).metricDuration({ statistic: 'Maximum', period: Duration.hours(1) }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `The ${campaign} sweep ran above ${alarmThresholds.sweepTimeoutShare * 100} % of its ${wiring[name].timeoutSeconds} s timeout`,
      });
    }
  }
}
