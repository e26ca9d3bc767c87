/**
 * Shopify webhooks, as EventBridge delivers them from a partner event source,
 * as the shop's own events (functions/sources/shopify.ts). The payloads are
 * Shopify's documented samples (https://shopify.dev/docs/api/webhooks, "Sample
 * Payload" of each topic): ids as JSON numbers, money as strings, nulls where
 * the docs show them. Their 18-digit ids are above 2^53, so they reach us
 * rounded, as JSON.parse reads them: String(id) of the same literal is the id we expect.
 */
import ct from 'countries-and-timezones';
import { describe, expect, it } from 'vitest';
import { timeZoneSchema } from '../../functions/config';
import { shopEvents } from '../../functions/events/shop';
import { countryTimeZone, isShopifyEvent, shopifyApiVersion, translateShopify } from '../../functions/sources/shopify';
import type { ShopEventLine, Translation } from '../../functions/sources/translation';

const triggeredAt = '2025-11-03T14:00:00.123456Z';

/** The EventBridge event of a Shopify partner event source, as AWS delivers it. */
const shopifyEvent = (topic: string, payload: unknown, metadata: Record<string, unknown> = {}) => ({
  version: '0',
  id: '3f5b6a1e-2c4d-4e8f-9a0b-1c2d3e4f5a6b',
  'detail-type': 'shopifyWebhook',
  source: 'aws.partner/shopify.com/1830279/retention-engine',
  account: '123456789012',
  time: '2025-11-03T14:00:05Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    payload,
    metadata: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': 'xT6yH5jZfQm6Q3lC8nA0r7sV2bP9dK1eL4wG0hM5nYI=',
      'X-Shopify-Shop-Domain': 'snowdevil.myshopify.com',
      'X-Shopify-API-Version': shopifyApiVersion,
      'X-Shopify-Webhook-Id': '545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9',
      'X-Shopify-Triggered-At': triggeredAt,
      'X-Shopify-Event-Id': '59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f',
      ...metadata,
    },
  },
});

const translate = (topic: string, payload: unknown, metadata?: Record<string, unknown>) => translateShopify(shopifyEvent(topic, payload, metadata));

/** What the engine itself says of the line, once EventBridge has put it in its envelope. */
const engineVerdict = (line: ShopEventLine) =>
  shopEvents
    .find((definition) => definition.detailType === line['detail-type'])!
    .envelope.safeParse({ version: '0', id: 'x', account: '1', region: 'r', resources: [], ...line });

/** Every event the translator makes is one the engine takes (an event without its customer names its order). */
const expectEngineAccepts = (line: ShopEventLine) => {
  const verdict = engineVerdict(line);
  expect(verdict.success, verdict.success ? '' : JSON.stringify(verdict.error.issues)).toBe(true);
};

