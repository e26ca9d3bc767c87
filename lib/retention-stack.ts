/**
 * The retention engine on AWS (docs/design.md §7): the stateful resources, an SES
 * configuration set whose events reach EventBridge, one function per entry
 * of the wiring table with its trigger (EventBridge rules with their retry
 * policy and dead-letter queue, SQS queues consumed through event source
 * mappings, or routes on the public links API), and the studio (its page,
 * its API behind Cognito sign-in) when a function is wired to it.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from './nag';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../functions/config';
import { deadLetterPattern, wiring, type FunctionName, type InvokedFunction, type QueueName } from '../functions/wiring';
import { RetentionDashboard } from './dashboard';
import { LinksApi, type HttpTrigger } from './links-api';
import { RetentionState, type RetentionStateProps } from './state';
import { Studio, type StudioProps } from './studio';
import { deadLetterQueue, toEventPattern, WiredFunction } from './wired-function';

export interface RetentionStackProps extends StackProps {
  /** The validated shop configuration (`loadConfigFile()`). */
  readonly config: Config;
  /**
   * Options of the stateful resources.
   *
   * @default - a bus named `retention`, table and secret retained on removal
   */
  readonly state?: RetentionStateProps;
  /**
   * Options of the deployed studio (its Cognito domain prefix, its page).
   *
   * @default - see `StudioProps`
   */
  readonly studio?: StudioProps;
}

/**
 * Construct ids (a contract; renaming one replaces the resource):
 * `State` (`Table`, `Bus`, `SigningSecret`), `ConfigurationSet` (`ToEventBridge`),
 * `DefaultBus`, one `WiredFunction` per wiring key (`ingest`, `birthdaySweep`, ...),
 * each with `Function`: a schedule or pattern adds `Trigger` (the rule) and
 * `DeadLetterQueue`; a queue adds `Queue`, `DeadLetterQueue` (its redrive target)
 * and, if a pattern feeds it, `Trigger` (the rule that targets the queue).
 * Then `RejectedEvents` and `RejectedEventsRule`, `LinksApi` (`Api`, `AccessLogs`)
 * when a function has an `http` trigger without `signIn`, `Studio` (lib/studio.ts)
 * when one has `signIn: 'studio'`, and `Observability` (the dashboard, alarms
 * and their topic).
 */
export class RetentionStack extends Stack {
  public readonly state: RetentionState;
  public readonly configurationSet: ses.ConfigurationSet;
  /** The account's default bus: SES puts its events there, and the `bus: 'default'` rules listen there. */
  public readonly defaultBus: events.IEventBus;
  public readonly functions: Record<FunctionName, WiredFunction>;
  /** Each queue of the wiring table, which lives with the one function that consumes it. */
  public readonly queues: { readonly [name in QueueName]?: sqs.Queue };
  /** Events the engine refused (`Event Rejected`), each with its reason. */
  public readonly rejectedEvents: sqs.Queue;
  /** The public HTTPS endpoint of the links in emails; undefined if no function is wired to a public `http` trigger. */
  public readonly linksApi?: LinksApi;
  /** The deployed studio: its user pool, API, page; undefined if no function is wired to `signIn: 'studio'`. */
  public readonly studio?: Studio;
  /** The CloudWatch dashboard, the alarms and the SNS topic they notify. */
  public readonly observability: RetentionDashboard;

