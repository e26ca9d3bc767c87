/**
 * The embedded stack (docs/design.md §6): dynalite as DynamoDB, aws-ses-v2-local as SES,
 * the local event bus, and every function of the wiring table behind its rule,
 * built by the same `createHandler` a Lambda uses, on a runtime pointed here;
 * and a local CloudWatch (./metrics.ts) that every invocation reports to.
 */
import { dynamoContentStore } from '../functions/adapters/dynamodb/content';
import { publishedContent } from '../functions/content/published';
import './environment';
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventBridgeClient } from '../functions/adapters/eventbridge';
import { sesClient } from '../functions/adapters/ses';
import { sqsClient } from '../functions/adapters/sqs';
import { patientRetries } from '../functions/adapters/retries';
import type { Context, SQSEvent } from 'aws-lambda';
import type { Config } from '../functions/config';
import { createDocumentClient, type CapacityMeter } from '../functions/adapters/dynamodb/client';
import { sdkAttempts, type Handler, type Runtime } from '../functions/runtime';
import type { Keyring } from '../functions/links/signed-token';
import { deadLetterQueues } from '../functions/ops/dashboard-layout';
import { deadLetterPattern, visibilityTimeoutSeconds, wiring, type FunctionName, type FunctionWiring } from '../functions/wiring';
import type { QueueResult } from '../functions/handlers/queue';
import { createTable, localCredentials, localRegion, localTableName, startLocalDynamo } from './dynamodb';
import { LocalEventBus, type BusEvent, type DeadLetter } from './event-bus';
import { matchesPattern } from './event-pattern';
import { startLinksServer, type HttpInvoke } from './links-server';
import { captureEmbeddedMetrics, LocalMetrics, localFunctionName } from './metrics';
import { startLocalSes, type AcceptedEmail } from './ses';
import { forLocalServices, inProcess, localSigner } from './in-process';
import { FaultInjector, type FaultService } from './faults';
import { portError, type PortName } from './ports';
import { LocalSqs } from './sqs';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** A fixed development key: local runs, and so simulations, are reproducible. Never used on AWS. */
export const localKeyring: Keyring = { current: 'local', keys: { local: 'local-development-signing-key-not-secret' } };

/** The secret the local `POST /webhooks/woocommerce` checks signatures with: type it into a test shop's webhook. Never used on AWS. */
export const localWooCommerceSecret = 'local-woocommerce-webhook-secret';

