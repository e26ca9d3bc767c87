/**
 * The customer's story and consent ledger (functions/customers/story.ts): items
 * `CUSTOMER#<id>` / `STORY#<time>#...` and `CONSENT#<time>#...`, each with its
 * `ttl` (the configured retention, docs/design.md §11). The key is derived from the
 * entry, and the first write wins: a retry writes nothing new.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../config';
import type { CustomerStory } from '../../campaigns/ports';
import { consentSortKey, expiresAfter, storySortKey } from '../../customers/story';
import { ignoreConditionFailure } from './customers';

export const dynamoCustomerStory = (client: DynamoDBDocumentClient, tableName: string, records: Config['records']): CustomerStory => {
  const put = async (customerId: string, sk: string, item: Record<string, unknown>, ttl: number) => {
    await ignoreConditionFailure(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `CUSTOMER#${customerId}`, sk, ...item, ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  };
  return {
    note: (customerId, entry) => put(customerId, storySortKey(entry), { ...entry }, expiresAfter(entry.at, records.storyDays)),
    consent: (customerId, record) => put(customerId, consentSortKey(record), { kind: 'consent', ...record }, expiresAfter(record.at, records.consentDays)),
  };
};
