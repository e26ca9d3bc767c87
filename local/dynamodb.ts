/** Local DynamoDB: dynalite, in memory or in a folder, with the table created from the one key schema. */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import dynalite from 'dynalite';
import { tableSchema } from '../functions/adapters/dynamodb/table';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const localRegion = 'local-1';

export interface LocalDynamo {
  endpoint: string;
  /** dynalite's own request listener, for an SDK client in this process (./in-process.ts). */
  listener: RequestListener;
  close(): Promise<void>;
}

export const startLocalDynamo = async (options: { path?: string; port?: number; host?: string } = {}): Promise<LocalDynamo> => {
  const host = options.host ?? '127.0.0.1';
  const server: Server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
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
