/**
 * A meter of DynamoDB load per partition, for the capacity bench (bench/capacity.ts).
 *
 * A middleware on the stack's own document client records every request the
 * functions make: when (the stack's clock), which function made it, which
 * partition it hit (table or index, partition key value) and the capacity it
 * consumed.
 * - The table's units are DynamoDB's own (dynalite's `ConsumedCapacity`,
 *   asked for with `ReturnConsumedCapacity: 'INDEXES'`); a query that returns
 *   nothing is charged DynamoDB's minimum (0.5 or 1), which dynalite does not;
 *   a conditional write whose condition failed is charged as DynamoDB charges
 *   it (the size of the item there, at least 1 unit), where dynalite reports nothing.
 * - An index's write units are not reported by dynalite: the item's index keys
 *   are read before and after each write through a separate, unmetered client,
 *   and charged as DynamoDB charges a KEYS_ONLY index: 1 unit to put an entry,
 *   1 to delete one, 2 (a delete and a put) when its keys change, none when they
 *   do not; each to the index partition the entry leaves or enters.
 * - A query's partition is the value its key condition sets the partition key
 *   to; its read units are the table's or the index's, as dynalite reports them;
 *   the items and bytes it returned are kept too, so that a range read can be scaled.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The table, or one of its global secondary indexes. */
export type Target = 'table' | (string & {});

export interface MeterRecord {
  /** The stack's clock, in milliseconds. */
  at: number;
  /** The function whose invocation made the request; `other` outside any. */
  fn: string;
  target: Target;
  /** The partition key value, and the item's sort key for a single-item request. */
  pk: string;
  sk?: string;
  op: 'get' | 'query' | 'put' | 'update' | 'delete';
  readUnits: number;
  writeUnits: number;
  /** A table write: the item's size and number of attributes after it. */
  itemBytes?: number;
  attributes?: number;
  /** A query: the items and bytes it returned (to scale a range read), and whether it read strongly. */
  items?: number;
  bytes?: number;
  consistent?: boolean;
}

export interface IndexKeys {
  partitionKey: string;
  sortKey: string;
}

/** Which function's invocation is running: set around each invocation by the bench. */
export const invocationContext = new AsyncLocalStorage<{ fn: string }>();

const utf8 = (value: string) => Buffer.byteLength(value, 'utf8');

/** A number's size in DynamoDB: about one byte per two significant digits, plus one. */
const numberBytes = (value: number) => Math.ceil(String(Math.abs(value)).replace(/[.eE+-]/g, '').replace(/^0+/, '').length / 2) + 1;

/** The size of an attribute value as DynamoDB counts it (approximately, for maps and lists). */
export const valueBytes = (value: unknown): number => {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(Number(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, member) => sum + 1 + valueBytes(member), 0);
  if (typeof value === 'object') return 3 + Object.keys(value).length + itemBytes(value as Record<string, unknown>);
  return 0;
};

/** The size of an item: its attribute names and values. */
export const itemBytes = (item: Record<string, unknown>) =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);

const writeOps: Record<string, MeterRecord['op']> = { PutItemCommand: 'put', UpdateItemCommand: 'update', DeleteItemCommand: 'delete' };
const readOps: Record<string, MeterRecord['op']> = { GetItemCommand: 'get', QueryCommand: 'query' };

type Capacity = {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};