const eventsOf = (translation: Translation) => {
  if (translation.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(translation)}`);
  translation.events.forEach(expectEngineAccepts);
  return translation.events;
};

/** The one event a webhook becomes. */
const only = (topic: string, payload: unknown, metadata?: Record<string, unknown>) => {
  const events = eventsOf(translate(topic, payload, metadata));
  expect(events).toHaveLength(1);
  return events[0]!;
};

// customers/create and customers/update: Sample Payload (the same one).
const bobBiller = (changes: Record<string, unknown> = {}) => ({
  id: 706405506930370084,
  created_at: '2021-12-31T19:00:00-05:00',
  updated_at: '2021-12-31T19:00:00-05:00',
  first_name: 'Bob',
  last_name: 'Biller',
  state: 'disabled',
  note: 'This customer loves ice cream',
  verified_email: true,
  multipass_identifier: null,
  tax_exempt: false,
  email: 'bob@biller.com',
  phone: null,
  currency: 'USD',
  addresses: [],
  tax_exemptions: [],
  admin_graphql_api_id: 'gid://shopify/Customer/706405506930370084',
  default_address: {
    id: 12321,
    customer_id: 706405506930370084,
    first_name: 'Bob',
    last_name: 'Biller',
    company: null,
    address1: "151 O'Connor Street",
    address2: null,
    city: 'Ottawa',
    province: 'ON',
    country: 'CA',
    zip: 'K2P 2L8',
    phone: '555-555-5555',
    name: 'Bob Biller',
    province_code: 'ON',
    country_code: 'CA',
    country_name: 'CA',
    default: true,
  },
  ...changes,
});

/** A customer metafield as a webhook includes it (the subscription's metafields). */
const metafield = (namespace: string, key: string, value: unknown, type: string) => ({
  id: 24230772654109,
  namespace,
  key,
  value,
  description: null,
  owner_id: 706405506930370084,
  created_at: '2025-10-27T11:12:21-04:00',
  updated_at: '2025-10-27T11:12:21-04:00',
  owner_resource: 'customer',
  type,
  admin_graphql_api_id: 'gid://shopify/Metafield/24230772654109',
});
const birthDate = (value: unknown) => metafield('facts', 'birth_date', value, 'date');
const timeZone = (value: unknown) => metafield('custom', 'time_zone', value, 'single_line_text_field');

const customerIn = (countryCode: string | null, metafields?: unknown[]) =>
  only('customers/update', bobBiller({ default_address: { ...bobBiller().default_address, country_code: countryCode }, ...(metafields && { metafields }) }))
    .detail;

// The money blocks Shopify repeats for each amount (shop and presentment currency).
const moneySet = (amount: string) => ({
  shop_money: { amount, currency_code: 'USD' },
  presentment_money: { amount, currency_code: 'USD' },
});

const johnSmith = {
  id: 115310627314723954,
  created_at: null,
  updated_at: null,
  first_name: 'John',
  last_name: 'Smith',
  state: 'disabled',
  note: null,
  verified_email: true,
  multipass_identifier: null,
  tax_exempt: false,
  email: 'john@example.com',
  phone: null,
  currency: 'USD',
  tax_exemptions: [],
  admin_graphql_api_id: 'gid://shopify/Customer/115310627314723954',
  default_address: {
    id: 715243470612851245,
    customer_id: 115310627314723954,
    first_name: 'John',
    last_name: 'Smith',
    company: null,
    address1: '123 Elm St.',
    address2: null,
    city: 'Ottawa',
    province: 'Ontario',
    country: 'Canada',
    zip: 'K2H7A8',
    phone: '123-123-1234',
    name: 'John Smith',
    province_code: 'ON',
    country_code: 'CA',
    country_name: 'Canada',
    default: true,
  },
};

// orders/create and orders/cancelled: Sample Payload (the same one), its line items but one.
const order = (changes: Record<string, unknown> = {}) => ({
  id: 820982911946154508,
  admin_graphql_api_id: 'gid://shopify/Order/820982911946154508',
  app_id: null,
  browser_ip: null,
  buyer_accepts_marketing: true,
  cancel_reason: 'customer',
  cancelled_at: '2021-12-31T19:00:00-05:00',
  cart_token: null,
  checkout_token: null,
  client_details: null,
  closed_at: null,
  confirmation_number: null,
  confirmed: false,
  contact_email: 'jon@example.com',
  created_at: '2021-12-31T19:00:00-05:00',
  currency: 'USD',
  current_subtotal_price: '414.95',
  current_subtotal_price_set: moneySet('414.95'),
  current_total_discounts: '0.00',
  current_total_price: '414.95',
  current_total_price_set: moneySet('414.95'),
  current_total_tax: '0.00',
  customer_locale: 'en',
  device_id: null,
  discount_codes: [],
  email: 'jon@example.com',
  estimated_taxes: false,
  financial_status: 'voided',
  fulfillment_status: null,
  landing_site: null,
  name: '#9999',
  note: null,
  note_attributes: [],
  number: 234,
  order_number: 1234,
  payment_gateway_names: ['visa', 'bogus'],
  phone: null,
  presentment_currency: 'USD',
  processed_at: '2021-12-31T19:00:00-05:00',
  reference: null,
  source_name: 'web',
  subtotal_price: '404.95',
  subtotal_price_set: moneySet('404.95'),
  tags: 'tag1, tag2',
  tax_lines: [],
  taxes_included: false,
  test: true,
  token: '123456abcd',
  total_discounts: '20.00',
  total_discounts_set: moneySet('20.00'),
  total_line_items_price: '414.95',
  total_outstanding: '414.95',
  total_price: '404.95',
  total_price_set: moneySet('404.95'),
  total_shipping_price_set: moneySet('10.00'),
  total_tax: '0.00',
  total_tip_received: '0.00',
  total_weight: 0,
  updated_at: '2021-12-31T19:00:00-05:00',
  user_id: null,
  customer: johnSmith,
  discount_applications: [],
  fulfillments: [],
  line_items: [
    {
      id: 487817672276298554,
      admin_graphql_api_id: 'gid://shopify/LineItem/487817672276298554',
      current_quantity: 1,
      fulfillable_quantity: 1,
      fulfillment_service: 'manual',
      fulfillment_status: null,
      gift_card: false,
      grams: 100,
      name: 'Aviator sunglasses',
      price: '89.99',
      price_set: moneySet('89.99'),
      product_exists: true,
      product_id: 788032119674292922,
      properties: [],
      quantity: 1,
      requires_shipping: true,
      sku: 'SKU2006-001',
      taxable: true,
      title: 'Aviator sunglasses',
      total_discount: '0.00',
      total_discount_set: moneySet('0.00'),
      variant_id: null,
      vendor: null,
      tax_lines: [],
      duties: [],
      discount_allocations: [],
    },
  ],
  payment_terms: null,
  refunds: [],
  shipping_lines: [],
  returns: [],
  line_item_groups: [],
  ...changes,
});

/** An order transaction as refunds carry them (refunds/create: Sample Payload). */
const transaction = (id: number, amount: string, changes: Record<string, unknown> = {}) => ({
  id,
  order_id: 820982911946154508,
  kind: 'refund',
  gateway: 'bogus',
  status: 'success',
  message: null,
  created_at: '2019-12-31T19:00:00-05:00',
  test: false,
  authorization: null,
  location_id: null,
  user_id: null,
  parent_id: null,
  processed_at: null,
  device_id: null,
  error_code: null,
  source_name: 'web',
  receipt: {},
  amount,
  currency: null,
  payment_id: '#9999.',
  total_unsettled_set: { presentment_money: { amount: '0.0', currency: 'XXX' }, shop_money: { amount: '0.0', currency: 'XXX' } },
  manual_payment_gateway: false,
  amount_rounding: null,
  admin_graphql_api_id: `gid://shopify/OrderTransaction/${id}`,
  ...changes,
});

// refunds/create: Sample Payload, its refund line items but one.
const refund = (changes: Record<string, unknown> = {}) => ({
  id: 890088186047892319,
  order_id: 820982911946154508,
  created_at: '2021-12-31T19:00:00-05:00',
  note: 'Things were damaged',
  user_id: 548380009,
  processed_at: '2021-12-31T19:00:00-05:00',
  duties: [],
  total_duties_set: moneySet('0.00'),
  return: null,
  refund_shipping_lines: [],
  restock: false,
  admin_graphql_api_id: 'gid://shopify/Refund/890088186047892319',
  order_adjustments: [],
  refund_line_items: [
    {
      id: 487817672276298627,
      quantity: 1,
      line_item_id: 487817672276298554,
      location_id: null,
      restock_type: 'no_restock',
      subtotal: 89.99,
      total_tax: 0.0,
      subtotal_set: moneySet('89.99'),
      total_tax_set: moneySet('0.00'),
    },
  ],
  transactions: [transaction(245135271310201194, '75.00', { message: 'This is a refund' }), transaction(839212141605670573, '10.00')],
  ...changes,
});

