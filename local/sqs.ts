/**
 * The local SQS: what Amazon SQS and Lambda's SQS event source mapping do for this
 * project, and no more.
 * - standard queues with a visibility timeout and a redrive policy: a message received
 *   more than `maxReceiveCount` times leaves the queue for the dead-letter handler, on
 *   the receive that would have been one too many, as SQS moves it;
 * - the SQS API over HTTP for the SDK client (AWS JSON 1.0, `x-amz-target: AmazonSQS.*`):
 *   SendMessage, SendMessageBatch, GetQueueUrl, GetQueueAttributes, ReceiveMessage,
 *   DeleteMessage, ChangeMessageVisibility(Batch), PurgeQueue, and StartMessageMoveTask
 *   (a dead-letter queue's redrive, done at once), with SQS's checks, MD5s and error shapes;
 * - Lambda's event source mapping: batches of up to `batchSize` visible messages, at most
 *   `maxConcurrency` invocations at once, the SQS event shape, partial batch responses
 *   (ReportBatchItemFailures) judged as Lambda judges them.
 *
 * Time is the clock it is given (the event bus's): a message becomes visible, and a
 * mapping polls, when the clock reaches the time, through `clock.at`; an invocation runs
 * while the clock stands still, as bus targets do.
 *
 * Not here: FIFO queues, long polling (WaitTimeSeconds is accepted, nothing waits),
 * queue management over HTTP (CreateQueue, SetQueueAttributes, tags, policies, KMS),
 * redrive policies (a queue's dead letters go to `onDeadLetter`, so StartMessageMoveTask
 * needs its DestinationArn; the other move task operations are not served), message retention (messages never expire), list attribute values,
 * a batching window (so batches hold at most 10), and Lambda's scaling ramp and backoff.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { localAccount, localRegion } from './event-bus';
import { listening } from './ports';

export interface QueueClock {
  now(): Date;
  at(when: Date, action: () => Promise<void> | void): void;
}

export interface DeadLetteredMessage {
  body: string;
  messageId: string;
  receiveCount: number;
  reason: string;
}

export interface LocalQueueOptions {
  name: string;
  /** A message received and not deleted becomes visible again after this. */
  visibilityTimeoutSeconds: number;
  /** After this many receives without success, the message moves to the dead-letter handler (redrive policy). */
  maxReceiveCount: number;
  /** The queue's MaximumMessageSize in bytes; SQS's default, 1 MiB, when absent. */
  maximumMessageSize?: number;
  onDeadLetter?: (message: DeadLetteredMessage) => void;
}

export interface EventSourceMapping {
  batchSize: number;
  maxConcurrency: number;
  reportBatchItemFailures: true;
  /** The function's timeout: Lambda refuses a mapping on a queue whose visibility timeout is shorter. */
  functionTimeoutSeconds?: number;
}

type Target = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

interface Attribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as on the wire. */
  BinaryValue?: string;
}

interface Message {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, Attribute>;
  md5OfAttributes?: string;
  traceHeader?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receipt?: string;
  /** Why the last receive did not end in a delete, when the mapping knows. */
  lastFailure?: string;
  /** Bumped whenever `visibleAt` changes: queued entries of an older version are stale. */
  version: number;
}

interface Entry {
  message: Message;
  version: number;
}

interface Queue {
  options: LocalQueueOptions & { maximumMessageSize: number };
  url: string;
  arn: string;
  createdAt: number;
  messages: Map<string, Message>;
  /** Entries by the clock time they become visible at; moved to `ready` when it comes. */
  due: Map<number, Entry[]>;
  ready: Entry[];
  head: number;
  mapping?: { config: EventSourceMapping; target: Target };
  draining?: Promise<void>;
  purgedAt?: number;
}

