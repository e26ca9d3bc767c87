/**
 * Reads everything the store holds about one customer (functions/customers/record.ts):
 * their partition, page by page, then the items elsewhere it names, each by
 * its key. Never a scan (docs/design.md §11).
 */
import { BatchGetCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { relatedKeys, type CustomerRecord } from '../../customers/record';
import { messageStatusKey } from './message-status';
import { suppressionKey } from './suppressions';
import { partitionItems } from './table';

type Item = Record<string, unknown>;

/** BatchGetItem takes 100 keys a call; what it leaves unprocessed is asked for again. */
const getAll = async (client: DynamoDBDocumentClient, tableName: string, keys: { pk: string; sk: string }[]): Promise<Item[]> => {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + 100);
    while (pending.length) {
      const { Responses, UnprocessedKeys } = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(Responses?.[tableName] ?? []));
      pending = (UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return found;
};

export const readCustomerRecord = async (client: DynamoDBDocumentClient, tableName: string, customerId: string): Promise<CustomerRecord> => {
  const items: Item[] = [];
  for await (const item of partitionItems(client, tableName, `CUSTOMER#${customerId}`, { consistent: true })) items.push(item);
  const related = relatedKeys(items);
  const email = items.find((item) => item.sk === 'PROFILE')?.email;
  const [codes, messages, sends, suppression] = await Promise.all([
    getAll(client, tableName, related.codes.map((code) => ({ pk: `CODE#${code}`, sk: 'CODE' }))),
    getAll(client, tableName, related.messageIds.map(messageStatusKey)),
    getAll(client, tableName, related.sendKeys.map((sendKey) => ({ pk: `SEND#${sendKey}`, sk: 'SEND' }))),
    typeof email === 'string'
      ? client.send(new GetCommand({ TableName: tableName, Key: suppressionKey(email), ConsistentRead: true })).then(({ Item }) => Item)
      : Promise.resolve(undefined),
  ]);
  // A code is theirs when it was issued to them; a code they redeemed that was someone else's is named by their order only.
  return { customerId, items, codes: codes.filter((code) => code.customerId === customerId), messages, sends, ...(suppression && { suppression }) };
};
