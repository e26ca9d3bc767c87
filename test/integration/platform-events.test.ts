/**
 * docs/design.md §3a, bad input from a platform: through the local bus and the real ingest
 * function, a Shopify webhook of a topic the engine does not use is counted and
 * ignored (no dead letter); one missing a field the engine needs is a dead
 * letter naming platform, topic and field; the others still go in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { dynamoCustomerStore } from '../../functions/adapters/dynamodb/customers';
import { catalogue, namespace, serviceDimension } from '../../functions/metrics';
import type { DeadLetter } from '../../local/event-bus';
import { startLocalStack, type LocalStack } from '../../local/stack';

const start = new Date('2026-05-01T00:00:00Z');
const webhook = (topic: string, id: string, payload: object) => ({
  source: 'aws.partner/shopify.com/123456/retention',
  detailType: 'shopifyWebhook',
  time: start,
  detail: { payload, metadata: { 'X-Shopify-Topic': topic, 'X-Shopify-Webhook-Id': id, 'X-Shopify-Triggered-At': '2026-05-01T00:00:00Z' } },
});

let stack: LocalStack;
const rejected: DeadLetter[] = [];
beforeAll(async () => {
  stack = await startLocalStack({ config: parseConfig({}), start, onDeadLetter: (deadLetter) => rejected.push(deadLetter) });
  stack.bus.putAt(start, webhook('products/update', 'w1', { id: 1, title: 'A kettle' }));
  stack.bus.putAt(start, webhook('orders/create', 'w2', { id: 9001, created_at: '2026-05-01T08:00:00+08:00', currency: 'MYR', customer: { id: 77 } }));
  stack.bus.putAt(start, webhook('customers/create', 'w3', { id: 77, email: 'aisyah@example.com', first_name: 'Aisyah', updated_at: '2026-05-01T08:00:00+08:00' }));
  await stack.bus.runUntil(new Date(start.getTime() + 60_000));
}, 60_000);
afterAll(() => stack?.close());

const ignoredCount = () =>
  stack.metrics
    .datapoints({ namespace, name: catalogue.ignoredEvents.name, dimensions: serviceDimension })
    .reduce((sum, point) => sum + point.value, 0);

describe('a Shopify webhook the engine cannot use', () => {
  it('of a topic it does not use: counted as ignored, not a dead letter', () => {
    expect(ignoredCount()).toBe(1);
    expect(rejected.map((deadLetter) => deadLetter.reason).join('\n')).not.toContain('products/update');
  });

  it('missing a field it needs: a dead letter naming platform, topic and field', () => {
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatch(/^shopify orders\/create: .*total_price/);
  });

  it('stops nothing else: the customer sent with them is stored', async () => {
    const stored = await dynamoCustomerStore(stack.runtime.dynamo, stack.runtime.tableName).get('77');
    expect(stored).toMatchObject({ customerId: '77', email: 'aisyah@example.com', firstName: 'Aisyah' });
  });
});
