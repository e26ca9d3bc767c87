/**
 * docs/design.md §3 and §10, over dynalite: with the loyalty programme on, an order after the others past the first
 * history page is told from the summary of the pages before and its own page. It reads no page, and the balance,
 * tier, warning and review it stores are those the whole history gives; and so is the loyalty review after a first one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAdapters } from '../../functions/adapters';
import { historyPageSize } from '../../functions/adapters/dynamodb/orders';
import { loyaltyStanding, planLoyalty } from '../../functions/campaigns/loyalty/plan';
import { reviewCustomer, type ReviewPorts } from '../../functions/campaigns/loyalty/review';
import type { OutgoingEvent } from '../../functions/events/event';
import { parseConfig } from '../../functions/config';
import { FaultInjector, type FaultRates } from '../../local/faults';
import { seededRandom } from '../../local/synthetic';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { orderPlaced, upsert } from './run-simulation';

const config = parseConfig({
  loyalty: {
    pointsPerUnit: { MYR: 1 },
    pointsExpireDays: 120,
    tiers: [
      { name: 'Silver', spend: { MYR: 2000 } },
      { name: 'Gold', points: 4000 },
    ],
  },
});
const envelope = (id: string, event: object) => ({ version: '0', id, account: '0', region: 'local-1', resources: [], ...event });

describe('a customer ordering every few days for three years, spending points now and then', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ config, start: new Date('2026-01-01T00:00:00Z') });
  });
  afterAll(() => stack?.close());

  it('each order stores the standing of the whole history, and past the first page only a page-opening order reads the pages', async () => {
    const stores = storeAdapters(stack.runtime);
    const customerId = 'aisyah';
    await stack.invoke('ingest', envelope('u', upsert('2026-01-01T00:00:00Z', { customerId, email: 'aisyah@example.com', timeZone: 'Asia/Kuala_Lumpur' })));
    const random = seededRandom(7);
    // Five pages, the last not full (a full one may not be the last: the review would read them all).
    const orders = 5 * historyPageSize - 10;
    let at = Date.parse('2026-01-02T03:00:00Z');
    const readPages: number[] = [];
    const tiers: (string | undefined)[] = [];
    for (let n = 1; n <= orders; n++) {
      // Busy spells and quiet ones, so the tier is reached and lost; points spent on every third order.
      at += (n % 40 < 25 ? 2 + random() * 6 : 15 + random() * 20) * 86_400_000;
      const placedAt = new Date(at).toISOString();
      const before = await stores.customers.get(customerId);
      const calls: Record<string, number> = {};
      stack.meter.calls = calls;
      const order = orderPlaced(placedAt, customerId, `o${n}`, Math.round(20 + random() * 180), { currency: 'MYR', ...(n % 3 === 0 && { pointsRedeemed: 30 }) });
      await stack.invoke('ingest', envelope(`o${n}`, order));
      stack.meter.calls = undefined;
      if (calls.QueryCommand) readPages.push(n);

      const history = await stores.orders.history(customerId);
      const time = new Date(placedAt);
      const whole = planLoyalty({ customerId, standing: loyaltyStanding(history, config.loyalty!), profile: before, time, from: time, changeKey: '', config })!;
      const stored = (await stores.customers.get(customerId)) as unknown as Record<string, unknown>;
      expect([n, Object.fromEntries(Object.keys(whole.values).map((key) => [key, stored[key]]))]).toEqual([n, whole.values]);
      if (tiers.at(-1) !== stored.loyaltyTier) tiers.push(stored.loyaltyTier as string | undefined);
    }
    // The tiers held, each time they changed: reached, lost in a quiet spell, reached again, and the higher one.
    expect(tiers.slice(0, 4)).toEqual(['Silver', undefined, 'Silver', 'Gold']);
    // Only the orders that open a page (the first after each full one) read the pages before.
    expect(readPages).toEqual([1, 2, 3, 4].map((page) => page * historyPageSize + 1));

    // The loyalty review, when the points of the orders expire: the first reads the whole history; the next ones, the
    // last page, and announce and store what the whole history gives.
    const announced: OutgoingEvent[] = [];
    const ports: ReviewPorts = { config, customers: stores.customers, orders: stores.orders, events: { publish: async (events) => void announced.push(...events) } };
    let expiries = 0;
    for (let review = 0; review < 4; review++) {
      const before = (await stores.customers.get(customerId))!;
      const due = new Date(before.loyaltyReviewAt!);
      const history = await stores.orders.history(customerId);
      const whole = planLoyalty({ customerId, standing: loyaltyStanding(history, config.loyalty!), profile: before, time: due, from: due, changeKey: `${customerId}#review#${due.toISOString()}`, config })!;
      const expired = whole.expired(before.pointsExpiredThrough === undefined ? undefined : new Date(before.pointsExpiredThrough));
      const calls: Record<string, number> = {};
      stack.meter.calls = calls;
      announced.length = 0;
      await reviewCustomer(customerId, due, ports);
      stack.meter.calls = undefined;
      expect([review, calls.QueryCommand ?? 0]).toEqual([review, review === 0 ? 1 : 0]);
      expiries += expired.length;
      expect(announced).toEqual([...expired, ...whole.events]);
      const stored = (await stores.customers.get(customerId)) as unknown as Record<string, unknown>;
      expect(Object.fromEntries(Object.keys(whole.values).map((key) => [key, stored[key]]))).toEqual(whole.values);
    }
    expect(expiries).toBeGreaterThan(0);
  }, 120_000);
});

describe('the same customer under killed invocations and lost DynamoDB answers', () => {
  const customerId = 'farah';
  /** Every order, and the loyalty review an hour before the next, each delivered again until it succeeds (as SQS and EventBridge retry). */
  const run = async (faults?: FaultRates) => {
    const published = new Map<string, unknown>();
    const stack = await startLocalStack({
      config,
      start: new Date('2026-01-01T00:00:00Z'),
      ...(faults && { faults: new FaultInjector(faults, 5) }),
      onEvent: (event) => {
        const { eventId } = event.detail as { eventId?: string };
        if (event.source === 'retention' && eventId) published.set(eventId, event.detail);
      },
    });
    try {
      const deliver = async (name: 'ingest' | 'loyaltyReview', event: object) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await stack.invoke(name, event);
          } catch (error) {
            if (attempt === 30) throw error;
          }
        }
      };
      await deliver('ingest', envelope('u', upsert('2026-01-01T00:00:00Z', { customerId, email: 'farah@example.com', timeZone: 'Asia/Kuala_Lumpur' })));
      const random = seededRandom(11);
      let at = Date.parse('2026-01-02T03:00:00Z');
      for (let n = 1; n <= 3 * historyPageSize + 8; n++) {
        const placedAt = new Date(at).toISOString();
        await deliver('ingest', envelope(`o${n}`, orderPlaced(placedAt, customerId, `o${n}`, Math.round(20 + random() * 180), { currency: 'MYR', ...(n % 3 === 0 && { pointsRedeemed: 30 }) })));
        at += (2 + random() * 4) * 86_400_000;
        const review = new Date(at - 3_600_000).toISOString();
        await deliver('loyaltyReview', envelope(`r${n}`, { source: 'aws.events', 'detail-type': 'Scheduled Event', time: review, detail: {} }));
      }
      const profile = (await storeAdapters(stack.runtime).customers.get(customerId)) as unknown as Record<string, unknown>;
      const standing = ['pointsBalance', 'loyaltyTier', 'pointsOccasion', 'pointsExpiring', 'pointsDueAt', 'loyaltyReviewAt', 'pointsExpiredThrough', 'tierOccasion', 'tierDueAt', 'historyVersion'];
      return { published, standing: Object.fromEntries(standing.map((key) => [key, profile[key]])), injected: stack.faults.injected };
    } finally {
      await stack.close();
    }
  };

  it('publishes each points and tier event once by id, with what the fault-free run publishes, and ends with its standing', async () => {
    const clean = await run();
    const faulty = await run({ crash: 0.2, 'dynamodb.after': 0.2 });
    expect(faulty.injected.crash).toBeGreaterThan(0);
    expect(faulty.injected['dynamodb.after']).toBeGreaterThan(0);
    const kinds = (published: Map<string, unknown>) => new Set([...published.values()].map((detail) => (detail as { eventId: string }).eventId.split('#')[0]));
    expect(faulty.published).toEqual(clean.published);
    expect(faulty.standing).toEqual(clean.standing);
    expect(clean.standing.pointsExpiredThrough).toBeDefined();
    expect([...kinds(clean.published)].sort()).toEqual(['PointsEarned', 'PointsExpired', 'PointsRedeemed', 'TierChanged']);
  }, 120_000);
});
