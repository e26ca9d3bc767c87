/**
 * The daily KPI counters (functions/ops/counters.ts), exactly once without
 * transactions:
 * - each event's contribution to a day is its own item, `KPI#<day>` /
 *   `<event key>`, written whole (a repeat writes the same item again); a
 *   customer's orders contribute their whole footprint, `CUSTOMER#<id>`,
 *   replaced only by one computed from more orders;
 * - the day is marked dirty: `KPI` / `DIRTY` holds a version per day, bumped
 *   by every contribution;
 * - the daily run recomputes each dirty day's total from its contributions,
 *   `KPI` / `DAY#<day>`, and clears the mark only if its version did not move
 *   meanwhile; the totals are then read with one Query.
 * A recomputation is idempotent, so a crash or a lost answer anywhere only
 * means doing it again.
 */
import { GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KpiCounters } from '../../campaigns/ports';
import type { Counter, DayCounters } from '../../ops/counters';
import { ignoreConditionFailure } from './customers';

const partition = 'KPI';
const dayKey = (day: string) => `DAY#${day}`;
const dirtyKey = { pk: partition, sk: 'DIRTY' };
const contributions = (day: string) => `KPI#${day}`;
/** The dirty item holds one version per day, as attribute `d2026-03-01`. */
const dirtyName = (day: string) => `d${day}`;

type Counters = Partial<Record<Counter, number>>;

export const dynamoKpiCounters = (client: DynamoDBDocumentClient, tableName: string): KpiCounters => {
  const sum = async (day: string) => {
    const total: Counters = {};
    for await (const page of paginateQuery({ client }, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': contributions(day) } })) {
      for (const { pk: _pk, sk: _sk, orders: _orders, ...counters } of page.Items ?? []) {
        for (const [counter, value] of Object.entries(counters)) if (typeof value === 'number') total[counter as Counter] = (total[counter as Counter] ?? 0) + value;
      }
    }
    return total;
  };

  /** After a contribution is written: a rollup that sees the new version also sees it. */
  const markDirty = (day: string) =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: dirtyKey,
        UpdateExpression: 'ADD #d :one',
        ExpressionAttributeNames: { '#d': dirtyName(day) },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );

  /** Brings every dirty day's total up to date. */
  const rollUp = async () => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: dirtyKey, ConsistentRead: true }));
    for (const [name, version] of Object.entries(Item ?? {})) {
      if (!name.startsWith('d') || typeof version !== 'number') continue;
      const day = name.slice(1);
      await client.send(new PutCommand({ TableName: tableName, Item: { pk: partition, sk: dayKey(day), ...(await sum(day)) } }));
      // Cleared only if no contribution came meanwhile; else the next run recomputes it.
      await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: dirtyKey,
            UpdateExpression: 'REMOVE #d',
            ConditionExpression: '#d = :version',
            ExpressionAttributeNames: { '#d': name },
            ExpressionAttributeValues: { ':version': version },
          }),
        ),
      );
    }
  };

  return {
    async contribute(key, changes) {
      for (const [day, counters] of Object.entries(changes)) {
        await client.send(new PutCommand({ TableName: tableName, Item: { pk: contributions(day), sk: key, ...counters } }));
        await markDirty(day);
      }
    },

    async footprint(customerId, orders, footprint) {
      const key = { pk: `CUSTOMER#${customerId}`, sk: 'KPI' };
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (Item && (Item.orders as number) > orders) return; // a footprint from more orders is there: its writer sets the days
      // Every day any footprint of the customer touched: the ones this one no longer touches are set to nothing.
      const touched = [...new Set([...((Item?.touched as string[] | undefined) ?? []), ...Object.keys(footprint)])].sort();
      const kept = await ignoreConditionFailure(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key, orders, footprint, touched },
            ConditionExpression: 'attribute_not_exists(orders) OR orders <= :orders',
            ExpressionAttributeValues: { ':orders': orders },
          }),
        ),
      );
      if (!kept) return;
      for (const day of touched) {
        const written = await ignoreConditionFailure(
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: { pk: contributions(day), sk: `CUSTOMER#${customerId}`, orders, ...footprint[day] },
              ConditionExpression: 'attribute_not_exists(orders) OR orders <= :orders',
              ExpressionAttributeValues: { ':orders': orders },
            }),
          ),
        );
        if (written) await markDirty(day);
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
