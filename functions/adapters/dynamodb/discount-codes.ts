/** Discount codes: unique by a conditional write, single use by another. */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DiscountCode, DiscountCodes } from '../../campaigns/ports';
import { ignoreConditionFailure } from './customers';

const codeItem = (code: string) => ({ pk: `CODE#${code}`, sk: 'CODE' });

export const dynamoDiscountCodes = (client: DynamoDBDocumentClient, tableName: string): DiscountCodes => ({
  issue: (code) =>
    ignoreConditionFailure(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...codeItem(code.code), ...code },
          // The same send re-issuing its own code (a retry) is fine; anyone else's is a collision.
          ConditionExpression: 'attribute_not_exists(pk) OR sendKey = :sendKey',
          ExpressionAttributeValues: { ':sendKey': code.sendKey },
        }),
      ),
    ),

  async redeem(code, orderId, at) {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: codeItem(code.trim().toUpperCase()),
          UpdateExpression: 'SET redeemedBy = :orderId, redeemedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND expiresAt >= :at AND (attribute_not_exists(redeemedBy) OR redeemedBy = :orderId OR oncePerCustomer = :true)',
          ExpressionAttributeValues: { ':orderId': orderId, ':at': at, ':true': true },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as DiscountCode;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  },
});