// fulfillment_events/create: Sample Payload.
const fulfillmentEvent = (changes: Record<string, unknown> = {}) => ({
  id: 1234567,
  fulfillment_id: 123456,
  status: 'in_transit',
  message: 'Item is now in transit',
  happened_at: '2021-12-31T19:00:00-05:00',
  city: null,
  province: null,
  country: 'CA',
  zip: null,
  address1: null,
  latitude: null,
  longitude: null,
  shop_id: 548380009,
  created_at: '2021-12-31T19:00:00-05:00',
  updated_at: '2021-12-31T19:00:00-05:00',
  estimated_delivery_at: null,
  order_id: 820982911946154508,
  admin_graphql_api_id: 'gid://shopify/FulfillmentEvent/1234567',
  ...changes,
});

// fulfillments/update: Sample Payload, its line items left out.
const fulfillment = (changes: Record<string, unknown> = {}) => ({
  id: 123456,
  order_id: 820982911946154508,
  status: 'pending',
  created_at: '2021-12-31T19:00:00-05:00',
  service: null,
  updated_at: '2021-12-31T19:00:00-05:00',
  tracking_company: 'UPS',
  shipment_status: null,
  location_id: null,
  origin_address: null,
  email: 'jon@example.com',
  destination: {
    first_name: 'Steve',
    address1: '123 Shipping Street',
    phone: '555-555-SHIP',
    city: 'Shippington',
    zip: '40003',
    province: 'Kentucky',
    country: 'United States',
    last_name: 'Shipper',
    address2: null,
    company: 'Shipping Company',
    latitude: null,
    longitude: null,
    name: 'Steve Shipper',
    country_code: 'US',
    province_code: 'KY',
  },
  line_items: [],
  tracking_number: '1z827wk74630',
  tracking_numbers: ['1z827wk74630'],
  tracking_url: 'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630',
  tracking_urls: ['https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630'],
  receipt: {},
  name: '#9999.1',
  admin_graphql_api_id: 'gid://shopify/Fulfillment/123456',
  ...changes,
});

// customers_email_marketing_consent/update: Sample Payload.
const consent = (changes: Record<string, unknown> = {}, consentChanges: Record<string, unknown> = {}) => ({
  customer_id: 706405506930370084,
  email_address: 'bob@biller.com',
  email_marketing_consent: { state: 'not_subscribed', opt_in_level: null, consent_updated_at: null, ...consentChanges },
  ...changes,
});

// customers/delete and customers/redact: Sample Payload.
const deletedCustomer = { id: 706405506930370084, tax_exemptions: [], admin_graphql_api_id: 'gid://shopify/Customer/706405506930370084' };
const redaction = {
  shop_id: 954889,
  shop_domain: '{shop}.myshopify.com',
  customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' },
  orders_to_redact: [299938, 280263, 220458],
};

describe('the EventBridge envelope', () => {
  it('targets Admin API 2025-10', () => {
    expect(shopifyApiVersion).toBe('2025-10');
  });

  it('is a Shopify event when its detail-type is shopifyWebhook and its source a Shopify partner event source', () => {
    expect(isShopifyEvent(shopifyEvent('orders/create', order()))).toBe(true);
    expect(isShopifyEvent({ ...shopifyEvent('orders/create', order()), source: 'shop' })).toBe(false);
    expect(isShopifyEvent({ ...shopifyEvent('orders/create', order()), source: 'aws.partner/other.com/1/x' })).toBe(false);
    expect(isShopifyEvent({ ...shopifyEvent('orders/create', order()), 'detail-type': 'Order Placed' })).toBe(false);
    for (const junk of [null, undefined, 'shopifyWebhook', 42, [], {}]) expect(isShopifyEvent(junk)).toBe(false);
  });

  it('takes the time of X-Shopify-Triggered-At, in UTC, so an older update delivered late is recognised as stale', () => {
    // Updated at 19:00 New York time, but triggered (and so ordered) later.
    expect(only('customers/update', bobBiller()).time).toBe('2025-11-03T14:00:00.123Z');
  });

  it('falls back to the payload\'s updated_at, then to the envelope\'s time', () => {
    expect(only('customers/update', bobBiller(), { 'X-Shopify-Triggered-At': undefined }).time).toBe('2022-01-01T00:00:00.000Z');
    expect(only('customers/update', bobBiller(), { 'X-Shopify-Triggered-At': 'yesterday' }).time).toBe('2022-01-01T00:00:00.000Z');
    expect(only('customers/delete', deletedCustomer, { 'X-Shopify-Triggered-At': undefined }).time).toBe('2025-11-03T14:00:05.000Z');
  });

  it('rejects an event with no time anywhere, naming the header', () => {
    const event = { ...shopifyEvent('customers/delete', deletedCustomer, { 'X-Shopify-Triggered-At': null }), time: 'soon' };
    expect(translateShopify(event)).toEqual({
      kind: 'rejected',
      reason: expect.stringMatching(/^shopify customers\/delete: detail\.metadata\.X-Shopify-Triggered-At: must be an ISO-8601 time/),
    });
  });

  it('reads headers whatever their case', () => {
    const event = shopifyEvent('customers/delete', deletedCustomer);
    event.detail.metadata = { 'x-shopify-topic': 'customers/delete', 'x-shopify-triggered-at': '2025-11-03T09:00:00-05:00' } as never;
    expect(eventsOf(translateShopify(event))[0]).toMatchObject({ time: '2025-11-03T14:00:00.000Z', 'detail-type': 'Customer Deleted' });
  });

  it('rejects an event without a topic, naming the platform and the field', () => {
    expect(translate(undefined as never, order())).toEqual({ kind: 'rejected', reason: 'shopify: detail.metadata.X-Shopify-Topic: missing' });
    expect(translate('ORDERS CREATE', order())).toEqual({
      kind: 'rejected',
      reason: 'shopify: detail.metadata.X-Shopify-Topic: must be a topic such as orders/create',
    });
  });

  it('rejects what is no EventBridge event from Shopify, naming the field', () => {
    expect(translateShopify(null)).toEqual({ kind: 'rejected', reason: 'shopify: (event): must be an EventBridge event (an object)' });
    expect(translateShopify({ ...shopifyEvent('orders/create', order()), source: 'aws.partner/other.com/1/x' })).toEqual({
      kind: 'rejected',
      reason: 'shopify: source: must start with aws.partner/shopify.com/',
    });
    expect(translate('orders/create', 'not json')).toEqual({
      kind: 'rejected',
      reason: 'shopify orders/create: detail.payload: must be the webhook body (an object)',
    });
  });

  it('ignores a topic the engine does not use, saying which', () => {
    expect(translate('products/update', { id: 788032119674292922 })).toEqual({
      kind: 'ignored',
      reason: 'shopify products/update: not a topic the engine uses',
    });
    expect(translate('app/uninstalled', null)).toEqual({ kind: 'ignored', reason: 'shopify app/uninstalled: not a topic the engine uses' });
  });
});

