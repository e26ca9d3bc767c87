/**
 * docs/design.md §8, KPI counters over dynalite: a customer's footprint is replaced in
 * one write that answers what it replaced, and only the days that differ are
 * written when that was settled. Whatever the interleaving of a customer's
 * concurrent orders, wherever their writers die (before or after a call is
 * applied) and however often they are retried, the days end up holding the
 * footprint of the longest history, and the daily run counts it once.
 */
import '../../local/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { dynamoKpiCounters } from '../../functions/adapters/dynamodb/kpi-counters';
import type { OrderHistoryEntry } from '../../functions/campaigns/winback/rules';
import { historyAt, type OrderChange, type StoredHistory } from '../../functions/customers/order-history';
import { dynamoOrderStore } from '../../functions/adapters/dynamodb/orders';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { combine, customerFootprint, versionedFootprint } from '../../functions/ops/counters';
import { createTable, localCredentials, localRegion, startLocalDynamo, type LocalDynamo } from '../../local/dynamodb';
import { seededRandom } from '../../local/synthetic';

const rule = { riskFactor: 2, defaultIntervalDays: 30 };
const day = 86_400_000;

class Died extends Error {}

describe("a customer's KPI footprint, under concurrent orders and crashes", () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.close());

  const clientOf = () => createDocumentClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 });

  /** The adapter on a client of its own that dies at its `dieAt`-th call, before or after it is applied, or waits before its `waitAt`-th. */
  const writer = (tableName: string, dieAt?: { call: number; applied: boolean }, waitAt?: { call: number; until: Promise<void> }) => {
    const client = clientOf();
    let calls = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (++calls === waitAt?.call) await waitAt.until;
        if (calls !== dieAt?.call) return next(args);
        if (dieAt.applied) await next(args);
        throw new Died();
      },
      { step: 'initialize', name: 'dies' },
    );
    return dynamoKpiCounters(client, tableName);
  };

  /** The history of `records` in the order they were added, each numbered with the version it made. */
  const numbered = (orders: OrderHistoryEntry[], changes: OrderChange[] = [], versions = [...orders, ...changes].map((_, i) => i + 1)): StoredHistory => ({
    orders,
    changes,
    added: { orders: versions.slice(0, orders.length), changes: versions.slice(orders.length) },
  });
  const placed = (orderId: string, days: number): OrderHistoryEntry => ({ orderId, placedAt: new Date(Date.UTC(2026, 0, 1) + days * day).toISOString(), total: 20, currency: 'MYR' });
  const counted = async (tableName: string) => combine(await writer(tableName).upTo('2099-12-31'));

  it('ends with the longest history footprint, counted once', { timeout: 120_000 }, async () => {
    const random = seededRandom(21);
    for (let run = 0; run < 25; run++) {
      const tableName = `kpi-${run}`;
      await createTable(dynamo.endpoint, tableName);
      // Orders in the order they arrive (some placed earlier than the ones before them); each writer has the history up to its order.
      let at = Date.UTC(2026, 0, 1);
      const arrivals: OrderHistoryEntry[] = Array.from({ length: 3 + Math.floor(random() * 8) }, (_, i) => {
        at += Math.floor(random() * 40 * day);
        const placedAt = random() < 0.25 ? at - Math.floor(random() * 60 * day) : at;
        // Money per currency (issue 15): ringgit, pounds, yen, and one order of a history kept before currencies were.
        const currency = i === 1 ? undefined : (['MYR', 'GBP', 'JPY'] as const)[i % 3];
        return { orderId: `o${i}`, placedAt: new Date(placedAt).toISOString(), total: currency === 'JPY' ? 1000 + i : 10.5 + i, ...(currency && { currency }) };
      });
      const footprints = arrivals.map((_, i) => customerFootprint(arrivals.slice(0, i + 1), rule));
      // Each order's writer runs (some of them at once), dying now and then, and is retried until it gets through.
      let pending = arrivals.map((_, i) => i);
      for (let round = 0; pending.length; round++) {
        const dies = () => (round < 4 && random() < 0.4 ? { call: 1 + Math.floor(random() * 8), applied: random() < 0.5 } : undefined);
        const attempts = pending.map((i) => ({ i, kpis: writer(tableName, dies()), wait: Math.floor(random() * 3) }));
        const failed = await Promise.all(
          attempts.map(async ({ i, kpis, wait }) => {
            await new Promise((resolve) => setTimeout(resolve, wait));
            try {
              await kpis.footprint('c', versionedFootprint(numbered(arrivals.slice(0, i + 1)), rule));
              return undefined;
            } catch (error) {
              if (error instanceof Died) return i;
              throw error;
            }
          }),
        );
        pending = failed.filter((i) => i !== undefined);
      }
      const counted = await writer(tableName).upTo('2099-12-31');
      expect([run, combine(counted)]).toEqual([run, combine(footprints.at(-1)!)]);
      // Each currency's revenue in its own counter, in its minor units.
      const totals = Object.values(counted).reduce<Record<string, number>>((sum, day) => {
        for (const [counter, value] of Object.entries(day)) if (counter.startsWith('revenue')) sum[counter] = (sum[counter] ?? 0) + (value ?? 0);
        return sum;
      }, {});
      const expected: Record<string, number> = {};
      for (const order of arrivals) {
        const counter = order.currency ? `revenue#${order.currency}` : 'revenueCents';
        expected[counter] = (expected[counter] ?? 0) + Math.round(order.total * (order.currency === 'JPY' ? 1 : 100));
      }
      expect([run, totals]).toEqual([run, expected]);
    }
  });

  it('writes nothing stale when an earlier writer goes on after a later one settled', async () => {
    // o2's writer died before it began; o3's writer claims the days o2 changed too, then waits while the
    // cancellation of o2 is written whole. When it goes on, the day of o2 must not get o2 back.
    const tableName = 'kpi-late-writer';
    await createTable(dynamo.endpoint, tableName);
    const [o1, o2, o3] = [placed('o1', 0), placed('o2', 10), placed('o3', 20)];
    await writer(tableName).footprint('c', versionedFootprint(numbered([o1]), rule));
    let resume!: () => void;
    const late = writer(tableName, undefined, { call: 3, until: new Promise<void>((resolve) => (resume = resolve)) }).footprint('c', versionedFootprint(numbered([o1, o2, o3]), rule));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const whole = numbered([o1, o2, o3], [{ kind: 'cancelled', orderId: 'o2' }]);
    await writer(tableName).footprint('c', versionedFootprint(whole, rule));
    resume();
    await late;
    expect(await counted(tableName)).toEqual(combine(customerFootprint([o1, o3], rule)));
  });

  it('takes back what a lapse rule since changed put on the days', async () => {
    const tableName = 'kpi-rule-changed';
    await createTable(dynamo.endpoint, tableName);
    const [o1, o2] = [placed('o1', 0), placed('o2', 100)];
    await writer(tableName).footprint('c', versionedFootprint(numbered([o1]), rule));
    const longer = { ...rule, riskFactor: 3 };
    await writer(tableName).footprint('c', versionedFootprint(numbered([o1, o2]), longer));
    expect(await counted(tableName)).toEqual(combine(customerFootprint([o1, o2], longer)));
  });

  it('replaces a footprint kept whole on the customer, as it was before, and its days', async () => {
    const tableName = 'kpi-kept-whole';
    await createTable(dynamo.endpoint, tableName);
    const client = clientOf();
    const [o1, o2] = [placed('o1', 0), placed('o2', 100)];
    const before = customerFootprint([o1], rule);
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: 'CUSTOMER#c', sk: 'KPI', historySize: 1, footprint: JSON.stringify(before), settled: true, touched: new Set(Object.keys(before)) } }));
    for (const [d, counters] of Object.entries(before)) {
      await client.send(new PutCommand({ TableName: tableName, Item: { pk: `KPI#${d}`, sk: 'CUSTOMER#c', ...counters, historySize: 1 } }));
      await client.send(new PutCommand({ TableName: tableName, Item: { pk: 'KPI#DIRTY#0', sk: d, version: 'before' } }));
    }
    // o1 was recorded before records were numbered.
    await writer(tableName).footprint('c', versionedFootprint(numbered([o1, o2], [], [0, 2]), rule));
    expect(await counted(tableName)).toEqual(combine(customerFootprint([o1, o2], rule)));
  });
});

