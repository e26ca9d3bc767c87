/** Local DynamoDB: dynalite, in memory or in a folder, with the table created from the one key schema. */
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, ResourceInUseException, ScanCommand, waitUntilTableExists, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
// Before dynalite: the store it creates keeps each item in arrays of its own.
import './memory-level';
// Its expressions parsed once each.
import './dynalite-expressions';
// Its Query and Scan reading without `lazy`.
import './dynalite-reads';
import dynalite from 'dynalite';
import { tableSchema } from '../functions/adapters/dynamodb/table';
import { listening } from './ports';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const localRegion = 'local-1';
/** The one table of the local stack, as `npm start` and `simulate` create it. */
export const localTableName = 'retention';

export interface LocalDynamo {
  endpoint: string;
  /** dynalite's request listener, for an SDK client in this process (./in-process.ts); its item requests skip its HTTP front (`itemFront`). */
  listener: RequestListener;
  close(): Promise<void>;
}

type TableCallback = (error: Error | null, table?: object) => void;
interface LevelIterator {
  next(): Promise<unknown>;
  close(): Promise<void>;
  return?: () => Promise<void>;
}
interface DynaliteStore {
  getTable(name: string, checkStatus: boolean | TableCallback, callback?: TableCallback): void;
  tableDb: Record<'put' | 'del' | 'batch', (...args: unknown[]) => unknown>;
  db: Record<'keys' | 'values', (...args: unknown[]) => LevelIterator> & Record<'get' | 'put' | 'del' | 'batch', (...args: unknown[]) => unknown>;
}

/**
 * dynalite reads a Query's or a Scan's items through a level iterator, and
 * closes it by calling its `return`, which abstract-level 3's iterators do not
 * have; nor do they close at their end. So every iterator stayed open, in the
 * store's list of open resources, holding the store as it was when it was
 * made (memory-level's tree, before every write since): a simulated year kept
 * every hourly sweep's. Closed at its end here, or when dynalite destroys its stream.
 */
const closedAtEnd = (iterator: LevelIterator): LevelIterator => {
  const next = iterator.next.bind(iterator);
  return Object.assign(iterator, {
    async next() {
      const item = await next();
      if (item === undefined) await iterator.close();
      return item;
    },
    return: () => iterator.close(),
  });
};

/**
 * The store dynalite creates, mended once per process (vitest may load this module again):
 * - its reads' iterators are closed (`closedAtEnd`);
 * - its table's description is kept decoded. dynalite read and decoded it at
 *   every request (a tenth of an empty Query's CPU); now the last description
 *   each table was written with is kept, and forgotten at any write of one
 *   (CreateTable, UpdateTable, DeleteTable and their status changes), so every
 *   item request still sees the table as last written. Requests that ask for
 *   the description as stored (`checkStatus` false: DescribeTable and the
 *   table's own operations) read it as before;
 * - its item reads and writes answer their callbacks on the same loop iteration
 *   (`process.nextTick`): dynalite answered each through `setImmediate`, a turn of
 *   the event loop per item read or written (a GetItem's own work 34 → 26 µs, an
 *   UpdateItem's 97 → 74), though still after the caller's turn, as before;
 * - the last one created is kept as `created`, for the in-process front to answer
 *   on (`itemFront`): dynalite makes its store when it is called, and shows it nowhere.
 */
const requireDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const dynaliteDb = requireDynalite('./db') as { create: (options: object) => DynaliteStore; mended?: true; created?: DynaliteStore };
if (!dynaliteDb.mended) {
  const { create } = dynaliteDb;
  dynaliteDb.mended = true;
  dynaliteDb.create = (options) => {
    const store = create(options);
    dynaliteDb.created = store;
    for (const read of ['keys', 'values'] as const) {
      const original = store.db[read];
      store.db[read] = (...args) => closedAtEnd(original.apply(store.db, args));
    }
    const described = new Map<string, object>();
    let writes = 0;
    for (const write of ['put', 'del', 'batch'] as const) {
      const original = store.tableDb[write];
      store.tableDb[write] = function (this: unknown, ...args) {
        writes++;
        described.clear();
        return original.apply(this, args);
      };
    }
    for (const method of ['get', 'put', 'del', 'batch'] as const) {
      // Called without its callback, dynalite's own wrapper answers a promise.
      const promised = store.db[method];
      store.db[method] = function (this: unknown, ...args) {
        const callback = args.at(-1);
        if (typeof callback !== 'function') return promised.apply(this, args);
        void (promised.apply(this, args.slice(0, -1)) as Promise<unknown>).then(
          (value) => process.nextTick(callback, null, value),
          (error: unknown) => process.nextTick(callback, error),
        );
      };
    }
    const { getTable } = store;
    store.getTable = (name, checkStatus, callback) => {
      if (typeof checkStatus !== 'function') return getTable(name, checkStatus, callback);
      const table = described.get(name);
      // Answered after the caller's turn, as the store answers; on the same loop iteration (a setImmediate cost each
      // request one more: 10 of an item-less Query's 57 µs).
      if (table) return void process.nextTick(checkStatus, null, table);
      const writesBefore = writes;
      getTable(name, (error, found) => {
        // Not kept if a description was written meanwhile: what was read may be the one before it.
        if (!error && found && writes === writesBefore) described.set(name, found);
        checkStatus(error, found);
      });
    };
    return store;
  };
}

