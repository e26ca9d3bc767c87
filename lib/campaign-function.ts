/**
 * A Lambda function of the engine: defaults fixed once (Node.js 22, arm64,
 * X-Ray, one month of logs, the bundle lib/bundle.ts makes), and
 * `bindXxx` methods that set an environment variable and grant its permission
 * in the same call, so the two cannot disagree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../functions/config';
import { environment } from '../functions/runtime';
import type { FunctionWiring, InvokedFunction, QueueName } from '../functions/wiring';
import { bundleScript, projectRoot } from './bundle';
import { acknowledge, wildcardResource } from './nag';

export { projectRoot };

/** Where a function that renders finds its compiled templates: Lambda unpacks the code to /var/task. */
export const templatesDirOnLambda = '/var/task/templates';

export interface CampaignFunctionProps {
  /** The function's entry in `functions/wiring.ts`: handler, description, sizing. */
  readonly wiring: FunctionWiring;
  /** The validated shop configuration, handed to the function as `RETENTION_CONFIG`. */
  readonly config: Config;
  /**
   * Where `functions/handlers/` and `templates/` are found.
   *
   * @default - the root of this repository
   */
  readonly projectRoot?: string;
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The environment variable that hands a queue's URL to the functions that
 * enqueue to it (`permissions.enqueue`). A queue fed only by a rule has none.
 */
export const queueUrlVariables: { readonly [name in QueueName]?: string } = {
  sendJobs: environment.sendJobsQueueUrl,
};

/** The environment variable that hands the name of an invoked function to the functions that invoke it (`permissions.invoke`). */
export const invokedFunctionVariables: { readonly [name in InvokedFunction]: string } = {
  mjml: environment.mjmlFunctionName,
};

/** The AWS resources a function may be bound to; which bindings apply is read from its wiring. */
export interface CampaignResources {
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  readonly configurationSet: ses.IConfigurationSet;
  readonly signingSecret: secretsmanager.ISecret;
  /** The secret WooCommerce signs its webhooks with, when the shop configured WooCommerce (`sources.woocommerce`). */
  readonly wooCommerceSecret?: secretsmanager.ISecret;
}

/**
 * The partition keys of the studio's content (drafts, versions, texts, audit:
 * functions/adapters/dynamodb/content.ts), as an IAM `StringLike` pattern.
 */
export const contentPartitionKeys = 'CONTENT*';

/**
 * Every way to write an item. TransactWriteItems needs no entry: IAM authorises
 * each of its items as the PutItem, UpdateItem or DeleteItem it is.
 */
export const itemWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

export class CampaignFunction extends lambda.Function {
  public readonly wiring: FunctionWiring;

