/**
 * What SES reported of each message: one item per SES message id,
 * `MESSAGE#<messageId>` / `STATUS`. It holds what the message was (from its
 * tags) and when it was first delivered, bounced, complained of, opened and
 * clicked; never the address. Each event is one conditional update, so a
 * replay, or an event older than one already recorded, changes nothing.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MessageEventKind, MessageStatus, MessageStatuses } from '../../campaigns/ports';
import { ignoreConditionFailure } from './customers';
import type { Config } from '../../config';
import { expiresAfter } from '../../customers/story';

export const messageStatusKey = (messageId: string) => ({ pk: `MESSAGE#${messageId}`, sk: 'STATUS' });

const timeAttribute: Record<MessageEventKind, keyof MessageStatus> = {
  delivered: 'deliveredAt',
  bounced: 'bouncedAt',
  complained: 'complainedAt',
  opened: 'openedAt',
  clicked: 'clickedAt',
};

const defined = (values: object) => Object.entries(values).filter(([, value]) => value !== undefined);

export const dynamoMessageStatuses = (client: DynamoDBDocumentClient, tableName: string, records: Config['records']): MessageStatuses => ({
  record({ messageId, kind, at, about, details }) {
    const names: Record<string, string> = { '#at': timeAttribute[kind], '#messageId': 'messageId', '#ttl': 'ttl' };
    // Kept `messageStatusDays` from the first event about the message (docs/design.md §11).
    const values: Record<string, unknown> = { ':at': at, ':messageId': messageId, ':ttl': expiresAfter(at, records.messageStatusDays) };
    const set = ['#at = :at', '#messageId = :messageId', '#ttl = if_not_exists(#ttl, :ttl)'];
    // What the message was is the same in every event about it: written once.
    for (const [name, value] of defined(about)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      set.push(`#${name} = if_not_exists(#${name}, :${name})`);
    }
    // The details belong to this event: they go with its time.
    for (const [name, value] of defined(details ?? {})) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      set.push(`#${name} = :${name}`);
    }
    return ignoreConditionFailure(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: messageStatusKey(messageId),
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#at) OR #at > :at',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  },

  async get(messageId) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: messageStatusKey(messageId), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, ...status } = Item;
    return status as MessageStatus;
  },
});
