/**
 * One entry of the wiring table made real: the function and its trigger.
 * - A schedule on the default bus, or a pattern on the retention bus (on the
 *   default bus with `bus: 'default'`, where SES puts its events), invokes the
 *   function asynchronously, with the wired retry policy and a dead-letter queue.
 * - A `queue` trigger is an SQS queue the function consumes through an event
 *   source mapping, reporting partial batch failures; SQS retries a message up
 *   to `maxReceiveCount` receives, then moves it to the dead-letter queue. A
 *   queue with a pattern is fed by a rule; one without, by the functions whose
 *   `permissions.enqueue` names it (bound by the stack).
 * - An `http` trigger is a set of routes on the shared links API (with
 *   `signIn: 'studio'`, on the studio's API, behind its sign-in), invoked
 *   synchronously (no retry, no dead letters).
 * - An `invoke` trigger is nothing here: the functions that invoke it are
 *   granted that (bound by the stack), and it answers them synchronously.
 * Stateless: the table, bus and secret it uses come in by props.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import type { Config } from '../functions/config';
import { visibilityTimeoutSeconds, type EventPattern, type FunctionWiring, type QueueTrigger } from '../functions/wiring';
import { CampaignFunction, type CampaignResources } from './campaign-function';
import type { WiredHttpApi } from './links-api';
import { acknowledge } from './nag';

/** Lambda retries a failed asynchronous invocation at most twice. */
const lambdaMaxRetries = 2;

/** How long a dead-letter queue keeps a message: SQS's maximum. */
const deadLetterRetention = Duration.days(14);

/**
 * The wiring table writes patterns in EventBridge's own JSON (`detail-type`);
 * CDK's `EventPattern` spells the same fields in camelCase and renders them back.
 */
export const toEventPattern = (pattern: EventPattern): events.EventPattern =>
  Object.fromEntries(
    Object.entries(pattern).map(([field, value]) => [field.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value]),
  ) as events.EventPattern;

/** A queue that holds undeliverable or refused events for 14 days, encrypted, TLS only. */
export const deadLetterQueue = (scope: Construct, id: string, reason: string): sqs.Queue => {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: deadLetterRetention,
  });
  acknowledge(queue, 'SQS3', reason);
  return queue;
};

export interface WiredFunctionProps {
  /** The entry in `functions/wiring.ts`. */
  readonly wiring: FunctionWiring;
  /** The validated shop configuration. */
  readonly config: Config;
  /** The stateful resources the function is bound to, as its permissions say. */
  readonly resources: CampaignResources;
  /**
   * The public API an `http` trigger adds its routes to.
   *
   * @default - none; required for a function with an `http` trigger
   */
  readonly linksApi?: WiredHttpApi;
  /**
   * The API an `http` trigger with `signIn: 'studio'` adds its routes to.
   *
   * @default - none; required for a function with such a trigger
   */
  readonly studioApi?: WiredHttpApi;
  /**
   * The account's default event bus, for a pattern or queue trigger with `bus: 'default'`.
   *
   * @default - none; required for a trigger on the default bus
   */
  readonly defaultBus?: events.IEventBus;
  /**
   * How long the queue of a `queue` trigger keeps a message nobody took. Shorter
   * than the dead-letter queue's 14 days: a message moved there keeps its
   * original enqueue time, so it must still have days left to be looked at.
   *
   * @default Duration.days(4)
   */
  readonly queueRetention?: Duration;
}

/**
 * Children: `Function` (+ `FunctionLogGroup`, `FunctionRole`); for a schedule
 * or an event pattern also `DeadLetterQueue` and `Trigger` (the rule); for a
 * queue `Queue` and `DeadLetterQueue` (its redrive target), and `Trigger` (the
 * rule that feeds the queue) when the queue has a pattern. The routes of an
 * `http` trigger live on the links API, or with `signIn` on the studio's API
 * (`<id>Integration` under its first route).
 */