describe('customers/create and customers/update', () => {
  it('become Customer Upserted, field by field, with no consent (it has its own topic)', () => {
    for (const topic of ['customers/create', 'customers/update']) {
      const line = only(topic, bobBiller());
      expect(line).toEqual({
        time: '2025-11-03T14:00:00.123Z',
        source: 'shop',
        'detail-type': 'Customer Upserted',
        detail: {
          customerId: String(706405506930370084),
          email: 'bob@biller.com',
          firstName: 'Bob',
          lastName: 'Biller',
          timeZone: 'America/Toronto',
        },
      });
    }
  });

  it('keeps a 13-digit id, as real ones are, exactly', () => {
    expect(only('customers/create', bobBiller({ id: 7093269528798 })).detail.customerId).toBe('7093269528798');
  });

  it('leaves out names that are null or blank', () => {
    expect(only('customers/create', bobBiller({ first_name: null, last_name: '  ' })).detail).not.toHaveProperty('firstName');
    expect(only('customers/create', bobBiller({ first_name: null, last_name: '  ' })).detail).not.toHaveProperty('lastName');
  });

  it('takes the customer\'s locale when it is a language tag, and leaves a bad one out', () => {
    expect(only('customers/update', bobBiller({ locale: 'fr-CA' })).detail.locale).toBe('fr-CA');
    expect(only('customers/update', bobBiller({ locale: 'not a locale!' })).detail).not.toHaveProperty('locale');
    expect(only('customers/update', bobBiller({ locale: 7 })).detail).not.toHaveProperty('locale');
  });

  it('ignores a customer without an email: no one to mail', () => {
    expect(translate('customers/create', bobBiller({ email: null }))).toEqual({
      kind: 'ignored',
      reason: 'shopify customers/create: payload.email: none, so the customer cannot be mailed',
    });
    expect(translate('customers/update', bobBiller({ email: '' })).kind).toBe('ignored');
  });

  it('rejects a customer without an id, or with an email that is none, naming the field', () => {
    const { id: _, ...noId } = bobBiller();
    expect(translate('customers/create', noId)).toEqual({ kind: 'rejected', reason: 'shopify customers/create: payload.id: missing' });
    expect(translate('customers/create', bobBiller({ id: -4 }))).toEqual({
      kind: 'rejected',
      reason: 'shopify customers/create: payload.id: must be a Shopify id (a positive whole number)',
    });
    expect(translate('customers/update', bobBiller({ email: 'bob at biller' }))).toEqual({
      kind: 'rejected',
      reason: 'shopify customers/update: payload.email: Invalid email address',
    });
  });

  it('rejects a name the engine could not keep, naming the Shopify field', () => {
    expect(translate('customers/update', bobBiller({ first_name: 'B'.repeat(101) }))).toEqual({
      kind: 'rejected',
      reason: 'shopify customers/update: payload.first_name: must be at most 100 characters',
    });
  });

  describe('birthday, from the standard metafield facts.birth_date', () => {
    it('is taken when the subscription includes it', () => {
      expect(customerIn('CA', [birthDate('1990-04-23')]).birthday).toBe('1990-04-23');
    });

    it('is left out when absent, from another namespace, or no date', () => {
      expect(customerIn('CA')).not.toHaveProperty('birthday');
      expect(customerIn('CA', [])).not.toHaveProperty('birthday');
      expect(customerIn('CA', [metafield('custom', 'birth_date', '1990-04-23', 'date')])).not.toHaveProperty('birthday');
      expect(customerIn('CA', [birthDate('23/04/1990')])).not.toHaveProperty('birthday');
      expect(customerIn('CA', [birthDate('1990-02-30')])).not.toHaveProperty('birthday');
      expect(customerIn('CA', [null, 'x', birthDate(19900423)])).not.toHaveProperty('birthday');
    });
  });

  describe('time zone', () => {
    it('is the only zone of a single-zone country', () => {
      expect(customerIn('FR').timeZone).toBe('Europe/Paris');
      expect(customerIn('JP').timeZone).toBe('Asia/Tokyo');
    });

    it('is the zone of the largest city of a multi-zone country, not the library\'s first (alphabetical) one', () => {
      expect(ct.getCountry('US')!.timezones[0]).toBe('America/Adak');
      expect(customerIn('US').timeZone).toBe('America/New_York');
      expect(customerIn('CA').timeZone).toBe('America/Toronto');
      expect(customerIn('AU').timeZone).toBe('Australia/Sydney');
      expect(customerIn('MY').timeZone).toBe('Asia/Kuala_Lumpur');
    });

    it('is the customer\'s own (custom.time_zone) when the shop sends a valid one, whatever their country', () => {
      expect(customerIn('US', [timeZone('Asia/Kuala_Lumpur')]).timeZone).toBe('Asia/Kuala_Lumpur');
      expect(customerIn(null, [timeZone('Europe/Paris'), birthDate('1990-04-23')])).toMatchObject({ timeZone: 'Europe/Paris', birthday: '1990-04-23' });
    });

    it('ignores an invalid customer value, falling back to the country\'s', () => {
      expect(customerIn('US', [timeZone('Mars/Olympus_Mons')]).timeZone).toBe('America/New_York');
      expect(customerIn('US', [timeZone(42)]).timeZone).toBe('America/New_York');
      expect(customerIn('FR', [timeZone('x'.repeat(500))]).timeZone).toBe('Europe/Paris');
    });

    it('is left out with neither a valid customer value nor a known country', () => {
      expect(customerIn(null)).not.toHaveProperty('timeZone');
      expect(customerIn('XX')).not.toHaveProperty('timeZone');
      expect(only('customers/update', bobBiller({ default_address: null })).detail).not.toHaveProperty('timeZone');
    });

    it('is, for every country the library knows, a valid zone of that country, or none only where no one lives', () => {
      const none: string[] = [];
      for (const [code, country] of Object.entries(ct.getAllCountries())) {
        const zone = countryTimeZone(code);
        if (zone === undefined) none.push(code);
        else {
          expect(timeZoneSchema.safeParse(zone).success, code).toBe(true);
          expect(ct.getCountry(code, { deprecated: true })!.timezones, code).toContain(zone);
          if (country.timezones.length === 1) expect(zone, code).toBe(country.timezones[0]);
        }
      }
      // Heard Island, Antarctica, the French Southern Territories, the US Minor Outlying Islands.
      expect(none.sort()).toEqual(['AQ', 'HM', 'TF', 'UM']);
    });
  });
});

