/**
 * The embedded stack (DESIGN §6): dynalite as DynamoDB, aws-ses-v2-local as SES,
 * the local event bus, and every function of the wiring table behind its rule,
 * built by the same `createHandler` a Lambda uses, on a runtime pointed here;
 * and a local CloudWatch (./metrics.ts) that every invocation reports to.
 */
import './environment';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import type { Config } from '../functions/config';
import { createDocumentClient, type CapacityMeter } from '../functions/adapters/dynamodb/client';
import type { Handler, Runtime } from '../functions/runtime';
import type { Keyring } from '../functions/links/signed-token';
import { deadLetterQueues } from '../functions/ops/dashboard-layout';
import { deadLetterPattern, wiring, type FunctionName, type FunctionWiring } from '../functions/wiring';
import { createTable, localCredentials, localRegion, startLocalDynamo } from './dynamodb';
import { LocalEventBus, type BusEvent, type DeadLetter } from './event-bus';
import { matchesPattern } from './event-pattern';
import { startLinksServer, type HttpInvoke } from './links-server';
import { captureEmbeddedMetrics, LocalMetrics, localFunctionName } from './metrics';
import { startLocalSes } from './ses';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** A fixed development key: local runs, and so simulations, are reproducible. Never used on AWS. */
export const localKeyring: Keyring = { current: 'local', keys: { local: 'local-development-signing-key-not-secret' } };

export interface LocalStackOptions {
  config: Config;
  /** The clock's start: virtual time in a simulation, now under `npm start`. */
  start: Date;
  /** Keep DynamoDB data in this folder; in memory when absent. */
  dataDir?: string;
  /** Where the campaign templates are; the project's `templates/` by default. */
  templatesDir?: string;
  ports?: { bus?: number; dynamo?: number; ses?: number; inbox?: number; links?: number };
  onEvent?: (event: BusEvent) => void;
  onDeadLetter?: (deadLetter: DeadLetter) => void;
  /** What each function returned (Lambda's on-success destination, locally). */
  onResult?: (name: FunctionName, event: BusEvent, result: unknown) => void;
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

const lambdaContext = (name: FunctionName, fn: FunctionWiring): Context => {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: localFunctionName(name),
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${localRegion}:000000000000:function:${localFunctionName(name)}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${localFunctionName(name)}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

export const startLocalStack = async (options: LocalStackOptions) => {
  // The stack's own CloudWatch: the handlers' EMF lines, and what Lambda and SQS record, on the bus clock.
  captureEmbeddedMetrics();
  const metrics = new LocalMetrics(() => bus.now());
  const bus = new LocalEventBus({
    start: options.start,
    onEvent: (event) => {
      // The rule that routes refused events to the rejected-events queue on AWS.
      if (matchesPattern(deadLetterPattern, event as unknown as Record<string, unknown>)) metrics.deadLetter('RejectedEvents');
      options.onEvent?.(event);
    },
    onDeadLetter: (deadLetter) => {
      // A target that failed after its retries: its function's dead-letter queue.
      if (deadLetter.rule) metrics.deadLetter(deadLetter.rule);
      options.onDeadLetter?.(deadLetter);
    },
  });
  metrics.declareQueues(deadLetterQueues);
  const busEndpoint = await bus.listen(options.ports?.bus);
  const dynamo = await startLocalDynamo({ path: options.dataDir, port: options.ports?.dynamo });
  const ses = await startLocalSes(bus, { port: options.ports?.ses, inboxPort: options.ports?.inbox });
  const tableName = 'retention';
  await createTable(dynamo.endpoint, tableName);

  const meter: CapacityMeter = { readUnits: 0, writeUnits: 0 };
  const aws = { region: localRegion, credentials: localCredentials };
  const runtime: Runtime = {
    config: options.config,
    tableName,
    dynamo: createDocumentClient({ ...aws, endpoint: dynamo.endpoint }, meter),
    ses: new SESv2Client({ ...aws, endpoint: ses.endpoint }),
    configurationSetName: 'retention',
    events: new EventBridgeClient({ ...aws, endpoint: busEndpoint }),
    eventBusName: 'retention',
    keyring: async () => localKeyring,
    templatesDir: options.templatesDir ?? `${projectRoot}templates`,
  };

  const invokers = {} as Record<FunctionName, (event: unknown) => Promise<unknown>>;
  const httpFunctions: FunctionName[] = [];
  for (const [name, fn] of Object.entries(wiring) as [FunctionName, FunctionWiring][]) {
    const module = (await import(`../functions/handlers/${fn.handler}.ts`)) as {
      createHandler: (runtime: Runtime) => Handler<unknown>;
    };
    const handler = module.createHandler(runtime);
    invokers[name] = (event) => metrics.invocation(name, () => handler(event, lambdaContext(name, fn)));
    const target = async (event: BusEvent) => {
      const result = await invokers[name](event);
      options.onResult?.(name, event, result);
    };
    const { trigger } = fn as FunctionWiring;
    if ('http' in trigger) httpFunctions.push(name);
    else bus.addRule('schedule' in trigger ? { name, schedule: trigger.schedule } : { name, pattern: trigger.pattern }, target, fn.retry.attempts);
  }
  // One links server for the http functions, as one HTTP API fronts them on AWS.
  const [linksFunction] = httpFunctions;
  const links = linksFunction
    ? await startLinksServer((event) => invokers[linksFunction](event) as ReturnType<HttpInvoke>, () => bus.now(), { port: options.ports?.links })
    : undefined;
  bus.addDeadLetterRule(deadLetterPattern);

  return {
    bus,
    /** Invokes a function directly, as Lambda's Invoke API would (the benchmark loads data this way, in parallel). */
    invoke: (name: FunctionName, event: unknown) => invokers[name](event),
    runtime,
    meter,
    /** What CloudWatch would hold: the catalogue's metrics, Lambda's and the dead-letter queues'. */
    metrics,
    ses,
    endpoints: { bus: busEndpoint, dynamodb: dynamo.endpoint, ses: ses.endpoint, inbox: ses.inboxUrl, links: links?.url },
    async close() {
      runtime.dynamo.destroy();
      runtime.ses.destroy();
      runtime.events.destroy();
      await Promise.all([bus.close(), ses.close(), dynamo.close(), links?.close()]);
    },
  };
};