describe("a customer's order history, each record numbered with the version it made", () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.close());

  it('tells the history at every earlier version, through duplicates and records kept before they were numbered', async () => {
    const tableName = 'history';
    await createTable(dynamo.endpoint, tableName);
    const client = createDocumentClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials });
    const orders = dynamoOrderStore(client, tableName);
    const order = (orderId: string, day: number): OrderHistoryEntry => ({ orderId, placedAt: new Date(Date.UTC(2026, 0, day)).toISOString(), total: 10 });
    // Two orders kept before records were numbered: sets without a log.
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'CUSTOMER#c', sk: 'ORDERS', orders: new Set([`${order('o1', 1).placedAt}|10|o1`, `${order('o2', 2).placedAt}|10|o2`]) },
      }),
    );
    await orders.appendOrder('c', order('o3', 3));
    await orders.addChange('c', { kind: 'cancelled', orderId: 'o1' });
    await orders.appendOrder('c', order('o3', 3));
    await orders.addChange('c', { kind: 'cancelled', orderId: 'o1' });
    const history = await orders.appendOrder('c', order('o4', 4));
    if ('summary' in history) throw new Error('answered the last page alone');
    const ids = (at: StoredHistory | undefined) => at && [...at.orders.map((o) => o.orderId), ...at.changes.map((c) => `-${c.orderId}`)].sort();
    expect([0, 1, 2, 3, 4, 5].map((version) => ids(historyAt(history, version)))).toEqual([
      [],
      undefined,
      ['o1', 'o2'],
      ['o1', 'o2', 'o3'],
      ['-o1', 'o1', 'o2', 'o3'],
      ['-o1', 'o1', 'o2', 'o3', 'o4'],
    ]);
  });
});
