/**
 * Dead letters an ops person can see and redrive (docs/design.md §6, README "Dead letters").
 *
 * A dead letter is an event the engine gave up on, with its reason: an event it
 * refused (`Event Rejected`: the rejected-events queue), a queue message that kept
 * failing (the queue's dead-letter queue), or a rule's event whose target kept
 * failing (the function's dead-letter queue).
 *
 * - Locally (`npm start --data DIR`, and `retention simulate --out DIR`) they are the
 *   lines of `DIR/dead-letters.ndjson`, `{id, at, reason, rule?, event}`; a redrive
 *   appends `{id, redrivenAt, to}` to `DIR/dead-letters-redriven.ndjson` (append only,
 *   as `npm start` appends to the first file at the same time).
 * - On AWS they are the messages of the stack's queues, named by its CloudFormation
 *   outputs: `<function>DeadLetterQueueUrl`, `RejectedEventsQueueUrl`, and each
 *   `<queue>QueueUrl` a queue's dead letters go back to. Listing receives them with a
 *   short visibility timeout and makes them visible again at once: nothing is consumed.
 *   A redrive removes what it sent back from the dead-letter queue.
 *
 * A redrive sends each letter back where it failed, after a fix:
 * - a rejected event to the queue whose rule took it in, as that rule delivered it
 *   (locally: the original event put on the running bus, whose rules are the stack's);
 * - a queue's message back on its queue (AWS: SQS's StartMessageMoveTask, or, for
 *   chosen letters, SendMessage then DeleteMessage);
 * - a rule's event (a schedule's `Scheduled Event` too, which no PutEvents may carry:
 *   its source is `aws.events`) to the rule's target, the function, again (AWS: Lambda's
 *   asynchronous Invoke, the same invocation, retries and on-failure queue the rule uses).
 * A letter that fails again comes back as a new dead letter, with its new reason.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { isoInstant } from '../functions/events/event';
import { wiring, type FunctionName, type FunctionWiring, type QueueName } from '../functions/wiring';
import { localCredentials, localRegion } from './dynamodb';
import type { DeadLetter } from './event-bus';
import { matchesPattern } from './event-pattern';
import { localBusUrl } from './ports';

export const deadLettersFile = 'dead-letters.ndjson';
export const redrivenFile = 'dead-letters-redriven.ndjson';
/** The stack `bin/app.ts` deploys. */
export const defaultStackName = 'Retention';

/** A problem the user can act on (no stack, no bus to redrive to): the CLI prints it as a usage error. */
export class DeadLetterError extends Error {
  override name = 'DeadLetterError';
}

export interface AwsClients {
  sqs?: SQSClient;
  lambda?: LambdaClient;
  cloudFormation?: CloudFormationClient;
}

export type DeadLetterSource =
  /** `npm start --data DIR`, or `retention simulate --out DIR`. */
  | { kind: 'local'; dataDir: string }
  /**
   * The deployed stack (AWS credentials and region as for the AWS CLI). `outputs`
   * stands in for its CloudFormation outputs, `clients` for the SDK clients.
   */
  | { kind: 'aws'; stackName?: string; region?: string; outputs?: Record<string, string>; clients?: AwsClients };

/**
 * - `rejected`: an event the engine refused (schema, size, a platform's payload);
 * - `queue`: a queue message that failed every receive;
 * - `schedule` / `rule`: a rule's event its target (the function) failed;
 * - `input`: a line of a simulation's input that is not an event.
 */
export type DeadLetterKind = 'rejected' | 'queue' | 'schedule' | 'rule' | 'input';

export interface ListedDeadLetter {
  /** Locally the line's id; on AWS the SQS message id. */
  id: string;
  /** When it was given up on (ISO-8601). */
  at: string;
  kind: DeadLetterKind;
  /** Where it failed: `RejectedEvents`, `shopEvents queue (ingest)`, `birthdaySweep schedule`. */
  where: string;
  function?: FunctionName;
  queue?: QueueName;
  reason: string;
  /** The customer the event is about, when it names one (ids only: never an address or a name). */
  customerId?: string;
  /** The event as it failed (untrusted: anyone could have sent it). */
  event: unknown;
  /** Locally: when it was redriven (listed with `all`). */
  redrivenAt?: string;
  /** Why a redrive cannot send it back, when it cannot. */
  notRedrivable?: string;
}