describe('customers_email_marketing_consent/update', () => {
  it('becomes Customer Consent Changed, field by field, dated by the trigger when Shopify gives no consent date', () => {
    expect(only('customers_email_marketing_consent/update', consent())).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Customer Consent Changed',
      detail: { customerId: String(706405506930370084), email: 'bob@biller.com', marketingConsent: false, changedAt: '2025-11-03T14:00:00.123Z' },
    });
  });

  it('is consent only when subscribed, dated when the customer gave it', () => {
    const given = only('customers_email_marketing_consent/update', consent({}, { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2025-11-02T08:15:00-05:00' }));
    expect(given.detail).toMatchObject({ marketingConsent: true, changedAt: '2025-11-02T08:15:00-05:00' });
    for (const state of ['pending', 'unsubscribed', 'redacted', 'invalid', 'SUBSCRIBED']) {
      expect(only('customers_email_marketing_consent/update', consent({}, { state })).detail.marketingConsent).toBe(false);
    }
  });

  it('leaves out an email address that is null or none, and keeps the change', () => {
    expect(only('customers_email_marketing_consent/update', consent({ email_address: null })).detail).not.toHaveProperty('email');
    expect(only('customers_email_marketing_consent/update', consent({ email_address: 'nope' })).detail).not.toHaveProperty('email');
  });

  it('rejects a payload without the consent or the customer, naming the field', () => {
    expect(translate('customers_email_marketing_consent/update', consent({ email_marketing_consent: undefined }))).toEqual({
      kind: 'rejected',
      reason: 'shopify customers_email_marketing_consent/update: payload.email_marketing_consent: missing',
    });
    expect(translate('customers_email_marketing_consent/update', consent({ customer_id: null }))).toEqual({
      kind: 'rejected',
      reason: 'shopify customers_email_marketing_consent/update: payload.customer_id: must be a Shopify id (a positive whole number)',
    });
    expect(translate('customers_email_marketing_consent/update', consent({}, { consent_updated_at: 'last week' }))).toEqual({
      kind: 'rejected',
      reason:
        'shopify customers_email_marketing_consent/update: payload.email_marketing_consent.consent_updated_at: must be an ISO-8601 time such as 2025-10-01T09:30:00-04:00',
    });
  });
});

describe('customers/delete', () => {
  it('becomes Customer Deleted', () => {
    expect(only('customers/delete', deletedCustomer)).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Customer Deleted',
      detail: { customerId: String(706405506930370084) },
    });
  });

  it('rejects a payload without an id', () => {
    expect(translate('customers/delete', { tax_exemptions: [] })).toEqual({ kind: 'rejected', reason: 'shopify customers/delete: payload.id: missing' });
  });
});

describe('customers/redact (GDPR)', () => {
  it('becomes Customer Deleted for the customer to erase', () => {
    expect(only('customers/redact', redaction).detail).toEqual({ customerId: '191167' });
  });

  it('rejects a payload without the customer', () => {
    expect(translate('customers/redact', { ...redaction, customer: undefined })).toEqual({
      kind: 'rejected',
      reason: 'shopify customers/redact: payload.customer: missing',
    });
  });
});