  constructor(scope: Construct, id: string, props: RetentionStackProps) {
    super(scope, id, props);

    this.state = new RetentionState(this, 'State', props.state);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // SES delivers configuration-set events to the default bus only; bounces and
    // complaints are picked up from there.
    this.defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(this.defaultBus),
    });

    // WooCommerce's webhook secret: generated here, typed into the shop's webhook settings (the output names it).
    const wooCommerceSecret = props.config.sources.woocommerce
      ? new secretsmanager.Secret(this, 'WooCommerceWebhookSecret', {
          description: "The secret WooCommerce signs its webhooks with: paste it into the webhook's Secret field",
          generateSecretString: { excludePunctuation: true, passwordLength: 48 },
        })
      : undefined;
    if (wooCommerceSecret) {
      acknowledge(
        wooCommerceSecret,
        'SMG4',
        "Shared with the shop's WooCommerce, where a person pastes it into the webhook's settings: a rotation Lambda changing it alone would make every delivery fail its signature until someone pastes the new one.",
      );
    }
    const resources = {
      table: this.state.table,
      bus: this.state.bus,
      configurationSet: this.configurationSet,
      signingSecret: this.state.signingSecret,
      wooCommerceSecret,
    };
    const names = Object.keys(wiring) as FunctionName[];
    const http = names.flatMap((name) => {
      const { trigger } = wiring[name];
      return 'http' in trigger ? [trigger.http as HttpTrigger] : [];
    });
    const linksApi = http.some((trigger) => !trigger.signIn) ? new LinksApi(this, 'LinksApi') : undefined;
    this.linksApi = linksApi;
    const studio = http.some((trigger) => trigger.signIn === 'studio') ? new Studio(this, 'Studio', props.studio) : undefined;
    this.studio = studio;
    this.functions = Object.fromEntries(
      names.map((name) => [
        name,
        new WiredFunction(this, name, {
          wiring: wiring[name],
          config: props.config,
          resources,
          linksApi,
          studioApi: studio?.api,
          defaultBus: this.defaultBus,
        }),
      ]),
    ) as Record<FunctionName, WiredFunction>;

    const queues: { [name in QueueName]?: sqs.Queue } = {};
    for (const name of names) {
      const { trigger } = wiring[name];
      if (!('queue' in trigger)) continue;
      if (queues[trigger.queue.name]) throw new Error(`queue ${trigger.queue.name} has more than one consumer (${name})`);
      queues[trigger.queue.name] = this.functions[name].queue;
    }
    this.queues = queues;
    // Producers and callers are bound once every function exists: a function may come
    // before the consumer of the queue it feeds, or the function it invokes, in the table.
    for (const name of names) {
      const { enqueue, invoke } = wiring[name].permissions as { enqueue?: QueueName; invoke?: InvokedFunction };
      if (enqueue) {
        const queue = queues[enqueue];
        if (!queue) throw new Error(`${name} enqueues to ${enqueue}, which no function consumes`);
        this.functions[name].function.bindQueue(enqueue, queue);
      }
      if (invoke) {
        if (!('invoke' in wiring[invoke].trigger)) throw new Error(`${name} invokes ${invoke}, whose trigger is not invoke`);
        this.functions[name].function.bindInvoke(invoke, this.functions[invoke].function);
      }
    }

    this.rejectedEvents = deadLetterQueue(
      this,
      'RejectedEvents',
      'This queue is the terminal store of rejected events (docs/design.md §3): each message already carries its rejection reason, and there is nothing further to redrive it to.',
    );
    new events.Rule(this, 'RejectedEventsRule', {
      description: 'Events the engine refused, with their reason, kept for inspection',
      eventBus: this.state.bus,
      eventPattern: toEventPattern(deadLetterPattern),
      targets: [new targets.SqsQueue(this.rejectedEvents)],
    });

    this.observability = new RetentionDashboard(this, 'Observability', {
      config: props.config,
      functions: this.functions,
      rejectedEvents: this.rejectedEvents,
    });

    new CfnOutput(this, 'EventBusName', {
      description: 'Publish shop events (source "shop") to this bus',
      value: this.state.bus.eventBusName,
    });
    new CfnOutput(this, 'TableName', { value: this.state.table.tableName });
    if (wooCommerceSecret) {
      new CfnOutput(this, 'WooCommerceWebhookSecretName', {
        value: wooCommerceSecret.secretName,
        description: 'aws secretsmanager get-secret-value --secret-id <this> gives the secret to paste into WooCommerce (Settings → Advanced → Webhooks)',
      });
    }
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });
    for (const [name, wired] of Object.entries(this.functions)) {
      if (!wired.deadLetterQueue) continue; // http: invoked synchronously, nothing to dead-letter
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
        description: `Events the ${name} function could not process`,
        value: wired.deadLetterQueue.queueUrl,
      });
    }
    for (const [name, wired] of Object.entries(this.functions)) {
      const { trigger } = wiring[name as FunctionName];
      if (!('queue' in trigger) || !wired.queue) continue;
      new CfnOutput(this, `${trigger.queue.name}QueueUrl`, {
        description: `The ${trigger.queue.name} queue the ${name} function consumes: where a redrive of ${name}DeadLetterQueueUrl goes`,
        value: wired.queue.queueUrl,
      });
    }
    new CfnOutput(this, 'RejectedEventsQueueUrl', {
      description: 'Shop events that failed their schema, with the reason',
      value: this.rejectedEvents.queueUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe to this topic to hear of the alarms (bounce and complaint rates, dead letters, errors, slow sweeps)',
      value: this.observability.topic.topicArn,
    });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    if (linksApi) {
      new CfnOutput(this, 'LinksApiUrl', {
        description:
          'Base URL of the survey and unsubscribe links in emails: put it (or a custom domain in front of it) into shop.linkBaseUrl of retention.config.json, then deploy again. Until then emails carry the configured linkBaseUrl (by default https://links.shop.example, which reaches no one).',
        value: linksApi.url,
      });
    }
  }
}