export interface LocalStackOptions {
  config: Config;
  /** The clock's start: virtual time in a simulation, now under `npm start`. */
  start: Date;
  /** Keep DynamoDB data in this folder; in memory when absent. */
  dataDir?: string;
  /** Where the campaign templates are; the project's `templates/` by default. */
  templatesDir?: string;
  ports?: { bus?: number; dynamo?: number; ses?: number; inbox?: number; links?: number; sqs?: number };
  onEvent?: (event: BusEvent) => void;
  onDeadLetter?: (deadLetter: DeadLetter) => void;
  /** Faults to inject (`--faults`); none by default. */
  faults?: FaultInjector;
  /** Serve aws-ses-v2-local's web inbox (`npm start`); off by default. */
  inbox?: boolean;
  /** Stream each message SES accepts here instead of keeping them all in `ses.accepted` (a long simulation). */
  onAccepted?: (email: AcceptedEmail) => void;
  /** What each function returned (Lambda's on-success destination, locally); for a queue, each record's result. */
  onResult?: (name: FunctionName, event: unknown, result: unknown) => void;
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
  // A server that cannot listen (its port taken) closes those already started, and is named with its port and variable.
  // The metrics store too: one left open would make every later stack of the process record through AsyncLocalStorage.
  const started: (() => Promise<unknown>)[] = [async () => metrics.close()];
  const serve = async <T>(name: PortName | 'sqs', port: number | undefined, start: () => Promise<T>, close: (server: T) => Promise<unknown>) => {
    try {
      const server = await start();
      started.push(() => close(server));
      return server;
    } catch (error) {
      await Promise.allSettled(started.reverse().map((stop) => stop()));
      const listenFailed = (error as NodeJS.ErrnoException).syscall === 'listen';
      throw listenFailed && name !== 'sqs' ? portError(name, port ?? 0, error) : error;
    }
  };
  const busEndpoint = await serve('bus', options.ports?.bus, () => bus.listen(options.ports?.bus), () => bus.close());
  const dynamo = await serve('dynamo', options.ports?.dynamo, () => startLocalDynamo({ path: options.dataDir, port: options.ports?.dynamo }), (d) => d.close());
  const ses = await serve(
    'ses',
    options.ports?.ses,
    () =>
      startLocalSes(bus, {
        port: options.ports?.ses,
        inboxPort: options.ports?.inbox,
        inbox: options.inbox ?? false,
        // The inbox outlives a restart of `npm start` with its data folder.
        inboxFile: options.inbox && options.dataDir ? join(options.dataDir, 'inbox.ndjson') : undefined,
        keepAccepted: !options.onAccepted,
        onAccepted: options.onAccepted,
      }),
    (s) => s.close(),
  );
  const tableName = localTableName;
  await createTable(dynamo.endpoint, tableName);
  // SQS, with the queues of the wiring table; a message that keeps failing is a dead letter with its reason.
  const sqs = new LocalSqs(bus);
  const sqsEndpoint = await serve('sqs', options.ports?.sqs, () => sqs.listen(options.ports?.sqs), () => sqs.close());
  const queueUrls: Record<string, string> = {};
  for (const [name, fn] of Object.entries(wiring) as [FunctionName, FunctionWiring][]) {
    if (!('queue' in fn.trigger)) continue;
    const queue = fn.trigger.queue;
    queueUrls[queue.name] = sqs.createQueue({
      name: queue.name,
      visibilityTimeoutSeconds: visibilityTimeoutSeconds(fn),
      maxReceiveCount: queue.maxReceiveCount,
      onDeadLetter: (message) => {
        let event: unknown = message.body;
        try {
          event = JSON.parse(message.body);
        } catch {
          // kept as the text it was
        }
        bus.deadLetter({ reason: `${queue.name}: failed ${message.receiveCount} times: ${message.reason}`, rule: name, event });
      },
    }).url;
  }

  const faults = options.faults ?? new FaultInjector({});
  const meter: CapacityMeter = { readUnits: 0, writeUnits: 0 };
  const aws = { region: localRegion, credentials: localCredentials };
  // The SDK's own retries, as on AWS, but without its backoff: the virtual clock stands still while a handler runs.
  // Its requests go to each service's request listener in this process: the same requests, no sockets.
  const client = (service: FaultService, endpoint: string, listener: RequestListener) => ({
    ...aws,
    endpoint,
    retryStrategy: patientRetries(sdkAttempts[service], () => 0),
    requestHandler: faults.requestHandler(service, inProcess(listener)),
    signer: localSigner(service),
  });
  const documentClient = forLocalServices(createDocumentClient(client('dynamodb', dynamo.endpoint, dynamo.listener), meter));
  const templatesDir = options.templatesDir ?? `${projectRoot}templates`;
  const runtime: Runtime = {
    config: options.config,
    tableName,
    dynamo: documentClient,
    ses: forLocalServices(sesClient(client('ses', ses.endpoint, ses.listener))),
    configurationSetName: 'retention',
    events: forLocalServices(eventBridgeClient(client('events', busEndpoint, bus.listener))),
    eventBusName: 'retention',
    sqs: forLocalServices(sqsClient(client('sqs', sqsEndpoint, sqs.listener))),
    sendJobsQueueUrl: queueUrls.sendJobs,
    now: () => bus.now(),
    // A throttled send's backoff and the sender's pace take no real time: the clock they would let pass stands still.
    wait: () => new Promise(setImmediate),
    keyring: async () => localKeyring,
    wooCommerceSecret: async () => localWooCommerceSecret,
    templatesDir,
    // Read once, and again only after the local studio publishes (it shares this runtime): no extra call per simulated hour.
    content: publishedContent({ store: dynamoContentStore(documentClient, tableName), config: options.config, templatesDir, maxAgeMs: Infinity }),
  };