export interface RedriveReport {
  redriven: { id: string; where: string; to: string }[];
  /** Left where they are: not redrivable, or not pending. */
  skipped: { id: string; where: string; why: string }[];
  failed: { id: string; where: string; error: string }[];
  /** AWS: a queue's dead letters moved back whole by an SQS move task. */
  moved: { where: string; to: string; approximateMessages: number; taskHandle?: string }[];
}

export interface RedriveOptions {
  /** Local: the running `npm start`'s bus (`localBusUrl` by default). */
  busUrl?: string;
  /** Only these letters (ids as listed); every pending one by default. */
  ids?: string[];
}

// --- what a letter is ---

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

const fnWiring = (name: string): FunctionWiring | undefined => (Object.hasOwn(wiring, name) ? (wiring as Record<string, FunctionWiring>)[name] : undefined);

/** Where a function's dead letters come from: its queue, its schedule or its rule. */
const originOf = (name: FunctionName): Pick<ListedDeadLetter, 'kind' | 'where' | 'function' | 'queue'> => {
  const { trigger } = wiring[name] as FunctionWiring;
  if ('queue' in trigger) return { kind: 'queue', where: `${trigger.queue.name} queue (${name})`, function: name, queue: trigger.queue.name };
  if ('schedule' in trigger) return { kind: 'schedule', where: `${name} schedule`, function: name };
  return { kind: 'rule', where: `${name} rule`, function: name };
};

/** The queue whose rule takes `event` in (shop events and platforms' to shopEvents, SES's to sesEvents). */
const queueTaking = (event: Json): { queue: QueueName; function: FunctionName } | undefined => {
  for (const [name, fn] of Object.entries(wiring) as [FunctionName, FunctionWiring][]) {
    if (!('queue' in fn.trigger)) continue;
    const { queue } = fn.trigger;
    if ([queue.pattern, queue.platformPattern].some((pattern) => pattern && matchesPattern(pattern, event))) return { queue: queue.name, function: name };
  }
  return undefined;
};

/** The refused event as a PutEvents entry, or why it cannot be sent again. */
const asEntry = (event: unknown): PutEventsRequestEntry | string => {
  if (!isObject(event)) return typeof event === 'string' ? 'it is not JSON' : 'the event is not a JSON object';
  if (event.truncated === true && 'preview' in event) return `only a preview of it was kept (it was ${String(event.bytes)} bytes)`;
  if ('recipient' in event) return 'a recipient action runs only in `retention simulate`';
  const { source, 'detail-type': detailType, detail, time, resources } = event;
  if (typeof source !== 'string' || !source) return 'it has no source';
  if (typeof detailType !== 'string' || !detailType) return 'it has no detail-type';
  if (!isObject(detail)) return 'its detail is not a JSON object';
  if (time !== undefined && !isoInstant.safeParse(time).success) return 'its time is not an instant, which no bus carries';
  if (!queueTaking(event)) return 'no rule of the stack takes it';
  return {
    EventBusName: 'retention',
    Source: source,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    ...(typeof time === 'string' && { Time: new Date(time) }),
    ...(Array.isArray(resources) && resources.every((r) => typeof r === 'string') && resources.length && { Resources: resources as string[] }),
  };
};

/** The customer id an event names: a shop event's, a send job's, a simulation's recipient action's. */
const customerIdOf = (event: unknown): string | undefined => {
  if (!isObject(event)) return undefined;
  const id = (isObject(event.detail) ? event.detail.customerId : undefined) ?? event.customerId ?? (isObject(event.recipient) ? event.recipient.customerId : undefined);
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
};

// --- printing ---

/** One line of untrusted text for a terminal: no control characters, no addresses, bounded. */
const oneLine = (text: string, max = 400) => {
  const clean = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g, '<address>')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
};

/** One line per dead letter: time, where, reason, customer id, id; never the event's personal data. */
export const formatDeadLetter = (letter: ListedDeadLetter) =>
  [
    letter.at || '(no time)',
    letter.where,
    oneLine(letter.reason),
    letter.customerId && `customer ${oneLine(letter.customerId, 128)}`,
    `id ${letter.id}`,
    letter.redrivenAt && `redriven ${letter.redrivenAt}`,
  ]
    .filter(Boolean)
    .join('  ');