/** The value the key condition sets `attribute` to (`#name = :value` or `attribute = :value`). */
export const partitionValue = (input: {
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}, attribute: string): string | undefined => {
  for (const clause of (input.KeyConditionExpression ?? '').split(/\s+AND\s+/i)) {
    const match = /^\s*\(?\s*([#\w]+)\s*=\s*(:\w+)\s*\)?\s*$/.exec(clause);
    if (!match) continue;
    const name = match[1]!.startsWith('#') ? input.ExpressionAttributeNames?.[match[1]!] : match[1];
    if (name === attribute) return String(input.ExpressionAttributeValues?.[match[2]!]);
  }
  return undefined;
};

export interface PartitionMeterOptions {
  /** The stack's document client, whose requests are metered. */
  client: DynamoDBDocumentClient;
  /** A client on the same endpoint that is not metered: reads the index keys around each write. */
  peek: DynamoDBDocumentClient;
  tableName: string;
  partitionKey: string;
  sortKey: string;
  indexes: Record<string, IndexKeys>;
  /** The stack's clock. */
  now: () => Date;
}

/**
 * Starts metering the client's requests (while `on`); `records` holds each
 * request's partitions and units (a write: one record for the table, one per
 * index entry it put or deleted).
 */
export const partitionMeter = (options: PartitionMeterOptions) => {
  const { client, peek, tableName, partitionKey, sortKey, indexes } = options;
  const records: MeterRecord[] = [];
  const meter = { on: false, records, unknownOperations: new Set<string>() };

  const read = async (key: Record<string, unknown>) =>
    (await peek.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  /** A write of one item: the table's record, and one per index entry it put or deleted. */
  const recordWrite = (at: number, fn: string, op: MeterRecord['op'], key: Record<string, unknown>, writeUnits: number, before?: Record<string, unknown>, after?: Record<string, unknown>) => {
    records.push({
      at, fn, target: 'table', pk: String(key[partitionKey]), sk: String(key[sortKey]), op, readUnits: 0, writeUnits,
      ...(after && { itemBytes: itemBytes(after), attributes: Object.keys(after).length }),
    });
    for (const [name, index] of Object.entries(indexes)) {
      const entry = (found: Record<string, unknown> | undefined) =>
        found?.[index.partitionKey] !== undefined && found[index.sortKey] !== undefined
          ? { pk: String(found[index.partitionKey]), sk: String(found[index.sortKey]) }
          : undefined;
      const [old, now] = [entry(before), entry(after)];
      if (old && now && old.pk === now.pk && old.sk === now.sk) continue;
      // A KEYS_ONLY entry is the table's keys and the index's: far below 1 KB, one unit each.
      if (old) records.push({ at, fn, target: name, pk: old.pk, op: 'delete', readUnits: 0, writeUnits: 1 });
      if (now) records.push({ at, fn, target: name, pk: now.pk, op: 'put', readUnits: 0, writeUnits: 1 });
    }
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (!meter.on) return next(args);
      const input = args.input as Record<string, any>;
      const at = options.now().getTime();
      const fn = invocationContext.getStore()?.fn ?? 'other';
      if (command === 'BatchWriteItemCommand') {
        // Each put or delete as the single-item write it stands for, charged by the item's size as DynamoDB charges it.
        const requests = (input.RequestItems?.[tableName] ?? []) as { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[];
        const keyOf = (request: (typeof requests)[number]) => {
          const item = request.PutRequest?.Item ?? request.DeleteRequest!.Key;
          return { [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] };
        };
        const befores = await Promise.all(requests.map((request) => read(keyOf(request))));
        const result = await next(args);
        const unprocessed = new Set(
          (((result.output as { UnprocessedItems?: Record<string, typeof requests> }).UnprocessedItems?.[tableName]) ?? []).map((request) => JSON.stringify(keyOf(request))),
        );
        for (const [i, request] of requests.entries()) {
          const key = keyOf(request);
          if (unprocessed.has(JSON.stringify(key))) continue;
          const after = request.PutRequest ? await read(key) : undefined;
          const units = Math.max(1, Math.ceil(Math.max(itemBytes(befores[i] ?? {}), itemBytes(after ?? {})) / 1024));
          recordWrite(at, fn, request.PutRequest ? 'put' : 'delete', key, units, befores[i], after);
        }
        return result;
      }
      if (input.TableName !== tableName) return next(args);
      const writeOp = writeOps[command];
      const readOp = readOps[command];
      if (!writeOp && !readOp) {
        meter.unknownOperations.add(command);
        return next(args);
      }
      input.ReturnConsumedCapacity = 'INDEXES';

      if (readOp) {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: Capacity; Items?: Record<string, unknown>[] };
        const capacity = output.ConsumedCapacity ?? {};
        const consistent = input.ConsistentRead === true;
        const minimum = consistent ? 1 : 0.5;
        if (readOp === 'get') {
          records.push({ at, fn, target: 'table', pk: String(input.Key?.[partitionKey]), sk: String(input.Key?.[sortKey]), op: 'get', readUnits: Math.max(minimum, capacity.CapacityUnits ?? 0), writeUnits: 0 });
        } else {
          const target: Target = input.IndexName ?? 'table';
          const keyAttribute = input.IndexName ? indexes[input.IndexName]?.partitionKey ?? '?' : partitionKey;
          const units = input.IndexName ? capacity.GlobalSecondaryIndexes?.[input.IndexName]?.CapacityUnits : capacity.Table?.CapacityUnits;
          const bytes = (output.Items ?? []).reduce((sum, item) => sum + itemBytes(item), 0);
          records.push({
            at, fn, target, pk: partitionValue(input, keyAttribute) ?? '?', op: 'query',
            readUnits: Math.max(minimum, units ?? capacity.CapacityUnits ?? 0), writeUnits: 0, items: output.Items?.length ?? 0, bytes, consistent,
          });
          // A query on an index that fetches attributes it does not project also reads the table: not done here (KEYS_ONLY, keys only read).
          if (input.IndexName && (capacity.Table?.CapacityUnits ?? 0) > 0) {
            records.push({ at, fn, target: 'table', pk: '(fetched by index query)', op: 'query', readUnits: capacity.Table!.CapacityUnits!, writeUnits: 0 });
          }
        }
        return result;
      }

      const item = input.Item as Record<string, unknown> | undefined;
      const key = item ? { [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] } : (input.Key as Record<string, unknown>);
      const pk = String(key[partitionKey]);
      const sk = String(key[sortKey]);
      const before = await read(key);
      let result;
      try {
        result = await next(args);
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          // DynamoDB charges a failed conditional write as a write of the item that is there.
          records.push({ at, fn, target: 'table', pk, sk, op: writeOp!, readUnits: 0, writeUnits: Math.max(1, Math.ceil(itemBytes(before ?? {}) / 1024)) });
        }
        throw error;
      }
      const after = writeOp === 'delete' ? undefined : await read(key);
      const capacity = (result.output as { ConsumedCapacity?: Capacity }).ConsumedCapacity ?? {};
      recordWrite(at, fn, writeOp!, key, capacity.Table?.CapacityUnits ?? capacity.CapacityUnits ?? 1, before, after);
      return result;
    },
    { step: 'initialize', name: 'partitionMeter', priority: 'high' },
  );
  return meter;
};
