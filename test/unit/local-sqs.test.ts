/**
 * The local SQS (local/sqs.ts): Amazon SQS and Lambda's SQS event source mapping as
 * AWS documents them, driven through the real SDK client and on the event bus's
 * virtual clock. Each `describe` is one rule of its behaviour.
 */
import '../../local/environment';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  DeleteMessageCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidBatchEntryId,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LocalEventBus, localAccount, localRegion } from '../../local/event-bus';
import { LocalSqs, type DeadLetteredMessage, type LocalQueueOptions } from '../../local/sqs';

const start = new Date('2026-01-01T00:00:00Z');
const after = (seconds: number) => new Date(start.getTime() + seconds * 1000);
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const opened: { sqs: LocalSqs; client: SQSClient }[] = [];
afterEach(async () => {
  for (const { sqs, client } of opened.splice(0)) {
    client.destroy();
    await sqs.close();
  }
});

/** A bus clock, a local SQS serving HTTP, an SDK client on it, and one queue that keeps what it dead-letters. */
const setup = async (queue: Partial<LocalQueueOptions> = {}) => {
  const bus = new LocalEventBus({ start });
  const sqs = new LocalSqs(bus);
  const endpoint = await sqs.listen();
  const client = new SQSClient({ endpoint, region: localRegion, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  opened.push({ sqs, client });
  const deadLetters: DeadLetteredMessage[] = [];
  const { url, arn } = sqs.createQueue({
    name: 'send-jobs',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    onDeadLetter: (message) => deadLetters.push(message),
    ...queue,
  });
  return { bus, sqs, client, endpoint, url, arn, deadLetters };
};

/** A target that records each batch with the clock time it ran at, and answers with `respond`. */
const recorder = (bus: LocalEventBus, respond: (records: SQSRecord[], call: number) => SQSBatchResponse | void = () => undefined) => {
  const calls: { now: string; records: SQSRecord[] }[] = [];
  const target = async (event: SQSEvent) => {
    calls.push({ now: bus.now().toISOString(), records: event.Records });
    return respond(event.Records, calls.length);
  };
  return { calls, target, bodies: (call: number) => calls[call]!.records.map((r) => r.body) };
};

const sendBodies = async (client: SQSClient, url: string, bodies: string[]) => {
  for (let i = 0; i < bodies.length; i += 10) {
    const Entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: `m${i + j}`, MessageBody: body }));
    const result = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    expect(result.Failed ?? []).toEqual([]);
  }
};

