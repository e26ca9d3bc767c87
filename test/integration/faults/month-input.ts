/**
 * A month of the three campaigns over a shop's history, run on the local stack
 * with and without injected faults (docs/design.md §6 `--faults`, §8). The history
 * (80 customers in en/ms/ar across time zones, half a year of orders, most
 * delivered, one of them ordering every four days) is loaded an hour before the month, so every run starts the month
 * from the same state; a quarter of the customers answer their survey.
 */
import { syntheticCustomers, syntheticOrders } from '../../../local/synthetic';

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
// A regular, an order every four days: a history of two pages, most of the second's orders told from the first's
// summary (docs/design.md §3).
const regular = customers[0]!.detail.customerId;
for (let at = Date.parse('2025-10-02T09:00:00Z'), i = 0; at < Date.parse('2026-03-28T00:00:00Z'); at += 4 * 86_400_000, i++) {
  const placedAt = new Date(at).toISOString();
  orders.push({ time: placedAt, source: 'shop', 'detail-type': 'Order Placed', detail: { orderId: `regular-${i}`, customerId: regular, placedAt, total: 20 + (i % 9), currency: 'EUR' } });
}
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

export const timeZones = new Map(customers.map(({ detail }) => [detail.customerId, detail.timeZone ?? 'UTC']));

