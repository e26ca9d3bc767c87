/**
 * The stateful half of the stack: what holds customer data or must outlive a
 * deployment. It is created apart from the functions and handed to them by
 * props, so a change to a function can never replace the table, the bus or
 * the signing keys.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { tableSchema } from '../functions/adapters/dynamodb/table';
import { acknowledge } from './nag';

export interface RetentionStateProps {
  /**
   * Name of the custom bus the shop publishes its `source: "shop"` events to.
   *
   * @default 'retention'
   */
  readonly eventBusName?: string;
  /**
   * What happens to the table and the signing secret when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Construct ids below are a contract: renaming one replaces the resource and loses its data. */
export class RetentionState extends Construct {
  /** The single table (`functions/adapters/dynamodb/table.ts`), with every sparse GSI of its schema (due times, outbox), keys only. */
  public readonly table: dynamodb.Table;
  /** The bus shops publish to and the engine publishes on. */
  public readonly bus: events.EventBus;
  /**
   * The link-signing keyring, `{"current":"k1","k1":"<64 random chars>"}`.
   * Rotate by adding `k2` and pointing `current` at it; keep `k1` while links signed with it may still be clicked.
   */
  public readonly signingSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: RetentionStateProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: stringKey(tableSchema.partitionKey),
      sortKey: stringKey(tableSchema.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      removalPolicy,
    });
    for (const [indexName, index] of Object.entries(tableSchema.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? 'retention' });

    this.signingSecret = new secretsmanager.Secret(this, 'SigningSecret', {
      description: 'Keyring that signs survey and unsubscribe links: {"current": kid, kid: secret, ...}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'k1' }),
        generateStringKey: 'k1',
        excludePunctuation: true,
        passwordLength: 64,
      },
      removalPolicy,
    });
    acknowledge(
      this.signingSecret,
      'SMG4',
      'A keyring of HMAC keys for links already in customers\' inboxes: rotation adds a key and moves "current", keeping the old key until its links expire. A rotation Lambda replacing the value would break every outstanding survey and unsubscribe link.',
    );
  }
}
