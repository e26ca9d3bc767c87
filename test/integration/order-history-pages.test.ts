/**
 * docs/design.md §3, the order history in pages, over dynalite: pages of at most
 * `historyPageSize` records, filled one after the other, so an order rewrites one
 * small page however long the history. Whatever the interleaving of concurrent
 * writers, wherever they die (before or after a call is applied) and however
 * often they are retried, every record is kept once, and every history a writer
 * was answered is the history at its version: one version, one history. An
 * order's first recording goes straight to the page the profile names, and is
 * answered that page with the summary of the pages before: the same holds.
 */
import '../../local/environment';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { dynamoOrderStore, historyPageSize } from '../../functions/adapters/dynamodb/orders';
import type { OrderHistoryEntry } from '../../functions/campaigns/winback/rules';
import { summarize } from '../../functions/customers/history-summary';
import { historyAt, historyVersion, type RecentHistory, type StoredHistory } from '../../functions/customers/order-history';
import { createTable, localCredentials, localRegion, startLocalDynamo, type LocalDynamo } from '../../local/dynamodb';
import { seededRandom } from '../../local/synthetic';

class Died extends Error {}

/** The whole history, which a writer that is not an order's first recording is answered. */
const whole = async (answer: Promise<StoredHistory | RecentHistory>) => {
  const history = await answer;
  if ('summary' in history) throw new Error('answered the last page alone');
  return history;
};
const rule = { riskFactor: 2, defaultIntervalDays: 30 };
const summarizer = (earlier: StoredHistory) => summarize(earlier, rule);
const order = (n: number): OrderHistoryEntry => ({ orderId: `o${n}`, placedAt: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString(), total: n });
/** A history as the records it holds, whatever their order: `o3` an order, `-o3` its cancellation. */
const records = (history: StoredHistory | undefined) =>
  history && [...history.orders.map((o) => o.orderId), ...history.changes.map((c) => `-${c.orderId}`)].sort();

