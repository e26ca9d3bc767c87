/**
 * The engine's DynamoDB document client keeps each command class's middleware chain
 * (functions/adapters/dynamodb/client.ts, docs/design.md §6). Over dynalite: every call
 * still sends its own command, one after the other or at once, with its values
 * marshalled and its answer unmarshalled, and a middleware added after the first call applies.
 */
import '../../local/environment';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { createTable, localCredentials, localRegion, startLocalDynamo, type LocalDynamo } from '../../local/dynamodb';

const TableName = 'document-client';

describe('the document client with its handlers kept', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.endpoint, TableName);
  });
  afterAll(() => dynamo.close());

  const clientOf = (meter = { readUnits: 0, writeUnits: 0, calls: {} as Record<string, number> }) =>
    createDocumentClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 }, meter);
  const item = (n: number) => ({ pk: `CUSTOMER#${n}`, sk: 'PROFILE', orderCount: n, tags: new Set([`t${n}`]), address: { city: `City ${n}` } });

  it('sends each command with its own input, in turn and at once', async () => {
    const client = clientOf();
    for (const n of [1, 2]) await client.send(new PutCommand({ TableName, Item: item(n) }));
    await Promise.all([3, 4, 5].map((n) => client.send(new PutCommand({ TableName, Item: item(n) }))));
    for (const n of [1, 2, 3, 4, 5]) {
      expect((await client.send(new GetCommand({ TableName, Key: { pk: `CUSTOMER#${n}`, sk: 'PROFILE' } }))).Item).toEqual(item(n));
    }
    const [a, b] = await Promise.all(
      [2, 4].map((n) => client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CUSTOMER#${n}` } }))),
    );
    expect([a!.Items, b!.Items]).toEqual([[item(2)], [item(4)]]);
  });

  it('meters every call, and runs a middleware added after the first call', async () => {
    const meter = { readUnits: 0, writeUnits: 0, calls: {} as Record<string, number> };
    const client = clientOf(meter);
    await client.send(new GetCommand({ TableName, Key: { pk: 'CUSTOMER#1', sk: 'PROFILE' } }));
    const seen: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        seen.push((args.input as { Key: { pk: string } }).Key.pk);
        return next(args);
      },
      { step: 'initialize', name: 'spy' },
    );
    await client.send(new GetCommand({ TableName, Key: { pk: 'CUSTOMER#2', sk: 'PROFILE' } }));
    expect(seen).toEqual(['CUSTOMER#2']);
    expect(meter.calls).toEqual({ GetItemCommand: 2 });
    expect(meter.readUnits).toBeGreaterThan(0);
  });
});
