/**
 * The send ledger: each occasion's send key and each customer's one email of a
 * local day, claimed with conditional single-item writes (no transactions, so
 * dynalite and DynamoDB behave the same).
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendLedger } from '../../campaigns/ports';
import { ignoreConditionFailure } from './customers';

const sendKeyItem = (sendKey: string) => ({ pk: `SEND#${sendKey}`, sk: 'SEND' });
const dayItem = (customerId: string, localDate: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `DAY#${localDate}` });
/** Day slots only matter around their day; let DynamoDB expire them a week later. */
const dayTtl = (localDate: string) => Math.floor(Date.parse(`${localDate}T00:00:00Z`) / 1000) + 8 * 86_400;

export const dynamoSendLedger = (client: DynamoDBDocumentClient, tableName: string): SendLedger => ({
  claimSend: (sendKey, customerId, at) =>
    ignoreConditionFailure(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...sendKeyItem(sendKey), customerId, status: 'claimed', claimedAt: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ),

  async releaseSend(sendKey) {
    await ignoreConditionFailure(
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: sendKeyItem(sendKey),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      ),
    );
  },

  async markSent(sendKey, messageId) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sendKeyItem(sendKey),
        UpdateExpression: 'SET #status = :sent, messageId = :messageId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':messageId': messageId },
      }),
    );
  },

  claimDay: (customerId, localDate, sendKey) =>
    ignoreConditionFailure(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...dayItem(customerId, localDate), sendKey, ttl: dayTtl(localDate) },
          ConditionExpression: 'attribute_not_exists(pk) OR sendKey = :sendKey',
          ExpressionAttributeValues: { ':sendKey': sendKey },
        }),
      ),
    ),

  async releaseDay(customerId, localDate, sendKey) {
    await ignoreConditionFailure(
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: dayItem(customerId, localDate),
          ConditionExpression: 'sendKey = :sendKey',
          ExpressionAttributeValues: { ':sendKey': sendKey },
        }),
      ),
    );
  },
});
