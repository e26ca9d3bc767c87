/**
 * Dead letters an ops person can see and redrive (issue 15; docs/design.md §6), against a
 * real local stack (dynalite, the local bus over HTTP, the local SQS, the real functions),
 * recording as `npm start` records: DynamoDB fails for an hour (local/faults.ts, every call
 * refused), so a customer and their order fail every receive of the shopEvents queue and
 * the schedules that fire fail too. Each is listed with its reason; once DynamoDB is back,
 * a redrive through the running bus stores them and runs the schedules' events again, and a
 * second redrive does nothing. A refused event sent back is refused again: a new dead letter.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerStore } from '../../functions/adapters/dynamodb/customers';
import { dynamoOrderStore } from '../../functions/adapters/dynamodb/orders';
import { parseConfig } from '../../functions/config';
import { startDashboardServer } from '../../local/dashboard';
import { deadLetterRecorder, deadLettersFile, formatDeadLetters, listDeadLetters, redriveDeadLetters, type DeadLetterSource } from '../../local/dead-letters';
import { deadLettersPage } from '../../local/dead-letters-page';
import { localCredentials, localRegion } from '../../local/dynamodb';
import { FaultInjector } from '../../local/faults';
import { startLocalStack, type LocalStack } from '../../local/stack';

const t0 = new Date('2026-05-01T00:05:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const address = 'ana.lim@example.com';

const dir = mkdtempSync(join(tmpdir(), 'retention-dead-letters-'));
const source: DeadLetterSource = { kind: 'local', dataDir: dir };
const printed: string[] = [];
const faults = new FaultInjector({});
let stack: LocalStack;

beforeAll(async () => {
  // As `npm start` records them (local/start.ts): into the data folder, and one line printed each.
  stack = await startLocalStack({ config: parseConfig({}), start: t0, dataDir: dir, faults, onDeadLetter: deadLetterRecorder(dir, (line) => printed.push(line)) });
  // DynamoDB refuses every call for an hour.
  faults.rates['dynamodb.before'] = 1;
  stack.bus.put({
    source: 'shop',
    detailType: 'Customer Upserted',
    time: t0,
    detail: { customerId: 'c-1', email: address, firstName: 'Ana', lastName: 'Lim', locale: 'en', timeZone: 'Asia/Kuala_Lumpur', marketingConsent: true },
  });
  stack.bus.put({
    source: 'shop',
    detailType: 'Order Placed',
    time: t0,
    detail: { orderId: 'o-1', customerId: 'c-1', placedAt: t0.toISOString(), total: 42.5, currency: 'MYR' },
  });
  // 20 receives, 3 minutes apart (the queue's visibility timeout), then the dead-letter queue; kpis at 00:15, the outbox at 00:30, the sweeps at 01:00.
  await stack.bus.runUntil(minutes(62));
  faults.rates['dynamodb.before'] = 0;
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const customers = () => dynamoCustomerStore(stack.runtime.dynamo, stack.runtime.tableName);
const orders = () => dynamoOrderStore(stack.runtime.dynamo, stack.runtime.tableName);

describe('while DynamoDB failed', () => {
  it('every failure is a dead letter in DIR/dead-letters.ndjson, listed with where it failed and its reason', async () => {
    const letters = await listDeadLetters(source);
    const ingest = letters.filter((letter) => letter.where === 'shopEvents queue (ingest)');
    expect(ingest).toHaveLength(2);
    for (const letter of ingest) {
      expect(letter).toMatchObject({ kind: 'queue', function: 'ingest', queue: 'shopEvents', customerId: 'c-1' });
      expect(letter.reason).toMatch(/^shopEvents: failed 20 times: .*ECONNREFUSED/);
      expect(letter.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(ingest.map((letter) => (letter.event as { 'detail-type': string })['detail-type']).sort()).toEqual(['Customer Upserted', 'Order Placed']);
    const schedules = letters.filter((letter) => letter.kind === 'schedule').map((letter) => letter.where);
    // Every scheduled function reads the published settings first, the loyalty programme's too (off here).
    expect(schedules.sort()).toEqual([
      'birthdaySweep schedule',
      'kpis schedule',
      'loyaltyReview schedule',
      'npsSweep schedule',
      'outbox schedule',
      'pointsSweep schedule',
      'referralSweep schedule',
      'tierSweep schedule',
      'winbackSweep schedule',
    ]);
    for (const letter of letters.filter((each) => each.kind === 'schedule')) expect(letter.reason).toMatch(/failed after 3 attempts: .*ECONNREFUSED/);
    expect(letters).toHaveLength(11);
    // The same line format as a simulation's, with an id.
    const lines = readFileSync(join(dir, deadLettersFile), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(11);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(expect.arrayContaining(['at', 'event', 'id', 'reason', 'rule']));
    expect(await customers().get('c-1')).toBeUndefined();
  });

  it('each was printed as it happened, one line with time, where and reason, the customer id but no personal data', () => {
    expect(printed).toHaveLength(11);
    for (const line of printed) {
      expect(line).toMatch(/^dead letter: 2026-05-01T0\d:\d\d:\d\d\.\d{3}Z {2}\S+ (queue \(ingest\)|schedule) {2}\S/);
      expect(line).not.toContain('\n');
      expect(line).not.toMatch(/ana\.lim|example\.com|Ana|Lim/);
    }
    expect(printed.filter((line) => line.includes('customer c-1'))).toHaveLength(2);
    const listing = formatDeadLetters([]);
    expect(listing).toBe('no dead letters');
  });

  it('the listing prints a line per dead letter without the event, and --json the letters whole', async () => {
    const letters = await listDeadLetters(source);
    const text = formatDeadLetters(letters);
    expect(text.split('\n')).toHaveLength(12);
    expect(text).not.toContain(address);
    expect(text.split('\n').at(-1)).toBe('11 dead letters');
    const json = formatDeadLetters(letters, { json: true }).split('\n').map((line) => JSON.parse(line) as { event: unknown });
    expect(json).toHaveLength(11);
    expect(JSON.stringify(json)).toContain(address);
  });

  it('the ops dashboard serves them at /dead-letters', async () => {
    const dashboard = await startDashboardServer({ metrics: stack.metrics, now: () => stack.bus.now(), config: parseConfig({}), pages: { '/dead-letters': deadLettersPage(dir) } });
    try {
      const response = await fetch(`${dashboard.url}/dead-letters`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html.match(/<tr data-id=/g)).toHaveLength(11);
      expect(html).toContain('shopEvents queue (ingest)');
      expect(html).toContain('11 pending, 0 redriven');
    } finally {
      await dashboard.close();
    }
  });
});

describe('after the fix, a redrive', () => {
  let first: Awaited<ReturnType<typeof redriveDeadLetters>>;
  beforeAll(async () => {
    first = await redriveDeadLetters(source, { busUrl: stack.endpoints.bus });
    await stack.bus.runUntil(minutes(70));
  });

  it('sends each back where it failed, through the running bus', () => {
    expect(first.failed).toEqual([]);
    expect(first.skipped).toEqual([]);
    expect(first.redriven).toHaveLength(11);
    expect(first.redriven.filter((each) => each.to === 'shopEvents queue')).toHaveLength(2);
    expect(first.redriven.find((each) => each.where === 'kpis schedule')?.to).toBe("kpis (its rule's target)");
  });

  it('processes them: the customer and the order are stored, and nothing failed again', async () => {
    expect(await customers().get('c-1')).toMatchObject({ customerId: 'c-1', email: address, orderCount: 1 });
    expect(await orders().customerOf('o-1')).toBe('c-1');
    expect(await listDeadLetters(source)).toEqual([]);
    expect(printed).toHaveLength(11);
  });

  it('marks them redriven: a second redrive does nothing', async () => {
    const all = await listDeadLetters(source, { all: true });
    expect(all).toHaveLength(11);
    for (const letter of all) expect(letter.redrivenAt).toMatch(/^\d{4}-/);
    const second = await redriveDeadLetters(source, { busUrl: stack.endpoints.bus });
    expect(second).toEqual({ redriven: [], skipped: [], failed: [], moved: [] });
    const again = await redriveDeadLetters(source, { busUrl: stack.endpoints.bus, ids: [all[0]!.id, 'no-such-id'] });
    expect(again.redriven).toEqual([]);
    expect(again.skipped).toEqual([
      { id: 'no-such-id', where: '-', why: 'no dead letter with this id' },
      { id: all[0]!.id, where: all[0]!.where, why: expect.stringMatching(/^already redriven at /) },
    ]);
  });
});

describe('a refused event', () => {
  it('is listed with its reason; sent back still invalid, it is refused again as a new dead letter', async () => {
    // As `retention publish` puts it on the running bus: PutEvents over HTTP.
    const events = new EventBridgeClient({ endpoint: stack.endpoints.bus, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
    const { FailedEntryCount } = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'retention',
            Source: 'shop',
            DetailType: 'Customer Upserted',
            Time: minutes(71),
            Detail: JSON.stringify({ customerId: 'c-2', email: 'siti at example', marketingConsent: true }),
          },
        ],
      }),
    );
    events.destroy();
    expect(FailedEntryCount).toBe(0);
    await stack.bus.runUntil(minutes(72));
    const [rejected, ...none] = await listDeadLetters(source);
    expect(none).toEqual([]);
    expect(rejected).toMatchObject({ kind: 'rejected', where: 'RejectedEvents', customerId: 'c-2' });
    expect(rejected!.reason).toMatch(/^detail\.email: /);
    expect(printed.at(-1)).toMatch(/RejectedEvents {2}detail\.email: .* {2}customer c-2/);

    const report = await redriveDeadLetters(source, { busUrl: stack.endpoints.bus });
    expect(report.redriven).toEqual([{ id: rejected!.id, where: 'RejectedEvents', to: 'the bus (shopEvents queue)' }]);
    await stack.bus.runUntil(minutes(73));
    const [again, ...rest] = await listDeadLetters(source);
    expect(rest).toEqual([]);
    expect(again!.id).not.toBe(rejected!.id);
    expect(again).toMatchObject({ kind: 'rejected', reason: rejected!.reason, customerId: 'c-2' });
    expect((again!.event as { detail: unknown }).detail).toEqual((rejected!.event as { detail: unknown }).detail);
    expect(await customers().get('c-2')).toBeUndefined();
  });

  it('a redrive with no bus to send to says so', async () => {
    expect(await listDeadLetters(source)).toHaveLength(1);
    await expect(redriveDeadLetters(source, { busUrl: 'http://127.0.0.1:1' })).rejects.toThrow(/cannot reach the local bus at http:\/\/127\.0\.0\.1:1 \(is `npm start` running\?\)/);
  });
});
