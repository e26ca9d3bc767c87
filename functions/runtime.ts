/**
 * What every handler runs on: configuration and AWS clients. On Lambda it is
 * read once from the environment the CDK stack sets; the local runtime builds
 * the same object pointed at dynalite, aws-ses-v2-local and its event bus.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { parseConfig, type Config } from './config';
import { createDocumentClient } from './adapters/dynamodb/client';
import { patientRetries } from './adapters/retries';
import { secretsManagerKeyring } from './adapters/secrets-manager';
import { parseKeyring, type Keyring } from './links/signed-token';

/** The environment variables the stack sets: named once, here. */
export const environment = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  configurationSetName: 'CONFIGURATION_SET_NAME',
  config: 'RETENTION_CONFIG',
  signingSecretArn: 'SIGNING_SECRET_ARN',
  templatesDir: 'TEMPLATES_DIR',
  sendJobsQueueUrl: 'SEND_JOBS_QUEUE_URL',
} as const;

/**
 * Attempts the SDK makes per call (adapters/retries.ts). DynamoDB throttles as
 * part of normal life: ten attempts, as the SDKs long defaulted to for it, so
 * that throttling or lost answers rarely fail a whole invocation. SendEmail is
 * never repeated by the SDK: whether a lost answer was a sent email is for the
 * send ledger to decide.
 */
export const sdkAttempts = { dynamodb: 10, events: 5, sqs: 5, ses: 1 } as const;

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
   * The infrastructure's clock, for leases only: the wall clock on AWS, the
   * bus clock locally. Business time always comes from the event (DESIGN §2).
   */
  now: () => Date;
  /** Keys that sign links; the first is current, the others still verify. */
  keyring: () => Promise<Keyring>;
  templatesDir: string;
}

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

export const runtimeFromEnvironment = (): Runtime => ({
  config: parseConfig(JSON.parse(process.env[environment.config] ?? '{}')),
  tableName: required(environment.tableName),
  dynamo: createDocumentClient({ retryStrategy: patientRetries(sdkAttempts.dynamodb) }),
  ses: new SESv2Client({ maxAttempts: sdkAttempts.ses }),
  configurationSetName: required(environment.configurationSetName),
  events: new EventBridgeClient({ retryStrategy: patientRetries(sdkAttempts.events) }),
  eventBusName: required(environment.eventBusName),
  sqs: new SQSClient({ retryStrategy: patientRetries(sdkAttempts.sqs) }),
  sendJobsQueueUrl: process.env[environment.sendJobsQueueUrl],
  now: () => new Date(),
  // Only functions granted the signing secret read it, on first use.
  keyring: () => secretsManagerKeyring(required(environment.signingSecretArn))(),
  templatesDir: process.env[environment.templatesDir] ?? 'templates',
});

export type Handler<E> = (event: E, context: Context) => Promise<unknown>;

/**
 * The Lambda entry point of a handler module: the runtime is built on the first
 * invocation, so importing a handler (as the local runtime does) reads nothing.
 */
export const lambdaHandler = <E>(create: (runtime: Runtime) => Handler<E>): Handler<E> => {
  let handler: Handler<E> | undefined;
  return (event, context) => (handler ??= create(runtimeFromEnvironment()))(event, context);
};

export { parseKeyring };
