/** NPS responses, one per survey under its customer: the score (replaced by a later click) and a comment. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NpsResponse, NpsResponses } from '../../campaigns/ports';

const responseItem = (customerId: string, surveyId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `NPS#${surveyId}` });

export const dynamoNpsResponses = (client: DynamoDBDocumentClient, tableName: string): NpsResponses => ({
  async record({ customerId, surveyId, score, recordedAt }) {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: responseItem(customerId, surveyId),
          UpdateExpression:
            'SET customerId = :customerId, surveyId = :surveyId, score = :score, recordedAt = :recordedAt, firstRecordedAt = if_not_exists(firstRecordedAt, :recordedAt)',
          // A replay of the same click changes nothing.
          ConditionExpression: 'attribute_not_exists(score) OR score <> :score',
          ExpressionAttributeValues: { ':customerId': customerId, ':surveyId': surveyId, ':score': score, ':recordedAt': recordedAt },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return {
        changed: true,
        previousScore: Attributes?.score as number | undefined,
        firstRecordedAt: (Attributes?.firstRecordedAt as string | undefined) ?? recordedAt,
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { changed: false };
      throw error;
    }
  },

  async comment(customerId, surveyId, comment) {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: responseItem(customerId, surveyId),
          UpdateExpression: 'SET #comment = :comment',
          ConditionExpression: 'attribute_exists(score)',
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: { ':comment': comment },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as NpsResponse;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  },
});
