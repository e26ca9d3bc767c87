/**
 * What every handler runs on: configuration and AWS clients. On Lambda it is
 * read once from the environment the CDK stack sets; the local runtime builds
 * the same object pointed at dynalite, aws-ses-v2-local and its event bus.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { parseConfig, type Config } from './config';
import { createDocumentClient } from './adapters/dynamodb/client';
import { patientRetries } from './adapters/retries';
import { parseKeyring, type Keyring } from './links/signed-token';
import type { FunctionWiring } from './wiring';
import { dynamoContentStore } from './adapters/dynamodb/content';
import { contentMaxAgeMs, publishedContent, type PublishedContentSource } from './content/published';

/** The environment variables the stack sets: named once, here. */
export const environment = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  configurationSetName: 'CONFIGURATION_SET_NAME',
  config: 'RETENTION_CONFIG',
  signingSecretArn: 'SIGNING_SECRET_ARN',
  wooCommerceSecretArn: 'WOOCOMMERCE_SECRET_ARN',
  templatesDir: 'TEMPLATES_DIR',
  sendJobsQueueUrl: 'SEND_JOBS_QUEUE_URL',
  /** The MJML function, for the function that invokes it (functions/adapters/mjml-function.ts). */
  mjmlFunctionName: 'MJML_FUNCTION_NAME',
} as const;

/**
 * Attempts the SDK makes per call (adapters/retries.ts). DynamoDB throttles as
 * part of normal life: ten attempts, as the SDKs long defaulted to for it, so
 * that throttling or lost answers rarely fail a whole invocation. SendEmail is
 * never repeated by the SDK: whether a lost answer was a sent email is for the
 * send ledger to decide.
 */
export const sdkAttempts = { dynamodb: 10, events: 5, sqs: 5, ses: 1, lambda: 3 } as const;

export interface Runtime {
  config: Config;
  tableName: string;
  dynamo: DynamoDBDocumentClient;
  ses: SESv2Client;
  configurationSetName: string;
  events: EventBridgeClient;
  eventBusName: string;
  sqs: SQSClient;
  /** The queue of send jobs, for the functions that enqueue them. */
  sendJobsQueueUrl?: string;
  /**
   * The infrastructure's clock: the wall clock on AWS, the bus clock locally.
   * For leases, and so that nothing is planned before the moment it is decided;
   * business time otherwise always comes from the event (docs/design.md §2).
   */
  now: () => Date;
  /**
   * How a handler waits within an invocation (the sender's pace, its backoff when SES throttles): real time
   * when absent, as on AWS. The local stack's does not wait: its clock stands still while a handler runs.
   */
  wait?: (ms: number) => Promise<unknown>;
  /** Keys that sign links; the first is current, the others still verify. */
  keyring: () => Promise<Keyring>;
  /** The secret WooCommerce signs its webhooks with; undefined when the shop has not configured WooCommerce. */
  wooCommerceSecret: () => Promise<string | undefined>;
  /** The default templates (content version 0): the project's `templates/`, compiled in a Lambda bundle. */
  templatesDir: string;
  /** The published templates and campaign settings (docs/design.md §9): what to run each invocation by. */
  content: PublishedContentSource;
}

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

const unwiredError = (what: string, permission: string) =>
  new Error(`${what}: this function's wiring (functions/wiring.ts) has no "${permission}" permission`);

/** Stands in for a client the function's wiring does not permit: any use says so. */
const unwired = <T extends object>(what: string, permission: string): T =>
  new Proxy({} as T, {
    get() {
      throw unwiredError(what, permission);
    },
  });

/**
 * The runtime of a Lambda function, with the SDK clients its wiring permits
 * and no others, so a bundle imports only the clients its function calls
 * (importing all of them cost every function about 110 ms of cold start).
 */
export const runtimeFromEnvironment = async (permissions: FunctionWiring['permissions']): Promise<Runtime> => {
  // By these paths, lib/bundle.ts leaves out of a function's bundle the modules its wiring does not permit (`runtimeImports`).
  const [ses, events, sqs, secrets] = await Promise.all([
    permissions.sendEmail ? import('./adapters/ses').then((ses) => ses.sesClient({ retryStrategy: patientRetries(sdkAttempts.ses) })) : undefined,
    permissions.putEvents
      ? import('./adapters/eventbridge').then((events) => events.eventBridgeClient({ retryStrategy: patientRetries(sdkAttempts.events) }))
      : undefined,
    permissions.enqueue ? import('./adapters/sqs').then((sqs) => sqs.sqsClient({ retryStrategy: patientRetries(sdkAttempts.sqs) })) : undefined,
    permissions.signingSecret || permissions.webhookSecret ? import('./adapters/secrets-manager') : undefined,
  ]);
  const config = parseConfig(JSON.parse(process.env[environment.config] ?? '{}'));
  const tableName = required(environment.tableName);
  const dynamo = createDocumentClient({ retryStrategy: patientRetries(sdkAttempts.dynamodb) });
  const templatesDir = process.env[environment.templatesDir] ?? 'templates';
  return {
    config,
    tableName,
    dynamo,
    ses: ses ?? unwired('SES', 'sendEmail'),
    configurationSetName: required(environment.configurationSetName),
    events: events ?? unwired('EventBridge', 'putEvents'),
    eventBusName: required(environment.eventBusName),
    sqs: sqs ?? unwired('SQS', 'enqueue'),
    sendJobsQueueUrl: process.env[environment.sendJobsQueueUrl],
    now: () => new Date(),
    // Only functions granted the signing secret read it, on first use.
    keyring: secrets
      ? () => secrets.secretsManagerKeyring(required(environment.signingSecretArn))()
      : () => Promise.reject(unwiredError('the signing keys', 'signingSecret')),
    wooCommerceSecret: async () => {
      const arn = process.env[environment.wooCommerceSecretArn];
      if (!arn) return undefined;
      if (!secrets || !permissions.webhookSecret) throw unwiredError('the webhook secret', 'webhookSecret');
      return secrets.secretsManagerString(arn)();
    },
    templatesDir,
    content: publishedContent({ store: dynamoContentStore(dynamo, tableName), config, templatesDir, maxAgeMs: contentMaxAgeMs }),
  };
};

export type Handler<E> = (event: E, context: Context) => Promise<unknown>;

/**
 * The Lambda entry point of a handler module: the runtime is built on the
 * first invocation, with what the function's entry in the wiring table
 * permits, so importing a handler (as the local runtime does) reads nothing.
 */
export const lambdaHandler = <E>(create: (runtime: Runtime) => Handler<E>, wiring: Pick<FunctionWiring, 'permissions'>): Handler<E> => {
  let handler: Promise<Handler<E>> | undefined;
  return async (event, context) => {
    handler ??= runtimeFromEnvironment(wiring.permissions)
      .then(create)
      .catch((error: unknown) => {
        handler = undefined; // built again by the next invocation, as before any failure
        throw error;
      });
    return (await handler)(event, context);
  };
};

export { parseKeyring };
