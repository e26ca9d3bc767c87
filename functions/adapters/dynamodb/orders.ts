/** Orders, keyed by orderId under their customer: the same order placed twice counts once. */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderStore } from '../../campaigns/ports';
import type { OrderHistoryEntry } from '../../campaigns/winback/rules';
import { ignoreConditionFailure } from './customers';

const orderItem = (customerId: string, orderId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${orderId}` });
const historyItem = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'ORDERS' });

/** History entries are set members, so adding one twice is a no-op: `placedAt|total|orderId`. */
const encode = (order: OrderHistoryEntry) => `${order.placedAt}|${order.total}|${order.orderId}`;
const decode = (entry: string): OrderHistoryEntry => {
  const [placedAt, total, ...orderId] = entry.split('|');
  return { placedAt: placedAt!, total: Number(total), orderId: orderId.join('|') };
};

export const dynamoOrderStore = (client: DynamoDBDocumentClient, tableName: string): OrderStore => ({
  recordOrder: (order) =>
    ignoreConditionFailure(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderItem(order.customerId, order.orderId),
          // A delivery may arrive before its order: the item may exist, but without placedAt.
          UpdateExpression:
            'SET orderId = :orderId, placedAt = :placedAt, #total = :total, currency = :currency, discountCode = :discountCode',
          ConditionExpression: 'attribute_not_exists(placedAt)',
          ExpressionAttributeNames: { '#total': 'total' },
          ExpressionAttributeValues: {
            ':orderId': order.orderId,
            ':placedAt': new Date(order.placedAt).toISOString(),
            ':total': order.total,
            ':currency': order.currency,
            ':discountCode': order.discountCode ?? null,
          },
        }),
      ),
    ),

  async addToHistory(customerId, order) {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: historyItem(customerId),
        UpdateExpression: 'ADD orders :order',
        ExpressionAttributeValues: { ':order': new Set([encode({ ...order, placedAt: new Date(order.placedAt).toISOString() })]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return [...((Attributes?.orders as Set<string> | undefined) ?? [])].map(decode);
  },

  async recordDelivery(delivery) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderItem(delivery.customerId, delivery.orderId),
        UpdateExpression: 'SET orderId = :orderId, deliveredAt = if_not_exists(deliveredAt, :deliveredAt)',
        ExpressionAttributeValues: { ':orderId': delivery.orderId, ':deliveredAt': new Date(delivery.deliveredAt).toISOString() },
      }),
    );
  },
});
