/** Orders, keyed by orderId under their customer: the same order placed twice counts once. */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderFacts, OrderStore, StoredOrder } from '../../campaigns/ports';
import type { OrderHistoryEntry } from '../../campaigns/winback/rules';
import { countingOrders, type OrderChange, type StoredHistory } from '../../customers/order-history';

const orderItem = (customerId: string, orderId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${orderId}` });
const historyItem = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'ORDERS' });

/**
 * History entries are set members, so adding one twice is a no-op: `placedAt|total currency|orderId`
 * (`placedAt|total|orderId` before the currency was kept: read without one).
 */
const encode = (order: OrderHistoryEntry) => `${order.placedAt}|${order.total}${order.currency ? ` ${order.currency}` : ''}|${order.orderId}`;
const decode = (entry: string): OrderHistoryEntry => {
  const [placedAt, money, ...orderId] = entry.split('|');
  const [total, currency] = money!.split(' ');
  return { placedAt: placedAt!, total: Number(total), ...(currency && { currency }), orderId: orderId.join('|') };
};

/** Changes are set members too, as JSON: the same cancellation or refund recorded twice is one. */
const encodeChange = (change: OrderChange) =>
  JSON.stringify(change.kind === 'cancelled' ? [change.kind, change.orderId] : [change.kind, change.orderId, change.refundId, change.amount]);
const decodeChange = (entry: string): OrderChange => {
  const [kind, orderId, refundId, amount] = JSON.parse(entry) as [OrderChange['kind'], string, string, number];
  return kind === 'cancelled' ? { kind, orderId } : { kind, orderId, refundId, amount };
};

/** A redemption is a set member too, `points|orderId`: added with its order, once. */
const encodeRedemption = (orderId: string, points: number) => `${points}|${orderId}`;
const decodeRedemption = (entry: string) => {
  const [points, ...orderId] = entry.split('|');
  return { points: Number(points), orderId: orderId.join('|') };
};

const historyOf = (item: Record<string, unknown> | undefined): StoredHistory => ({
  orders: [...((item?.orders as Set<string> | undefined) ?? [])].map(decode),
  changes: [...((item?.changes as Set<string> | undefined) ?? [])].map(decodeChange),
  redemptions: [...((item?.redemptions as Set<string> | undefined) ?? [])].map(decodeRedemption),
});

/** What is stored of one order. */
const orderOf = (item: Record<string, unknown> | undefined) => ({
  placedAt: item?.placedAt as string | undefined,
  total: item?.total as number | undefined,
  currency: item?.currency as string | undefined,
  deliveredAt: item?.deliveredAt as string | undefined,
  cancelledAt: item?.cancelledAt as string | undefined,
  attribution: (item?.attribution ?? null) as OrderFacts['attribution'],
});

export const dynamoOrderStore = (client: DynamoDBDocumentClient, tableName: string): OrderStore => {
  /** Adds members to the history item's sets in one write (a no-op for those there); the whole history after. */
  const addToHistoryItem = async (customerId: string, members: Partial<Record<'orders' | 'changes' | 'redemptions', string>>): Promise<StoredHistory> => {
    const sets = Object.entries(members);
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: historyItem(customerId),
        UpdateExpression: `ADD ${sets.map(([set]) => `#${set} :${set}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(sets.map(([set]) => [`#${set}`, set])),
        ExpressionAttributeValues: Object.fromEntries(sets.map(([set, member]) => [`:${set}`, new Set([member])])),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return historyOf(Attributes);
  };

  return {
    async recordOrder(order, facts) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderItem(order.customerId, order.orderId),
          // A delivery may arrive before its order: the item may exist, but without placedAt. The first values win,
          // and so does the first attribution: decided once, with the order, before anything follows from it.
          UpdateExpression:
            'SET orderId = :orderId, orderKey = :orderId, placedAt = if_not_exists(placedAt, :placedAt), #total = if_not_exists(#total, :total), ' +
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
        cancelledAt: Attributes?.cancelledAt as string | undefined,
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

    addToHistory: (customerId, order, pointsRedeemed) =>
      addToHistoryItem(customerId, {
        orders: encode({ ...order, placedAt: new Date(order.placedAt).toISOString() }),
        ...(pointsRedeemed && { redemptions: encodeRedemption(order.orderId, pointsRedeemed) }),
      }),

    addChange: (customerId, change) => addToHistoryItem(customerId, { changes: encodeChange(change) }),

    async history(customerId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: historyItem(customerId), ConsistentRead: true }));
      return historyOf(Item);
    },

    async get(customerId, orderId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: orderItem(customerId, orderId), ConsistentRead: true }));
      return orderOf(Item);
    },

    async markCancelled(customerId, orderId, at) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderItem(customerId, orderId),
          UpdateExpression: 'SET orderId = :orderId, orderKey = :orderId, cancelledAt = if_not_exists(cancelledAt, :at)',
          ExpressionAttributeValues: { ':orderId': orderId, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return orderOf(Attributes);
    },

    async customerOf(orderId) {
      // Through the order index (eventually consistent): an order stored a moment ago may not be there yet.
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'orders',
          KeyConditionExpression: 'orderKey = :orderId',
          ExpressionAttributeValues: { ':orderId': orderId },
          Limit: 1,
        }),
      );
      const pk = Items?.[0]?.pk as string | undefined;
      return pk?.slice('CUSTOMER#'.length);
    },

    async latest(customerId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: historyItem(customerId), ConsistentRead: true }));
      const [last] = countingOrders(historyOf(Item)).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
      if (!last) return undefined;
      const { Item: order } = await client.send(new GetCommand({ TableName: tableName, Key: orderItem(customerId, last.orderId), ConsistentRead: true }));
      return { orderId: last.orderId, placedAt: last.placedAt, deliveredAt: order?.deliveredAt as string | undefined };
    },

    async recordDelivery(delivery) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderItem(delivery.customerId, delivery.orderId),
          UpdateExpression: 'SET orderId = :orderId, orderKey = :orderId, deliveredAt = if_not_exists(deliveredAt, :deliveredAt)',
          ExpressionAttributeValues: { ':orderId': delivery.orderId, ':deliveredAt': new Date(delivery.deliveredAt).toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { placedAt: Attributes?.placedAt as string | undefined, deliveredAt: Attributes!.deliveredAt as string, cancelledAt: Attributes?.cancelledAt as string | undefined };
    },
  };
};
