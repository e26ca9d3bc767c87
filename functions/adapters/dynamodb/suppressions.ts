/**
 * The suppression list, keyed by a hash of the address: it outlives erasure of
 * the customer, so a re-import cannot resurrect a suppressed address.
 */
import { addressHash } from '../../customers/profile';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SuppressionReason, Suppressions } from '../../campaigns/ports';
import { ignoreConditionFailure } from './customers';


export const suppressionKey = (email: string) => ({ pk: `SUPPRESSED#${addressHash(email)}`, sk: 'SUPPRESSED' });

export const dynamoSuppressions = (client: DynamoDBDocumentClient, tableName: string): Suppressions => ({
  async isSuppressed(email) {
    return (await this.reasonFor(email)) !== undefined;
  },

  async reasonFor(email) {
    // Strongly consistent: a suppression written a moment ago must already stop this send.
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: suppressionKey(email), ConsistentRead: true, ProjectionExpression: 'reason' }),
    );
    return Item && ((Item.reason as SuppressionReason | undefined) ?? 'unsubscribe');
  },

  // Conditional: a replayed event, or a later reason, leaves the first entry as it was.
  suppress: (email, reason, at) =>
    ignoreConditionFailure(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...suppressionKey(email), reason, suppressedAt: at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ),

  // Conditional: only the owner's own unsubscribe is theirs to undo; a bounce or a complaint protects the shop.
  liftUnsubscribe: (email) =>
    ignoreConditionFailure(
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: suppressionKey(email),
          ConditionExpression: 'reason = :unsubscribe',
          ExpressionAttributeValues: { ':unsubscribe': 'unsubscribe' },
        }),
      ),
    ),
});
