/**
 * The local DynamoDB's in-memory store (local/memory-level.ts): dynalite's items kept in
 * arrays of their own, not in slices of Node.js's shared Buffer slabs (each of which a
 * stored item would keep alive), and still in DynamoDB's order, by UTF-8 bytes. And the
 * table's description it keeps decoded (local/dynamodb.ts): item requests see the table
 * as last written. And the expressions it keeps parsed (local/dynalite-expressions.ts): each
 * request answered as a parse of its own would answer it. And its item requests in this process,
 * answered without dynalite's HTTP front (local/dynamodb.ts): as the front answers them. And its
 * Query and Scan, read without `lazy` (local/dynalite-reads.ts): as its own reading answers them. And its store
 * answering on the same turn of the event loop.
 */
import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { lazyQueryTable } from '../../local/dynalite-reads';
import { localCredentials, localRegion, startLocalDynamo, untilActive } from '../../local/dynamodb';
import { inProcess, localSigner } from '../../local/in-process';

type Store = {
  put(key: string, value: unknown, done: (error?: Error) => void): void;
  iterator(options: { keyEncoding: string; valueEncoding: string }): { next(): Promise<[unknown, unknown] | undefined> };
};

/** Modules as dynalite requires them, from its own folder. */
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));

/** The store as dynalite creates it, once the local DynamoDB (local/dynamodb.ts) is loaded. */
const dynaliteStore = (): Store => (fromDynalite('./db') as { create(options: object): { db: Store } }).create({}).db;

/** A local dynalite over HTTP, and a way to create its table `shop` with string keys (the first the hash key). */
const withDynalite = async (run: (client: DynamoDBClient, createShop: (keys: string[]) => Promise<unknown>) => Promise<void>) => {
  const dynamo = await startLocalDynamo();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials });
  const createShop = async (keys: string[]) => {
    await client.send(
      new CreateTableCommand({
        TableName: 'shop',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keys.map((name, i) => ({ AttributeName: name, KeyType: i ? 'RANGE' : 'HASH' })),
        AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      }),
    );
    await untilActive(client, 'shop');
  };
  try {
    await run(client, createShop);
  } finally {
    vi.restoreAllMocks();
    client.destroy();
    await dynamo.close();
  }
};

const put = (store: Store, key: string, value: unknown) => new Promise<void>((resolve, reject) => store.put(key, value, (error) => (error ? reject(error) : resolve())));

const entries = async <K, V>(store: Store, keyEncoding: string, valueEncoding: string) => {
  const iterator = store.iterator({ keyEncoding, valueEncoding });
  const all: [K, V][] = [];
  for (let entry = await iterator.next(); entry; entry = await iterator.next()) all.push(entry as [K, V]);
  return all;
};

describe("dynalite's in-memory store", () => {
  it('keeps each item in an array of its own, however small', async () => {
    const store = dynaliteStore();
    await put(store, 'CUSTOMER#1~PROFILE', { pk: 'CUSTOMER#1', sk: 'PROFILE' });
    const [[, value] = []] = await entries<Uint8Array, Uint8Array>(store, 'view', 'view');
    if (!value) throw new Error('nothing stored');
    expect(new TextDecoder().decode(value)).toBe('{"pk":"CUSTOMER#1","sk":"PROFILE"}');
    expect(value.buffer.byteLength).toBe(value.byteLength);
  });

  it("answers a read or a write after the caller's turn, without waiting for a turn of the event loop", async () => {
    const store = dynaliteStore() as Store & { get(key: string, done: (error: Error | null, value?: unknown) => void): void };
    const seen: string[] = [];
    store.put('k', { n: 1 }, () => {
      seen.push('put');
      store.get('k', (_, value) => seen.push(`get ${JSON.stringify(value)}`));
    });
    seen.push('caller');
    await new Promise(setImmediate);
    expect(seen).toEqual(['caller', 'put', 'get {"n":1}']);
  });

  it('orders keys by their UTF-8 bytes, as DynamoDB does, not by UTF-16 code units', async () => {
    const store = dynaliteStore();
    // U+FFFF is EF BF BF in UTF-8, U+1F600 F0 9F 98 80; in UTF-16 the emoji (D83D DE00) sorts first.
    for (const key of ['a😀', 'a\uffff', 'a']) await put(store, key, {});
    expect((await entries<string, unknown>(store, 'utf8', 'json')).map(([key]) => key)).toEqual(['a', 'a\uffff', 'a😀']);
  });
});

