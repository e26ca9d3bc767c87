/**
 * The daily KPI counters (functions/ops/counters.ts), exactly once without
 * transactions:
 * - each event's contribution to a day is its own item, `KPI#<day>` /
 *   `<event key>`, written whole (a repeat writes the same item again); a
 *   customer's orders contribute their whole footprint, `CUSTOMER#<id>`,
 *   replaced only by one computed from a later version of their history (more orders, cancellations, refunds),
 *   only the days that differ from the footprint the days hold (docs/design.md §8, *KPI counters*);
 * - the day is marked dirty: `KPI#DIRTY#<shard>` / `<day>` holds a version,
 *   a fresh one put by every contribution (small items, sharded: at 10 million
 *   customers a busy hour puts them over a thousand times a second), the
 *   marks of one contribution in one batch after it is written;
 * - the daily run recomputes each dirty day's total from its contributions,
 *   `KPI` / `DAY#<day>`, and clears the mark only if its version did not move
 *   meanwhile; the totals are then read with one Query.
 * A recomputation is idempotent, so a crash or a lost answer anywhere only
 * means doing it again.
 *
 * Counters are attributes of these items, whatever their names: money per
 * currency (`revenue#MYR`, `winbackRevenue#GBP`, minor units) is summed as any
 * count, and items written before currencies were counted (`revenueCents`) are
 * read as they are (functions/ops/counters.ts reads them as currency unknown).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KpiCounters } from '../../campaigns/ports';
import type { Counter, DayCounters, VersionedFootprint } from '../../ops/counters';
import { ignoreConditionFailure } from './customers';
import { batchWrite, hashOf } from './table';

const partition = 'KPI';
const dayKey = (day: string) => `DAY#${day}`;
const dirtyShards = 4;
/** A footprint's day writes in flight at once: an order's few, and a rewrite of many days in bounded rounds. */
const dayWritesAtOnce = 25;
const dirtyPartition = (shard: number) => `KPI#DIRTY#${shard}`;
const contributions = (day: string) => `KPI#${day}`;

type Counters = Partial<Record<Counter, number>>;

const sameCounters = (a: Counters = {}, b: Counters = {}) =>
  Object.keys({ ...a, ...b }).every((counter) => (a[counter as Counter] ?? 0) === (b[counter as Counter] ?? 0));

/** The days whose counters differ between two footprints. */
const changedDays = (before: DayCounters, after: DayCounters) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((day) => !sameCounters(before[day], after[day]));

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

  /**
   * After the contributions are written (so a roll-up that sees a mark also sees them); in the shard of their
   * writer. Each mark a fresh version: the roll-up clears it only if none came since it read it.
   */
  const markDirty = (days: string[], writer: string) =>
    batchWrite(client, tableName, days.map((day) => ({ PutRequest: { Item: { pk: dirtyPartition(hashOf(writer) % dirtyShards), sk: day, version: randomUUID() } } })));

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

  /** Days a writer of `version` is about to write, so that a writer of a later one writes them too. */
  const claim = (key: Record<string, string>, version: number, days: string[]) =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'ADD touched :days',
        ConditionExpression: 'historySize = :version',
        ExpressionAttributeValues: { ':version': version, ':days': new Set(days) },
      }),
    );

  return {
    async contribute(key, changes) {
      const days = Object.keys(changes);
      await batchWrite(client, tableName, days.map((day) => ({ PutRequest: { Item: { pk: contributions(day), sk: key, ...changes[day] } } })));
      await markDirty(days, key);
    },

    async footprint(customerId, told) {
      const { version, rule } = told;
      const key = { pk: `CUSTOMER#${customerId}`, sk: 'KPI' };
      // The days this order changes, if the days hold the previous version's footprint: claimed with the version.
      const previous = told.at(version - 1, rule);
      const likely = previous ? changedDays(previous, told.footprint) : [];
      let replaced: Record<string, unknown> | undefined;
      try {
        ({ Attributes: replaced } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            // `footprint` and `settled`: how the footprint was kept before (the whole of it, on this item).
            UpdateExpression: `SET historySize = :version REMOVE footprint, settled${likely.length ? ' ADD touched :days' : ''}`,
            ConditionExpression: 'attribute_not_exists(historySize) OR historySize <= :version',
            ExpressionAttributeValues: { ':version': version, ...(likely.length && { ':days': new Set(likely) }) },
            ReturnValues: 'ALL_OLD',
          }),
        ));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return; // a footprint from a later history is there: its writer sets the days
        throw error;
      }
      // Every day holds the settled version's footprint, but those `touched` since, which a writer may be writing.
      const settledVersion = (replaced?.settledVersion as number | undefined) ?? 0;
      const touched = [...((replaced?.touched as Set<string> | undefined) ?? [])];
      const daysToWrite = ({ footprint, at, from }: VersionedFootprint) => {
        const settled = at(settledVersion, settledVersion ? (replaced!.settledRule as string) : rule);
        // Footprints told from a summary start on its last order's day: one that differs before it needs the whole history.
        const days = settled && [...new Set([...changedDays(settled, footprint), ...touched])];
        return days && !(from && days.some((day) => day < from)) ? days : undefined;
      };
      let used = told;
      let days = daysToWrite(told);
      if (!days && told.whole) days = daysToWrite((used = await told.whole()));
      if (!days) throw new Error(`the KPI footprint of customer ${customerId} is of history version ${settledVersion}, which their history cannot tell`);
      const { footprint } = used;
      const more = days.filter((day) => !likely.includes(day));
      // Claimed before they are written, so that a later writer writes them too; unless a later history took over (then its writer does).
      if (more.length && !(await ignoreConditionFailure(claim(key, version, more)))) return;
      // The days at once (each its own conditional write, in no particular order): one round trip, not one a day.
      const written: string[] = [];
      for (let i = 0; i < days.length; i += dayWritesAtOnce) {
        const some = days.slice(i, i + dayWritesAtOnce);
        const kept = await Promise.all(
          some.map((day) =>
            ignoreConditionFailure(
              client.send(
                new PutCommand({
                  TableName: tableName,
                  Item: { pk: contributions(day), sk: key.pk, ...footprint[day], historySize: version },
                  ConditionExpression: 'attribute_not_exists(historySize) OR historySize <= :version',
                  ExpressionAttributeValues: { ':version': version },
                }),
              ),
            ),
          ),
        );
        written.push(...some.filter((_, j) => kept[j]));
      }
      await markDirty(written, key.pk);
      // Every day now holds this footprint (or one from a later history took over).
      await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET settledVersion = :version, settledRule = :rule REMOVE touched',
            ConditionExpression: 'historySize = :version',
            ExpressionAttributeValues: { ':version': version, ':rule': rule },
          }),
        ),
      );
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
