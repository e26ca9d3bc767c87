/** Orders, keyed by orderId under their customer: the same order placed twice counts once. */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderFacts, OrderStore, StoredOrder } from '../../campaigns/ports';
import type { OrderHistoryEntry } from '../../campaigns/winback/rules';

const orderItem = (customerId: string, orderId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${orderId}` });
const historyItem = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'ORDERS' });

/** History entries are set members, so adding one twice is a no-op: `placedAt|total|orderId`. */
const encode = (order: OrderHistoryEntry) => `${order.placedAt}|${order.total}|${order.orderId}`;
const decode = (entry: string): OrderHistoryEntry => {
  const [placedAt, total, ...orderId] = entry.split('|');
  return { placedAt: placedAt!, total: Number(total), orderId: orderId.join('|') };
};

export const dynamoOrderStore = (client: DynamoDBDocumentClient, tableName: string): OrderStore => ({
  async recordOrder(order, facts) {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderItem(order.customerId, order.orderId),
        // A delivery may arrive before its order: the item may exist, but without placedAt. The first values win,
        // and so does the first attribution: decided once, with the order, before anything follows from it.
        UpdateExpression:
          'SET orderId = :orderId, placedAt = if_not_exists(placedAt, :placedAt), #total = if_not_exists(#total, :total), ' +
          'currency = if_not_exists(currency, :currency), discountCode = if_not_exists(discountCode, :discountCode), ' +
          'attribution = if_not_exists(attribution, :attribution)',
        ExpressionAttributeNames: { '#total': 'total' },
        ExpressionAttributeValues: {
          ':orderId': order.orderId,
          ':placedAt': new Date(order.placedAt).toISOString(),
          ':total': order.total,
          ':currency': order.currency,
          ':discountCode': order.discountCode ?? null,
          ':attribution': facts.attribution,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return {
      ingestedAt: Attributes?.ingestedAt as string | undefined,
      deliveredAt: Attributes?.deliveredAt as string | undefined,
      attribution: Attributes!.attribution as OrderFacts['attribution'],
    } satisfies StoredOrder & OrderFacts;
  },

  async complete(customerId, orderId, at) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderItem(customerId, orderId),
        UpdateExpression: 'SET ingestedAt = if_not_exists(ingestedAt, :at)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  },

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

  async latest(customerId) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: historyItem(customerId), ConsistentRead: true }));
    const [last] = [...((Item?.orders as Set<string> | undefined) ?? [])].map(decode).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
    if (!last) return undefined;
    const { Item: order } = await client.send(new GetCommand({ TableName: tableName, Key: orderItem(customerId, last.orderId), ConsistentRead: true }));
    return { orderId: last.orderId, placedAt: last.placedAt, deliveredAt: order?.deliveredAt as string | undefined };
  },

  async recordDelivery(delivery) {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: orderItem(delivery.customerId, delivery.orderId),
        UpdateExpression: 'SET orderId = :orderId, deliveredAt = if_not_exists(deliveredAt, :deliveredAt)',
        ExpressionAttributeValues: { ':orderId': delivery.orderId, ':deliveredAt': new Date(delivery.deliveredAt).toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { placedAt: Attributes?.placedAt as string | undefined, deliveredAt: Attributes!.deliveredAt as string };
  },
});