  const invokers = {} as Record<FunctionName, (event: unknown) => Promise<unknown>>;
  const httpFunctions: FunctionName[] = [];
  for (const [name, fn] of Object.entries(wiring) as [FunctionName, FunctionWiring][]) {
    const module = (await import(`../functions/handlers/${fn.handler}.ts`)) as {
      createHandler: (runtime: Runtime) => Handler<unknown>;
    };
    const handler = module.createHandler(runtime);
    invokers[name] = (event) => metrics.invocation(name, () => faults.invoke(() => handler(event, lambdaContext(name, fn)), fn.timeoutSeconds));
    const { trigger } = fn;
    // The studio's API is served by the local studio server (local/studio.ts), signed in as a local user.
    if ('http' in trigger) {
      if (!trigger.http.signIn) httpFunctions.push(name);
    } else if ('invoke' in trigger) {
      // Nothing to wire: locally the studio imports MJML itself (MJML's function serves bundles, test/infra/bundles.test.ts).
    } else if ('queue' in trigger) {
      const queue = trigger.queue;
      // The rule's SQS target: the event, as JSON, is the message. A platform's events come on the one local bus.
      for (const pattern of [queue.pattern, queue.platformPattern]) {
        if (!pattern) continue;
        bus.addRule({ name, pattern }, async (event) => {
          sqs.send(queue.name, JSON.stringify(event));
          await sqs.deliverNow(queue.name);
        }, 0);
      }
      // A redriven dead letter of the queue goes back on it, as SQS's StartMessageMoveTask moves it (local/dead-letters.ts).
      bus.addRedeliveryTarget(name, (event) => void sqs.send(queue.name, typeof event === 'string' ? event : JSON.stringify(event)));
      sqs.addEventSourceMapping(
        queue.name,
        { batchSize: queue.batchSize, maxConcurrency: queue.maxConcurrency, reportBatchItemFailures: true, functionTimeoutSeconds: fn.timeoutSeconds },
        async (event) => {
          const result = (await invokers[name](event)) as QueueResult<unknown>;
          for (const each of result.results) options.onResult?.(name, event, each);
          return result;
        },
      );
    } else {
      const target = async (event: BusEvent) => {
        const result = await invokers[name](event);
        options.onResult?.(name, event, result);
      };
      bus.addRule('schedule' in trigger ? { name, schedule: trigger.schedule } : { name, pattern: trigger.pattern }, target, fn.retry?.attempts ?? 0);
    }
  }
  // One links server for the http functions, as one HTTP API fronts them on AWS.
  const [linksFunction] = httpFunctions;
  const links = linksFunction
    ? await serve(
        'links',
        options.ports?.links,
        () => startLinksServer((event) => invokers[linksFunction](event) as ReturnType<HttpInvoke>, () => bus.now(), { port: options.ports?.links }),
        (l) => l.close(),
      )
    : undefined;
  bus.addDeadLetterRule(deadLetterPattern);

  return {
    bus,
    /**
     * Invokes a function directly, as Lambda's Invoke API would (the benchmark loads data this way, in parallel).
     * A queue-triggered function gets the event as the one record of an SQS batch, and answers that record's result.
     */
    async invoke(name: FunctionName, event: unknown) {
      if (!('queue' in wiring[name].trigger)) return invokers[name](event);
      const record = { messageId: randomUUID(), body: JSON.stringify(event), attributes: { ApproximateReceiveCount: '1' } };
      const result = (await invokers[name]({ Records: [record] } as unknown as SQSEvent)) as QueueResult<unknown>;
      if (result.batchItemFailures.length) throw new Error(`${name} failed the record`);
      return result.results[0];
    },
    sqs,
    runtime,
    meter,
    /** What CloudWatch would hold: the catalogue's metrics, Lambda's and the dead-letter queues'. */
    metrics,
    ses,
    faults,
    endpoints: { bus: busEndpoint, dynamodb: dynamo.endpoint, ses: ses.endpoint, inbox: ses.inboxUrl, links: links?.url, sqs: sqsEndpoint },
    async close() {
      metrics.close();
      faults.close();
      runtime.dynamo.destroy();
      runtime.ses.destroy();
      runtime.events.destroy();
      runtime.sqs.destroy();
      await Promise.all([bus.close(), ses.close(), dynamo.close(), sqs.close(), links?.close()]);
    },
  };
};
