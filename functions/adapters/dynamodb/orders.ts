/** Orders, keyed by orderId under their customer: the same order placed twice counts once. */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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

/**
 * The order records were added in, `log`: a short hash of each, appended with it in the same write (a set keeps
 * no order). 48 bits: two records of one customer share one with odds of about 1 in 10^7 at 10,000 records.
 */
const logKey = (set: 'orders' | 'changes', member: string) => createHash('sha256').update(`${set}\u0000${member}`).digest('base64url').slice(0, 8);

const membersOf = (item: Record<string, unknown> | undefined, set: 'orders' | 'changes' | 'redemptions') => [...((item?.[set] as Set<string> | undefined) ?? [])];

const historyOf = (item: Record<string, unknown> | undefined): StoredHistory => ({
  orders: membersOf(item, 'orders').map(decode),
  changes: membersOf(item, 'changes').map(decodeChange),
  redemptions: membersOf(item, 'redemptions').map(decodeRedemption),
});

/** The history with the version each record made, told by its log: for what is computed against an earlier version. */
const numberedHistoryOf = (item: Record<string, unknown> | undefined): StoredHistory => {
  const [orders, changes] = [membersOf(item, 'orders'), membersOf(item, 'changes')];
  const log = (item?.log as string[] | undefined) ?? [];
  // Records kept before the log are the first versions; logged record i made version (unlogged + i + 1).
  const position = new Map(log.map((key, i) => [key, i]));
  const unlogged = orders.length + changes.length - log.length;
  const made = (set: 'orders' | 'changes') => (member: string) => {
    const i = position.get(logKey(set, member));
    return i === undefined ? 0 : unlogged + i + 1;
  };
  return { ...historyOf(item), added: { orders: orders.map(made('orders')), changes: changes.map(made('changes')) } };
};

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
  const readHistoryItem = async (customerId: string) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: historyItem(customerId), ConsistentRead: true }))).Item;

  /**
   * Adds a record (with its redemption) to the history item in one write, logging it, unless it is there; the whole
   * history after. A record already there (a retry, a duplicate) writes nothing: the history is read instead.
   */
  const addToHistoryItem = async (customerId: string, set: 'orders' | 'changes', member: string, redemption?: string): Promise<StoredHistory> => {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: historyItem(customerId),
          UpdateExpression: `ADD #set :member${redemption ? ', redemptions :redemption' : ''} SET #log = list_append(if_not_exists(#log, :none), :key)`,
          ConditionExpression: 'NOT contains(#set, :record)',
          ExpressionAttributeNames: { '#set': set, '#log': 'log' },
          ExpressionAttributeValues: {
            ':member': new Set([member]),
            ':record': member,
            ':key': [logKey(set, member)],
            ':none': [],
            ...(redemption && { ':redemption': new Set([redemption]) }),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return numberedHistoryOf(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB answers with the item; a service that does not (dynalite) is asked again.
      return numberedHistoryOf(error.Item ? unmarshall(error.Item) : await readHistoryItem(customerId));
    }
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
      addToHistoryItem(customerId, 'orders', encode({ ...order, placedAt: new Date(order.placedAt).toISOString() }), pointsRedeemed ? encodeRedemption(order.orderId, pointsRedeemed) : undefined),

    addChange: (customerId, change) => addToHistoryItem(customerId, 'changes', encodeChange(change)),

    async history(customerId) {
      return historyOf(await readHistoryItem(customerId));
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
      const [last] = countingOrders(historyOf(await readHistoryItem(customerId))).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
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