describe('orders/create', () => {
  it('becomes Order Placed, field by field', () => {
    expect(only('orders/create', order())).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Order Placed',
      detail: {
        orderId: String(820982911946154508),
        customerId: String(115310627314723954),
        placedAt: '2021-12-31T19:00:00-05:00',
        total: 404.95,
        currency: 'USD',
      },
    });
  });

  it('is placed when processed (an imported order\'s real date), else when created', () => {
    expect(only('orders/create', order({ processed_at: '2021-06-01T10:00:00+02:00' })).detail.placedAt).toBe('2021-06-01T10:00:00+02:00');
    expect(only('orders/create', order({ processed_at: null })).detail.placedAt).toBe('2021-12-31T19:00:00-05:00');
  });

  it('carries the first discount code', () => {
    const codes = [
      { code: 'SPRING10', amount: '10.00', type: 'fixed_amount' },
      { code: 'FREESHIP', amount: '10.00', type: 'shipping' },
    ];
    expect(only('orders/create', order({ discount_codes: codes })).detail.discountCode).toBe('SPRING10');
  });

  it('ignores a guest checkout without a customer: no one to follow up', () => {
    expect(translate('orders/create', order({ customer: null }))).toEqual({
      kind: 'ignored',
      reason: 'shopify orders/create: payload.customer: none (a guest checkout), so no one to follow up',
    });
    expect(translate('orders/create', order({ customer: undefined })).kind).toBe('ignored');
  });

  it('rejects an order without an id', () => {
    expect(translate('orders/create', order({ id: undefined }))).toEqual({ kind: 'rejected', reason: 'shopify orders/create: payload.id: missing' });
  });

  it('rejects a total that is not a decimal string', () => {
    const reason = 'shopify orders/create: payload.total_price: must be a decimal string such as "19.99"';
    expect(translate('orders/create', order({ total_price: 404.95 }))).toEqual({ kind: 'rejected', reason });
    expect(translate('orders/create', order({ total_price: '404,95' }))).toEqual({ kind: 'rejected', reason });
    expect(translate('orders/create', order({ total_price: '-1.00' }))).toEqual({ kind: 'rejected', reason });
  });

  it('rejects a total beyond what the engine counts, naming the Shopify field', () => {
    expect(translate('orders/create', order({ total_price: '1000000000000.01' }))).toEqual({
      kind: 'rejected',
      reason: "shopify orders/create: payload.total_price: must be at most 1000000000000 (in the currency's units)",
    });
  });

  it('rejects a currency that is no ISO 4217 code', () => {
    for (const currency of ['usd', 'US Dollar', 840, null]) {
      expect(translate('orders/create', order({ currency }))).toEqual({
        kind: 'rejected',
        reason: 'shopify orders/create: payload.currency: must be an ISO 4217 code such as USD',
      });
    }
  });

  it('names every bad field at once', () => {
    expect(translate('orders/create', order({ id: 'A1', created_at: 'today', customer: { id: 0 } }))).toEqual({
      kind: 'rejected',
      reason:
        'shopify orders/create: payload.id: must be a Shopify id (a positive whole number); payload.customer.id: must be a Shopify id (a positive whole number); payload.created_at: must be an ISO-8601 time such as 2025-10-01T09:30:00-04:00',
    });
  });
});

describe('orders/cancelled', () => {
  it('becomes Order Cancelled, field by field, with nothing refunded when the order has no refunds', () => {
    expect(only('orders/cancelled', order())).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Order Cancelled',
      detail: { orderId: String(820982911946154508), customerId: String(115310627314723954), cancelledAt: '2021-12-31T19:00:00-05:00' },
    });
  });

  it('records what the refunds paid back: their successful refund transactions', () => {
    const refunds = [
      refund(),
      refund({ id: 1, transactions: [transaction(2, '4.95'), transaction(3, '99.00', { status: 'failure' }), transaction(4, '5.00', { kind: 'sale' })] }),
    ];
    expect(only('orders/cancelled', order({ refunds })).detail.refunded).toBe(89.95);
  });

  it('ignores a cancelled guest order', () => {
    expect(translate('orders/cancelled', order({ customer: null })).kind).toBe('ignored');
  });

  it('rejects an order without its cancellation time', () => {
    expect(translate('orders/cancelled', order({ cancelled_at: null }))).toEqual({
      kind: 'rejected',
      reason: 'shopify orders/cancelled: payload.cancelled_at: must be an ISO-8601 time such as 2025-10-01T09:30:00-04:00',
    });
  });
});

describe('refunds/create', () => {
  it('becomes Order Refunded, field by field, without a customer (the payload has none)', () => {
    expect(only('refunds/create', refund())).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Order Refunded',
      detail: { orderId: String(820982911946154508), refundId: String(890088186047892319), refundedAt: '2021-12-31T19:00:00-05:00', amount: 85 },
    });
  });

  it('adds the amounts exactly, in cents', () => {
    const transactions = [transaction(1, '0.10'), transaction(2, '0.20'), transaction(3, '19.99')];
    expect(only('refunds/create', refund({ transactions })).detail.amount).toBe(20.29);
  });

  it('counts only successful refund transactions', () => {
    const transactions = [transaction(1, '10.00', { status: 'failure' }), transaction(2, '5.00', { kind: 'sale' }), transaction(3, '2.50')];
    expect(only('refunds/create', refund({ transactions })).detail.amount).toBe(2.5);
  });

  it('ignores a refund that paid nothing back', () => {
    const reason = 'shopify refunds/create: payload.transactions: no successful refund, so nothing was paid back';
    expect(translate('refunds/create', refund({ transactions: [] }))).toEqual({ kind: 'ignored', reason });
    expect(translate('refunds/create', refund({ transactions: [transaction(1, '10.00', { status: 'pending' })] }))).toEqual({ kind: 'ignored', reason });
    expect(translate('refunds/create', refund({ transactions: [transaction(1, '0.00')] }))).toEqual({ kind: 'ignored', reason });
  });

  it('rejects an amount that is not a decimal string, or a refund without its order', () => {
    expect(translate('refunds/create', refund({ transactions: [transaction(1, 75 as never)] }))).toEqual({
      kind: 'rejected',
      reason: 'shopify refunds/create: payload.transactions.0.amount: must be a decimal string such as "19.99"',
    });
    expect(translate('refunds/create', refund({ order_id: undefined }))).toEqual({ kind: 'rejected', reason: 'shopify refunds/create: payload.order_id: missing' });
  });
});