/** The listing: a line per letter, or with `json` each letter as it is (the event whole), one JSON a line. */
export const formatDeadLetters = (letters: ListedDeadLetter[], options: { json?: boolean } = {}) => {
  if (options.json) return letters.map((letter) => JSON.stringify(letter)).join('\n');
  if (!letters.length) return 'no dead letters';
  const notRedrivable = letters.filter((letter) => letter.notRedrivable && !letter.redrivenAt).length;
  return [
    ...letters.map(formatDeadLetter),
    `${letters.length} dead letter${letters.length === 1 ? '' : 's'}${notRedrivable ? `, ${notRedrivable} that a redrive cannot send back` : ''}`,
  ].join('\n');
};

export const formatRedriveReport = (report: RedriveReport) => {
  const lines = [
    ...report.moved.map((move) => `moving ${move.approximateMessages} message(s) of ${move.where} back to ${move.to}${move.taskHandle ? ` (SQS move task ${move.taskHandle})` : ''}`),
    ...report.redriven.map((each) => `redriven ${each.id}  ${each.where} → ${each.to}`),
    ...report.skipped.map((each) => `skipped ${each.id}  ${each.where}: ${oneLine(each.why)}`),
    ...report.failed.map((each) => `failed ${each.id}  ${each.where}: ${oneLine(each.error)}`),
  ];
  const moved = report.moved.reduce((sum, move) => sum + move.approximateMessages, 0);
  lines.push(
    `redriven ${report.redriven.length + moved}, skipped ${report.skipped.length}, failed ${report.failed.length}` +
      (report.redriven.length + moved ? '; one that fails again comes back as a new dead letter with its reason' : ''),
  );
  return lines.join('\n');
};

// --- local: the data folder ---

interface StoredDeadLetter extends DeadLetter {
  id?: string;
}

/** The lines of an NDJSON file that parse (a line cut short by a crash is skipped), with their numbers. */
const readNdjson = (file: string): { line: number; text: string; value: unknown }[] => {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, index) => {
      if (!text.trim()) return [];
      try {
        return [{ line: index + 1, text, value: JSON.parse(text) as unknown }];
      } catch {
        return [];
      }
    });
};

const describeLocal = (stored: StoredDeadLetter, id: string): ListedDeadLetter => {
  const base = { id, at: typeof stored.at === 'string' ? stored.at : '', reason: typeof stored.reason === 'string' ? stored.reason : String(stored.reason), event: stored.event };
  const customerId = customerIdOf(stored.event);
  if (stored.rule === undefined) {
    const input = base.reason.startsWith('input line ');
    const entry = asEntry(stored.event);
    return {
      ...base,
      kind: input ? 'input' : 'rejected',
      where: input ? 'simulate input' : 'RejectedEvents',
      ...(customerId && { customerId }),
      ...(typeof entry === 'string' && { notRedrivable: entry }),
    };
  }
  if (!fnWiring(stored.rule)) return { ...base, kind: 'rule', where: String(stored.rule), ...(customerId && { customerId }), notRedrivable: `no function named '${stored.rule}'` };
  return { ...base, ...originOf(stored.rule as FunctionName), ...(customerId && { customerId }) };
};

/** A line's id: its own (`npm start` writes one), else one derived from its place and text (a simulation's). */
const lineId = (stored: unknown, line: number, text: string) =>
  isObject(stored) && typeof stored.id === 'string' ? stored.id : `L${line}-${createHash('sha256').update(text).digest('hex').slice(0, 10)}`;

/** The dead letters of a data folder, in the order they came; with `all`, the redriven ones too, with `redrivenAt`. */
export const readLocalDeadLetters = (dataDir: string, options: { all?: boolean } = {}): ListedDeadLetter[] => {
  const redriven = new Map<string, string>();
  for (const { value } of readNdjson(join(dataDir, redrivenFile))) {
    if (isObject(value) && typeof value.id === 'string') redriven.set(value.id, String(value.redrivenAt));
  }
  return readNdjson(join(dataDir, deadLettersFile)).flatMap(({ line, text, value }) => {
    if (!isObject(value)) return [];
    const id = lineId(value, line, text);
    const redrivenAt = redriven.get(id);
    if (redrivenAt && !options.all) return [];
    return [{ ...describeLocal(value as unknown as StoredDeadLetter, id), ...(redrivenAt && { redrivenAt }) }];
  });
};