describe("dynalite's reads", () => {
  it('leave no iterator open: each closed at its end, or when a read stops early', () =>
    withDynalite(async (client, createShop) => {
      // abstract-level lists every open iterator of a store (and an open iterator holds the store as it was when made).
      const { AbstractLevel } = createRequire(fromDynalite.resolve('memory-level'))('abstract-level') as { AbstractLevel: { prototype: Record<'attachResource' | 'detachResource', (resource: object) => void> } };
      await createShop(['pk', 'sk']);
      for (const sk of ['a', 'b', 'c']) await client.send(new PutItemCommand({ TableName: 'shop', Item: { pk: { S: 'p' }, sk: { S: sk } } }));
      const attached = vi.spyOn(AbstractLevel.prototype, 'attachResource');
      const detached = vi.spyOn(AbstractLevel.prototype, 'detachResource');
      const query = (pk: string, Limit?: number) => client.send(new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: pk } }, Limit }));
      expect((await query('p')).Count).toBe(3);
      expect((await query('p', 1)).Count).toBe(1);
      expect((await query('none')).Count).toBe(0);
      expect((await client.send(new ScanCommand({ TableName: 'shop' }))).Count).toBe(3);
      const iterators = attached.mock.calls.map(([resource]) => resource);
      expect(iterators.length).toBeGreaterThanOrEqual(4);
      // A read that stopped early closes its iterator as its stream is destroyed: on a later turn.
      await vi.waitFor(() => expect(new Set(detached.mock.calls.map(([resource]) => resource))).toEqual(new Set(iterators)));
    }));
});

