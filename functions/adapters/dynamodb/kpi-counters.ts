/** The daily KPI counters (functions/ops/counters.ts): one item per UTC day, in one partition, read with one Query. */
import { paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KpiCounters } from '../../campaigns/ports';
import type { Counter, DayCounters } from '../../ops/counters';

const partition = 'KPI';
const dayKey = (day: string) => `DAY#${day}`;

export const dynamoKpiCounters = (client: DynamoDBDocumentClient, tableName: string): KpiCounters => ({
  async add(changes) {
    // One ADD per day item: counters only ever move by deltas, so concurrent writers need no read.
    await Promise.all(
      Object.entries(changes).map(([day, counters]) => {
        const entries = Object.entries(counters).filter(([, value]) => value);
        if (!entries.length) return undefined;
        return client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: partition, sk: dayKey(day) },
            UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(entries.map(([counter], i) => [`#c${i}`, counter])),
            ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:c${i}`, value])),
          }),
        );
      }),
    );
  },

  async upTo(day) {
    const counters: DayCounters = {};
    const pages = paginateQuery(
      { client },
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk <= :last',
        ExpressionAttributeValues: { ':pk': partition, ':last': dayKey(day) },
      },
    );
    for await (const page of pages) {
      for (const { pk: _pk, sk, ...values } of page.Items ?? []) counters[String(sk).slice(dayKey('').length)] = values as Partial<Record<Counter, number>>;
    }
    return counters;
  },
});