/**
 * `npm start`'s `onDeadLetter`: each dead letter appended to `DIR/dead-letters.ndjson`
 * with an id, and printed as one line (no personal data).
 */
export const deadLetterRecorder = (dataDir: string, log: (line: string) => void = console.log) => (deadLetter: DeadLetter) => {
  const stored = { id: randomUUID(), ...deadLetter };
  try {
    appendFileSync(join(dataDir, deadLettersFile), `${JSON.stringify(stored)}\n`);
  } catch (error) {
    log(`dead letter not kept in ${join(dataDir, deadLettersFile)}: ${errorText(error)}`);
  }
  log(`dead letter: ${formatDeadLetter(describeLocal(stored, stored.id))}`);
};

const redriveLocal = async (dataDir: string, options: RedriveOptions): Promise<RedriveReport> => {
  const report: RedriveReport = { redriven: [], skipped: [], failed: [], moved: [] };
  const letters = readLocalDeadLetters(dataDir, { all: true });
  const wanted = options.ids && new Set(options.ids);
  if (wanted) {
    const known = new Set(letters.map((letter) => letter.id));
    for (const id of wanted) if (!known.has(id)) report.skipped.push({ id, where: '-', why: 'no dead letter with this id' });
  }
  const busUrl = options.busUrl ?? localBusUrl;
  const events = new EventBridgeClient({ endpoint: busUrl, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  const unreachable = (error: unknown) =>
    /ECONNREFUSED|fetch failed|ECONNRESET/.test(`${errorText(error)} ${errorText((error as { cause?: unknown }).cause)}`)
      ? new DeadLetterError(`cannot reach the local bus at ${busUrl} (is \`npm start\` running?): ${errorText(error)}`)
      : undefined;
  try {
    for (const letter of letters) {
      if (wanted && !wanted.has(letter.id)) continue;
      if (letter.redrivenAt) {
        if (wanted) report.skipped.push({ id: letter.id, where: letter.where, why: `already redriven at ${letter.redrivenAt}` });
        continue;
      }
      if (letter.notRedrivable) {
        report.skipped.push({ id: letter.id, where: letter.where, why: letter.notRedrivable });
        continue;
      }
      let to: string;
      // Before it is sent: a letter that fails again at once is a new one, after this.
      const redrivenAt = new Date().toISOString();
      try {
        if (letter.kind === 'rejected' || letter.kind === 'input') {
          // The original event, on the bus: the stack's rules take it to the queue and function that refused it.
          const { Entries = [] } = await events.send(new PutEventsCommand({ Entries: [asEntry(letter.event) as PutEventsRequestEntry] }));
          if (!Entries[0]?.EventId) throw new Error(`the bus refused it: ${Entries[0]?.ErrorCode}: ${Entries[0]?.ErrorMessage}`);
          to = `the bus (${queueTaking(letter.event as Json)!.queue} queue)`;
        } else {
          // Back to the queue or the rule's target it failed at (not an EventBridge operation: the local bus's own).
          const response = await fetch(busUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RetentionLocal.Redeliver' },
            body: JSON.stringify({ Target: letter.function, Event: letter.event }),
          });
          if (!response.ok) throw new Error(`the bus refused it: ${((await response.json().catch(() => ({}))) as { message?: string }).message ?? response.status}`);
          to = letter.kind === 'queue' ? `${letter.queue} queue` : `${letter.function} (its rule's target)`;
        }
      } catch (error) {
        const fatal = unreachable(error);
        if (fatal) throw fatal;
        report.failed.push({ id: letter.id, where: letter.where, error: errorText(error) });
        continue;
      }
      appendFileSync(join(dataDir, redrivenFile), `${JSON.stringify({ id: letter.id, redrivenAt, to })}\n`);
      report.redriven.push({ id: letter.id, where: letter.where, to });
    }
  } finally {
    events.destroy();
  }
  return report;
};

// --- AWS: the stack's queues ---

interface StackQueue {
  url: string;
  kind: 'rejected' | 'queue' | 'schedule' | 'rule';
  where: string;
  function?: FunctionName;
  queue?: QueueName;
  /** A queue's dead-letter queue: the queue its messages go back to. */
  sourceUrl?: string;
}

export interface StackQueues {
  deadLetterQueues: StackQueue[];
  /** Each consumed queue's URL (`<queue>QueueUrl`): where a rejected event or a queue's dead letter goes back to. */
  queues: Partial<Record<QueueName, string>>;
}

/** The queues the stack's outputs name (lib/retention-stack.ts). */
export const stackQueues = (outputs: Record<string, string>): StackQueues => {
  const queues: Partial<Record<QueueName, string>> = {};
  const deadLetterQueues: StackQueue[] = [];
  for (const [name, fn] of Object.entries(wiring) as [FunctionName, FunctionWiring][]) {
    if ('queue' in fn.trigger && outputs[`${fn.trigger.queue.name}QueueUrl`]) queues[fn.trigger.queue.name] = outputs[`${fn.trigger.queue.name}QueueUrl`];
  }
  for (const name of Object.keys(wiring) as FunctionName[]) {
    const url = outputs[`${name}DeadLetterQueueUrl`];
    if (!url) continue;
    const origin = originOf(name);
    deadLetterQueues.push({ url, ...(origin as Omit<StackQueue, 'url'>), ...(origin.queue && { sourceUrl: queues[origin.queue] }) });
  }
  if (outputs.RejectedEventsQueueUrl) deadLetterQueues.push({ url: outputs.RejectedEventsQueueUrl, kind: 'rejected', where: 'RejectedEvents' });
  return { deadLetterQueues, queues };
};

const stackOutputs = async (source: Extract<DeadLetterSource, { kind: 'aws' }>, client: CloudFormationClient) => {
  const stackName = source.stackName ?? defaultStackName;
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks[0]?.Outputs ?? []).flatMap((output) => (output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [])));
  } catch (error) {
    if ((error as Error).name === 'ValidationError' || /does not exist/.test(errorText(error))) {
      throw new DeadLetterError(`no stack '${stackName}' in ${(await client.config.region()) ?? 'the default region'} (--stack NAME, --region R)`);
    }
    throw error;
  }
};