describe("a customer's order history, kept in pages", () => {
  let dynamo: LocalDynamo;
  const tableName = 'pages';
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.endpoint, tableName);
  });
  afterAll(() => dynamo.close());

  const clientOf = () => createDocumentClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  /**
   * The store on a client of its own that dies at its `dieAt`-th call, before or after it is applied; an append that
   * got its answer did not die, and what is read through that answer afterwards (its `whole()`) does not either.
   */
  const writer = (dieAt?: { call: number; applied: boolean }) => {
    const client = clientOf();
    let calls = 0;
    let answered = false;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (answered || ++calls !== dieAt?.call) return next(args);
        if (dieAt.applied) await next(args);
        throw new Died();
      },
      { step: 'initialize', name: 'dies' },
    );
    const store = dynamoOrderStore(client, tableName);
    const appendOrder: typeof store.appendOrder = async (...args) => {
      const answer = await store.appendOrder(...args);
      answered = true;
      return answer;
    };
    return { ...store, appendOrder };
  };
  const pagesOf = async (customerId: string) =>
    (
      await clientOf().send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :orders)', ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':orders': 'ORDERS' } }),
      )
    ).Items!;
  const pageSizes = async (customerId: string) => (await pagesOf(customerId)).map((page) => (page.orders?.size ?? 0) + (page.changes?.size ?? 0));

  it('fills page after page, none past its size, and numbers every record with the version it made', async () => {
    const store = writer();
    const count = Math.floor(historyPageSize * 2.5);
    let history: StoredHistory | undefined;
    for (let n = 1; n <= count; n++) history = await whole(store.appendOrder('long', order(n)));
    expect(await pageSizes('long')).toEqual([historyPageSize, historyPageSize, count - 2 * historyPageSize]);
    expect(historyVersion(history!)).toBe(count);
    for (const version of [1, historyPageSize, historyPageSize + 1, count - 1]) {
      expect(records(historyAt(history!, version))).toEqual(records({ orders: Array.from({ length: version }, (_, i) => order(i + 1)), changes: [] }));
    }
    expect(records(await store.history('long'))).toEqual(records(history));
  });

  it('adds nothing for a record already in a full page, and answers the whole history', async () => {
    const store = writer();
    for (let n = 1; n <= historyPageSize + 2; n++) await store.appendOrder('again', order(n));
    await store.addChange('again', { kind: 'cancelled', orderId: 'o1' });
    const repeated = await whole(store.appendOrder('again', order(1)));
    expect(historyVersion(repeated)).toBe(historyPageSize + 3);
    expect(records(repeated)).toContain('-o1');
    expect(await pageSizes('again')).toEqual([historyPageSize, 3]);
  });

  it('keeps every record once and answers each writer the history at its version, whatever dies and races at a page boundary', { timeout: 60_000 }, async () => {
    const random = seededRandom(12);
    for (let round = 0; round < 12; round++) {
      const customerId = `race-${round}`;
      const store = writer();
      const before = historyPageSize - 3;
      for (let n = 1; n <= before; n++) await store.appendOrder(customerId, order(n));
      // Eight new records, three of them sent twice, and a cancellation: each written until a writer finishes it.
      const sends = [...Array.from({ length: 8 }, (_, i) => before + 1 + i), before + 1, before + 4, before + 8, -(before + 2)];
      const answers = await Promise.all(
        sends.map(async (n) => {
          for (;;) {
            const dies = random() < 0.5 ? { call: 1 + Math.floor(random() * 3), applied: random() < 0.5 } : undefined;
            // The profile's order count, a hint of a long history, may be anything: it decides no outcome.
            const knownOrders = Math.floor(random() * 2 * historyPageSize);
            try {
              const store = writer(dies);
              return await (n > 0 ? whole(store.appendOrder(customerId, order(n), { knownOrders })) : store.addChange(customerId, { kind: 'cancelled', orderId: `o${-n}` }, knownOrders));
            } catch (error) {
              if (!(error instanceof Died)) throw error;
            }
          }
        }),
      );
      const final = await store.history(customerId);
      const expected = [...Array.from({ length: before + 8 }, (_, i) => `o${i + 1}`), `-o${before + 2}`].sort();
      expect(records(final)).toEqual(expected);
      const sizes = await pageSizes(customerId);
      expect(sizes.reduce((a, b) => a + b)).toBe(expected.length);
      expect(sizes.slice(0, -1).every((size) => size === historyPageSize)).toBe(true);
      // One version, one history: what a writer was answered is what the final history was at that version.
      const numbered = await whole(store.appendOrder(customerId, order(1)));
      for (const answer of answers) {
        expect(records(historyAt(numbered, historyVersion(answer)))).toEqual(records(answer));
        // And one version back, as the answer tells it (by its newest record, or its numbering).
        expect(records(historyAt(answer, historyVersion(answer) - 1))).toEqual(records(historyAt(numbered, historyVersion(answer) - 1)));
      }
    }
  });

  /** The summary each page after the first keeps: that of the pages before it (the history at their version), as `summarize` makes it. */
  const expectSummaries = async (customerId: string) => {
    const history = await whole(writer().appendOrder(customerId, order(1)));
    const pages = await pagesOf(customerId);
    pages.slice(1).forEach((page, i) => expect(page.summary).toBe(summarizer(historyAt(history, (i + 1) * historyPageSize)!)));
  };
  const isRecent = (answer: StoredHistory | RecentHistory): answer is RecentHistory => 'summary' in answer;
  const versionOf = (answer: StoredHistory | RecentHistory) => (isRecent(answer) ? historyVersion(answer.last) + JSON.parse(answer.summary).version : historyVersion(answer));

  it("appends an order's first recording to the page its profile names, answering that page with the summary of those before", async () => {
    const store = writer();
    const count = Math.floor(historyPageSize * 2.5);
    let page: number | undefined;
    for (let n = 1; n <= count; n++) {
      const answer = await store.appendOrder('appended', order(n), { knownOrders: n - 1, page, first: true, summarize: summarizer });
      // A page is opened by a writer that read the pages before (and gave it their summary); then it is appended to alone.
      const opens = n > historyPageSize && (n - 1) % historyPageSize === 0;
      expect([n, isRecent(answer)]).toEqual([n, n > historyPageSize && !opens]);
      expect(versionOf(answer)).toBe(n);
      if (isRecent(answer)) expect(records(await answer.whole())).toEqual(records(historyAt(await store.history('appended'), n)));
      page = isRecent(answer) ? answer.last.page : answer.page;
    }
    expect(await pageSizes('appended')).toEqual([historyPageSize, historyPageSize, count - 2 * historyPageSize]);
    await expectSummaries('appended');
    // The same order sent again with another total (not a first recording): its writer reads the pages, and says on the
    // page it adds to that an order there repeats an earlier one; the next order's page then says so too.
    await store.appendOrder('appended', { ...order(1), total: 99 }, { knownOrders: count, page, first: false, summarize: summarizer });
    const next = await store.appendOrder('appended', order(count + 1), { knownOrders: count + 1, page, first: true, summarize: summarizer });
    expect(isRecent(next) && next.repeats).toBe(true);
  });

  it('keeps every order once, whatever first recordings, retries and duplicates race and die at a page boundary', { timeout: 60_000 }, async () => {
    const random = seededRandom(31);
    for (let round = 0; round < 12; round++) {
      const customerId = `append-${round}`;
      const before = 2 * historyPageSize - 3;
      for (let n = 1; n <= before; n++) await writer().appendOrder(customerId, order(n), { knownOrders: n - 1 });
      // Each order's first recording knows the page its profile named before it (that page or an earlier one); a
      // duplicate, or a retry of a writer that died, is not a first recording.
      const lastPage = (await pageSizes(customerId)).length - 1;
      const sends = [...Array.from({ length: 8 }, (_, i) => before + 1 + i), before + 1, before + 4, before + 8];
      const firsts = new Set<number>();
      const answers = await Promise.all(
        sends.map(async (n) => {
          for (;;) {
            const dies = random() < 0.5 ? { call: 1 + Math.floor(random() * 3), applied: random() < 0.5 } : undefined;
            const first = !firsts.has(n) && (firsts.add(n), true);
            try {
              // A later profile may name a later page: one the other writers opened meanwhile.
              const page = Math.floor(random() * (first ? lastPage + 1 : lastPage + 2));
              return await writer(dies).appendOrder(customerId, order(n), { knownOrders: before, page, first, summarize: summarizer });
            } catch (error) {
              if (!(error instanceof Died)) throw error;
            }
          }
        }),
      );
      const final = await writer().history(customerId);
      expect(records(final)).toEqual(Array.from({ length: before + 8 }, (_, i) => `o${i + 1}`).sort());
      const sizes = await pageSizes(customerId);
      expect(sizes.slice(0, -1).every((size) => size === historyPageSize)).toBe(true);
      await expectSummaries(customerId);
      // One version, one history: a page alone with its summary is the whole history at its version.
      const numbered = await whole(writer().appendOrder(customerId, order(1)));
      for (const answer of answers) {
        expect(records(historyAt(numbered, versionOf(answer)))).toEqual(records(isRecent(answer) ? await answer.whole() : answer));
      }
    }
  });
});
