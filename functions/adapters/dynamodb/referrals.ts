/** The friends each customer referred (docs/design.md §10): `REFERRAL#<referredId>` items in the referrer's partition. */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReferralRecord, Referrals } from '../../campaigns/ports';
import { ignoreConditionFailure } from './customers';
import { partitionItems } from './table';

const item = (referrerId: string, referredId: string) => ({ pk: `CUSTOMER#${referrerId}`, sk: `REFERRAL#${referredId}` });

export const dynamoReferrals = (client: DynamoDBDocumentClient, tableName: string): Referrals => ({
  async record(referrerId, referral) {
    // One reward per referred customer: the first record stays, a retry changes nothing.
    await ignoreConditionFailure(
      client.send(new PutCommand({ TableName: tableName, Item: { ...item(referrerId, referral.referredId), ...referral }, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  },

  async pending(referrerId) {
    const pending: ReferralRecord[] = [];
    for await (const stored of partitionItems(client, tableName, `CUSTOMER#${referrerId}`, { consistent: true, prefix: 'REFERRAL#' })) {
      if (stored.settledAt !== undefined) continue;
      const { referredId, orderId, code, convertedAt } = stored as ReferralRecord;
      pending.push({ referredId, orderId, code, convertedAt });
    }
    return pending.sort((a, b) => a.convertedAt.localeCompare(b.convertedAt) || a.referredId.localeCompare(b.referredId));
  },

  async settle(referrerId, referredId, at) {
    // The first settling stays; an item that is not there (never recorded) is left absent.
    await ignoreConditionFailure(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: item(referrerId, referredId),
          UpdateExpression: 'SET settledAt = if_not_exists(settledAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  },
});