interface Received {
  letter: ListedDeadLetter;
  message: Message;
  queue: StackQueue;
  /** What a redrive does with it. */
  send?: { url: string; body: string; attributes?: Message['MessageAttributes'] };
  invoke?: string;
}

/** A message of a dead-letter or rejected-events queue as a letter, with how it would go back. */
const receivedLetter = (queue: StackQueue, message: Message, queues: StackQueues['queues']): Received => {
  let body: unknown = message.Body ?? '';
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    // kept as the text it was
  }
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const sent = Number(message.Attributes?.SentTimestamp);
  const at = Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : '';
  const base = { id: message.MessageId ?? '', at, kind: queue.kind, where: queue.where, ...(queue.function && { function: queue.function }), ...(queue.queue && { queue: queue.queue }) };
  // EventBridge puts an event it could not deliver with these attributes.
  const eventBridgeReason = attribute('ERROR_CODE') && `${attribute('ERROR_CODE')}: ${attribute('ERROR_MESSAGE') ?? ''}`;
  const received = (letter: { event: unknown; reason: string; at?: string; notRedrivable?: string }, how: Pick<Received, 'send' | 'invoke'> = {}): Received => {
    const customerId = customerIdOf(letter.event);
    return { letter: { ...base, ...letter, ...(customerId && { customerId }) }, message, queue, ...how };
  };

  if (queue.kind === 'rejected') {
    const detail = isObject(body) && isObject(body.detail) ? body.detail : {};
    const event = detail.event ?? body;
    const reason = typeof detail.reason === 'string' ? detail.reason : 'rejected';
    const entry = asEntry(event);
    if (typeof entry === 'string') return received({ event, reason, notRedrivable: entry });
    const taking = queueTaking(event as Json)!;
    const url = queues[taking.queue];
    if (!url) return received({ event, reason, notRedrivable: `the stack has no ${taking.queue}QueueUrl output` });
    // As the rule's SQS target delivered it: the event, as JSON, is the message.
    return received({ event, reason }, { send: { url, body: JSON.stringify(event) } });
  }
  if (queue.kind === 'queue') {
    const maxReceives = queue.function && 'queue' in wiring[queue.function].trigger ? (wiring[queue.function].trigger as { queue: { maxReceiveCount: number } }).queue.maxReceiveCount : undefined;
    const reason = eventBridgeReason || `moved here after ${maxReceives ?? 'its'} failed receives (each error is in the ${queue.function} function's log)`;
    if (!queue.sourceUrl) return received({ event: body, reason, notRedrivable: `the stack has no ${queue.queue}QueueUrl output` });
    const attributes = message.MessageAttributes;
    return received({ event: body, reason }, { send: { url: queue.sourceUrl, body: message.Body ?? '', ...(attributes && { attributes }) } });
  }
  // A rule's target: EventBridge's undeliverable event (the body), or Lambda's record of a failed asynchronous invocation.
  if (isObject(body) && isObject(body.requestContext) && 'requestPayload' in body) {
    const context = body.requestContext;
    const response = isObject(body.responsePayload) ? body.responsePayload : {};
    const error = [response.errorType, response.errorMessage].filter((part) => typeof part === 'string').join(': ');
    const reason = `${String(context.condition ?? 'failed')} after ${String(context.approximateInvokeCount ?? '?')} attempts${error ? `: ${error}` : ''}`;
    const at = typeof body.timestamp === 'string' ? body.timestamp : base.at;
    const functionArn = typeof context.functionArn === 'string' ? context.functionArn : undefined;
    if (!functionArn) return received({ at, event: body.requestPayload, reason, notRedrivable: 'the record names no function' });
    return received({ at, event: body.requestPayload, reason }, { invoke: functionArn });
  }
  const reason = eventBridgeReason || 'its target failed';
  const target = attribute('TARGET_ARN');
  if (!target) return received({ event: body, reason, notRedrivable: 'the message names no target (TARGET_ARN)' });
  return received({ event: body, reason }, { invoke: target });
};

