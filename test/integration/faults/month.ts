/**
 * A month of the three campaigns over a shop's history, run on the local stack
 * with and without injected faults (DESIGN §6 `--faults`, §8). The history
 * (80 customers in en/ms/ar across time zones, half a year of orders, most
 * delivered) is loaded an hour before the month, so every run starts the month
 * from the same state; a quarter of the customers answer their survey.
 */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { parseConfig } from '../../../functions/config';
import type { FaultRates } from '../../../local/faults';
import { syntheticCustomers, syntheticOrders } from '../../../local/synthetic';
import { runSimulation } from '../run-simulation';

const loadedAt = '2026-02-28T23:01:00Z';
export const month = { from: loadedAt, to: '2026-03-29T00:00:00Z' };

const customers = syntheticCustomers({
  count: 80,
  time: new Date(loadedAt),
  seed: 7,
  around: { date: new Date('2026-03-15T00:00:00Z'), days: 14 },
});
const orders = syntheticOrders({
  customerIds: customers.map((c) => c.detail.customerId),
  from: new Date('2025-10-02T00:00:00Z'),
  to: new Date('2026-03-28T00:00:00Z'),
  seed: 5,
});
/** What happened before the month arrives as the month starts; the rest at its own time. */
const at = (time: string) => (time < loadedAt ? loadedAt : time);
const deliveries = orders
  .filter((_, i) => i % 3 !== 0)
  .map((order) => {
    const deliveredAt = new Date(Date.parse(order.time) + 3 * 86_400_000).toISOString();
    return { time: at(deliveredAt), source: 'shop', 'detail-type': 'Order Delivered', detail: { orderId: order.detail.orderId, customerId: order.detail.customerId, deliveredAt } };
  });
const answers = customers
  .filter((_, i) => i % 4 === 0)
  .map(({ detail }, i) => ({ time: '2026-03-27T12:00:00Z', recipient: { customerId: detail.customerId, action: 'nps-score', score: i % 11 } }));

export const monthInput = [...customers, ...orders.map((order) => ({ ...order, time: at(order.time) })), ...deliveries, ...answers];

const timeZones = new Map(customers.map(({ detail }) => [detail.customerId, detail.timeZone ?? 'UTC']));

export const runMonth = async (options: { faults?: FaultRates; input?: (string | object)[] } = {}) => {
  const run = await runSimulation(options.input ?? monthInput, month.from, month.to, parseConfig({}), undefined, options.faults);
  return {
    ...run,
    /** Each email as what it was: customer, campaign, step and the customer's local day. */
    occasions: run.emails
      .map((email) => `${email.customerId} ${email.campaign} ${email.step ?? '-'} ${DateTime.fromISO(email.sentAt, { zone: timeZones.get(email.customerId) }).toISODate()}`)
      .sort(),
  };
};

export type MonthRun = Awaited<ReturnType<typeof runMonth>>;

/** What DESIGN §6 promises of a run with faults: the fault-free emails, none twice, the same orders and KPIs. */
export const expectSameOutcome = (faulty: MonthRun, clean: MonthRun) => {
  expect(faulty.occasions).toEqual(clean.occasions);
  const sendKeys = faulty.bus.filter((e) => e.source === 'retention' && e['detail-type'] === 'Email Sent').map((e) => e.detail.sendKey);
  expect(new Set(sendKeys).size).toBe(faulty.emails.length);
  expect(faulty.summary.ingested).toEqual(clean.summary.ingested);
  expect(faulty.summary.kpis.days).toEqual(clean.summary.kpis.days);
  expect(faulty.summary.nps).toEqual(clean.summary.nps);
  expect(faulty.summary.conversions).toEqual(clean.summary.conversions);
};
