/**
 * The retention engine on AWS (DESIGN §7): the stateful resources, an SES
 * configuration set whose events reach EventBridge, and one function per entry
 * of the wiring table with its trigger, retry policy and dead-letter queue.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../functions/config';
import { deadLetterPattern, wiring, type FunctionName } from '../functions/wiring';
import { RetentionState, type RetentionStateProps } from './state';
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
}

/**
 * Construct ids (a contract; renaming one replaces the resource):
 * `State` (`Table`, `Bus`, `SigningSecret`), `ConfigurationSet` (`ToEventBridge`),
 * `DefaultBus`, one `WiredFunction` per wiring key (`ingest`, `birthdaySweep`, ...),
 * `RejectedEvents` and `RejectedEventsRule`.
 */
export class RetentionStack extends Stack {
  public readonly state: RetentionState;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly functions: Record<FunctionName, WiredFunction>;
  /** Events the engine refused (`Event Rejected`), each with its reason. */
  public readonly rejectedEvents: sqs.Queue;

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
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
    });

    const resources = {
      table: this.state.table,
      bus: this.state.bus,
      configurationSet: this.configurationSet,
      signingSecret: this.state.signingSecret,
    };
    this.functions = Object.fromEntries(
      (Object.keys(wiring) as FunctionName[]).map((name) => [
        name,
        new WiredFunction(this, name, { wiring: wiring[name], config: props.config, resources }),
      ]),
    ) as Record<FunctionName, WiredFunction>;

    this.rejectedEvents = deadLetterQueue(
      this,
      'RejectedEvents',
      'This queue is the terminal store of rejected events (DESIGN §3): each message already carries its rejection reason, and there is nothing further to redrive it to.',
    );
    new events.Rule(this, 'RejectedEventsRule', {
      description: 'Events the engine refused, with their reason, kept for inspection',
      eventBus: this.state.bus,
      eventPattern: toEventPattern(deadLetterPattern),
      targets: [new targets.SqsQueue(this.rejectedEvents)],
    });

    new CfnOutput(this, 'EventBusName', {
      description: 'Publish shop events (source "shop") to this bus',
      value: this.state.bus.eventBusName,
    });
    new CfnOutput(this, 'TableName', { value: this.state.table.tableName });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });
    for (const [name, wired] of Object.entries(this.functions)) {
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
        description: `Events the ${name} function could not process`,
        value: wired.deadLetterQueue.queueUrl,
      });
    }
    new CfnOutput(this, 'RejectedEventsQueueUrl', {
      description: 'Shop events that failed their schema, with the reason',
      value: this.rejectedEvents.queueUrl,
    });
  }
}