type Answer = (error: { statusCode?: number; body?: unknown } | null, data?: unknown) => void;
const validations = requireDynalite('./validations') as {
  checkTypes(data: unknown, types: object): object;
  checkValidations(data: object, types: object, custom: unknown, store: DynaliteStore): void;
};
const operations = new Map<string, { action: (store: DynaliteStore, data: object, answer: Answer) => void; types: object; custom: unknown }>();
const operation = (name: string) => {
  const action = `${name[0]!.toLowerCase()}${name.slice(1)}`;
  if (!operations.has(name)) operations.set(name, { action: requireDynalite(`./actions/${action}`), ...requireDynalite(`./validations/${action}`) });
  return operations.get(name)!;
};
const itemOperations = new Set(['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem']);
let requests = 0;

/**
 * The SDK's item requests in this process (./in-process.ts), answered by dynalite's own
 * validations and actions on its store, without its HTTP front, whose work no caller here
 * needs: a request id of 39 random bytes (8 µs, a sixteenth of an item-less Query), the URL
 * parsed for signature parameters, a CRC32 of the answer. A request id is still given, and a
 * body that is not JSON is refused as the front refuses it. What is not a signed item request
 * (a table operation, a request without a signature) goes to dynalite's front, answered as ever.
 */
const itemFront = (store: DynaliteStore, front: RequestListener): RequestListener => (request, response) => {
  const [api, name] = String(request.headers['x-amz-target']).split('.');
  const signed = String(request.headers.authorization ?? '').startsWith('AWS4-');
  if (api !== 'DynamoDB_20120810' || !name || !itemOperations.has(name) || !signed || request.method !== 'POST') return front(request, response);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer: Answer = (error, data) => {
      response.statusCode = error?.statusCode ?? 200;
      response.setHeader('x-amzn-RequestId', `LOCAL${++requests}`);
      response.setHeader('Content-Type', 'application/x-amz-json-1.0');
      response.end(JSON.stringify(error ? error.body : data));
    };
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return answer({ statusCode: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } });
    }
    const { action, types, custom } = operation(name);
    let data: object;
    try {
      data = validations.checkTypes(body, types);
      validations.checkValidations(data, types, custom, store);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode) return answer(error as never);
      throw error;
    }
    action(store, data, (error, result) => {
      if (error && !error.statusCode) throw error as Error;
      answer(error, result);
    });
  });
};

export const startLocalDynamo = async (options: { path?: string; port?: number; host?: string } = {}): Promise<LocalDynamo> => {
  const host = options.host ?? '127.0.0.1';
  const server: Server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const store = dynaliteDb.created!;
  await listening(server, options.port ?? 0, host);
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    listener: itemFront(store, server.listeners('request')[0] as RequestListener),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

/** Creates the table (and its due-time indexes) unless it is there already. */
export const createTable = async (endpoint: string, tableName: string) => {
  const client = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
  const { partitionKey, sortKey, indexes } = tableSchema;
  const indexKeys = Object.values(indexes).flatMap((index) => [index.partitionKey, index.sortKey]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [...new Set([partitionKey, sortKey, ...indexKeys])].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexes: Object.entries(indexes).map(([name, index]) => ({
          IndexName: name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await untilActive(client, tableName);
  client.destroy();
};

/** dynalite answers CreateTable with CREATING and makes the table ACTIVE on a later turn: an item request before that finds no table. */
export const untilActive = (client: DynamoDBClient, tableName: string) =>
  waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.1 }, { TableName: tableName });

/**
 * Copies a table, as it is, into a dynalite data folder (a simulation keeps its
 * data in memory, which is faster, and saves it at the end for `retention
 * explain` and `customer export`). A Scan of the emulator's own table: never a
 * read the engine makes.
 */
export const saveTable = async (endpoint: string, tableName: string, path: string) => {
  const target = await startLocalDynamo({ path });
  const source = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
  const sink = new DynamoDBClient({ endpoint: target.endpoint, region: localRegion, credentials: localCredentials });
  try {
    await createTable(target.endpoint, tableName);
    let ExclusiveStartKey: ScanCommand['input']['ExclusiveStartKey'];
    do {
      const page = await source.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
      const items = page.Items ?? [];
      for (let start = 0; start < items.length; start += 25) {
        let pending: WriteRequest[] = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) pending = (await sink.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }))).UnprocessedItems?.[tableName] ?? [];
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  } finally {
    source.destroy();
    sink.destroy();
    await target.close();
  }
};
