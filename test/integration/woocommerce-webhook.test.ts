/**
 * docs/design.md §3a, WooCommerce: `POST /webhooks/woocommerce` through the local links
 * server and the real handler. A delivery signed with the shop's secret is
 * taken in as the shop's own events; one signed with another secret, or not
 * at all, gets a 401 and stores nothing; the ping on webhook creation gets a 200.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { dynamoCustomerStore } from '../../functions/adapters/dynamodb/customers';
import { localWooCommerceSecret, startLocalStack, type LocalStack } from '../../local/stack';

const now = new Date('2026-05-01T12:00:00Z');
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ config: parseConfig({}), start: now });
}, 60_000);
afterAll(() => stack?.close());

/** A customer as WooCommerce's REST API returns it (the webhook body), trimmed to what a shop always has. */
const customer = (id: number, email: string) => ({
  id,
  date_created_gmt: '2026-05-01T11:00:00',
  date_modified_gmt: '2026-05-01T11:30:00',
  email,
  first_name: 'Siti',
  last_name: 'Aminah',
  role: 'customer',
  username: email,
  billing: { first_name: 'Siti', last_name: 'Aminah', country: 'MY', email },
  shipping: { first_name: 'Siti', last_name: 'Aminah', country: 'MY' },
  is_paying_customer: false,
  avatar_url: '',
  meta_data: [],
});

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${stack.endpoints.links}/webhooks/woocommerce`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

const deliver = (payload: object, secret: string | undefined) => {
  const body = JSON.stringify(payload);
  return post(body, {
    'x-wc-webhook-topic': 'customer.created',
    'x-wc-webhook-resource': 'customer',
    'x-wc-webhook-event': 'created',
    'x-wc-webhook-id': '7',
    'x-wc-webhook-delivery-id': '1',
    ...(secret !== undefined && { 'x-wc-webhook-signature': createHmac('sha256', secret).update(body).digest('base64') }),
  });
};

const stored = async (customerId: string) => {
  await stack.bus.runUntil(new Date(now.getTime() + 60_000));
  return dynamoCustomerStore(stack.runtime.dynamo, stack.runtime.tableName).get(customerId);
};

describe('POST /webhooks/woocommerce', () => {
  it('answers the ping WooCommerce sends when the webhook is created', async () => {
    const response = await post('webhook_id=7', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
  });

  it('takes in a delivery signed with the shop’s secret as the shop’s own event', async () => {
    const response = await deliver(customer(25, 'siti@example.com'), localWooCommerceSecret);
    expect(response.status).toBe(200);
    expect(await stored('25')).toMatchObject({ customerId: '25', email: 'siti@example.com', firstName: 'Siti', lastName: 'Aminah' });
  });

  it.each([
    ['another secret', 'not-the-shop-secret'],
    ['no signature', undefined],
  ])('refuses a delivery with %s: 401, nothing stored', async (_, secret) => {
    const response = await deliver(customer(26, 'intruder@example.com'), secret);
    expect(response.status).toBe(401);
    expect(await stored('26')).toBeUndefined();
  });

  it('refuses a delivery whose body was changed after it was signed', async () => {
    const body = JSON.stringify(customer(27, 'siti@example.com'));
    const signature = createHmac('sha256', localWooCommerceSecret).update(body).digest('base64');
    const response = await post(body.replace('siti@', 'mallory@'), { 'x-wc-webhook-topic': 'customer.created', 'x-wc-webhook-signature': signature });
    expect(response.status).toBe(401);
    expect(await stored('27')).toBeUndefined();
  });
});