const kib = 1024;
const mib = 1024 * kib;
/** SendMessageBatch: the sum of the messages' sizes. */
const batchLimit = mib;
/** Lambda's synchronous invocation payload limit: a batch stops short of it. */
const invocationLimit = 6 * mib;
const maxDelaySeconds = 900;
const maxVisibilitySeconds = 43_200;
const retentionSeconds = 345_600;

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const seconds = (ms: number) => String(Math.floor(ms / 1000));
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
const within = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const check = (ok: boolean, message: string) => {
  if (!ok) throw new Error(`LocalSqs: ${message}`);
};

/** The errors served, with their HTTP status and the code of the query protocol (x-amzn-query-error). */
const errorCodes = {
  QueueDoesNotExist: [400, 'AWS.SimpleQueueService.NonExistentQueue'],
  EmptyBatchRequest: [400, 'AWS.SimpleQueueService.EmptyBatchRequest'],
  TooManyEntriesInBatchRequest: [400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'],
  BatchEntryIdsNotDistinct: [400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'],
  InvalidBatchEntryId: [400, 'AWS.SimpleQueueService.InvalidBatchEntryId'],
  BatchRequestTooLong: [400, 'AWS.SimpleQueueService.BatchRequestTooLong'],
  ReceiptHandleIsInvalid: [404, 'ReceiptHandleIsInvalid'],
  InvalidAttributeName: [400, 'InvalidAttributeName'],
  InvalidMessageContents: [400, 'InvalidMessageContents'],
  InvalidParameterValue: [400, 'InvalidParameterValue'],
  MissingParameter: [400, 'MissingParameter'],
  PurgeQueueInProgress: [403, 'AWS.SimpleQueueService.PurgeQueueInProgress'],
  MessageNotInflight: [400, 'AWS.SimpleQueueService.MessageNotInflight'],
  ResourceNotFoundException: [400, 'ResourceNotFoundException'],
  UnsupportedOperation: [400, 'AWS.SimpleQueueService.UnsupportedOperation'],
} as const;

class SqsError extends Error {
  constructor(
    readonly code: keyof typeof errorCodes,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

const served =
  'SendMessage, SendMessageBatch, GetQueueUrl, GetQueueAttributes, ReceiveMessage, DeleteMessage, ChangeMessageVisibility, ChangeMessageVisibilityBatch, PurgeQueue and StartMessageMoveTask';

const queueAttributeNames = new Set([
  'All', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible',
  'ContentBasedDeduplication', 'CreatedTimestamp', 'DeduplicationScope', 'DelaySeconds', 'FifoQueue', 'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds', 'KmsMasterKeyId', 'LastModifiedTimestamp', 'MaximumMessageSize', 'MessageRetentionPeriod',
  'Policy', 'QueueArn', 'ReceiveMessageWaitTimeSeconds', 'RedriveAllowPolicy', 'RedrivePolicy', 'SqsManagedSseEnabled',
  'VisibilityTimeout',
]);

/** The characters SQS accepts in a message (the XML 1.0 character set). */
const invalidCharacter = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const integer = (value: unknown, name: string, min: number, max: number, fallback: number): number => {
  if (value === undefined || value === null) return fallback;
  if (!within(value, min, max)) throw new SqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: must be ${min} to ${max}.`);
  return value as number;
};

/** Message attributes as SQS checks them; list values are reserved by SQS and refused here too. */
const parseAttributes = (input: unknown): Record<string, Attribute> => {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new SqsError('InvalidParameterValue', 'MessageAttributes must be a map.');
  const entries = Object.entries(input as Record<string, Record<string, unknown>>);
  if (entries.length > 10) throw new SqsError('InvalidParameterValue', `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  const attributes: Record<string, Attribute> = {};
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9_-]([A-Za-z0-9_-]|\.(?!\.)){0,255}(?<!\.)$/.test(name) || /^(aws|amazon)\./i.test(name)) {
      throw new SqsError('InvalidParameterValue', `Message attribute name '${name}' is invalid.`);
    }
    const { DataType, StringValue, BinaryValue, StringListValues, BinaryListValues } = value ?? {};
    const type = typeof DataType === 'string' ? /^(String|Number|Binary)(\..+)?$/.exec(DataType)?.[1] : undefined;
    if (!type) throw new SqsError('InvalidParameterValue', `The message attribute '${name}' has an invalid message attribute type.`);
    if ((Array.isArray(StringListValues) && StringListValues.length) || (Array.isArray(BinaryListValues) && BinaryListValues.length)) {
      throw new SqsError('InvalidParameterValue', `Message attribute list values in '${name}' are not supported.`);
    }
    if (type === 'Binary' ? typeof BinaryValue !== 'string' : typeof StringValue !== 'string' || StringValue === '') {
      throw new SqsError('InvalidParameterValue', `The message attribute '${name}' must contain a non-empty message attribute value.`);
    }
    const dataType = DataType as string;
    attributes[name] = type === 'Binary' ? { DataType: dataType, BinaryValue: BinaryValue as string } : { DataType: dataType, StringValue: StringValue as string };
  }
  return attributes;
};

/** SQS's MD5 of message attributes: names in order, each field length-prefixed, then a transport byte (1 string, 2 binary). */
const md5OfAttributes = (attributes: Record<string, Attribute>): string | undefined => {
  const names = Object.keys(attributes).sort();
  if (!names.length) return undefined;
  const parts: Buffer[] = [];
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const attribute = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(attribute.DataType, 'utf8'));
    const binary = attribute.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(attribute.BinaryValue!, 'base64') : Buffer.from(attribute.StringValue!, 'utf8'));
  }
  return md5(Buffer.concat(parts));
};

