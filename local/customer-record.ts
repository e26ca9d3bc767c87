/**
 * `retention explain CUSTOMER` and `retention customer export CUSTOMER` (docs/design.md §6, §11):
 * one customer's record, read by key from the deployed stack's table
 * (`--table NAME`, AWS credentials as for the AWS CLI), a local data folder
 * (`--data DIR`: `npm start`'s, or a simulation's `--out`), or the running
 * `npm start`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { readCustomerRecord } from '../functions/adapters/dynamodb/customer-record';
import type { Config } from '../functions/config';
import { explainCustomer, exportCustomer, formatStory, unexpired } from '../functions/customers/record';
import { localCredentials, localRegion, localTableName, startLocalDynamo } from './dynamodb';
import { localPorts } from './ports';

export type RecordSource = { kind: 'table'; table: string; region?: string } | { kind: 'data'; dir: string } | { kind: 'running' };

/** A problem with where to read from, said in a line. */
export class RecordSourceError extends Error {}

const tableName = localTableName;

/** The dynalite folder in DIR: DIR itself (`npm start --data DIR`), or DIR/data (`simulate --out DIR`). */
const levelFolder = (dir: string) => {
  for (const candidate of [dir, join(dir, 'data')]) if (existsSync(join(candidate, 'CURRENT'))) return candidate;
  throw new RecordSourceError(`--data ${dir}: no data there (give the folder of \`npm start --data\`, or the --out of a simulation)`);
};

/** A document client on the source, and how to let it go. */
export const openRecordSource = async (source: RecordSource): Promise<{ client: DynamoDBDocumentClient; tableName: string; where: string; close(): Promise<void> }> => {
  if (source.kind === 'table') {
    const client = createDocumentClient({ region: source.region });
    return { client, tableName: source.table, where: `table ${source.table}`, close: async () => client.destroy() };
  }
  if (source.kind === 'running') {
    const endpoint = `http://127.0.0.1:${localPorts.dynamo}`;
    const client = createDocumentClient({ endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
    return { client, tableName, where: 'the running `npm start`', close: async () => client.destroy() };
  }
  const path = levelFolder(source.dir);
  const dynamo = await startLocalDynamo({ path }).catch((error: Error) => {
    // LevelDB lets one process open a folder: the running `npm start` holds its own.
    if (/lock/i.test(`${error.message} ${String((error as { cause?: unknown }).cause)}`)) {
      throw new RecordSourceError(`--data ${source.dir} is in use by a running \`npm start\`: leave out --data to read from it`);
    }
    throw error;
  });
  const client = createDocumentClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials });
  return {
    client,
    tableName,
    where: source.dir,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
};

const readRecord = async (customerId: string, source: RecordSource, now: Date) => {
  const store = await openRecordSource(source);
  try {
    return unexpired(await readCustomerRecord(store.client, store.tableName, customerId), now);
  } catch (error) {
    if (source.kind === 'running' && /ECONNREFUSED/.test(`${(error as Error).message} ${String((error as { cause?: unknown }).cause)}`)) {
      throw new RecordSourceError('no local stack to read from: start it with `npm start`, or give --data DIR (a simulation\'s --out) or --table NAME');
    }
    throw error;
  } finally {
    await store.close();
  }
};

/** The time a source is read at: a simulation's data at the end of its virtual time (its summary's `to`), else now. */
export const timeOf = (source: RecordSource): Date => {
  const summary = source.kind === 'data' ? join(source.dir, 'summary.json') : undefined;
  if (summary && existsSync(summary)) {
    const { to } = JSON.parse(readFileSync(summary, 'utf8')) as { to?: string };
    if (to && !Number.isNaN(Date.parse(to))) return new Date(to);
  }
  return new Date();
};

/** The customer's story, as text or as its lines (`--json`). */
export const explain = async (customerId: string, source: RecordSource, config: Config, now = timeOf(source)) => {
  const record = await readRecord(customerId, source, now);
  const lines = explainCustomer(record, now, config.defaultTimeZone);
  return { lines, text: formatStory(customerId, lines), known: record.items.length > 0 };
};

/** Everything held about the customer, as one JSON document. */
export const exportRecord = async (customerId: string, source: RecordSource, now = timeOf(source)) => {
  const record = await readRecord(customerId, source, now);
  return { document: exportCustomer(record, now), known: record.items.length > 0 };
};
