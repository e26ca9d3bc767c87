/** Orders, keyed by orderId under their customer: the same order placed twice counts once. */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderFacts, OrderStore, StoredOrder } from '../../campaigns/ports';
import type { OrderHistoryEntry } from '../../campaigns/winback/rules';
import { countingOrders, type OrderChange, type StoredHistory, type SummarizedPage } from '../../customers/order-history';
import { memoized } from '../../memoized';
import { partitionItems } from './table';

const orderItem = (customerId: string, orderId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${orderId}` });

/**
 * The history is kept in pages (docs/design.md §3): `ORDERS`, then `ORDERS#000001` and on, filled one after the
 * other. A page is full once it has logged this many records, and a full page never changes again: so an order
 * rewrites one page of at most this many records, however long the history, and no item nears DynamoDB's 400 KB.
 */
export const historyPageSize = 32;
const historyPrefix = 'ORDERS';
const historyPage = (customerId: string, page: number) => ({
  pk: `CUSTOMER#${customerId}`,
  sk: page === 0 ? historyPrefix : `${historyPrefix}#${String(page).padStart(6, '0')}`,
});
type Page = Record<string, unknown>;
const logOf = (page: Page) => (page.log as string[] | undefined) ?? [];
const isFull = (page: Page) => logOf(page).length >= historyPageSize;

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
 * Each hash is kept: a history's numbering hashes every record it holds, a hash costs about 2 µs, and a warm
 * function (or the local stack) meets the same customers' records again. At most 50,000 (a few MB).
 */
const hashOfRecord = memoized((record: string) => createHash('sha256').update(record).digest('base64url').slice(0, 8), 50_000);
const logKey = (set: 'orders' | 'changes', member: string) => hashOfRecord(`${set}\u0000${member}`);

const setOf = (page: Page, set: 'orders' | 'changes' | 'redemptions') => page[set] as Set<string> | undefined;
const membersOf = (page: Page, set: 'orders' | 'changes' | 'redemptions') => [...(setOf(page, set) ?? [])];
const recordsOf = (page: Page) => (setOf(page, 'orders')?.size ?? 0) + (setOf(page, 'changes')?.size ?? 0);

const historyOf = (pages: Page[]): StoredHistory => ({
  orders: pages.flatMap((page) => membersOf(page, 'orders').map(decode)),
  changes: pages.flatMap((page) => membersOf(page, 'changes').map(decodeChange)),
  redemptions: pages.flatMap((page) => membersOf(page, 'redemptions').map(decodeRedemption)),
});

/**
 * The history with the version each record made, told by its page's log (for what is computed against an earlier
 * version), numbered only when asked: the history one version back is usually told by its `newest` record.
 */
const numberedHistoryOf = (pages: Page[], newest?: StoredHistory['newest'], page = pages.length - 1): StoredHistory => {
  let added: StoredHistory['added'];
  return {
    ...historyOf(pages),
    ...(newest && { newest }),
    page: Math.max(page, 0),
    get added() {
      return (added ??= numbering(pages));
    },
  };
};

/** The history of the pages before and the page a record was just added to: the record is the newest (the last logged). */
const withNewest = (earlier: Page[], added: Page, set: 'orders' | 'changes', member: string, page = earlier.length) => {
  const before = earlier.reduce((count, full) => count + (setOf(full, set)?.size ?? 0), 0);
  return numberedHistoryOf([...earlier, added], { set, index: before + membersOf(added, set).indexOf(member) }, page);
};

/** The version each record made, in the order of `historyOf`'s records. */
const numbering = (pages: Page[]) => {
  const added: NonNullable<StoredHistory['added']> = { orders: [], changes: [] };
  let before = 0;
  for (const page of pages) {
    const position = new Map(logOf(page).map((key, i) => [key, i]));
    const records = recordsOf(page);
    // Records kept before the log (on the first page only) are the first versions; logged record i made the next ones.
    const first = before + records - position.size;
    for (const set of ['orders', 'changes'] as const) {
      for (const member of setOf(page, set) ?? []) {
        const i = position.get(logKey(set, member));
        added[set].push(i === undefined ? 0 : first + i + 1);
      }
    }
    before += records;
  }
  return added;
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

/** A page that holds the summary of the pages before it, with its records as `last`. */
const summarizedPage = (page: Page, last: StoredHistory): SummarizedPage => ({ summary: page.summary as string, last, repeats: page.repeats === true });

/** What a writer adds to a page besides its record (`keptWith`), and whether it adds only to a page with a summary. */
type PageSummary = { summary?: string; repeats?: boolean; summarized?: boolean };

/** Tries to add a record to one page this many times before giving up (each failure is another writer's progress). */
const addAttempts = 10;

export const dynamoOrderStore = (client: DynamoDBDocumentClient, tableName: string): OrderStore => {
  /** Every page of the history, in order (consistent: a full page is never read stale, the last one is read as it is). */
  const readHistoryPages = async (customerId: string) => {
    const pages: Page[] = [];
    for await (const page of partitionItems(client, tableName, `CUSTOMER#${customerId}`, { prefix: historyPrefix, consistent: true })) pages.push(page);
    return pages;
  };

  /**
   * Adds the record (with its redemption) to a page and logs it, unless the page has it or is full; with the summary
   * of the pages before (kept if the page has one), or only if the page has one.
   */
  const addToPage = async (customerId: string, page: number, set: 'orders' | 'changes', member: string, redemption?: string, kept: PageSummary = {}) => {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: historyPage(customerId, page),
          UpdateExpression:
            `ADD #set :member${redemption ? ', redemptions :redemption' : ''} SET #log = list_append(if_not_exists(#log, :none), :key)` +
            `${kept.summary ? ', summary = if_not_exists(summary, :summary)' : ''}${kept.repeats ? ', repeats = :repeats' : ''}`,
          ConditionExpression: `NOT contains(#set, :record) AND (attribute_not_exists(#log) OR size(#log) < :pageSize)${kept.summarized ? ' AND attribute_exists(summary)' : ''}`,
          ExpressionAttributeNames: { '#set': set, '#log': 'log' },
          ExpressionAttributeValues: {
            ':member': new Set([member]),
            ':record': member,
            ':key': [logKey(set, member)],
            ':none': [],
            ':pageSize': historyPageSize,
            ...(redemption && { ':redemption': new Set([redemption]) }),
            ...(kept.summary && { ':summary': kept.summary }),
            ...(kept.repeats && { ':repeats': true }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes!;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  };

  /**
   * What a page gets with a record from a writer that read the pages before it: their summary, if it lacks one, and
   * whether an order on it repeats one of theirs (only such a writer can tell).
   */
  const keptWith = (earlier: Page[], page: Page | undefined, set: 'orders' | 'changes', member: string, summarize?: (earlier: StoredHistory) => string): PageSummary => {
    if (!earlier.length) return {};
    const before = new Set(earlier.flatMap((full) => membersOf(full, 'orders').map((entry) => decode(entry).orderId)));
    const onPage = [...(page ? membersOf(page, 'orders') : []), ...(set === 'orders' ? [member] : [])];
    return {
      ...(summarize && !page?.summary && { summary: summarize(historyOf(earlier)) }),
      ...(onPage.some((entry) => before.has(decode(entry).orderId)) && { repeats: true }),
    };
  };

  /**
   * Adds a record to the history once, and answers the whole history after it. The record goes to the last page: a
   * page not full is the last one, and a record is added to a page only if it is not there, so it is nowhere else
   * either (the pages before are full and were read without it). A history the caller knows to be short is tried
   * on its first page without reading (where most histories end); otherwise, and each time a page turns out full or
   * to have the record, every page is read first.
   */
  const addToHistory = async (
    customerId: string,
    set: 'orders' | 'changes',
    member: string,
    redemption?: string,
    knownOrders = 0,
    summarize?: (earlier: StoredHistory) => string,
  ): Promise<StoredHistory> => {
    let earlier: Page[] | undefined = knownOrders < historyPageSize ? [] : undefined;
    /** The last page as read, when it is not full (the record goes there). */
    let open: Page | undefined;
    for (let attempt = 0; attempt < addAttempts; attempt++) {
      if (earlier) {
        const added = await addToPage(customerId, earlier.length, set, member, redemption, keptWith(earlier, open, set, member, summarize));
        if (added) return withNewest(earlier, added, set, member);
      }
      const pages = await readHistoryPages(customerId);
      // Already there (a retry, a duplicate): nothing is written.
      if (pages.some((page) => setOf(page, set)?.has(member))) return numberedHistoryOf(pages);
      const last = pages.at(-1);
      open = last && !isFull(last) ? last : undefined;
      earlier = open ? pages.slice(0, -1) : pages;
    }
    throw new Error(`order history of customer ${customerId}: no page took the record in ${addAttempts} attempts`);
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
          // As it was: what this write set follows, and whether it placed the order.
          ReturnValues: 'ALL_OLD',
        }),
      );
      return {
        ingestedAt: Attributes?.ingestedAt as string | undefined,
        deliveredAt: Attributes?.deliveredAt as string | undefined,
        cancelledAt: Attributes?.cancelledAt as string | undefined,
        attribution: (Attributes && 'attribution' in Attributes ? Attributes.attribution : facts.attribution) as OrderFacts['attribution'],
        first: Attributes?.placedAt === undefined,
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

    async appendOrder(customerId, order, { pointsRedeemed, knownOrders = 0, page, first, summarize } = {}) {
      const member = encode({ ...order, placedAt: new Date(order.placedAt).toISOString() });
      const redemption = pointsRedeemed ? encodeRedemption(order.orderId, pointsRedeemed) : undefined;
      // Only an order's first recording can know its record is on no page before the one it is added to.
      if (first && page) {
        const added = await addToPage(customerId, page, 'orders', member, redemption, { summarized: true });
        if (added) {
          return {
            ...summarizedPage(added, withNewest([], added, 'orders', member, page)),
            whole: async () => withNewest((await readHistoryPages(customerId)).slice(0, page), added, 'orders', member),
          };
        }
      }
      return addToHistory(customerId, 'orders', member, redemption, page === 0 ? 0 : knownOrders, summarize);
    },

    addChange: (customerId, change, knownOrders) => addToHistory(customerId, 'changes', encodeChange(change), undefined, knownOrders),

    async history(customerId) {
      return historyOf(await readHistoryPages(customerId));
    },

    async recent(customerId, page) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: historyPage(customerId, page), ConsistentRead: true }));
      return typeof Item?.summary === 'string' && !isFull(Item) ? summarizedPage(Item, numberedHistoryOf([Item], undefined, page)) : undefined;
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
      const [last] = countingOrders(historyOf(await readHistoryPages(customerId))).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
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