describe("dynalite's table, as item requests see it", () => {
  it('is the one last created: a table deleted is not found, one created again is used with its own keys', () =>
    withDynalite(async (client, createShop) => {
      await createShop(['pk', 'sk']);
      await client.send(new PutItemCommand({ TableName: 'shop', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
      await client.send(new DeleteTableCommand({ TableName: 'shop' }));
      await expect(client.send(new GetItemCommand({ TableName: 'shop', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }))).rejects.toThrow(ResourceNotFoundException);
      await createShop(['id']);
      await client.send(new PutItemCommand({ TableName: 'shop', Item: { id: { S: 'a' } } }));
      const { Item } = await client.send(new GetItemCommand({ TableName: 'shop', Key: { id: { S: 'a' } } }));
      expect(Item).toEqual({ id: { S: 'a' } });
      await expect(client.send(new GetItemCommand({ TableName: 'shop', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }))).rejects.toThrow(/key element does not match the schema/);
    }));
});

describe("dynalite's expressions, each parsed once", () => {
  type Values = Record<string, AttributeValue>;
  const key = { pk: { S: 'p' }, sk: { S: 's' } };
  const update = (client: DynamoDBClient, UpdateExpression: string, ExpressionAttributeValues: Values, ConditionExpression?: string) =>
    client.send(
      new UpdateItemCommand({ TableName: 'shop', Key: key, UpdateExpression, ConditionExpression, ExpressionAttributeNames: { '#n': 'count' }, ExpressionAttributeValues, ReturnValues: 'ALL_NEW' }),
    );

  it("apply each request's own values to an expression sent before", () =>
    withDynalite(async (client, createShop) => {
      await createShop(['pk', 'sk']);
      const add = (n: string, atMost: string) => update(client, 'ADD #n :n', { ':n': { N: n }, ':max': { N: atMost } }, 'attribute_not_exists(#n) OR #n <= :max');
      expect((await add('2', '10')).Attributes?.count).toEqual({ N: '2' });
      expect((await add('5', '10')).Attributes?.count).toEqual({ N: '7' });
      // The same condition, refused by its new bound.
      await expect(add('1', '6')).rejects.toThrow(/conditional request failed/);
      for (const sk of ['a', 'b', 'c']) await client.send(new PutItemCommand({ TableName: 'shop', Item: { pk: { S: 'q' }, sk: { S: sk } } }));
      const upTo = async (sk: string) =>
        (await client.send(new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p AND sk <= :sk', ExpressionAttributeValues: { ':p': { S: 'q' }, ':sk': { S: sk } } }))).Items?.map((item) => item.sk?.S);
      expect(await upTo('a')).toEqual(['a']);
      expect(await upTo('b')).toEqual(['a', 'b']);
    }));

  it('refuse, as dynalite does, a value of another type, a name or a value missing or unused, after the same expression was accepted', () =>
    withDynalite(async (client, createShop) => {
      await createShop(['pk', 'sk']);
      await update(client, 'ADD #n :n', { ':n': { N: '1' } });
      await expect(update(client, 'ADD #n :n', { ':n': { S: 'one' } })).rejects.toThrow(/Incorrect operand type for operator or function; operator: ADD, operand type: STRING/);
      await expect(update(client, 'ADD #n :n', {})).rejects.toThrow(/ExpressionAttributeValues must not be empty/);
      await expect(update(client, 'ADD #n :n', { ':m': { N: '1' } })).rejects.toThrow(/An expression attribute value used in expression is not defined; attribute value: :n/);
      await expect(update(client, 'ADD #n :n', { ':n': { N: '1' }, ':unused': { N: '2' } })).rejects.toThrow(/unused in expressions: keys: \{:unused\}/);
      await expect(
        client.send(new UpdateItemCommand({ TableName: 'shop', Key: key, UpdateExpression: 'ADD #n :n', ExpressionAttributeNames: { '#m': 'count' }, ExpressionAttributeValues: { ':n': { N: '1' } } })),
      ).rejects.toThrow(/An expression attribute name used in the document path is not defined; attribute name: #n/);
      await expect(update(client, 'ADD #n :n', { ':n': { N: 'x' } })).rejects.toThrow(/ExpressionAttributeValues contains invalid value/);
      expect((await update(client, 'ADD #n :n', { ':n': { N: '1' } })).Attributes?.count).toEqual({ N: '2' });
    }));

  it("check BETWEEN's bounds at every request", () =>
    withDynalite(async (client, createShop) => {
      await createShop(['pk', 'sk']);
      const between = (first: string, last: string) =>
        client.send(new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p AND sk BETWEEN :first AND :last', ExpressionAttributeValues: { ':p': { S: 'p' }, ':first': { S: first }, ':last': { S: last } } }));
      expect((await between('a', 'b')).Count).toBe(0);
      await expect(between('b', 'a')).rejects.toThrow(/BETWEEN operator requires upper bound to be greater than or equal to lower bound/);
    }));
});

describe("dynalite's item requests in this process", () => {
  it('are answered as its HTTP front answers them: items, conditions failing, invalid requests, a missing table', () =>
    withDynalite(async (overHttp, createShop) => {
      await createShop(['pk', 'sk']);
      const dynamo = await startLocalDynamo();
      const inThisProcess = new DynamoDBClient({ region: localRegion, credentials: localCredentials, endpoint: 'http://in-process', requestHandler: inProcess(dynamo.listener), signer: localSigner('dynamodb') as never });
      // Its table created through its HTTP front; then the same requests to both.
      const sameStore = new DynamoDBClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials });
      await sameStore.send(new CreateTableCommand({ TableName: 'shop', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }] }));
      await untilActive(sameStore, 'shop');
      const item = { pk: { S: 'c1' }, sk: { S: 'PROFILE' }, n: { N: '1' }, tags: { SS: ['a', 'b'] } };
      const requests = [
        new PutItemCommand({ TableName: 'shop', Item: item, ReturnConsumedCapacity: 'TOTAL' }),
        new GetItemCommand({ TableName: 'shop', Key: { pk: item.pk, sk: item.sk } }),
        new PutItemCommand({ TableName: 'shop', Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        new UpdateItemCommand({ TableName: 'shop', Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' }),
        new UpdateItemCommand({ TableName: 'shop', Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'SET n = :unused' }),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': item.pk } }),
        new ScanCommand({ TableName: 'shop', Limit: 0 }),
        new GetItemCommand({ TableName: 'no-such-table', Key: { pk: item.pk, sk: item.sk } }),
      ];
      const outcome = async (client: DynamoDBClient, request: (typeof requests)[number]) => {
        try {
          const { $metadata: _, ...output } = await client.send(request as never);
          return output;
        } catch (error) {
          return { error: (error as Error).name, message: (error as Error).message };
        }
      };
      for (const request of requests) {
        const http = await outcome(overHttp, request);
        expect([request.constructor.name, await outcome(inThisProcess, request)]).toEqual([request.constructor.name, http]);
      }
      expect(await outcome(inThisProcess, requests[2]!)).toMatchObject({ error: 'ConditionalCheckFailedException' });
      await dynamo.close();
    }));
});

describe("dynalite's Query and Scan, read without lazy", () => {
  it('answer as its own reading does: pages at Limit and at 1 MB, filters, projections, counts, capacity, indexes, segments', () =>
    withDynalite(async (client) => {
      await client.send(
        new CreateTableCommand({
          TableName: 'shop',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: ['pk', 'sk', 'due'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          GlobalSecondaryIndexes: [{ IndexName: 'byDue', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'due', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        }),
      );
      await untilActive(client, 'shop');
      for (let i = 0; i < 30; i++) {
        const sk = `ORDER#${String(i).padStart(2, '0')}`;
        await client.send(new PutItemCommand({ TableName: 'shop', Item: { pk: { S: 'p' }, sk: { S: sk }, n: { N: String(i) }, ...(i % 3 ? {} : { due: { S: `2026-01-${String(i + 1).padStart(2, '0')}` } }) } }));
      }
      // Five items of 300 KB: a read of them all stops past 1 MB, after the fourth.
      for (let i = 0; i < 5; i++) await client.send(new PutItemCommand({ TableName: 'shop', Item: { pk: { S: 'big' }, sk: { S: `PAGE#${i}` }, text: { S: 'x'.repeat(300_000) } } }));
      const p = { ':p': { S: 'p' } };
      const requests = [
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: p, ReturnConsumedCapacity: 'TOTAL' }),
        ...[1, 5, 30, 31].map((Limit) => new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: p, Limit })),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: p, Limit: 3, ScanIndexForward: false }),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: p, Limit: 4, ExclusiveStartKey: { pk: { S: 'p' }, sk: { S: 'ORDER#07' } } }),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p AND begins_with(sk, :o)', FilterExpression: 'n > :n', ExpressionAttributeValues: { ...p, ':o': { S: 'ORDER#1' }, ':n': { N: '14' } }, Limit: 8 }),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', ProjectionExpression: 'n', ExpressionAttributeValues: { ...p, ':a': { S: 'ORDER#03' }, ':b': { S: 'ORDER#09' } } }),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: p, Select: 'COUNT', ReturnConsumedCapacity: 'INDEXES' }),
        new QueryCommand({ TableName: 'shop', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p' }] } }, QueryFilter: { n: { ComparisonOperator: 'LT', AttributeValueList: [{ N: '4' }] } }, AttributesToGet: ['sk'] }),
        new QueryCommand({ TableName: 'shop', IndexName: 'byDue', KeyConditionExpression: 'pk = :p AND due <= :d', ExpressionAttributeValues: { ...p, ':d': { S: '2026-01-20' } }, Limit: 4, ReturnConsumedCapacity: 'INDEXES' }),
        new QueryCommand({ TableName: 'shop', IndexName: 'byDue', KeyConditionExpression: 'pk = :none', ExpressionAttributeValues: { ':none': { S: 'none' } }, ReturnConsumedCapacity: 'TOTAL' }),
        new QueryCommand({ TableName: 'shop', KeyConditionExpression: 'pk = :big', ExpressionAttributeValues: { ':big': { S: 'big' } }, ProjectionExpression: 'sk', ReturnConsumedCapacity: 'TOTAL' }),
        new ScanCommand({ TableName: 'shop', ProjectionExpression: 'pk, sk' }),
        new ScanCommand({ TableName: 'shop', Limit: 7, FilterExpression: 'attribute_exists(due)', ReturnConsumedCapacity: 'TOTAL' }),
        ...[0, 1].map((Segment) => new ScanCommand({ TableName: 'shop', Segment, TotalSegments: 2, Select: 'COUNT' })),
        new ScanCommand({ TableName: 'shop', IndexName: 'byDue', Limit: 3 }),
      ];
      const outcome = async (request: (typeof requests)[number]) => {
        const { $metadata: _, ...output } = (await client.send(request as never)) as { $metadata: unknown; Count?: number; ScannedCount?: number };
        return output;
      };
      const dynalite = fromDynalite('./db') as { queryTable: unknown };
      const withoutLazy = dynalite.queryTable;
      const outcomes = [];
      for (const request of requests) {
        const ours = await outcome(request);
        dynalite.queryTable = lazyQueryTable;
        try {
          expect([requests.indexOf(request), ours]).toEqual([requests.indexOf(request), await outcome(request)]);
        } finally {
          dynalite.queryTable = withoutLazy;
        }
        outcomes.push(ours);
      }
      expect(withoutLazy).not.toBe(lazyQueryTable);
      // Each way a read ends was taken: at its Limit, at 1 MB, at its end; and filters and projections applied.
      const counts = outcomes.map((output) => [output.Count, output.ScannedCount, 'LastEvaluatedKey' in output]);
      expect(counts.slice(1, 5)).toEqual([[1, 1, true], [5, 5, true], [30, 30, true], [30, 30, false]]);
      expect(counts[7]).toEqual([3, 8, true]);
      expect(counts.slice(11, 14)).toEqual([[4, 4, true], [0, 0, false], [4, 4, true]]);
      expect(counts[15]).toEqual([0, 4, true]);
    }));
});