describe('fulfillment_events/create', () => {
  it('becomes Order Delivered when the carrier reports the delivery, without a customer (the payload has none)', () => {
    const line = only('fulfillment_events/create', fulfillmentEvent({ status: 'delivered', message: 'Delivered', happened_at: '2022-01-04T11:20:00-05:00' }));
    expect(line).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Order Delivered',
      detail: { orderId: String(820982911946154508), deliveredAt: '2022-01-04T11:20:00-05:00' },
    });
  });

  it('is delivered when it happened, else when Shopify recorded it', () => {
    expect(only('fulfillment_events/create', fulfillmentEvent({ status: 'delivered', happened_at: null })).detail.deliveredAt).toBe('2021-12-31T19:00:00-05:00');
  });

  it('ignores every other status', () => {
    for (const status of ['in_transit', 'out_for_delivery', 'attempted_delivery', 'failure', 'confirmed', null, 7]) {
      expect(translate('fulfillment_events/create', fulfillmentEvent({ status }))).toEqual({
        kind: 'ignored',
        reason: 'shopify fulfillment_events/create: payload.status: not "delivered"',
      });
    }
  });

  it('rejects a delivery without its order or its time', () => {
    expect(translate('fulfillment_events/create', fulfillmentEvent({ status: 'delivered', order_id: null }))).toEqual({
      kind: 'rejected',
      reason: 'shopify fulfillment_events/create: payload.order_id: must be a Shopify id (a positive whole number)',
    });
    expect(translate('fulfillment_events/create', fulfillmentEvent({ status: 'delivered', happened_at: null, created_at: null }))).toEqual({
      kind: 'rejected',
      reason: 'shopify fulfillment_events/create: payload.happened_at: missing, and so is payload.created_at',
    });
  });
});

describe('fulfillments/update', () => {
  it('becomes Order Delivered once the shipment is delivered, without a customer (the payload has none)', () => {
    const line = only('fulfillments/update', fulfillment({ status: 'success', shipment_status: 'delivered', updated_at: '2022-01-04T11:25:00-05:00' }));
    expect(line).toEqual({
      time: '2025-11-03T14:00:00.123Z',
      source: 'shop',
      'detail-type': 'Order Delivered',
      detail: { orderId: String(820982911946154508), deliveredAt: '2022-01-04T11:25:00-05:00' },
    });
  });

  it('ignores every other update', () => {
    for (const shipment_status of [null, 'in_transit', 'out_for_delivery', 'label_printed', 'failure']) {
      expect(translate('fulfillments/update', fulfillment({ shipment_status }))).toEqual({
        kind: 'ignored',
        reason: 'shopify fulfillments/update: payload.shipment_status: not "delivered"',
      });
    }
  });

  it('rejects a delivery without its update time', () => {
    expect(translate('fulfillments/update', fulfillment({ shipment_status: 'delivered', updated_at: 1641313500 }))).toEqual({
      kind: 'rejected',
      reason: 'shopify fulfillments/update: payload.updated_at: must be an ISO-8601 time such as 2025-10-01T09:30:00-04:00',
    });
  });
});