const listVisibilitySeconds = 30;
const redriveVisibilitySeconds = 120;

/** Every message of the queue (up to `limit`), hidden for `visibility` seconds: release or delete each after. */
const receiveAll = async (sqs: SQSClient, url: string, visibility: number, limit: number): Promise<Message[]> => {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  const expected = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  if (!expected) return [];
  const messages = new Map<string, Message>();
  while (messages.size < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibility,
        // Long polling asks every SQS server, so none is missed while some are expected.
        WaitTimeSeconds: messages.size < expected ? 1 : 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !messages.has(message.MessageId));
    if (!fresh.length) break;
    for (const message of fresh) messages.set(message.MessageId!, message);
  }
  return [...messages.values()];
};

/** Visible again at once: listing consumes nothing. */
const release = async (sqs: SQSClient, url: string, messages: Message[]) => {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
};

const awsContext = async (source: Extract<DeadLetterSource, { kind: 'aws' }>) => {
  const region = source.region;
  const sqs = source.clients?.sqs ?? new SQSClient({ region });
  const lambda = source.clients?.lambda ?? new LambdaClient({ region });
  const cloudFormation = source.clients?.cloudFormation ?? new CloudFormationClient({ region });
  const close = () => {
    if (!source.clients?.sqs) sqs.destroy();
    if (!source.clients?.lambda) lambda.destroy();
    if (!source.clients?.cloudFormation) cloudFormation.destroy();
  };
  try {
    const outputs = source.outputs ?? (await stackOutputs(source, cloudFormation));
    const queues = stackQueues(outputs);
    if (!queues.deadLetterQueues.length) throw new DeadLetterError(`stack '${source.stackName ?? defaultStackName}' has no dead-letter queue outputs: is it the retention engine's stack?`);
    return { sqs, lambda, queues, close };
  } catch (error) {
    close();
    throw error;
  }
};

const listAws = async (source: Extract<DeadLetterSource, { kind: 'aws' }>, limit: number): Promise<ListedDeadLetter[]> => {
  const { sqs, queues, close } = await awsContext(source);
  try {
    const lists = await Promise.all(
      queues.deadLetterQueues.map(async (queue) => {
        const messages = await receiveAll(sqs, queue.url, listVisibilitySeconds, limit);
        try {
          return messages.map((message) => receivedLetter(queue, message, queues.queues).letter);
        } finally {
          await release(sqs, queue.url, messages);
        }
      }),
    );
    return lists.flat().sort((a, b) => a.at.localeCompare(b.at));
  } finally {
    close();
  }
};

