/**
 * The daily KPI counters (functions/ops/counters.ts), exactly once without
 * transactions:
 * - each event's contribution to a day is its own item, `KPI#<day>` /
 *   `<event key>`, written whole (a repeat writes the same item again); a
 *   customer's orders contribute their whole footprint, `CUSTOMER#<id>`,
 *   replaced only by one computed from more orders;
 * - the day is marked dirty: `KPI#DIRTY#<shard>` / `<day>` holds a version,
 *   bumped by every contribution (small items, sharded: at 10 million
 *   customers a busy hour bumps them over a thousand times a second);
 * - the daily run recomputes each dirty day's total from its contributions,
 *   `KPI` / `DAY#<day>`, and clears the mark only if its version did not move
 *   meanwhile; the totals are then read with one Query.
 * A recomputation is idempotent, so a crash or a lost answer anywhere only
 * means doing it again.
 */
import { DeleteCommand, GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KpiCounters } from '../../campaigns/ports';
import type { Counter, DayCounters } from '../../ops/counters';
import { ignoreConditionFailure } from './customers';
import { hashOf } from './table';

const partition = 'KPI';
const dayKey = (day: string) => `DAY#${day}`;
const dirtyShards = 4;
const dirtyPartition = (shard: number) => `KPI#DIRTY#${shard}`;
const contributions = (day: string) => `KPI#${day}`;

type Counters = Partial<Record<Counter, number>>;

const sameCounters = (a: Counters = {}, b: Counters = {}) =>
  Object.keys({ ...a, ...b }).every((counter) => (a[counter as Counter] ?? 0) === (b[counter as Counter] ?? 0));

export const dynamoKpiCounters = (client: DynamoDBDocumentClient, tableName: string): KpiCounters => {
  const sum = async (day: string) => {
    const total: Counters = {};
    for await (const page of paginateQuery({ client }, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': contributions(day) } })) {
      for (const { pk: _pk, sk: _sk, historySize: _size, ...counters } of page.Items ?? []) {
        for (const [counter, value] of Object.entries(counters)) if (typeof value === 'number') total[counter as Counter] = (total[counter as Counter] ?? 0) + value;
      }
    }
    return total;
  };

  /** After a contribution is written (so a rollup that sees the new version also sees it); in the shard of its writer. */
  const markDirty = (day: string, writer: string) =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: dirtyPartition(hashOf(writer) % dirtyShards), sk: day },
        UpdateExpression: 'ADD version :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );

  /** Brings every dirty day's total up to date: each day once, however many shards marked it. */
  const rollUp = async () => {
    const marks = new Map<string, { pk: string; version: number }[]>();
    for (let shard = 0; shard < dirtyShards; shard++) {
      const pages = paginateQuery({ client }, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': dirtyPartition(shard) }, ConsistentRead: true });
      for await (const page of pages) for (const { pk, sk, version } of page.Items ?? []) marks.set(sk, [...(marks.get(sk) ?? []), { pk, version }]);
    }
    for (const [day, dayMarks] of marks) {
      await client.send(new PutCommand({ TableName: tableName, Item: { pk: partition, sk: dayKey(day), ...(await sum(day)) } }));
      // Cleared only if no contribution came meanwhile; else the next run recomputes it.
      for (const { pk, version } of dayMarks) {
        await ignoreConditionFailure(
          client.send(
            new DeleteCommand({ TableName: tableName, Key: { pk, sk: day }, ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } }),
          ),
        );
      }
    }
  };

  return {
    async contribute(key, changes) {
      for (const [day, counters] of Object.entries(changes)) {
        await client.send(new PutCommand({ TableName: tableName, Item: { pk: contributions(day), sk: key, ...counters } }));
        await markDirty(day, key);
      }
    },

    async footprint(customerId, orders, footprint) {
      const key = { pk: `CUSTOMER#${customerId}`, sk: 'KPI' };
      // Read, then write on the condition that nothing changed meanwhile (another order of the same customer).
      for (;;) {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
        if (Item && (Item.historySize as number) > orders) return; // a footprint from more orders is there: its writer sets the days
        const touched = [...new Set([...((Item?.touched as string[] | undefined) ?? []), ...Object.keys(footprint)])].sort();
        // The days hold the last footprint once it is settled: then only the days that change are written;
        // otherwise (a writer died half-way, or this is its retry) every day any footprint touched.
        const last = Item?.settled && (Item.historySize as number) < orders ? (Item.footprint as DayCounters) : undefined;
        const days = last ? touched.filter((day) => !sameCounters(last[day], footprint[day])) : touched;
        const kept = await ignoreConditionFailure(
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...key, historySize: orders, footprint, touched, settled: false },
              ...(last
                ? { ConditionExpression: 'historySize = :last AND settled = :true', ExpressionAttributeValues: { ':last': Item!.historySize, ':true': true } }
                : { ConditionExpression: 'attribute_not_exists(historySize) OR historySize <= :orders', ExpressionAttributeValues: { ':orders': orders } }),
            }),
          ),
        );
        if (!kept) {
          if (last) continue;
          return;
        }
        for (const day of days) {
          const written = await ignoreConditionFailure(
            client.send(
              new PutCommand({
                TableName: tableName,
                Item: { pk: contributions(day), sk: key.pk, ...footprint[day], historySize: orders },
                ConditionExpression: 'attribute_not_exists(historySize) OR historySize <= :orders',
                ExpressionAttributeValues: { ':orders': orders },
              }),
            ),
          );
          if (written) await markDirty(day, key.pk);
        }
        await ignoreConditionFailure(
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key,
              UpdateExpression: 'SET settled = :true',
              ConditionExpression: 'historySize = :orders',
              ExpressionAttributeValues: { ':true': true, ':orders': orders },
            }),
          ),
        );
        return;
      }
    },

    async upTo(day) {
      await rollUp();
      const counters: DayCounters = {};
      const pages = paginateQuery(
        { client },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: { ':pk': partition, ':first': dayKey(''), ':last': dayKey(day) },
        },
      );
      for await (const page of pages) {
        for (const { pk: _pk, sk, ...values } of page.Items ?? []) counters[String(sk).slice(dayKey('').length)] = values as Counters;
      }
      return counters;
    },
  };
};