describe('whatever it is given', () => {
  const junk: unknown[] = [
    null,
    undefined,
    0,
    -1,
    NaN,
    Infinity,
    1e308,
    '',
    'shopifyWebhook',
    '{"detail-type":"shopifyWebhook"}',
    true,
    false,
    [],
    [null],
    [shopifyEvent('orders/create', order())],
    {},
    { 'detail-type': 'shopifyWebhook' },
    { 'detail-type': 'shopifyWebhook', source: 'aws.partner/shopify.com/1/x' },
    { 'detail-type': 'shopifyWebhook', source: 'aws.partner/shopify.com/1/x', detail: null },
    { 'detail-type': 'shopifyWebhook', source: 'aws.partner/shopify.com/1/x', detail: { metadata: [] } },
    { 'detail-type': 'shopifyWebhook', source: 'aws.partner/shopify.com/1/x', detail: { metadata: { 'X-Shopify-Topic': ['orders/create'] } } },
    { ...shopifyEvent('orders/create', order()), 'detail-type': 42 },
    { ...shopifyEvent('orders/create', order()), source: null },
    { ...shopifyEvent('orders/create', order()), detail: 'payload' },
    shopifyEvent('x'.repeat(100_000), order()),
    shopifyEvent('orders/create\n', order()),
    shopifyEvent('__proto__/x', {}),
    shopifyEvent('constructor', {}),
    shopifyEvent('orders/create', []),
    shopifyEvent('orders/create', Object.create(null)),
    shopifyEvent('orders/create', { __proto__: { id: 1 } }),
    shopifyEvent('orders/create', order({ total_price: '9'.repeat(400) })),
    shopifyEvent('orders/create', order({ discount_codes: 'SAVE10' })),
    shopifyEvent('orders/create', order({ discount_codes: [{ code: 'A\nB' }] })),
    shopifyEvent('orders/create', order({ discount_codes: [{ code: 'X'.repeat(1000) }] })),
    shopifyEvent('orders/create', order({ customer: { id: '007' } })),
    shopifyEvent('orders/create', order({ id: 1e21 })),
    shopifyEvent('orders/create', order({ created_at: '0000-01-01T00:00:00Z', processed_at: null })),
    shopifyEvent('orders/create', order({ processed_at: '9999-12-31T23:59:59-05:00' })),
    shopifyEvent('orders/cancelled', order({ refunds: [{ transactions: Array.from({ length: 5000 }, (_, i) => transaction(i + 1, '1.00')) }] })),
    shopifyEvent('orders/cancelled', order({ refunds: [null] })),
    shopifyEvent('refunds/create', refund({ transactions: [transaction(1, '999999999999999.999999')] })),
    shopifyEvent('refunds/create', refund({ transactions: { 0: transaction(1, '1.00') } })),
    shopifyEvent('customers/update', bobBiller({ metafields: { facts: { birth_date: '1990-04-23' } } })),
    shopifyEvent('customers/update', bobBiller({ metafields: [birthDate({ toString: () => '1990-04-23' })] })),
    shopifyEvent('customers/update', bobBiller({ default_address: { country_code: '__proto__' } })),
    shopifyEvent('customers/update', bobBiller({ default_address: { country_code: 'toString' } })),
    shopifyEvent('customers/update', bobBiller({ email: 'a'.repeat(10_000) + '@example.com' })),
    shopifyEvent('customers/update', bobBiller({ first_name: 'Bob\r\nBcc: everyone@example.com' })),
    shopifyEvent('customers_email_marketing_consent/update', consent({ email_marketing_consent: [] })),
    shopifyEvent('fulfillment_events/create', fulfillmentEvent({ status: { toString: () => 'delivered' } })),
    shopifyEvent('fulfillments/update', fulfillment({ shipment_status: ['delivered'] })),
    shopifyEvent('customers/delete', deletedCustomer, { 'X-Shopify-Triggered-At': '+275760-09-13T00:00:00.000Z' }),
    shopifyEvent('customers/delete', deletedCustomer, { 'X-Shopify-Triggered-At': '1969-12-31T23:59:59Z' }),
    (() => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 10_000; i++) deep = { payload: deep, metadata: deep, id: deep };
      return { ...shopifyEvent('orders/create', deep), detail: deep };
    })(),
    (() => {
      let deep: unknown = order();
      for (let i = 0; i < 10_000; i++) deep = [deep];
      return shopifyEvent('orders/create', order({ line_items: deep, customer: { id: 1, default_address: deep } }));
    })(),
    new Proxy(
      {},
      {
        get() {
          throw new Error('hostile getter');
        },
      },
    ),
    shopifyEvent(
      'orders/create',
      new Proxy(order(), {
        get() {
          throw new Error('hostile getter');
        },
      }),
    ),
  ];

  /** The documented payload of each topic, with each of its fields in turn replaced by a value of the wrong kind. */
  const wrongKinds: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [null], { id: {} }];
  const fieldsReplaced = (payload: Record<string, unknown>): unknown[] =>
    Object.keys(payload).flatMap((field) => wrongKinds.map((wrong) => ({ ...payload, [field]: wrong })));
  const documented: [string, Record<string, unknown>][] = [
    ['customers/create', bobBiller({ metafields: [birthDate('1990-04-23'), timeZone('Europe/Paris')] })],
    ['customers_email_marketing_consent/update', consent()],
    ['customers/delete', deletedCustomer],
    ['customers/redact', redaction],
    ['orders/create', order({ discount_codes: [{ code: 'SPRING10', amount: '10.00', type: 'fixed_amount' }] })],
    ['orders/cancelled', order({ refunds: [refund()] })],
    ['refunds/create', refund()],
    ['fulfillment_events/create', fulfillmentEvent({ status: 'delivered' })],
    ['fulfillments/update', fulfillment({ shipment_status: 'delivered' })],
  ];

  const expectAnswer = (input: unknown) => {
    let translation: Translation | undefined;
    expect(() => (translation = translateShopify(input))).not.toThrow();
    expect(['events', 'ignored', 'rejected']).toContain(translation!.kind);
    if (translation!.kind === 'events') translation!.events.forEach(expectEngineAccepts);
    else {
      expect(translation!.reason).toMatch(/^shopify[ :]/);
      // A bounded reason, one line: it goes to logs and dead letters.
      expect(translation!.reason.length).toBeLessThan(2000);
      expect(translation!.reason).not.toMatch(/[\r\n]/);
    }
    return translation!;
  };

  it(`never throws on ${junk.length} kinds of junk, and rejects what it cannot use`, () => {
    expect(junk.length).toBeGreaterThanOrEqual(50);
    for (const input of junk) expectAnswer(input);
    expect(expectAnswer(junk.at(-1)).kind).toBe('rejected');
  });

  it('never throws with a wrong kind of value in any field of any topic, and makes only events the engine takes', () => {
    let answers = 0;
    for (const [topic, payload] of documented) {
      for (const changed of fieldsReplaced(payload)) {
        expectAnswer(shopifyEvent(topic, changed));
        answers++;
      }
      const event = shopifyEvent(topic, payload);
      for (const wrong of wrongKinds) {
        for (const header of Object.keys(event.detail.metadata)) expectAnswer(shopifyEvent(topic, payload, { [header]: wrong }));
        for (const field of Object.keys(event)) expectAnswer({ ...event, [field]: wrong });
        answers += Object.keys(event.detail.metadata).length + Object.keys(event).length;
      }
    }
    expect(answers).toBeGreaterThan(1000);
  });

  it('makes from each documented payload one event the engine takes', () => {
    for (const [topic, payload] of documented) expect(eventsOf(translate(topic, payload)), topic).toHaveLength(1);
  });
});
