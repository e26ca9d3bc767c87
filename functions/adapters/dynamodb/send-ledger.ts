/**
 * The send ledger (docs/design.md §8): each occasion's send key, claimed with a lease,
 * with SES's message id once known and the events that follow the send (the
 * outbox) in the same item; and each customer's one email of a local day.
 * Conditional single-item writes only (dynalite and DynamoDB alike). Every
 * write is safe to repeat: a write whose answer was lost is retried by the SDK
 * and finds its own work there (the condition accepts the same owner).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Claim, SendLedger } from '../../campaigns/ports';
import type { OutgoingEvent } from '../../events/event';
import { ignoreConditionFailure } from './customers';
import type { Config } from '../../config';
import { expiresAfter } from '../../customers/story';
import { indexUpTo, shardOf } from './table';

const sendKeyItem = (sendKey: string) => ({ pk: `SEND#${sendKey}`, sk: 'SEND' });
const dayItem = (customerId: string, localDate: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `DAY#${localDate}` });
/** Day slots only matter around their day; let DynamoDB expire them a week later. */
const dayTtl = (localDate: string) => Math.floor(Date.parse(`${localDate}T00:00:00Z`) / 1000) + 8 * 86_400;

/**
 * A lease outlives any one invocation (the sender's timeout is 60 s): another
 * job takes a send over only when whoever held it is certainly gone.
 */
export const leaseSeconds = 120;

interface SendItem {
  customerId: string;
  owner: string;
  leaseUntil: string;
  sendingAt?: string;
  messageId?: string;
  heldOut?: boolean;
  outbox?: OutgoingEvent[];
  published?: boolean;
}

const claimOf = (item: SendItem, owner: string, now: Date): Claim => {
  if (item.messageId) return { state: 'sent', messageId: item.messageId, published: !!item.published };
  if (item.heldOut) return { state: 'heldOut', published: !!item.published };
  if (item.owner === owner || item.leaseUntil < now.toISOString()) return { state: 'claimed', ...(item.sendingAt && { sendingAt: item.sendingAt }) };
  return { state: 'busy' };
};

export const dynamoSendLedger = (client: DynamoDBDocumentClient, tableName: string, records: Config['records']): SendLedger => {
  const read = async (sendKey: string) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: sendKeyItem(sendKey), ConsistentRead: true }))).Item as SendItem | undefined;

  /** The outbox and its place in the sparse outbox index, written with the state change it follows. */
  const outboxValues = (sendKey: string, outbox: OutgoingEvent[], at: Date | string) => ({
    ':outbox': outbox,
    ':outboxShard': shardOf(sendKey),
    ':outboxAt': new Date(at).toISOString(),
  });

  return {
    async claim(sendKey, customerId, { owner, now }) {
      const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sendKeyItem(sendKey),
            // Taking over an expired lease keeps `sendingAt`: whether that attempt reached SES still matters.
            // Kept `sendKeyDays` from the first claim (docs/design.md §11): past its occasion, a send key is never claimed again.
            UpdateExpression:
              'SET customerId = :customerId, #owner = :owner, leaseUntil = :leaseUntil, claimedAt = if_not_exists(claimedAt, :now), #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression:
              'attribute_not_exists(pk) OR (attribute_not_exists(messageId) AND attribute_not_exists(heldOut) AND (#owner = :owner OR leaseUntil < :now))',
            ExpressionAttributeNames: { '#owner': 'owner', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':customerId': customerId,
              ':owner': owner,
              ':leaseUntil': leaseUntil,
              ':now': now.toISOString(),
              ':ttl': expiresAfter(now.toISOString(), records.sendKeyDays),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return claimOf(Attributes as SendItem, owner, now);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Not ours to take: say what is there.
        const item = await read(sendKey);
        return item ? claimOf(item, owner, now) : { state: 'busy' };
      }
    },

    markSending: (sendKey, { owner, now }) =>
      ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sendKeyItem(sendKey),
            UpdateExpression: 'SET sendingAt = :now',
            ConditionExpression: '#owner = :owner AND attribute_not_exists(messageId)',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner, ':now': now.toISOString() },
          }),
        ),
      ),

    async release(sendKey, { owner }) {
      await ignoreConditionFailure(
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: sendKeyItem(sendKey),
            ConditionExpression: '#owner = :owner AND attribute_not_exists(messageId) AND attribute_not_exists(heldOut)',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        ),
      );
    },

    async recordSent(sendKey, messageId, outbox) {
      const at = outbox[0]?.time ?? new Date(0).toISOString();
      // With its outbox, unless the events are already out (a later attempt finishing an earlier one's send).
      const written = await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sendKeyItem(sendKey),
            UpdateExpression: 'SET messageId = if_not_exists(messageId, :messageId), outbox = :outbox, outboxShard = :outboxShard, outboxAt = :outboxAt',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(published)',
            ExpressionAttributeValues: { ':messageId': messageId, ...outboxValues(sendKey, outbox, at) },
          }),
        ),
      );
      if (!written) await this.reconcile(sendKey, messageId);
    },

    async recordHeldOut(sendKey, { owner }, outbox) {
      await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sendKeyItem(sendKey),
            UpdateExpression: 'SET heldOut = :true, outbox = :outbox, outboxShard = :outboxShard, outboxAt = :outboxAt',
            ConditionExpression: '#owner = :owner AND attribute_not_exists(messageId) AND attribute_not_exists(published)',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner, ':true': true, ...outboxValues(sendKey, outbox, outbox[0]?.time ?? new Date(0).toISOString()) },
          }),
        ),
      );
    },

    async reconcile(sendKey, messageId) {
      await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sendKeyItem(sendKey),
            UpdateExpression: 'SET messageId = if_not_exists(messageId, :messageId)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':messageId': messageId },
          }),
        ),
      );
    },

    async published(sendKey) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: sendKeyItem(sendKey),
          UpdateExpression: 'SET published = :true REMOVE outbox, outboxShard, outboxAt',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },

    async *unpublished(before) {
      for await (const items of indexUpTo(client, tableName, 'outbox', before.toISOString(), true)) {
        for (const { pk } of items) {
          const sendKey = String(pk).slice('SEND#'.length);
          const item = await read(sendKey);
          if (item?.outbox?.length && !item.published) yield { sendKey, outbox: item.outbox };
        }
      }
    },

    async dayHolder(customerId, localDate) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: dayItem(customerId, localDate), ConsistentRead: true }));
      return Item?.sendKey as string | undefined;
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
  };
};