const valueBytes = (a: Attribute) => (a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a.StringValue!));

/** A message's size as SQS counts it: the body and each attribute's name, type and value. */
const sizeOf = (body: string, attributes: Record<string, Attribute>) =>
  Object.entries(attributes).reduce((sum, [name, a]) => sum + Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + valueBytes(a), Buffer.byteLength(body));

const toLambdaAttributes = (attributes: Record<string, Attribute>): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      a.BinaryValue !== undefined
        ? { binaryValue: a.BinaryValue, stringListValues: [], binaryListValues: [], dataType: a.DataType }
        : { stringValue: a.StringValue, stringListValues: [], binaryListValues: [], dataType: a.DataType },
    ]),
  );


/** The entries of a batch request, checked as SQS checks them: 1 to 10, each with a distinct, well-formed id. */
const batchEntries = (entries: unknown, action: string): Record<string, unknown>[] => {
  if (!Array.isArray(entries) || !entries.length) throw new SqsError('EmptyBatchRequest', `There should be at least one ${action}RequestEntry in the request.`);
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const list = entries as Record<string, unknown>[];
  const ids = list.map((entry) => entry?.Id);
  if (ids.some((id) => typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id))) {
    throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores, at most 80.');
  }
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${String(duplicate)} repeated.`);
  return list;
};

/** How Lambda reads a partial batch response: the ids to retry (all of them when the response is not a valid one), and why. */
const judge = (response: unknown, ids: ReadonlySet<string>): { failed: ReadonlySet<string>; reason: string } => {
  const none = { failed: new Set<string>(), reason: '' };
  const invalid = () => ({ failed: ids, reason: `invalid batch response ${JSON.stringify(response)}: the whole batch failed` });
  if (response === undefined || response === null) return none;
  if (typeof response !== 'object' || Array.isArray(response)) return invalid();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return none;
  if (!Array.isArray(failures)) return invalid();
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) {
      return { failed: ids, reason: `batch item failure ${JSON.stringify(failure)} names no message of the batch: the whole batch failed` };
    }
    failed.add(id);
  }
  return { failed, reason: 'reported as a batch item failure' };
};

export class LocalSqs {
  private queues = new Map<string, Queue>();
  private server?: Server;
  private endpoint?: string;
  private closed = false;

  constructor(private readonly clock: QueueClock) {}

  createQueue(options: LocalQueueOptions): { url: string; arn: string } {
    const { name, maximumMessageSize = mib } = options;
    check(this.endpoint !== undefined, 'listen() before createQueue(): the queue URL holds the endpoint');
    check(/^[A-Za-z0-9_-]{1,80}$/.test(name), `invalid queue name '${name}' (standard queues only: 1 to 80 letters, digits, - and _)`);
    check(!this.queues.has(name), `queue '${name}' already exists`);
    check(within(options.visibilityTimeoutSeconds, 0, maxVisibilitySeconds), `visibilityTimeoutSeconds must be 0 to ${maxVisibilitySeconds}`);
    check(within(options.maxReceiveCount, 1, 1000), 'maxReceiveCount must be 1 to 1000');
    check(within(maximumMessageSize, kib, mib), `maximumMessageSize must be ${kib} to ${mib} bytes`);
    const queue: Queue = {
      options: { ...options, maximumMessageSize },
      url: `${this.endpoint}/${localAccount}/${name}`,
      arn: `arn:aws:sqs:${localRegion}:${localAccount}:${name}`,
      createdAt: this.now(),
      messages: new Map(),
      due: new Map(),
      ready: [],
      head: 0,
    };
    this.queues.set(name, queue);
    return { url: queue.url, arn: queue.arn };
  }

  /** Lambda's event source mapping: invokes `target` with SQS events (aws-lambda's SQSEvent shape) as messages become visible. */
  addEventSourceMapping(queueName: string, mapping: EventSourceMapping, target: Target): void {
    const queue = this.queue(queueName);
    const visibility = queue.options.visibilityTimeoutSeconds;
    const timeout = mapping.functionTimeoutSeconds ?? 1;
    check(!queue.mapping, `queue '${queueName}' already has an event source mapping`);
    check(within(mapping.batchSize, 1, 10), 'batchSize must be 1 to 10 (more needs a batching window, which the local mapping does not have)');
    check(within(mapping.maxConcurrency, 2, 1000), 'maxConcurrency must be 2 to 1000, as Lambda allows');
    check(visibility >= timeout, `the queue's visibility timeout ${visibility}s is less than the function timeout ${timeout}s`);
    queue.mapping = { config: mapping, target };
    this.clock.at(this.clock.now(), () => this.poll(queue));
  }

  /**
   * SendMessage in process, for what feeds a queue without the SDK (an EventBridge rule's
   * SQS target): the same checks as over HTTP; resolves to the message id.
   */
  send(queueName: string, body: string, options: { delaySeconds?: number } = {}): string {
    const queue = this.queue(queueName);
    const message = this.accept(queue, { MessageBody: body, DelaySeconds: options.delaySeconds });
    this.enqueue(queue, message);
    return message.id;
  }

  /**
   * Delivers what is visible now, at once (resolves when the mapping is idle): what an
   * EventBridge rule puts on a queue is handled before the next event of the same instant,
   * so a simulation runs the same whatever the order of the agenda.
   */
  deliverNow(queueName: string): Promise<void> | void {
    return this.poll(this.queue(queueName));
  }

  /** Depth per queue, as ApproximateNumberOfMessages / NotVisible / Delayed report it. */
  depth(queueName: string): { visible: number; inFlight: number; delayed: number } {
    const queue = this.queue(queueName);
    const now = this.now();
    const depth = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of queue.messages.values()) {
      if (message.visibleAt <= now) depth.visible++;
      else if (message.receiveCount === 0) depth.delayed++;
      else depth.inFlight++;
    }
    return depth;
  }

  /** Serves the SQS API (AWS JSON 1.0) for the SDK client, over HTTP (`listen`) or in this process. */
  readonly listener: RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
        response.end(JSON.stringify(body));
      };
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = /^AmazonSQS\.(\w+)$/.exec(target)?.[1];
      if (!operation) {
        return reply(400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown operation ${target || '(no x-amz-target)'}` });
      }
      let input: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        return reply(400, { __type: 'com.amazon.coral.service#SerializationException', message: 'The request body is not a JSON object' });
      }
      try {
        reply(200, this.serve(operation, input));
      } catch (error) {
        if (!(error instanceof SqsError)) return reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: errorMessage(error) });
        const [status, queryCode] = errorCodes[error.code];
        reply(status, { __type: `com.amazonaws.sqs#${error.code}`, message: error.message }, { 'x-amzn-query-error': `${queryCode};Sender` });
      }
    });
  };

  /** Resolves to the endpoint URL the queues listen on. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer(this.listener);
    await listening(this.server, port, host);
    this.endpoint = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private now() {
    return this.clock.now().getTime();
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    check(queue !== undefined, `no queue '${name}'`);
    return queue!;
  }

  // --- the API ---

  private serve(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'SendMessage':
        return this.sendOne(this.queueAt(input.QueueUrl), input);
      case 'SendMessageBatch':
        return this.sendBatch(this.queueAt(input.QueueUrl), input.Entries);
      case 'GetQueueUrl': {
        const queue = typeof input.QueueName === 'string' ? this.queues.get(input.QueueName) : undefined;
        if (!queue || (input.QueueOwnerAWSAccountId !== undefined && input.QueueOwnerAWSAccountId !== localAccount)) {
          throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
        }
        return { QueueUrl: queue.url };
      }
      case 'GetQueueAttributes':
        return this.attributes(this.queueAt(input.QueueUrl), input.AttributeNames);
      case 'ReceiveMessage':
        return this.receiveOverHttp(this.queueAt(input.QueueUrl), input);
      case 'DeleteMessage': {
        const queue = this.queueAt(input.QueueUrl);
        const id = this.messageIdOf(queue, input.ReceiptHandle);
        // A stale receipt handle (the message was received again since) succeeds without deleting, as on SQS.
        if (queue.messages.get(id)?.receipt === input.ReceiptHandle) queue.messages.delete(id);
        return {};
      }
      case 'ChangeMessageVisibility':
        this.changeVisibility(this.queueAt(input.QueueUrl), input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      case 'ChangeMessageVisibilityBatch':
        return this.changeVisibilityBatch(this.queueAt(input.QueueUrl), input.Entries);
      case 'StartMessageMoveTask':
        return this.startMoveTask(input);
      case 'PurgeQueue': {
        const queue = this.queueAt(input.QueueUrl);
        const now = this.now();
        if (queue.purgedAt !== undefined && now - queue.purgedAt < 60_000) {
          throw new SqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.options.name} is allowed every 60 seconds.`);
        }
        queue.purgedAt = now;
        queue.messages.clear();
        return {};
      }
      default:
        throw new SqsError('UnsupportedOperation', `The local SQS does not serve ${operation}, only ${served}.`);
    }
  }

  /** Hides an in-flight message for `timeout` seconds from now (0: visible at once), as SQS does for its latest receipt. */
  private changeVisibility(queue: Queue, handle: unknown, timeout: unknown) {
    const seconds = integer(timeout, 'VisibilityTimeout', 0, maxVisibilitySeconds, -1);
    if (seconds < 0) throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    const message = queue.messages.get(this.messageIdOf(queue, handle));
    const now = this.now();
    if (!message || message.receipt !== handle || message.visibleAt <= now) {
      throw new SqsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
    }
    message.visibleAt = now + seconds * 1000;
    message.version++;
    this.schedule(queue, message);
  }

  private changeVisibilityBatch(queue: Queue, entries: unknown) {
    const list = batchEntries(entries, 'ChangeMessageVisibilityBatch');
    const Successful: { Id: string }[] = [];
    const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const entry of list) {
      const Id = entry.Id as string;
      try {
        this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
        Successful.push({ Id });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id, SenderFault: true, Code: error.code, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  /**
   * A redrive: every visible message of the source moves to the destination, as
   * SQS's move task moves it (same body and attributes, a new message there), here
   * at once rather than at a rate.
   */
  private startMoveTask(input: Record<string, unknown>) {
    const byArn = (arn: unknown, name: string) => {
      if (typeof arn !== 'string' || !arn) throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
      const queue = [...this.queues.values()].find((each) => each.arn === arn);
      if (!queue) throw new SqsError('ResourceNotFoundException', `The resource that you specified for the ${name} parameter doesn't exist.`);
      return queue;
    };
    const source = byArn(input.SourceArn, 'SourceArn');
    if (input.DestinationArn === undefined) {
      throw new SqsError('InvalidParameterValue', 'The local SQS keeps no redrive policy: give the DestinationArn to move the messages to.');
    }
    const destination = byArn(input.DestinationArn, 'DestinationArn');
    if (destination === source) throw new SqsError('InvalidParameterValue', 'The source and destination queues must differ.');
    integer(input.MaxNumberOfMessagesPerSecond, 'MaxNumberOfMessagesPerSecond', 1, 500, 1);
    const now = this.now();
    for (const message of [...source.messages.values()]) {
      if (message.visibleAt > now) continue;
      source.messages.delete(message.id);
      this.enqueue(destination, { ...this.accept(destination, { MessageBody: message.body }), attributes: message.attributes, md5OfAttributes: message.md5OfAttributes });
    }
    return { TaskHandle: Buffer.from(JSON.stringify([source.arn, randomUUID()])).toString('base64url') };
  }

  private queueAt(url: unknown): Queue {
    const match = typeof url === 'string' ? /^https?:\/\/[^/]+\/(\d{12})\/([A-Za-z0-9_-]{1,80})\/?$/.exec(url) : null;
    const queue = match?.[1] === localAccount ? this.queues.get(match[2]!) : undefined;
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  /** A message to send, checked as SQS checks it (throws SqsError). */
  private accept(queue: Queue, input: Record<string, unknown>): Message {
    const body = input.MessageBody;
    if (typeof body !== 'string' || body === '') throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (invalidCharacter.test(body)) throw new SqsError('InvalidMessageContents', 'Invalid binary character in the message body.');
    const attributes = parseAttributes(input.MessageAttributes);
    const size = sizeOf(body, attributes);
    const limit = queue.options.maximumMessageSize;
    if (size > limit) {
      throw new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
    }
    const delay = integer(input.DelaySeconds, 'DelaySeconds', 0, maxDelaySeconds, 0);
    const system = input.MessageSystemAttributes as { AWSTraceHeader?: { StringValue?: unknown } } | undefined;
    const traceHeader = system?.AWSTraceHeader?.StringValue;
    const now = this.now();
    return {
      id: randomUUID(),
      body,
      md5OfBody: md5(body),
      attributes,
      md5OfAttributes: md5OfAttributes(attributes),
      ...(typeof traceHeader === 'string' && { traceHeader }),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      version: 0,
    };
  }

  private sendOne(queue: Queue, input: Record<string, unknown>): Record<string, string> {
    const message = this.accept(queue, input);
    this.enqueue(queue, message);
    const { id: MessageId, md5OfBody: MD5OfMessageBody, md5OfAttributes: MD5OfMessageAttributes } = message;
    return { MessageId, MD5OfMessageBody, ...(MD5OfMessageAttributes && { MD5OfMessageAttributes }) };
  }

  private sendBatch(queue: Queue, entries: unknown) {
    const list = batchEntries(entries, 'SendMessageBatch');
    const total = list.reduce((sum, entry) => {
      const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
      let attributes: Record<string, Attribute> = {};
      try {
        attributes = parseAttributes(entry.MessageAttributes);
      } catch {
        // an invalid entry fails on its own below
      }
      return sum + sizeOf(body, attributes);
    }, 0);
    if (total > batchLimit) throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${batchLimit} bytes. You have sent ${total} bytes.`);

    const Successful: Record<string, string>[] = [];
    const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const entry of list) {
      const Id = entry.Id as string;
      try {
        Successful.push({ Id, ...this.sendOne(queue, entry) });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id, SenderFault: true, Code: error.code, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  private attributes(queue: Queue, names: unknown) {
    const requested = Array.isArray(names) ? (names as unknown[]) : [];
    for (const name of requested) {
      if (typeof name !== 'string' || !queueAttributeNames.has(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${String(name)}.`);
    }
    const depth = this.depth(queue.options.name);
    const all: Record<string, string> = {
      ApproximateNumberOfMessages: String(depth.visible),
      ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
      ApproximateNumberOfMessagesDelayed: String(depth.delayed),
      CreatedTimestamp: seconds(queue.createdAt),
      LastModifiedTimestamp: seconds(queue.createdAt),
      DelaySeconds: '0',
      MaximumMessageSize: String(queue.options.maximumMessageSize),
      MessageRetentionPeriod: String(retentionSeconds),
      QueueArn: queue.arn,
      ReceiveMessageWaitTimeSeconds: '0',
      VisibilityTimeout: String(queue.options.visibilityTimeoutSeconds),
    };
    const wanted = requested.includes('All') ? Object.keys(all) : (requested as string[]);
    return { Attributes: Object.fromEntries(wanted.filter((name) => name in all).map((name) => [name, all[name]!])) };
  }

  private receiveOverHttp(queue: Queue, input: Record<string, unknown>) {
    const max = integer(input.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10, 1);
    const visibility = integer(input.VisibilityTimeout, 'VisibilityTimeout', 0, maxVisibilitySeconds, queue.options.visibilityTimeoutSeconds);
    integer(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 0);
    const systemNames = [input.AttributeNames, input.MessageSystemAttributeNames].flatMap((names) => (Array.isArray(names) ? (names as string[]) : []));
    const patterns = Array.isArray(input.MessageAttributeNames) ? (input.MessageAttributeNames as string[]) : [];
    const wantsAttribute = (name: string) =>
      patterns.some((p) => p === 'All' || p === '.*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
    const Messages = this.receive(queue, max, visibility).map((message) => {
      const system = this.systemAttributes(message);
      const attributes = Object.fromEntries(Object.entries(message.attributes).filter(([name]) => wantsAttribute(name)));
      const wanted = Object.entries(system).filter(([name]) => systemNames.includes('All') || systemNames.includes(name));
      return {
        MessageId: message.id,
        ReceiptHandle: message.receipt,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        ...(wanted.length && { Attributes: Object.fromEntries(wanted) }),
        ...(Object.keys(attributes).length && { MessageAttributes: attributes, MD5OfMessageAttributes: message.md5OfAttributes }),
      };
    });
    return Messages.length ? { Messages } : {};
  }

  private messageIdOf(queue: Queue, handle: unknown): string {
    try {
      const [name, id] = JSON.parse(Buffer.from(String(handle), 'base64url').toString('utf8')) as [unknown, unknown];
      if (name === queue.options.name && typeof id === 'string') return id;
    } catch {
      // not one of ours
    }
    throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${String(handle)}" is not a valid receipt handle.`);
  }

  private systemAttributes(message: Message): Record<string, string> {
    return {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: localAccount,
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
      ...(message.traceHeader !== undefined && { AWSTraceHeader: message.traceHeader }),
    };
  }

  // --- visibility ---

  private enqueue(queue: Queue, message: Message) {
    queue.messages.set(message.id, message);
    this.schedule(queue, message);
  }

  /** Queues the message to become visible at its `visibleAt`, with a poll of the queue then. */
  private schedule(queue: Queue, message: Message) {
    const at = Math.max(message.visibleAt, this.now());
    let bucket = queue.due.get(at);
    if (!bucket) {
      queue.due.set(at, (bucket = []));
      this.clock.at(new Date(at), () => this.poll(queue));
    }
    bucket.push({ message, version: message.version });
  }

  /** Moves what is visible by now to the ready list, in the order it became visible. */
  private promote(queue: Queue, now: number) {
    const times = [...queue.due.keys()].filter((time) => time <= now).sort((a, b) => a - b);
    for (const time of times) {
      for (const entry of queue.due.get(time)!) queue.ready.push(entry);
      queue.due.delete(time);
    }
  }

  /**
   * ReceiveMessage: up to `max` visible messages, hidden for `visibilitySeconds`. A message
   * already received `maxReceiveCount` times goes to the dead-letter handler instead.
   */
  private receive(queue: Queue, max: number, visibilitySeconds: number, maxBytes = Infinity): Message[] {
    const now = this.now();
    this.promote(queue, now);
    const taken: Message[] = [];
    let bytes = 0;
    while (taken.length < max && queue.head < queue.ready.length) {
      const { message, version } = queue.ready[queue.head]!;
      if (queue.messages.get(message.id) !== message || message.version !== version || message.visibleAt > now) {
        queue.head++;
        continue;
      }
      const size = sizeOf(message.body, message.attributes);
      if (taken.length && bytes + size > maxBytes) break;
      queue.head++;
      if (message.receiveCount >= queue.options.maxReceiveCount) {
        queue.messages.delete(message.id);
        queue.options.onDeadLetter?.({
          body: message.body,
          messageId: message.id,
          receiveCount: message.receiveCount,
          reason: message.lastFailure ?? `not deleted after ${message.receiveCount} receives`,
        });
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receipt = Buffer.from(JSON.stringify([queue.options.name, message.id, randomUUID()])).toString('base64url');
      message.lastFailure = undefined;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.version++;
      this.schedule(queue, message);
      taken.push(message);
      bytes += size;
    }
    if (queue.head > 1024 && queue.head * 2 > queue.ready.length) {
      queue.ready = queue.ready.slice(queue.head);
      queue.head = 0;
    }
    return taken;
  }

  // --- the event source mapping ---

  private poll(queue: Queue): Promise<void> | void {
    if (this.closed) return;
    if (!queue.mapping) return this.promote(queue, this.now());
    queue.draining ??= this.drain(queue).finally(() => {
      queue.draining = undefined;
    });
    return queue.draining;
  }

  /** Invokes the target with batches of what is visible, `maxConcurrency` at a time, until nothing is left. */
  private async drain(queue: Queue) {
    const { config, target } = queue.mapping!;
    const running = new Set<Promise<void>>();
    for (;;) {
      while (running.size < config.maxConcurrency && !this.closed) {
        const batch = this.receive(queue, config.batchSize, queue.options.visibilityTimeoutSeconds, invocationLimit);
        if (!batch.length) break;
        const invocation: Promise<void> = this.invoke(queue, batch, target).finally(() => running.delete(invocation));
        running.add(invocation);
      }
      if (!running.size) return;
      await Promise.race(running);
    }
  }

  /** One invocation: deletes what succeeded; what failed stays hidden until its visibility timeout ends. */
  private async invoke(queue: Queue, batch: Message[], target: Target) {
    const receipts = new Map(batch.map((message) => [message.id, message.receipt]));
    const event: SQSEvent = { Records: batch.map((message) => this.record(queue, message)) };
    let verdict: { failed: ReadonlySet<string>; reason: string };
    try {
      verdict = judge(await target(event), new Set(receipts.keys()));
    } catch (error) {
      verdict = { failed: new Set(receipts.keys()), reason: errorMessage(error) };
    }
    for (const message of batch) {
      // Deleted meanwhile (a purge, or the function itself), or received again: nothing left to settle.
      if (queue.messages.get(message.id) !== message || message.receipt !== receipts.get(message.id)) continue;
      if (verdict.failed.has(message.id)) message.lastFailure = verdict.reason;
      else queue.messages.delete(message.id);
    }
  }

  private record(queue: Queue, message: Message): SQSRecord {
    return {
      messageId: message.id,
      receiptHandle: message.receipt!,
      body: message.body,
      attributes: this.systemAttributes(message) as unknown as SQSRecord['attributes'],
      messageAttributes: toLambdaAttributes(message.attributes),
      md5OfBody: message.md5OfBody,
      ...(message.md5OfAttributes && { md5OfMessageAttributes: message.md5OfAttributes }),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: localRegion,
    };
  }
}
