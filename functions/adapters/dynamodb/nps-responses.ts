/** NPS responses, one per survey under its customer: the score (replaced by a later click) and a comment. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NpsResponse, NpsResponses } from '../../campaigns/ports';
import type { Config } from '../../config';
import { expiresAfter } from '../../customers/story';

const responseItem = (customerId: string, surveyId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `NPS#${surveyId}` });

/** `previousScore` of a first response. */
const noScore = -1;

const changedTo = (item: Record<string, unknown>) => ({
  changed: true as const,
  previousScore: item.previousScore === noScore ? undefined : (item.previousScore as number),
  firstRecordedAt: item.firstRecordedAt as string,
});

export const dynamoNpsResponses = (client: DynamoDBDocumentClient, tableName: string, records: Config['records']): NpsResponses => ({
  async record({ customerId, surveyId, score, recordedAt }) {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: responseItem(customerId, surveyId),
          // The score it replaces is kept with it: a write whose answer was lost can still tell it.
          UpdateExpression:
            'SET customerId = :customerId, surveyId = :surveyId, previousScore = if_not_exists(score, :none), score = :score, ' +
            'recordedAt = :recordedAt, firstRecordedAt = if_not_exists(firstRecordedAt, :recordedAt), #ttl = if_not_exists(#ttl, :ttl)',
          // A replay of the same click changes nothing.
          ConditionExpression: 'attribute_not_exists(score) OR score <> :score',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          // Kept `surveyAnswerDays` from the first answer (docs/design.md §11); the day counters keep the NPS.
          ExpressionAttributeValues: {
            ':customerId': customerId,
            ':surveyId': surveyId,
            ':score': score,
            ':recordedAt': recordedAt,
            ':none': noScore,
            ':ttl': expiresAfter(recordedAt, records.surveyAnswerDays),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return changedTo(Attributes!);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Was it mine? The SDK retries a write whose answer was lost, and the retry finds the score already there.
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: responseItem(customerId, surveyId), ConsistentRead: true }));
      return Item?.recordedAt === recordedAt && Item.score === score ? changedTo(Item) : { changed: false };
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
