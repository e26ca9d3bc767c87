/**
 * One entry of the wiring table made real: the function and its trigger. A
 * schedule on the default bus, or a pattern on the retention bus (on the
 * default bus with `bus: 'default'`, where SES puts its events), comes with its
 * retry policy and dead-letter queue; an `http` trigger is a set of routes on
 * the shared links API, invoked synchronously (no retry, no dead letters).
 * Stateless: the table, bus and secret it uses come in by props.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import type { Config } from '../functions/config';
import type { EventPattern, FunctionWiring } from '../functions/wiring';
import { CampaignFunction, type CampaignResources } from './campaign-function';
import type { LinksApi } from './links-api';
import { acknowledge } from './nag';

/** Lambda retries a failed asynchronous invocation at most twice. */
const lambdaMaxRetries = 2;

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
    retentionPeriod: Duration.days(14),
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
  readonly linksApi?: LinksApi;
  /**
   * The account's default event bus, for a pattern trigger with `bus: 'default'`.
   *
   * @default - none; required for a pattern trigger on the default bus
   */
  readonly defaultBus?: events.IEventBus;
}

/**
 * Children: `Function` (+ `FunctionLogGroup`, `FunctionRole`); for a schedule
 * or an event pattern also `DeadLetterQueue` and `Trigger`. The routes of an
 * `http` trigger live on the links API (`<id>Integration` under its first route).
 */
export class WiredFunction extends Construct {
  public readonly function: CampaignFunction;
  /** Where failed asynchronous invocations end; undefined for an `http` trigger (synchronous). */
  public readonly deadLetterQueue?: sqs.Queue;
  /** The EventBridge rule (schedule or pattern); undefined for an `http` trigger. */
  public readonly trigger?: events.Rule;
  /** The routes on the links API; empty unless the trigger is `http`. */
  public readonly routes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: WiredFunctionProps) {
    super(scope, id);
    const { wiring } = props;

    this.function = new CampaignFunction(this, 'Function', { wiring, config: props.config }).bind(props.resources);

    if ('http' in wiring.trigger) {
      if (!props.linksApi) throw new Error(`${id}: an http trigger needs the links API (props.linksApi)`);
      // API Gateway invokes synchronously and returns the function's answer or
      // error to the visitor: the wiring's retry policy does not apply.
      this.routes = props.linksApi.addFunction(id, this.function, wiring.trigger.http);
      return;
    }

    const queue = (this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetterQueue',
      `This queue is itself the dead-letter queue of the ${wiring.handler} function: a message that fails here is inspected by hand, there is no further queue to move it to.`,
    ));

    const maxEventAge = Duration.seconds(wiring.retry.maxEventAgeSeconds);
    const rule = (this.trigger =
      'schedule' in wiring.trigger
        ? new events.Rule(this, 'Trigger', {
            description: `${wiring.handler}: ${wiring.trigger.schedule} (UTC)`,
            schedule: events.Schedule.expression(wiring.trigger.schedule),
          })
        : new events.Rule(this, 'Trigger', {
            description: `${wiring.handler}: events on the ${wiring.trigger.bus ?? 'retention'} bus`,
            eventBus: wiring.trigger.bus === 'default' ? defaultBusOf(id, props) : props.resources.bus,
            eventPattern: toEventPattern(wiring.trigger.pattern),
          }));
    // EventBridge retries only failed deliveries (throttling, an unavailable service).
    rule.addTarget(
      new targets.LambdaFunction(this.function, {
        retryAttempts: wiring.retry.attempts,
        maxEventAge,
        deadLetterQueue: queue,
      }),
    );
    // Once Lambda has accepted the event, a handler error is retried by Lambda's
    // asynchronous invocation, which allows at most two retries; the event then
    // goes to the same queue, so every failure ends in the function's dead letters.
    this.function.configureAsyncInvoke({
      retryAttempts: Math.min(wiring.retry.attempts, lambdaMaxRetries),
      maxEventAge,
      onFailure: new destinations.SqsDestination(queue),
    });
  }
}

const defaultBusOf = (id: string, props: WiredFunctionProps): events.IEventBus => {
  if (!props.defaultBus) throw new Error(`${id}: a pattern trigger on the default bus needs it (props.defaultBus)`);
  return props.defaultBus;
};
