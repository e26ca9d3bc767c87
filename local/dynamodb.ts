/** Local DynamoDB: dynalite, in memory or in a folder, with the table created from the one key schema. */
import { BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, ScanCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
// Before dynalite: the store it creates keeps each item in arrays of its own.
import './memory-level';
import dynalite from 'dynalite';
import { tableSchema } from '../functions/adapters/dynamodb/table';
import { listening } from './ports';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const localRegion = 'local-1';
/** The one table of the local stack, as `npm start` and `simulate` create it. */
export const localTableName = 'retention';

export interface LocalDynamo {
  endpoint: string;
  /** dynalite's own request listener, for an SDK client in this process (./in-process.ts). */
  listener: RequestListener;
  close(): Promise<void>;
}

export const startLocalDynamo = async (options: { path?: string; port?: number; host?: string } = {}): Promise<LocalDynamo> => {
  const host = options.host ?? '127.0.0.1';
  const server: Server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listening(server, options.port ?? 0, host);
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    listener: server.listeners('request')[0] as RequestListener,
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
  await client.send(new DescribeTableCommand({ TableName: tableName }));
  client.destroy();
};

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