const queueArn = async (sqs: SQSClient, url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }))).Attributes ?? {};

const redriveAws = async (source: Extract<DeadLetterSource, { kind: 'aws' }>, options: RedriveOptions): Promise<RedriveReport> => {
  const report: RedriveReport = { redriven: [], skipped: [], failed: [], moved: [] };
  const { sqs, lambda, queues, close } = await awsContext(source);
  const wanted = options.ids && new Set(options.ids);
  const found = new Set<string>();
  try {
    for (const queue of queues.deadLetterQueues) {
      // A queue's dead letters, all of them: SQS moves them back itself (a move task, at its own pace).
      if (queue.kind === 'queue' && queue.sourceUrl && !wanted) {
        try {
          const [from, to] = [await queueArn(sqs, queue.url), await queueArn(sqs, queue.sourceUrl)];
          const count = Number(from.ApproximateNumberOfMessages ?? 0);
          if (!count) continue;
          const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: from.QueueArn, DestinationArn: to.QueueArn }));
          report.moved.push({ where: queue.where, to: `${queue.queue} queue`, approximateMessages: count, ...(TaskHandle && { taskHandle: TaskHandle }) });
        } catch (error) {
          report.failed.push({ id: '(all)', where: queue.where, error: errorText(error) });
        }
        continue;
      }
      const messages = await receiveAll(sqs, queue.url, redriveVisibilitySeconds, 10_000);
      const keep: Message[] = [];
      for (const message of messages) {
        const each = receivedLetter(queue, message, queues.queues);
        const { letter } = each;
        if (wanted && !wanted.has(letter.id)) {
          keep.push(message);
          continue;
        }
        found.add(letter.id);
        if (letter.notRedrivable) {
          report.skipped.push({ id: letter.id, where: letter.where, why: letter.notRedrivable });
          keep.push(message);
          continue;
        }
        try {
          let to: string;
          if (each.send) {
            const { attributes } = each.send;
            await sqs.send(new SendMessageCommand({ QueueUrl: each.send.url, MessageBody: each.send.body, ...(attributes && { MessageAttributes: attributes }) }));
            to = `${letter.kind === 'rejected' ? queueTaking(letter.event as Json)!.queue : letter.queue} queue`;
          } else {
            // Asynchronously, as the rule invokes it: its retries and on-failure queue apply again.
            const { StatusCode } = await lambda.send(new InvokeCommand({ FunctionName: each.invoke!, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(letter.event)) }));
            if (StatusCode !== 202) throw new Error(`Lambda answered ${StatusCode} to the asynchronous invocation`);
            to = `${letter.function ?? each.invoke} (invoked)`;
          }
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle! }));
          report.redriven.push({ id: letter.id, where: letter.where, to });
        } catch (error) {
          report.failed.push({ id: letter.id, where: letter.where, error: errorText(error) });
          keep.push(message);
        }
      }
      await release(sqs, queue.url, keep);
    }
    for (const id of wanted ?? []) if (!found.has(id)) report.skipped.push({ id, where: '-', why: "no dead letter with this id in the stack's queues" });
  } finally {
    close();
  }
  return report;
};

// --- the CLI's two calls ---

/**
 * The dead letters with their reasons, oldest first. Locally the pending ones (`all`: the
 * redriven ones too); on AWS what the queues hold (up to `limit` per queue, 1,000 by
 * default), received and made visible again: nothing is consumed.
 */
export const listDeadLetters = async (source: DeadLetterSource, options: { all?: boolean; limit?: number } = {}): Promise<ListedDeadLetter[]> =>
  source.kind === 'local' ? readLocalDeadLetters(source.dataDir, options) : listAws(source, options.limit ?? 1000);

/**
 * Sends the pending dead letters (or `ids`) back where they failed, after a fix; each is
 * then no longer pending (locally marked redriven, on AWS gone from its queue), so a second
 * redrive does not repeat it. Locally the running `npm start`'s bus takes them.
 */
export const redriveDeadLetters = (source: DeadLetterSource, options: RedriveOptions = {}): Promise<RedriveReport> =>
  source.kind === 'local' ? redriveLocal(source.dataDir, options) : redriveAws(source, options);
