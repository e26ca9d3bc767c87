/**
 * An order stored while the hourly loyalty review works on its customer (docs/design.md §10),
 * over dynalite: the review announces the points that expired, then finds the history moved on
 * and leaves the plan to the order. The expiry it announced must still be recorded, or the next
 * review announces it again. The order is injected at the worst moment: just after the review
 * read the history, before it stored what it planned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeAdapters } from '../../functions/adapters';
import { parseConfig } from '../../functions/config';
import { reviewCustomer, type ReviewPorts } from '../../functions/campaigns/loyalty/review';
import type { OutgoingEvent } from '../../functions/events/event';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { orderPlaced, upsert } from './run-simulation';

const config = parseConfig({ loyalty: { pointsPerUnit: { EUR: 1 }, pointsExpireDays: 30, expiryWarningDays: 7 } });
let stack: LocalStack;

const envelope = (id: string, event: object) => ({ version: '0', id, account: '0', region: 'local-1', resources: [], ...event });

beforeAll(async () => {
  stack = await startLocalStack({ config, start: new Date('2026-01-01T00:00:00Z') });
  await stack.invoke('ingest', envelope('u-rania', upsert('2026-01-01T00:00:00Z', { customerId: 'rania', email: 'rania@example.com', locale: 'ar', timeZone: 'Asia/Dubai', marketingConsent: true })));
  await stack.invoke('ingest', envelope('o-r1', orderPlaced('2026-01-02T08:00:00Z', 'rania', 'r1', 120)));
});
afterAll(() => stack?.close());

it("an order stored during the review: the batch that expired is announced once, the order's own plan kept", async () => {
  const stores = storeAdapters(stack.runtime);
  const announced: OutgoingEvent[] = [];
  let orders = 0;
  const ports: ReviewPorts = {
    config,
    customers: stores.customers,
    events: { publish: async (events) => void announced.push(...events) },
    orders: {
      // A short history: one page, read whole.
      recent: stores.orders.recent,
      async history(customerId) {
        const history = await stores.orders.history(customerId);
        // The worst moment: the review has read the history and will write from it.
        if (orders++ === 0) await stack.invoke('ingest', envelope('o-r2', orderPlaced('2026-02-01T10:00:00Z', 'rania', 'r2', 80)));
        return history;
      },
    },
  };
  const expiry = (await stores.customers.get('rania'))!.loyaltyReviewAt!;
  expect(await reviewCustomer('rania', new Date(expiry), ports)).toMatchObject({ expired: 1, points: 120 });

  // The order's plan stands (its points, the next review); the expiry is recorded beside it.
  const after = (await stores.customers.get('rania'))!;
  expect(after.pointsExpiredThrough).toBe(expiry);
  const next = after.loyaltyReviewAt!;
  expect(Date.parse(next)).toBeGreaterThan(Date.parse(expiry));

  // The next review, when r2's points expire: r2's batch alone.
  expect(await reviewCustomer('rania', new Date(next), ports)).toMatchObject({ expired: 1, points: 80 });
  const expired = announced.filter((event) => event.detailType === 'Points Expired').map((event) => (event.detail as { orderId: string }).orderId);
  expect(expired).toEqual(['r1', 'r2']);
});