export class WiredFunction extends Construct {
  public readonly function: CampaignFunction;
  /**
   * Where the function's failures end: failed asynchronous invocations and
   * undeliverable events, or a queue's messages past `maxReceiveCount`.
   * Undefined for an `http` trigger (synchronous).
   */
  public readonly deadLetterQueue?: sqs.Queue;
  /**
   * The EventBridge rule: the schedule or pattern that invokes the function, or
   * the pattern that feeds its queue. Undefined for `http`, and for a queue
   * that functions feed.
   */
  public readonly trigger?: events.Rule;
  /** The queue the function consumes; undefined unless the trigger is `queue`. */
  public readonly queue?: sqs.Queue;
  /** The routes on the links API (the studio's with `signIn`); empty unless the trigger is `http`. */
  public readonly routes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: WiredFunctionProps) {
    super(scope, id);
    const { wiring } = props;
    const { trigger } = wiring;

    this.function = new CampaignFunction(this, 'Function', { wiring, config: props.config }).bind(props.resources);

    if ('http' in trigger) {
      const { signIn } = trigger.http;
      const api = signIn === 'studio' ? props.studioApi : props.linksApi;
      if (!api) throw new Error(`${id}: an http trigger ${signIn ? "with signIn 'studio' needs the studio's API (props.studioApi)" : 'needs the links API (props.linksApi)'}`);
      // API Gateway invokes synchronously and returns the function's answer or
      // error to the caller: the wiring's retry policy does not apply.
      this.routes = api.addFunction(id, this.function, trigger.http);
      return;
    }
    if ('invoke' in trigger) return;

    const dlq = (this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetterQueue',
      `This queue is itself the dead-letter queue of the ${wiring.handler} function: a message that fails here is inspected by hand, there is no further queue to move it to.`,
    ));

    if ('queue' in trigger) {
      ({ queue: this.queue, rule: this.trigger } = this.consume(id, trigger.queue, dlq, props));
      return;
    }

    if (!wiring.retry) throw new Error(`${id}: a schedule or pattern trigger needs its retry policy (wiring.retry)`);
    const maxEventAge = Duration.seconds(wiring.retry.maxEventAgeSeconds);
    const rule = (this.trigger =
      'schedule' in trigger
        ? new events.Rule(this, 'Trigger', {
            description: `${wiring.handler}: ${trigger.schedule} (UTC)`,
            schedule: events.Schedule.expression(trigger.schedule),
          })
        : this.patternRule(id, trigger, props));
    // EventBridge retries only failed deliveries (throttling, an unavailable service).
    rule.addTarget(
      new targets.LambdaFunction(this.function, {
        retryAttempts: wiring.retry.attempts,
        maxEventAge,
        deadLetterQueue: dlq,
      }),
    );
    // Once Lambda has accepted the event, a handler error is retried by Lambda's
    // asynchronous invocation, which allows at most two retries; the event then
    // goes to the same queue, so every failure ends in the function's dead letters.
    this.function.configureAsyncInvoke({
      retryAttempts: Math.min(wiring.retry.attempts, lambdaMaxRetries),
      maxEventAge,
      onFailure: new destinations.SqsDestination(dlq),
    });
  }

  /** The queue, its event source mapping and, with a pattern, the rule that feeds it. */
  private consume(id: string, trigger: QueueTrigger, dlq: sqs.Queue, props: WiredFunctionProps): { queue: sqs.Queue; rule?: events.Rule } {
    const visibilityTimeout = visibilityTimeoutSeconds(props.wiring);
    const retentionPeriod = props.queueRetention ?? Duration.days(4);
    // A message must be able to use up its receives before it expires, or it is lost instead of dead-lettered.
    if (visibilityTimeout * trigger.maxReceiveCount >= retentionPeriod.toSeconds()) {
      throw new Error(`${id}: ${trigger.maxReceiveCount} receives of ${visibilityTimeout} s each outlast the queue's retention`);
    }
    const queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Hidden while an invocation holds it, so it comes back only once that invocation is over.
      visibilityTimeout: Duration.seconds(visibilityTimeout),
      retentionPeriod,
      deadLetterQueue: { queue: dlq, maxReceiveCount: trigger.maxReceiveCount },
    });

    this.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: trigger.batchSize,
        maxConcurrency: trigger.maxConcurrency,
        // The handler reports the records that failed; SQS retries only those.
        reportBatchItemFailures: true,
      }),
    );

    if (!trigger.pattern) return { queue }; // fed by the functions that enqueue to it
    // The message body is the EventBridge event, which the handler parses.
    // EventBridge retries a failed delivery to SQS for 24 hours (its default),
    // then puts the event in the same dead-letter queue, body for body like a
    // message SQS moved there: every failure of the function ends in one place.
    const rule = this.patternRule(id, { pattern: trigger.pattern, bus: trigger.bus }, props);
    rule.addTarget(new targets.SqsQueue(queue, { deadLetterQueue: dlq }));
    const shopify = props.config.sources.shopify;
    if (trigger.platformPattern && shopify) {
      // The partner event bus, associated with the source Shopify created; its events feed the same queue.
      const partnerBus = new events.EventBus(this, 'ShopifyBus', { eventSourceName: shopify.eventSourceName });
      new events.Rule(this, 'ShopifyTrigger', {
        description: `${props.wiring.handler}: Shopify's webhooks on its partner event bus`,
        eventBus: partnerBus,
        eventPattern: toEventPattern(trigger.platformPattern),
      }).addTarget(new targets.SqsQueue(queue, { deadLetterQueue: dlq }));
    }
    return { queue, rule };
  }

  private patternRule(id: string, trigger: { pattern: EventPattern; bus?: 'default' }, props: WiredFunctionProps): events.Rule {
    return new events.Rule(this, 'Trigger', {
      description: `${props.wiring.handler}: events on the ${trigger.bus ?? 'retention'} bus`,
      eventBus: trigger.bus === 'default' ? defaultBusOf(id, props) : props.resources.bus,
      eventPattern: toEventPattern(trigger.pattern),
    });
  }
}

const defaultBusOf = (id: string, props: WiredFunctionProps): events.IEventBus => {
  if (!props.defaultBus) throw new Error(`${id}: a trigger on the default bus needs it (props.defaultBus)`);
  return props.defaultBus;
};
