/**
 * docs/design.md §3, `Order Cancelled`: a cancelled order stops counting everywhere it
 * counted. A fortnight through `retention simulate`, with and without two
 * orders that were placed and then cancelled: the cancellations undo a winback
 * conversion, a pending survey and the KPIs, and the fortnight ends as the
 * one in which those orders never came.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { orderDelivered, orderPlaced, runSimulation, upsert } from './run-simulation';

const from = '2026-01-30T00:00:00Z';
const to = '2026-02-12T00:00:00Z';
/** History before the fortnight arrives as it starts. */
const atStart = <T extends { time: string }>(line: T): T => ({ ...line, time: line.time < from ? from : line.time });
const cancelled = (time: string, customerId: string, orderId: string, refunded?: number) => ({
  time,
  source: 'shop',
  'detail-type': 'Order Cancelled',
  detail: { orderId, customerId, cancelledAt: time, ...(refunded !== undefined && { refunded }) },
});

const refunded = (time: string, customerId: string, orderId: string, refundId: string, amount: number) => ({
  time,
  source: 'shop',
  'detail-type': 'Order Refunded',
  detail: { orderId, customerId, refundId, refundedAt: time, amount },
});

const customers = ['wb', 'sv', 'rf'].map((customerId) => upsert(from, { customerId, email: `${customerId}@example.com`, locale: 'en', timeZone: 'UTC' }));
/**
 * `wb`: one order on 1 December, so at risk on 30 January (twice the default 30 days): winback step 1 goes at 10:00.
 * Their next order (2 February) converts it by the window, and is delivered; it is cancelled on 4 February.
 * `sv`: an order delivered on 30 January, surveyed 7 days later, on 6 February; a second order on 1 February
 * takes the survey over, and is cancelled the next day: the survey goes back to the first order.
 * `rf`: an order of 100 on 5 February, 40 of it refunded the next day (reported twice): it counts as an order of 60.
 */
const kept = [
  orderPlaced('2025-12-01T12:00:00Z', 'wb', 'wb-1', 40),
  orderDelivered('2025-12-03T12:00:00Z', 'wb', 'wb-1'),
  orderPlaced('2026-01-27T12:00:00Z', 'sv', 'sv-1', 30),
  orderDelivered('2026-01-30T12:00:00Z', 'sv', 'sv-1'),
].map(atStart);
const placedThenCancelled = [
  orderPlaced('2026-02-02T12:00:00Z', 'wb', 'wb-2', 80),
  orderDelivered('2026-02-03T09:00:00Z', 'wb', 'wb-2'),
  cancelled('2026-02-04T08:00:00Z', 'wb', 'wb-2', 80),
  orderPlaced('2026-02-01T12:00:00Z', 'sv', 'sv-2', 55),
  cancelled('2026-02-02T12:00:00Z', 'sv', 'sv-2'),
  orderPlaced('2026-02-05T12:00:00Z', 'rf', 'rf-1', 100),
  refunded('2026-02-06T12:00:00Z', 'rf', 'rf-1', 'r1', 40),
  refunded('2026-02-06T12:05:00Z', 'rf', 'rf-1', 'r1', 40),
];
const refundedOrderAsItEnded = orderPlaced('2026-02-05T12:00:00Z', 'rf', 'rf-1', 60);

type Run = Awaited<ReturnType<typeof runSimulation>>;
let withCancellations: Run;
let without: Run;
beforeAll(async () => {
  withCancellations = await runSimulation([...customers, ...kept, ...placedThenCancelled], from, to);
  without = await runSimulation([...customers, ...kept, refundedOrderAsItEnded], from, to);
}, 300_000);

const occasions = (run: Run) => run.emails.map((email) => `${email.sentAt} ${email.customerId} ${email.campaign} ${email.step ?? '-'}`).sort();

describe('orders placed and then cancelled or refunded', () => {
  it('are taken in, not rejected', () => {
    expect(withCancellations.deadLetters).toEqual([]);
    expect(withCancellations.summary.ingested.stored).toBe(without.summary.ingested.stored + placedThenCancelled.length - 1);
  });

  it('leave the emails of the fortnight without them: winback step 1, and the survey about the first order', () => {
    expect(occasions(withCancellations)).toEqual(['2026-01-30T10:00:00.000Z wb winback 1', '2026-02-06T10:00:00.000Z sv nps -']);
    expect(occasions(withCancellations)).toEqual(occasions(without));
    const survey = withCancellations.emails.find((email) => email.campaign === 'nps')!;
    expect(survey.html).toContain('sv-1');
    expect(survey.html).not.toContain('sv-2');
  });

  it('revert the conversion one of them made, with an event out', () => {
    const conversion = withCancellations.bus.find((event) => event['detail-type'] === 'Campaign Conversion');
    expect(conversion?.detail).toMatchObject({ orderId: 'wb-2', campaign: 'winback', step: 1, via: 'window', revenue: 80 });
    const reverted = withCancellations.bus.filter((event) => event['detail-type'] === 'Campaign Conversion Reverted');
    // The fields of the conversion it reverts, under its own event id.
    expect(reverted.map(({ detail: { eventId: _, ...detail } }) => detail)).toEqual([(({ eventId: _, ...detail }) => detail)(conversion!.detail)]);
    expect(withCancellations.summary.conversions.winback).toEqual({ conversions: 0, revenue: { EUR: 0 }, byStep: { 1: { conversions: 0, revenue: { EUR: 0 } } } });
  });

  it('counted in the KPIs while they stood, and in none computed after their cancellation; a refunded order for what was kept', () => {
    // The daily run of 3 February (for the 30 days to 2 February) saw wb-2 (80), sv-1 (30), and nothing of sv-2, already cancelled.
    expect(withCancellations.summary.kpis.days['2026-02-02']).toMatchObject({ averageOrderValue: { EUR: 55 }, attributedRevenue: { winback: { EUR: 80 } } });
    expect(without.summary.kpis.days['2026-02-02']).toMatchObject({ averageOrderValue: { EUR: 30 } });
    expect(without.summary.kpis.days['2026-02-02'].attributedRevenue.winback).toEqual({});
    expect(withCancellations.summary.kpis.days['2026-02-05']).toMatchObject({ averageOrderValue: { EUR: 65 } });
    const after = Object.keys(without.summary.kpis.days).filter((day) => day >= '2026-02-06');
    expect(after.length).toBeGreaterThan(4);
    for (const day of after) expect([day, withCancellations.summary.kpis.days[day]]).toEqual([day, without.summary.kpis.days[day]]);
  });
});