  /**
   * Besides the function (`id`), creates `${id}LogGroup` and `${id}Role` next to
   * it: both must exist before the function does, so that the role can be
   * limited to writing this log group instead of carrying the AWS managed
   * basic-execution policy (logs on `*`).
   */
  constructor(scope: Construct, id: string, props: CampaignFunctionProps) {
    const root = props.projectRoot ?? projectRoot;
    if (!existsSync(join(root, 'templates'))) {
      throw new Error(`${id}: no templates/ folder in ${root} to ship with the function`);
    }
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.wiring.handler} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      description: props.wiring.description,
      code: lambda.Code.fromAsset(root, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Bundled on this machine (esbuild is a dependency of the project): no image is pulled, no command run in it.
          image: DockerImage.fromRegistry('local-bundling-only'),
          // CDK caches a bundle by these options (not by `local`): they must differ from one function to the next.
          command: ['tsx', 'lib/bundle.ts', props.wiring.handler],
          local: {
            tryBundle(outputDir) {
              // esbuild's plugins and compiling the templates are asynchronous; CDK bundles synchronously.
              execFileSync(process.execPath, ['--import', 'tsx', bundleScript, props.wiring.handler, outputDir, root], {
                cwd: projectRoot,
                stdio: ['ignore', 'inherit', 'inherit'],
              });
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.wiring.memoryMb,
      timeout: Duration.seconds(props.wiring.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        [environment.config]: JSON.stringify(props.config),
        [environment.templatesDir]: templatesDirOnLambda,
        POWERTOOLS_SERVICE_NAME: 'retention',
        // The bundle carries a source map; without this flag stack traces point into minified code.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.wiring = props.wiring;

    acknowledge(
      this,
      'L1',
      'docs/design.md §7 pins Node.js 22, the version the project is built and tested on; nodejs24.x is newer. Move when the project moves.',
    );
    acknowledge(
      role,
      'IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions, so active tracing needs Resource "*". Any other action on "*" (ses:GetAccount, for a function that sends) is acknowledged where it is granted, with its own reason.',
    );
  }

  /** `TABLE_NAME`, with read or read-write access to the table and its indexes. */
  public bindTable(table: dynamodb.ITable, mode: 'read' | 'readWrite'): this {
    this.addEnvironment(environment.tableName, table.tableName);
    if (mode === 'readWrite') table.grantReadWriteData(this);
    else table.grantReadData(this);
    acknowledge(
      this.role!,
      wildcardResource(this, `${table.tableArn}/index/*`),
      '"<table>/index/*" is the GSIs of this one table (tableSchema.indexes), which the sweeps query by due time and the outbox relay by outbox time; it names no other table.',
    );
    return this;
  }

  /**
   * An explicit Deny on writing the studio's content (`CONTENT*` partition
   * keys), whatever else the role allows: what customers receive changes only
   * through the studio's publish, checked and audited. Reading stays allowed:
   * the senders and sweeps render the published version.
   */
  public denyContentWrites(table: dynamodb.ITable): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DenyContentWrites',
        effect: iam.Effect.DENY,
        actions: itemWriteActions,
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [contentPartitionKeys] } },
      }),
    );
    return this;
  }

  /** `EVENT_BUS_NAME`; with `putEvents`, permission to publish on the bus. */
  public bindEventBus(bus: events.IEventBus, options: { putEvents: boolean }): this {
    this.addEnvironment(environment.eventBusName, bus.eventBusName);
    if (options.putEvents) bus.grantPutEventsTo(this);
    return this;
  }

  /**
   * `CONFIGURATION_SET_NAME`; with `sendEmail`, `ses:SendEmail` through this
   * configuration set only, from any identity verified in this account and
   * region, and `ses:GetAccount`: the SES adapter paces its sends by the
   * account's `SendQuota.MaxSendRate` unless the configuration fixes a rate.
   */
  public bindConfigurationSet(configurationSet: ses.IConfigurationSet, options: { sendEmail: boolean }): this {
    this.addEnvironment(environment.configurationSetName, configurationSet.configurationSetName);
    if (!options.sendEmail) return this;
    const stack = Stack.of(this);
    const identities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
          identities,
        ],
      }),
    );
    acknowledge(
      this.role!,
      wildcardResource(this, identities),
      'SES authorises SendEmail against whichever verified identity covers the From address (the address, its domain or a parent domain), verified by the shop outside this stack. Only ses:SendEmail, only in this account and region, and only together with this configuration set.',
    );
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    acknowledge(
      this.role!,
      wildcardResource(this, '*'),
      'ses:GetAccount has no resource-level permissions (the service authorization reference lists no resource type for it), so it needs Resource "*". It only reads the account\'s sending quota and status, which the sender paces itself by. X-Ray tracing needs "*" too (see the function\'s own acknowledgement).',
    );
    return this;
  }

  /**
   * The queue's URL in its environment variable (`queueUrlVariables`), with
   * permission to send messages to that queue only.
   */
  public bindQueue(name: QueueName, queue: sqs.IQueue): this {
    const variable = queueUrlVariables[name];
    if (!variable) throw new Error(`${this.node.path}: no environment variable carries the URL of queue ${name} (queueUrlVariables)`);
    this.addEnvironment(variable, queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  /**
   * The function's name in its environment variable (`invokedFunctionVariables`),
   * with permission to invoke that function alone (and its versions).
   */
  public bindInvoke(name: InvokedFunction, fn: lambda.IFunction): this {
    this.addEnvironment(invokedFunctionVariables[name], fn.functionName);
    fn.grantInvoke(this);
    acknowledge(
      this.role!,
      wildcardResource(this, `${fn.functionArn}:*`),
      `"<function>:*" is the versions and aliases of the ${name} function, which CDK's grantInvoke adds beside the function itself; it names no other function.`,
    );
    return this;
  }

  /** `SIGNING_SECRET_ARN`, with read access to the link-signing keyring. */
  public bindSigningSecret(secret: secretsmanager.ISecret): this {
    this.addEnvironment(environment.signingSecretArn, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /**
   * Every binding the function's `permissions` in the wiring table call for,
   * but `enqueue` and `invoke`: the queue belongs to its consumer, and the
   * invoked function is one of its own, either of which may come later in the
   * table, so the stack binds them (`bindQueue`, `bindInvoke`) once every
   * function exists. A function without the table (MJML's) is bound to nothing.
   */
  public bind(resources: CampaignResources): this {
    const { permissions } = this.wiring;
    if (!permissions.table) return this;
    this.bindTable(resources.table, permissions.table);
    if (!permissions.writeContent) this.denyContentWrites(resources.table);
    this.bindEventBus(resources.bus, { putEvents: permissions.putEvents ?? false });
    this.bindConfigurationSet(resources.configurationSet, { sendEmail: permissions.sendEmail ?? false });
    if (permissions.signingSecret) this.bindSigningSecret(resources.signingSecret);
    if (permissions.webhookSecret && resources.wooCommerceSecret) {
      this.addEnvironment(environment.wooCommerceSecretArn, resources.wooCommerceSecret.secretArn);
      resources.wooCommerceSecret.grantRead(this);
    }
    return this;
  }
}
