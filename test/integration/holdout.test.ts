/** Holdout groups (docs/design.md §5, issue 6): recorded as would-have-sent, never emailed, the same every run. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { syntheticCustomers } from '../../local/synthetic';
import { runSimulation, upsert } from './run-simulation';

describe('a birthday holdout of 50 % over 1,000 customers', () => {
  it('holds out close to half, emails only the others, and holds out the same half every run', async () => {
    const customers = syntheticCustomers({
      count: 1000,
      time: new Date('2026-06-01T00:00:00Z'),
      seed: 21,
      around: { date: new Date('2026-06-05T00:00:00Z'), days: 2 },
      consentShare: 1,
      birthdayShare: 1,
    });
    const config = parseConfig({ birthday: { holdoutShare: 0.5 } });
    const run = () => runSimulation(customers, '2026-06-01T00:00:00Z', '2026-06-09T00:00:00Z', config);
    const [first, second] = [await run(), await run()];
    const heldOut = (result: typeof first) =>
      result.bus.filter((e) => e['detail-type'] === 'Email Held Out').map((e) => e.detail.customerId as string).sort();

    const held = heldOut(first);
    expect(held.length).toBeGreaterThan(450);
    expect(held.length).toBeLessThan(550);
    expect(held.length + first.emails.length).toBe(1000);
    // Never emailed.
    const emailed = new Set(first.emails.map((e) => e.customerId));
    expect(held.filter((id) => emailed.has(id))).toEqual([]);
    expect(first.summary.campaigns.birthday.heldOut).toBe(held.length);
    expect(heldOut(second)).toEqual(held);
  }, 240_000);
});

describe('a winback holdout', () => {
  it('reports the conversion rate of sent versus held out, and the uplift', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `h-${i}`);
    const order = (customerId: string, orderId: string, time: string) => ({
      time,
      source: 'shop',
      'detail-type': 'Order Placed',
      detail: { orderId, customerId, placedAt: time, total: 40, currency: 'EUR' },
    });
    const config = parseConfig({ winback: { holdoutShare: 0.5 }, nps: { enabled: false } });
    const { emails, bus, summary } = await runSimulation(
      [
        ...ids.map((id) => upsert('2026-01-01T00:00:00Z', { customerId: id, email: `${id}@example.com`, timeZone: 'UTC' })),
        ...ids.map((id) => order(id, `${id}-1`, '2026-01-10T12:00:00Z')),
        // Reminders (or would-have-been reminders) on 11 March; every fourth customer comes back on 20 March.
        ...ids.filter((_, i) => i % 4 === 0).map((id) => order(id, `${id}-2`, '2026-03-20T12:00:00Z')),
      ],
      '2026-01-01T00:00:00Z',
      '2026-03-31T00:00:00Z',
      config,
    );
    const heldOut = bus.filter((e) => e['detail-type'] === 'Email Held Out').length;
    const conversions = bus.filter((e) => e['detail-type'] === 'Campaign Conversion');
    const holdoutConversions = conversions.filter((e) => e.detail.holdout).length;
    expect(heldOut + emails.length).toBe(200);
    expect(conversions).toHaveLength(50);
    expect(summary.holdouts.winback).toMatchObject({
      sent: emails.length,
      heldOut,
      sentConversions: 50 - holdoutConversions,
      heldOutConversions: holdoutConversions,
    });
    const { sentConversionRate, heldOutConversionRate, uplift } = summary.holdouts.winback;
    expect(sentConversionRate).toBeCloseTo((50 - holdoutConversions) / emails.length, 4);
    expect(heldOutConversionRate).toBeCloseTo(holdoutConversions / heldOut, 4);
    expect(uplift).toBeCloseTo((sentConversionRate - heldOutConversionRate) * 100, 1);
    // Attributed revenue counts the emailed customers' orders only.
    expect(summary.conversions.winback.conversions).toBe(50 - holdoutConversions);
  }, 180_000);
});
