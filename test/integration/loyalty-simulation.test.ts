/**
 * docs/design.md §10, as far as it is wired: with loyalty configured, each order
 * earns its points (`Points Earned`, with the balance), the tier follows the
 * spend of the rolling year up and down (`Tier Changed`, a cancellation can
 * lose one), and the birthday offer uses the loyalty tier. Without loyalty
 * configured none of it happens. Worked out by hand from the input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { orderPlaced, runSimulation, upsert } from './run-simulation';

const config = parseConfig({
  loyalty: {
    pointsPerUnit: { MYR: 1, JPY: 0.01 },
    tiers: [
      { name: 'Silver', spend: { MYR: 500 } },
      { name: 'Gold', spend: { MYR: 2000, JPY: 300000 } },
    ],
  },
  birthday: { percentOff: 15, percentOffByTier: { Gold: 25, Silver: 20 } },
});

const cancelled = (time: string, customerId: string, orderId: string) => ({
  time,
  source: 'shop',
  'detail-type': 'Order Cancelled',
  detail: { orderId, customerId, cancelledAt: time },
});

const input = [
  upsert('2026-01-01T00:00:00Z', { customerId: 'aminah', email: 'aminah@example.com', timeZone: 'Asia/Kuala_Lumpur', birthday: '1990-06-01', locale: 'ms' }),
  // 450.90 MYR: 450 points, no tier yet.
  orderPlaced('2026-01-10T04:00:00Z', 'aminah', 'a1', 450.9, { currency: 'MYR' }),
  // 499.99 more: 949 points, Silver reached (spend 950.89 ≥ 500).
  orderPlaced('2026-02-10T04:00:00Z', 'aminah', 'a2', 499.99, { currency: 'MYR' }),
  // 1,200 more: 2,149 points, Gold (2,150.89 ≥ 2,000).
  orderPlaced('2026-03-10T04:00:00Z', 'aminah', 'a3', 1200, { currency: 'MYR' }),
  // Cancelled: back to 949 points and Silver, quietly for the customer but an event out.
  cancelled('2026-03-20T04:00:00Z', 'aminah', 'a3'),
  // 1,100 more: Gold again (2,050.89), in time for the birthday on 1 June; 400 points spent on it: 1,649 left.
  orderPlaced('2026-04-10T04:00:00Z', 'aminah', 'a4', 1100, { currency: 'MYR', pointsRedeemed: 400 }),
  upsert('2026-01-01T00:00:00Z', { customerId: 'kenji', email: 'kenji@example.com', timeZone: 'Asia/Tokyo', birthday: '1985-06-02', locale: 'en' }),
  // 12,345 JPY at 0.01 a yen: 123 points; GBP earns none and counts for no tier.
  orderPlaced('2026-01-15T04:00:00Z', 'kenji', 'k1', 12345, { currency: 'JPY' }),
  orderPlaced('2026-01-16T04:00:00Z', 'kenji', 'k2', 5000, { currency: 'GBP' }),
];

describe('loyalty: points and tiers from the order history', () => {
  let result: Awaited<ReturnType<typeof runSimulation>>;
  const detailsOf = (detailType: string) => result.bus.filter((event) => event['detail-type'] === detailType).map((event) => event.detail);

  beforeAll(async () => {
    result = await runSimulation(input, '2026-01-01T00:00:00Z', '2026-06-05T00:00:00Z', config);
  }, 120_000);

  it('earns points per order in its currency, rounded down, with the balance after it', () => {
    expect(detailsOf('Points Earned').map(({ customerId, orderId, points, balance }) => [customerId, orderId, points, balance])).toEqual([
      ['aminah', 'a1', 450, 450],
      ['kenji', 'k1', 123, 123],
      ['aminah', 'a2', 499, 949],
      ['aminah', 'a3', 1200, 2149],
      ['aminah', 'a4', 1100, 1649],
    ]);
  });

  it('spends the points an order redeemed, from the batches that expire first', () => {
    expect(detailsOf('Points Redeemed').map(({ customerId, orderId, points, balance }) => [customerId, orderId, points, balance])).toEqual([['aminah', 'a4', 400, 1649]]);
    expect(result.summary.loyalty).toMatchObject({ pointsIssued: 450 + 123 + 499 + 1200 + 1100, pointsRedeemed: 400, customersPerTier: { Silver: 0, Gold: 1 } });
  });

  it('changes the tier with the spend of the year, up and down, a cancellation included', () => {
    expect(detailsOf('Tier Changed').map(({ customerId, from, to, direction }) => [customerId, from, to, direction])).toEqual([
      ['aminah', null, 'Silver', 'reached'],
      ['aminah', 'Silver', 'Gold', 'reached'],
      ['aminah', 'Gold', 'Silver', 'lost'],
      ['aminah', 'Silver', 'Gold', 'reached'],
    ]);
  });

  it('gives the birthday offer of the loyalty tier held', () => {
    const birthdays = result.emails.filter((email) => email.campaign === 'birthday');
    expect(birthdays.map((email) => [email.customerId, email.subject.match(/\d+%/)?.[0]])).toEqual([
      ['aminah', '25%'],
      ['kenji', '15%'],
    ]);
  });

  it('publishes the same events, once each, when invocations are killed and DynamoDB answers are lost', async () => {
    // Every loyalty event falls before mid-April: the run stops there.
    const faulty = await runSimulation(input, '2026-01-01T00:00:00Z', '2026-04-15T00:00:00Z', config, undefined, { crash: 0.3, 'dynamodb.after': 0.2 });
    expect(faulty.summary.faults.injected.crash).toBeGreaterThan(0);
    // Repeats carry the same eventId (a consumer drops them by it): the distinct events are the fault-free run's.
    const distinct = (run: typeof result, detailType: string) => [
      ...new Map(run.bus.filter((event) => event['detail-type'] === detailType).map((event) => [event.detail.eventId, { ...event.detail }])).values(),
    ];
    for (const detailType of ['Points Earned', 'Points Redeemed', 'Tier Changed']) expect(distinct(faulty, detailType)).toEqual(distinct(result, detailType));
  }, 240_000);

  it('does nothing of it without loyalty configured', async () => {
    const plain = await runSimulation(input, '2026-01-01T00:00:00Z', '2026-04-15T00:00:00Z');
    expect(plain.bus.filter((event) => ['Points Earned', 'Points Redeemed', 'Tier Changed'].includes(event['detail-type']))).toEqual([]);
    expect(plain.summary.loyalty).toBeUndefined();
  }, 120_000);
});
