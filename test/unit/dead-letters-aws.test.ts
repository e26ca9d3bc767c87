/**
 * Dead letters on AWS (local/dead-letters.ts): the stack's queues as its outputs name them,
 * read with the real SQS client from the local SQS (local/sqs.ts speaks SQS's protocol), and
 * Lambda's asynchronous Invoke answered by a small HTTP endpoint that records it. Listing
 * consumes nothing; a redrive sends each letter back where it failed and removes it from its
 * dead-letter queue, so a second redrive finds nothing to repeat.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters, redriveDeadLetters, stackQueues, type DeadLetterSource } from '../../local/dead-letters';
import { localCredentials, localRegion } from '../../local/dynamodb';
import { LocalSqs } from '../../local/sqs';

const aws = { region: localRegion, credentials: localCredentials };
const sqs = new LocalSqs({ now: () => new Date(), at: () => undefined });
const invoked: { functionName: string; invocationType: string | undefined; payload: unknown }[] = [];
let lambda: Server;
let endpoint: string;
let source: Extract<DeadLetterSource, { kind: 'aws' }>;
const urls: Record<string, string> = {};

const shopEvent = (customerId: string, detail: Record<string, unknown> = {}) => ({
  version: '0',
  id: `e-${customerId}`,
  'detail-type': 'Customer Upserted',
  source: 'shop',
  account: '123456789012',
  time: '2026-05-01T08:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: { customerId, email: `${customerId}@example.com`, marketingConsent: true, ...detail },
});
const rejected = (event: unknown, reason: string) => ({ ...shopEvent('x'), 'detail-type': 'Event Rejected', source: 'retention', detail: { reason, event } });
const scheduled = (rule: string) => ({
  version: '0',
  id: `s-${rule}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-05-01T00:15:00Z',
  region: 'eu-west-1',
  resources: [`arn:aws:events:eu-west-1:123456789012:rule/${rule}`],
  detail: {},
});
const kpisArn = 'arn:aws:lambda:eu-west-1:123456789012:function:Retention-kpisFunction-AbC';
const outboxArn = 'arn:aws:lambda:eu-west-1:123456789012:function:Retention-outboxFunction-DeF';

beforeAll(async () => {
  endpoint = await sqs.listen();
  for (const name of ['shopEvents', 'sesEvents', 'sendJobs', 'ingestDLQ', 'senderDLQ', 'kpisDLQ', 'outboxDLQ', 'RejectedEvents']) {
    urls[name] = sqs.createQueue({ name, visibilityTimeoutSeconds: 180, maxReceiveCount: 1000 }).url;
  }
  // As SQS moved it after 20 receives: the EventBridge event the rule put on shopEvents.
  sqs.send('ingestDLQ', JSON.stringify(shopEvent('c-1')));
  sqs.send('RejectedEvents', JSON.stringify(rejected(shopEvent('c-2', { email: 'siti at example' }), 'detail.email: Invalid email address')));
  sqs.send('RejectedEvents', JSON.stringify(rejected({ truncated: true, bytes: 300_000, preview: '{"version":"0"' }, '(event): too large')));
  // Lambda's on-failure record of an asynchronous invocation that failed its retries.
  sqs.send(
    'kpisDLQ',
    JSON.stringify({
      version: '1.0',
      timestamp: '2026-05-01T00:16:02.000Z',
      requestContext: { requestId: 'r-1', functionArn: `${kpisArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: scheduled('kpis'),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'connect ECONNREFUSED', trace: [] },
    }),
  );
  // An event EventBridge could not deliver to its target: the event, with its error as attributes.
  const client = new SQSClient({ ...aws, endpoint: endpoint });
  await client.send(
    new SendMessageCommand({
      QueueUrl: urls.outboxDLQ,
      MessageBody: JSON.stringify(scheduled('outbox')),
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', StringValue: 'Lambda.TooManyRequestsException' },
        ERROR_MESSAGE: { DataType: 'String', StringValue: 'Rate Exceeded.' },
        RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:eu-west-1:123456789012:rule/outbox' },
        TARGET_ARN: { DataType: 'String', StringValue: outboxArn },
      },
    }),
  );
  client.destroy();

  // Lambda's Invoke API (REST): records the call, answers 202 as to an asynchronous invocation.
  lambda = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1];
      invoked.push({ functionName: decodeURIComponent(name ?? ''), invocationType: request.headers['x-amz-invocation-type'] as string, payload: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(202, { 'content-type': 'application/json' }).end();
    });
  });
  await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
  source = {
    kind: 'aws',
    outputs: {
      shopEventsQueueUrl: urls.shopEvents!,
      sesEventsQueueUrl: urls.sesEvents!,
      sendJobsQueueUrl: urls.sendJobs!,
      ingestDeadLetterQueueUrl: urls.ingestDLQ!,
      senderDeadLetterQueueUrl: urls.senderDLQ!,
      kpisDeadLetterQueueUrl: urls.kpisDLQ!,
      outboxDeadLetterQueueUrl: urls.outboxDLQ!,
      RejectedEventsQueueUrl: urls.RejectedEvents!,
    },
    clients: {
      sqs: new SQSClient({ ...aws, endpoint: endpoint }),
      lambda: new LambdaClient({ ...aws, endpoint: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}` }),
    },
  };
});
afterAll(async () => {
  source?.clients?.sqs?.destroy();
  source?.clients?.lambda?.destroy();
  await sqs.close();
  await new Promise((resolve) => lambda?.close(resolve));
});

const depths = () => Object.fromEntries(Object.keys(urls).map((name) => [name, sqs.depth(name)]));

describe('the stack outputs name the queues', () => {
  it('each function dead-letter queue, the queue it goes back to, and the rejected events', () => {
    // The output keys of the synthesized stack (lib/retention-stack.ts).
    const keys = [
      'RejectedEventsQueueUrl', 'birthdaySweepDeadLetterQueueUrl', 'ingestDeadLetterQueueUrl', 'kpisDeadLetterQueueUrl', 'npsSweepDeadLetterQueueUrl',
      'outboxDeadLetterQueueUrl', 'sendJobsQueueUrl', 'senderDeadLetterQueueUrl', 'sesEventsDeadLetterQueueUrl', 'sesEventsQueueUrl', 'shopEventsQueueUrl',
      'winbackSweepDeadLetterQueueUrl', 'TableName',
    ];
    const { deadLetterQueues, queues } = stackQueues(Object.fromEntries(keys.map((key) => [key, `url:${key}`])));
    expect(queues).toEqual({ shopEvents: 'url:shopEventsQueueUrl', sesEvents: 'url:sesEventsQueueUrl', sendJobs: 'url:sendJobsQueueUrl' });
    expect(deadLetterQueues.map((queue) => [queue.where, queue.kind, queue.sourceUrl])).toEqual(
      expect.arrayContaining([
        ['shopEvents queue (ingest)', 'queue', 'url:shopEventsQueueUrl'],
        ['sendJobs queue (sender)', 'queue', 'url:sendJobsQueueUrl'],
        ['sesEvents queue (sesEvents)', 'queue', 'url:sesEventsQueueUrl'],
        ['birthdaySweep schedule', 'schedule', undefined],
        ['kpis schedule', 'schedule', undefined],
        ['RejectedEvents', 'rejected', undefined],
      ]),
    );
    expect(deadLetterQueues).toHaveLength(9);
  });
});

describe('listing', () => {
  it('gives each letter with where it failed, its reason and its customer', async () => {
    const letters = await listDeadLetters(source);
    const byWhere = Object.fromEntries(letters.map((letter) => [`${letter.where}${letter.notRedrivable ? ' (stuck)' : ''}`, letter]));
    expect(Object.keys(byWhere).sort()).toEqual(['RejectedEvents', 'RejectedEvents (stuck)', 'kpis schedule', 'outbox schedule', 'shopEvents queue (ingest)']);
    expect(byWhere['shopEvents queue (ingest)']).toMatchObject({
      kind: 'queue',
      customerId: 'c-1',
      reason: "moved here after 20 failed receives (each error is in the ingest function's log)",
      event: shopEvent('c-1'),
    });
    expect(byWhere.RejectedEvents).toMatchObject({ kind: 'rejected', customerId: 'c-2', reason: 'detail.email: Invalid email address' });
    expect(byWhere['RejectedEvents (stuck)']!.notRedrivable).toMatch(/only a preview of it was kept/);
    expect(byWhere['kpis schedule']).toMatchObject({ at: '2026-05-01T00:16:02.000Z', reason: 'RetriesExhausted after 3 attempts: Error: connect ECONNREFUSED', event: scheduled('kpis') });
    expect(byWhere['outbox schedule']).toMatchObject({ reason: 'Lambda.TooManyRequestsException: Rate Exceeded.', event: scheduled('outbox') });
    for (const letter of letters) expect(letter.at).toMatch(/^2\d{3}-/);
  });

  it('consumes nothing: the messages are visible again at once, and a second listing gives the same', async () => {
    const before = depths();
    const first = await listDeadLetters(source);
    expect(depths()).toEqual(before);
    expect(before.RejectedEvents).toEqual({ visible: 2, inFlight: 0, delayed: 0 });
    const second = await listDeadLetters(source);
    expect(second.map((letter) => letter.id).sort()).toEqual(first.map((letter) => letter.id).sort());
  });
});

describe('a redrive', () => {
  it('of chosen letters sends back only those', async () => {
    const letters = await listDeadLetters(source);
    const refused = letters.find((letter) => letter.where === 'RejectedEvents' && !letter.notRedrivable)!;
    const report = await redriveDeadLetters(source, { ids: [refused.id, 'no-such-id'] });
    expect(report.redriven).toEqual([{ id: refused.id, where: 'RejectedEvents', to: 'shopEvents queue' }]);
    expect(report.skipped).toEqual([{ id: 'no-such-id', where: '-', why: "no dead letter with this id in the stack's queues" }]);
    // Back on the queue whose rule took it in, as that rule delivered it; gone from the rejected events.
    expect(sqs.depth('shopEvents').visible).toBe(1);
    expect(sqs.depth('RejectedEvents')).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect(sqs.depth('ingestDLQ').visible).toBe(1);
    expect(invoked).toEqual([]);
  });

  it('of all: a queue dead letters moved back by SQS, a rule events invoked again, what cannot go back left', async () => {
    const report = await redriveDeadLetters(source);
    expect(report.failed).toEqual([]);
    expect(report.moved).toEqual([{ where: 'shopEvents queue (ingest)', to: 'shopEvents queue', approximateMessages: 1, taskHandle: expect.any(String) }]);
    expect(report.redriven.map((each) => [each.where, each.to]).sort()).toEqual([
      ['kpis schedule', 'kpis (invoked)'],
      ['outbox schedule', 'outbox (invoked)'],
    ]);
    expect(report.skipped).toEqual([{ id: expect.any(String), where: 'RejectedEvents', why: expect.stringMatching(/only a preview of it was kept/) }]);
    expect(invoked.sort((a, b) => a.functionName.localeCompare(b.functionName))).toEqual([
      { functionName: `${kpisArn}:$LATEST`, invocationType: 'Event', payload: scheduled('kpis') },
      { functionName: outboxArn, invocationType: 'Event', payload: scheduled('outbox') },
    ]);
    const after = depths();
    expect(after.shopEvents!.visible).toBe(2);
    for (const name of ['ingestDLQ', 'kpisDLQ', 'outboxDLQ']) expect(after[name]).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(after.RejectedEvents).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });

  it('a second time repeats nothing', async () => {
    const report = await redriveDeadLetters(source);
    expect(report.redriven).toEqual([]);
    expect(report.moved).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(invoked).toHaveLength(2);
    expect(sqs.depth('shopEvents').visible).toBe(2);
    expect((await listDeadLetters(source)).map((letter) => letter.notRedrivable)).toEqual([expect.stringMatching(/only a preview/)]);
  });
});
