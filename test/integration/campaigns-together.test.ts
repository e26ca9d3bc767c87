/** docs/design.md §5, all campaigns: at most one email per customer per local day; birthday wins on the birthday. */
import { describe, expect, it } from 'vitest';
import { runSimulation, upsert } from './run-simulation';

describe('one email per customer per local day, across campaigns', () => {
  it('the birthday wins its day; the winback step due the same day goes out the next day instead', async () => {
    const { emails, summary } = await runSimulation(
      [
        upsert('2026-01-01T00:00:00Z', { customerId: 'ana', email: 'ana@example.com', timeZone: 'Europe/Lisbon', birthday: '--03-11' }),
        // One order on 10 January: at risk 60 days later, on 11 March, her birthday.
        {
          time: '2026-01-10T12:00:00Z',
          source: 'shop',
          'detail-type': 'Order Placed',
          detail: { orderId: 'o1', customerId: 'ana', placedAt: '2026-01-10T12:00:00Z', total: 20, currency: 'EUR' },
        },
      ],
      '2026-01-01T00:00:00Z',
      '2026-03-20T00:00:00Z',
    );
    expect(emails.map((e) => `${e.sentAt} ${e.campaign}${e.step ? ` ${e.step}` : ''}`)).toEqual([
      // The order's survey, 14 days after it (no delivery reported).
      '2026-01-24T10:00:00.000Z nps',
      '2026-03-11T09:00:00.000Z birthday',
      '2026-03-12T10:00:00.000Z winback 1',
    ]);
    expect(summary.campaigns.winback.deferred).toBe(1);
  }, 120_000);
});
