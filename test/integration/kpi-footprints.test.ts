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
import { combine, customerFootprint } from '../../functions/ops/counters';
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

  /** The adapter on a client of its own that dies at its `dieAt`-th call, before or after it is applied. */
  const writer = (tableName: string, dieAt?: { call: number; applied: boolean }) => {
    const client = createDocumentClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
    let calls = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (++calls !== dieAt?.call) return next(args);
        if (dieAt.applied) await next(args);
        throw new Died();
      },
      { step: 'initialize', name: 'dies' },
    );
    return dynamoKpiCounters(client, tableName);
  };

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
              await kpis.footprint('c', i + 1, footprints[i]!);
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
});