const attributes = async (client: SQSClient, url: string) =>
  (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;

describe('the SQS API is served over AWS JSON 1.0 for the SDK client', () => {
  it('sends a message and answers with its id and the MD5 of its body, which the SDK checks', async () => {
    const { client, url } = await setup();
    const result = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"customerId":"c-1"}' }));
    expect(result.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.MD5OfMessageBody).toBe(md5('{"customerId":"c-1"}'));
  });

  it('names queues by URL under the local account, and resolves a name with GetQueueUrl', async () => {
    const { client, url, arn, endpoint } = await setup();
    expect(url).toBe(`${endpoint}/${localAccount}/send-jobs`);
    expect(arn).toBe(`arn:aws:sqs:${localRegion}:${localAccount}:send-jobs`);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'send-jobs' }))).QueueUrl).toBe(url);
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${endpoint}/${localAccount}/nope`, MessageBody: 'x' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('answers an operation it does not serve with a 400 and an __type', async () => {
    const { client, endpoint } = await setup();
    const post = (target: string) =>
      fetch(endpoint, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    const unknown = await post('AmazonSQS.Frobnicate');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'com.amazonaws.sqs#UnsupportedOperation' });
    const foreign = await post('AWSEvents.PutEvents');
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ __type: 'com.amazon.coral.service#UnknownOperationException' });
    // The SDK turns the error into its own exception class.
    const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
    await expect(client.send(new CreateQueueCommand({ QueueName: 'other' }))).rejects.toBeInstanceOf(UnsupportedOperation);
  });

  it('returns the MD5 of message attributes as SQS computes it', async () => {
    const { client, url } = await setup();
    // Reference values computed by SQS (published in the test suites of SQS emulators and checksum validators).
    const one = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { SellerName: { DataType: 'String', StringValue: 'Example Store' } } }),
    );
    expect(one.MD5OfMessageAttributes).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');
    const two = await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: { ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    expect(two.MD5OfMessageAttributes).toBe('d21ae90c49061e927f57df5f5d72be1f');
  });
});

describe('SendMessageBatch: 1 to 10 entries with distinct ids, a total of at most 1 MiB, per-entry results', () => {
  it('refuses an empty batch, more than 10 entries, repeated ids and invalid ids', async () => {
    const { client, url } = await setup();
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `body ${i}` }));
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) }))).rejects.toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
    await expect(
      client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'same', MessageBody: 'a' }, { Id: 'same', MessageBody: 'b' }] })),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'not ok!', MessageBody: 'a' }] }))).rejects.toBeInstanceOf(
      InvalidBatchEntryId,
    );
  });

  it('refuses a batch whose messages add up to more than 1 MiB, and queues nothing of it', async () => {
    const { client, url, sqs } = await setup();
    const body = 'x'.repeat(200 * 1024);
    const Entries = Array.from({ length: 6 }, (_, i) => ({ Id: `e${i}`, MessageBody: body }));
    const error = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchRequestTooLong);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    // Five of them are 1,024,000 bytes: under the limit.
    const ok = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Entries.slice(0, 5) }));
    expect(ok.Successful).toHaveLength(5);
  });

  it('reports an invalid entry in Failed and queues the others', async () => {
    const { client, url, sqs } = await setup({ maximumMessageSize: 1024 });
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'good', MessageBody: 'hello' },
          { Id: 'control', MessageBody: 'bell \u0007' },
          { Id: 'big', MessageBody: 'x'.repeat(1025) },
          { Id: 'late', MessageBody: 'later', DelaySeconds: 901 },
        ],
      }),
    );
    expect(result.Successful!.map((s) => [s.Id, s.MD5OfMessageBody])).toEqual([['good', md5('hello')]]);
    expect(result.Failed!.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ['control', 'InvalidMessageContents', true],
      ['big', 'InvalidParameterValue', true],
      ['late', 'InvalidParameterValue', true],
    ]);
    expect(sqs.depth('send-jobs').visible).toBe(1);
  });
});

describe('the event source mapping delivers visible messages in batches of at most batchSize', () => {
  it('invokes the target with batches of up to 10, in the SQS event shape, and deletes them on success', async () => {
    const { bus, sqs, client, url, arn } = await setup();
    const target = recorder(bus);
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    const bodies = Array.from({ length: 25 }, (_, i) => `job ${i}`);
    await sendBodies(client, url, bodies);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 25, inFlight: 0, delayed: 0 });

    await bus.runUntil(after(1));
    expect(target.calls.map((c) => c.records.length)).toEqual([10, 10, 5]);
    expect(target.calls.flatMap((c) => c.records.map((r) => r.body))).toEqual(bodies);
    expect(target.calls.every((c) => c.now === start.toISOString())).toBe(true);
    const record = target.calls[0]!.records[0]!;
    expect(record).toEqual({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.any(String),
      body: 'job 0',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(start.getTime()),
        SenderId: localAccount,
        ApproximateFirstReceiveTimestamp: String(start.getTime()),
      },
      messageAttributes: {},
      md5OfBody: md5('job 0'),
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: localRegion,
    });
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('hands message attributes over as Lambda does', async () => {
    const { bus, sqs, client, url } = await setup();
    const target = recorder(bus);
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: { campaign: { DataType: 'String', StringValue: 'birthday' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
      }),
    );
    await bus.runUntil(after(1));
    const record = target.calls[0]!.records[0]!;
    expect(record.messageAttributes).toEqual({
      campaign: { stringValue: 'birthday', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(record.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });

  it('puts messages that become visible at the same clock instant in the same batches, and later ones in later batches', async () => {
    const { bus, sqs, client, url } = await setup();
    const target = recorder(bus);
    sqs.addEventSourceMapping('send-jobs', { batchSize: 4, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await sendBodies(client, url, ['a', 'b', 'c']);
    await bus.runUntil(after(5));
    sqs.send('send-jobs', 'd');
    sqs.send('send-jobs', 'e');
    await bus.runUntil(after(6));
    expect(target.calls.map((c) => [c.now, c.records.map((r) => r.body)])).toEqual([
      [start.toISOString(), ['a', 'b', 'c']],
      [after(5).toISOString(), ['d', 'e']],
    ]);
  });

  it('takes messages sent in process, as an EventBridge rule with an SQS target sends them', async () => {
    const { bus, sqs } = await setup();
    const target = recorder(bus);
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    const id = sqs.send('send-jobs', '{"detail-type":"Order Placed"}', { delaySeconds: 2 });
    expect(() => sqs.send('send-jobs', '')).toThrow(/MessageBody/);
    await bus.runUntil(after(3));
    expect(target.calls.map((c) => [c.now, c.records[0]!.messageId])).toEqual([[after(2).toISOString(), id]]);
  });

  it('refuses a mapping Lambda would refuse', async () => {
    const { sqs } = await setup({ visibilityTimeoutSeconds: 30 });
    const target = async () => undefined;
    expect(() => sqs.addEventSourceMapping('send-jobs', { batchSize: 11, maxConcurrency: 2, reportBatchItemFailures: true }, target)).toThrow(/batchSize/);
    expect(() => sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 1, reportBatchItemFailures: true }, target)).toThrow(/maxConcurrency/);
    expect(() =>
      sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true, functionTimeoutSeconds: 60 }, target),
    ).toThrow(/visibility timeout/);
  });
});

describe('partial batch responses: failed items come back after the visibility timeout, the rest are deleted', () => {
  it('redelivers only the reported items, once the visibility timeout is over, with ApproximateReceiveCount 2', async () => {
    const { bus, sqs, client, url } = await setup({ visibilityTimeoutSeconds: 30 });
    const target = recorder(bus, (records, call) =>
      call === 1 ? { batchItemFailures: records.filter((r) => r.body === 'b' || r.body === 'd').map((r) => ({ itemIdentifier: r.messageId })) } : undefined,
    );
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await sendBodies(client, url, ['a', 'b', 'c', 'd']);

    await bus.runUntil(after(29));
    expect(target.calls).toHaveLength(1);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 2, delayed: 0 });
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '2' });

    await bus.runUntil(after(31));
    expect(target.calls).toHaveLength(2);
    const second = target.calls[1]!;
    expect(second.now).toBe(after(30).toISOString());
    expect(second.records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['b', '2'],
      ['d', '2'],
    ]);
    const first = target.calls[0]!.records.find((r) => r.body === 'b')!;
    const again = second.records.find((r) => r.body === 'b')!;
    expect(again.messageId).toBe(first.messageId);
    expect(again.receiptHandle).not.toBe(first.receiptHandle);
    expect(again.attributes.ApproximateFirstReceiveTimestamp).toBe(String(start.getTime()));
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('treats an empty or absent failure list as success', async () => {
    const { bus, sqs, client, url } = await setup();
    const target = recorder(bus, (_, call) => (call === 1 ? { batchItemFailures: [] } : undefined));
    sqs.addEventSourceMapping('send-jobs', { batchSize: 1, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await sendBodies(client, url, ['a', 'b']);
    await bus.runUntil(after(120));
    expect(target.calls).toHaveLength(2);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('fails the whole batch when an itemIdentifier is empty, null, missing or not in the batch, or the response is not one', async () => {
    const responses: unknown[] = [
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ itemId: 'wrong key' }] },
      { batchItemFailures: [{ itemIdentifier: 'not-a-message-of-this-batch' }] },
      { batchItemFailures: 'all of them' },
      'ok',
    ];
    for (const response of responses) {
      const { bus, sqs, client, url } = await setup();
      const target = recorder(bus, (_, call) => (call === 1 ? (response as SQSBatchResponse) : undefined));
      sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
      await sendBodies(client, url, ['a', 'b', 'c']);
      await bus.runUntil(after(31));
      expect(target.calls.map((c) => c.records.map((r) => `${r.body}${r.attributes.ApproximateReceiveCount}`))).toEqual([
        ['a1', 'b1', 'c1'],
        ['a2', 'b2', 'c2'],
      ]);
    }
  });
});

describe('a target that throws fails the whole batch', () => {
  it('makes every message of the batch visible again after the visibility timeout', async () => {
    const { bus, sqs, client, url } = await setup({ visibilityTimeoutSeconds: 60 });
    const target = recorder(bus, (_, call) => {
      if (call === 1) throw new Error('Task timed out after 30.00 seconds');
    });
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await sendBodies(client, url, ['a', 'b', 'c']);
    await bus.runUntil(after(59));
    expect(target.calls).toHaveLength(1);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 3, delayed: 0 });
    await bus.runUntil(after(61));
    expect(target.calls.map((c) => [c.now, c.records.map((r) => `${r.body}${r.attributes.ApproximateReceiveCount}`)])).toEqual([
      [start.toISOString(), ['a1', 'b1', 'c1']],
      [after(60).toISOString(), ['a2', 'b2', 'c2']],
    ]);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('the redrive policy: past maxReceiveCount a message goes to the dead-letter handler, with the reason', () => {
  it('dead-letters a message that keeps throwing, after maxReceiveCount receives, with the error message', async () => {
    const { bus, sqs, client, url, deadLetters } = await setup({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
    const target = recorder(bus, () => {
      throw new Error('SES throttled');
    });
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await sendBodies(client, url, ['poison']);
    await bus.runUntil(after(3600));
    expect(target.calls.map((c) => [c.now, c.records[0]!.attributes.ApproximateReceiveCount])).toEqual([
      [start.toISOString(), '1'],
      [after(30).toISOString(), '2'],
      [after(60).toISOString(), '3'],
    ]);
    expect(deadLetters).toEqual([{ body: 'poison', messageId: target.calls[0]!.records[0]!.messageId, receiveCount: 3, reason: 'SES throttled' }]);
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('dead-letters a message reported as a batch item failure each time, and keeps its neighbours', async () => {
    const { bus, sqs, client, url, deadLetters } = await setup({ visibilityTimeoutSeconds: 30, maxReceiveCount: 2 });
    const target = recorder(bus, (records) => ({
      batchItemFailures: records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })),
    }));
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await sendBodies(client, url, ['good', 'bad']);
    await bus.runUntil(after(3600));
    expect(target.calls.map((c) => c.records.map((r) => r.body))).toEqual([['good', 'bad'], ['bad']]);
    expect(deadLetters.map((d) => [d.body, d.receiveCount, d.reason])).toEqual([['bad', 2, 'reported as a batch item failure']]);
  });
});

describe('maxConcurrency bounds the invocations in flight', () => {
  it('never runs more than maxConcurrency batches at once, and runs the rest as invocations finish', async () => {
    const { bus, sqs, client, url } = await setup();
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    sqs.addEventSourceMapping('send-jobs', { batchSize: 2, maxConcurrency: 3, reportBatchItemFailures: true }, async (event) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Real time, not the clock: the invocations overlap while the bus clock stands still.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
      seen.push(...event.Records.map((r) => r.body));
      inFlight--;
    });
    const bodies = Array.from({ length: 20 }, (_, i) => `job ${i}`);
    await sendBodies(client, url, bodies);
    await bus.runUntil(after(1));
    expect(peak).toBe(3);
    expect(inFlight).toBe(0);
    expect([...seen].sort()).toEqual([...bodies].sort());
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('DelaySeconds hides a new message until its delay is over', () => {
  it('delivers a delayed message when the clock reaches its delay, and counts it as delayed until then', async () => {
    const { bus, sqs, client, url } = await setup();
    const target = recorder(bus);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 90 }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' }));
    expect(sqs.depth('send-jobs')).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '1' });
    sqs.addEventSourceMapping('send-jobs', { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }, target.target);
    await bus.runUntil(after(89));
    expect(target.calls.map((c) => [c.now, target.bodies(0)])).toEqual([[start.toISOString(), ['now']]]);
    await bus.runUntil(after(91));
    expect(target.calls.map((c) => [c.now, c.records.map((r) => r.body)])).toEqual([
      [start.toISOString(), ['now']],
      [after(90).toISOString(), ['later']],
    ]);
  });

  it('refuses a delay over 15 minutes', async () => {
    const { client, url } = await setup();
    await expect(client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('ReceiveMessage, DeleteMessage and GetQueueAttributes, for tools that read a queue', () => {
  it('returns the message attributes asked for, with the MD5 SendMessage reported', async () => {
    const { client, url } = await setup();
    const MessageAttributes = { 'job.kind': { DataType: 'String', StringValue: 'birthday' }, payload: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) } };
    const sent = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes }));
    const [message] = (await client.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }))).Messages!;
    expect(message!.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message!.MessageAttributes!['job.kind']).toMatchObject({ DataType: 'String', StringValue: 'birthday' });
    expect(Buffer.from(message!.MessageAttributes!.payload!.BinaryValue!)).toEqual(Buffer.from([0, 1, 2]));
  });


  it('counts visible, in-flight and delayed messages as the Approximate* attributes do', async () => {
    const { bus, client, url, arn } = await setup({ visibilityTimeoutSeconds: 30 });
    await sendBodies(client, url, ['a', 'b']);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'c', DelaySeconds: 10 }));

    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 20 }),
    );
    expect(received.Messages).toHaveLength(1);
    const [message] = received.Messages!;
    expect(message).toMatchObject({ Body: 'a', MD5OfBody: md5('a'), Attributes: { ApproximateReceiveCount: '1', SenderId: localAccount } });
    expect(await attributes(client, url)).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      QueueArn: arn,
      VisibilityTimeout: '30',
    });
    const some = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    expect(some.Attributes).toEqual({ QueueArn: arn });

    // Not deleted: visible again once its visibility timeout is over.
    await bus.runUntil(after(31));
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' });
    const all = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(all.Messages!.map((m) => m.Body).sort()).toEqual(['a', 'b', 'c']);
    for (const m of all.Messages!) await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);
  });

  it('deletes only with the latest receipt handle, and refuses one that is not a receipt handle', async () => {
    const { bus, client, url } = await setup({ visibilityTimeoutSeconds: 30 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    const first = (await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    await bus.runUntil(after(30));
    const second = (await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '1' });
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
    expect(await attributes(client, url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '0' });
    await expect(client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('moves a message received maxReceiveCount times without a delete to the dead-letter handler on the next receive', async () => {
    const { bus, client, url, deadLetters } = await setup({ visibilityTimeoutSeconds: 30, maxReceiveCount: 1 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
    await bus.runUntil(after(30));
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);
    expect(deadLetters.map((d) => [d.body, d.receiveCount, d.reason])).toEqual([['a', 1, 'not deleted after 1 receives']]);
  });

  it('purges a queue', async () => {
    const { client, url, sqs } = await setup();
    await sendBodies(client, url, ['a', 'b']);
    await client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(sqs.depth('send-jobs')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
