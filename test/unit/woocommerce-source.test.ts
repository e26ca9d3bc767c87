/**
 * WooCommerce webhooks as the shop's own events (docs/design.md §3a). Payloads are shaped as
 * WooCommerce's REST API v3 documentation shows them (woocommerce-rest-api-docs, wp-api-v3:
 * "Retrieve a customer", "List all orders"): a webhook body is the resource as that API returns it.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shopEvents } from '../../functions/events/shop';
import type { ShopEventLine, Translation } from '../../functions/sources/translation';
import { isWooPing, translateWoo, verifyWooSignature } from '../../functions/sources/woocommerce';

const secret = 'wc-webhook-secret';
const sign = (body: string | Buffer, key = secret) => createHmac('sha256', key).update(body).digest('base64');

const headersFor = (topic: string) => {
  const [resource, event] = topic.split('.');
  return {
    'x-wc-webhook-source': 'https://example.com/',
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-resource': resource,
    'x-wc-webhook-event': event,
    'x-wc-webhook-signature': 'not checked by the translator',
    'x-wc-webhook-id': '7',
    'x-wc-webhook-delivery-id': 'c3c8e2e1c1b6b0f3d3e5f2a1',
  };
};

/** "Retrieve a customer", JSON response example. */
const customer = () => ({
  id: 25,
  date_created: '2017-03-21T16:09:28',
  date_created_gmt: '2017-03-21T19:09:28',
  date_modified: '2017-03-21T16:09:30',
  date_modified_gmt: '2017-03-21T19:09:30',
  email: 'john.doe@example.com',
  first_name: 'John',
  last_name: 'Doe',
  role: 'customer',
  username: 'john.doe',
  billing: {
    first_name: 'John',
    last_name: 'Doe',
    company: '',
    address_1: '969 Market',
    address_2: '',
    city: 'San Francisco',
    state: 'CA',
    postcode: '94103',
    country: 'US',
    email: 'john.doe@example.com',
    phone: '(555) 555-5555',
  },
  shipping: {
    first_name: 'John',
    last_name: 'Doe',
    company: '',
    address_1: '969 Market',
    address_2: '',
    city: 'San Francisco',
    state: 'CA',
    postcode: '94103',
    country: 'US',
  },
  is_paying_customer: false,
  avatar_url: 'https://secure.gravatar.com/avatar/8eb1b522f60d11fa897de1dc6351b7e8?s=96',
  meta_data: [],
  _links: { self: [{ href: 'https://example.com/wp-json/wc/v3/customers/25' }], collection: [{ href: 'https://example.com/wp-json/wc/v3/customers' }] },
});

/** "List all orders", order 723 of the JSON response example, as `processing` with no refunds yet (overrides make the other states). */
const order = (overrides: Record<string, unknown> = {}) => ({
  id: 723,
  parent_id: 0,
  number: '723',
  order_key: 'wc_order_58d17c18352',
  created_via: 'checkout',
  version: '3.0.0',
  status: 'processing',
  currency: 'USD',
  date_created: '2017-03-21T16:16:00',
  date_created_gmt: '2017-03-21T19:16:00',
  date_modified: '2017-03-21T16:54:51',
  date_modified_gmt: '2017-03-21T19:54:51',
  discount_total: '0.00',
  discount_tax: '0.00',
  shipping_total: '10.00',
  shipping_tax: '0.00',
  cart_tax: '0.00',
  total: '39.00',
  total_tax: '0.00',
  prices_include_tax: false,
  customer_id: 26,
  customer_ip_address: '127.0.0.1',
  customer_user_agent: 'mozilla/5.0 (x11; ubuntu; linux x86_64; rv:52.0) gecko/20100101 firefox/52.0',
  customer_note: '',
  billing: {
    first_name: 'João',
    last_name: 'Silva',
    company: '',
    address_1: 'Av. Brasil, 432',
    address_2: '',
    city: 'Rio de Janeiro',
    state: 'RJ',
    postcode: '12345-000',
    country: 'BR',
    email: 'joao.silva@example.com',
    phone: '(11) 1111-1111',
  },
  shipping: {
    first_name: 'João',
    last_name: 'Silva',
    company: '',
    address_1: 'Av. Brasil, 432',
    address_2: '',
    city: 'Rio de Janeiro',
    state: 'RJ',
    postcode: '12345-000',
    country: 'BR',
  },
  payment_method: 'bacs',
  payment_method_title: 'Direct bank transfer',
  transaction_id: '',
  date_paid: null,
  date_paid_gmt: null,
  date_completed: null,
  date_completed_gmt: null,
  cart_hash: '5040ce7273261e31d8bcf79f9be3d279',
  meta_data: [{ id: 13023, key: '_download_permissions_granted', value: 'yes' }],
  line_items: [
    { id: 311, name: 'Woo Album #2', product_id: 87, variation_id: 0, quantity: 1, tax_class: '', subtotal: '9.00', subtotal_tax: '0.00', total: '9.00', total_tax: '0.00', taxes: [], meta_data: [], sku: '', price: 9 },
    { id: 313, name: 'Woo Ninja', product_id: 34, variation_id: 0, quantity: 1, tax_class: '', subtotal: '20.00', subtotal_tax: '0.00', total: '20.00', total_tax: '0.00', taxes: [], meta_data: [], sku: '', price: 20 },
  ],
  tax_lines: [],
  shipping_lines: [
    { id: 312, method_title: 'Flat rate', method_id: 'flat_rate:25', total: '10.00', total_tax: '0.00', taxes: [], meta_data: [{ id: 2057, key: 'Items', value: 'Woo Album #2 &times; 1' }] },
  ],
  fee_lines: [],
  coupon_lines: [],
  refunds: [],
  _links: {
    self: [{ href: 'https://example.com/wp-json/wc/v3/orders/723' }],
    collection: [{ href: 'https://example.com/wp-json/wc/v3/orders' }],
    customer: [{ href: 'https://example.com/wp-json/wc/v3/customers/26' }],
  },
  ...overrides,
});

/** The documented example's refunds (its older docs name the reason `refund`; the v3 controller writes `reason`). */
const refunds = [
  { id: 726, reason: '', total: '-10.00' },
  { id: 724, refund: '', total: '-9.00' },
];
const completed = { status: 'completed', date_completed: '2017-03-21T16:54:51', date_completed_gmt: '2017-03-21T19:54:51' };
/** A coupon line as "Order - Coupon lines properties" lists it. */
const coupon = { id: 320, code: 'winback10', discount: '3.90', discount_tax: '0.00', meta_data: [] };

const ids = { orderId: '723', customerId: '26' };
const modified = '2017-03-21T19:54:51Z';

/** Each event passes the engine's own schema, in the envelope EventBridge gives it. */
const expectValid = (lines: ShopEventLine[]) => {
  for (const line of lines) {
    const definition = shopEvents.find((event) => event.detailType === line['detail-type']);
    expect(definition, line['detail-type']).toBeDefined();
    const result = definition!.envelope.safeParse({ version: '0', id: 'x', account: '1', region: 'r', resources: [], ...line });
    expect(result.error?.issues ?? [], line['detail-type']).toEqual([]);
  }
};

const eventsOf = (translation: Translation) => {
  expect(translation.kind, translation.kind === 'events' ? '' : translation.reason).toBe('events');
  const { events } = translation as Extract<Translation, { kind: 'events' }>;
  expectValid(events);
  return events;
};

const translate = (topic: string, body: unknown, receivedAt?: string) => translateWoo(headersFor(topic), body, receivedAt);

describe('verifyWooSignature', () => {
  const body = JSON.stringify(order());

  it('accepts the signature made with the webhook secret, over a string or the raw bytes', () => {
    expect(verifyWooSignature(body, sign(body), secret)).toBe(true);
    expect(verifyWooSignature(Buffer.from(body), sign(body), secret)).toBe(true);
  });

  it.each([
    ['made with another secret', sign(body, 'another-secret')],
    ['of another body', sign(`${body} `)],
    ['missing', undefined],
    ['empty', ''],
    ['garbled', '!!!not base64 at all!!!'],
    ['one character short', sign(body).slice(0, -1)],
    ['one character long', `${sign(body)}A`],
    ['in hex instead of base64', createHmac('sha256', secret).update(body).digest('hex')],
    ['in base64url', createHmac('sha256', secret).update(body).digest('base64url')],
    ['with a changed character', sign(body).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))],
    ['wrapped in spaces', ` ${sign(body)} `],
  ])('refuses a signature %s, without throwing', (_, signature) => {
    expect(verifyWooSignature(body, signature, secret)).toBe(false);
  });

  it('refuses everything when no secret is set', () => {
    expect(verifyWooSignature(body, sign(body, ''), '')).toBe(false);
  });

  it('answers false, never throws, on input that is not what it should be', () => {
    const junk = [null, 42, {}, [], Symbol('x')] as unknown[];
    for (const value of junk) {
      expect(verifyWooSignature(value as string, sign(body), secret)).toBe(false);
      expect(verifyWooSignature(body, value as string, secret)).toBe(false);
      expect(verifyWooSignature(body, sign(body), value as string)).toBe(false);
    }
  });
});

describe('the ping sent when a webhook is created', () => {
  it('is recognised: `webhook_id=<n>` with no topic header', () => {
    expect(isWooPing({ 'user-agent': 'WooCommerce/8.0 Hookshot (WordPress/6.3)' }, 'webhook_id=7')).toBe(true);
    expect(isWooPing({}, 'webhook_id=123\n')).toBe(true);
  });

  it.each([
    ['a delivery with a topic', headersFor('order.created'), 'webhook_id=7'],
    ['a JSON body', {}, JSON.stringify({ webhook_id: 7 })],
    ['another form field', {}, 'webhook_id=7&x=1'],
    ['no id', {}, 'webhook_id='],
    ['an empty body', {}, ''],
  ])('is not %s', (_, headers, body) => {
    expect(isWooPing(headers, body)).toBe(false);
  });

  it('never throws', () => {
    expect(isWooPing(null as never, 'webhook_id=7')).toBe(true);
    expect(isWooPing({}, null as never)).toBe(false);
    expect(isWooPing({}, 7 as never)).toBe(false);
  });
});

describe('customer.created', () => {
  it('is a Customer Upserted, field by field, at the customer’s last change', () => {
    const [event, ...more] = eventsOf(translate('customer.created', customer()));
    expect(more).toEqual([]);
    expect(event).toEqual({
      time: '2017-03-21T19:09:30Z',
      source: 'shop',
      'detail-type': 'Customer Upserted',
      detail: { customerId: '25', email: 'john.doe@example.com', firstName: 'John', lastName: 'Doe' },
    });
  });

  it('says nothing of consent, locale or time zone: WooCommerce core has none of them', () => {
    const [event] = eventsOf(translate('customer.created', { ...customer(), locale: 'pt_BR', marketing_consent: true }));
    expect(Object.keys(event!.detail).sort()).toEqual(['customerId', 'email', 'firstName', 'lastName']);
  });

  it('leaves out names never given (WooCommerce sends "")', () => {
    const [event] = eventsOf(translate('customer.created', { ...customer(), first_name: '', last_name: '  ' }));
    expect(event!.detail).toEqual({ customerId: '25', email: 'john.doe@example.com' });
  });

  it('is at its creation when it was never modified', () => {
    const [event] = eventsOf(translate('customer.created', { ...customer(), date_modified: null, date_modified_gmt: null }));
    expect(event!.time).toBe('2017-03-21T19:09:28Z');
  });

  it.each([undefined, null, ''])('is ignored without an email (%s): no one to mail', (email) => {
    const translation = translate('customer.created', { ...customer(), email });
    expect(translation).toEqual({ kind: 'ignored', reason: expect.stringMatching(/^woocommerce customer\.created: email/) });
  });

  it.each([
    ['an email that is not an address', { email: 'john.doe' }, 'email'],
    ['an id as a string', { id: '25' }, 'id: must be a positive integer'],
    ['no id', { id: undefined }, 'id: must be a positive integer'],
    ['a date with a zone of its own', { date_modified_gmt: '2017-03-21T19:09:30+02:00' }, 'date_modified_gmt: must be a GMT date-time'],
    ['a date that is not one', { date_modified_gmt: '2017-13-41T19:09:30' }, 'date_modified_gmt'],
    ['no date at all', { date_created_gmt: null, date_modified_gmt: undefined }, 'date_modified_gmt: missing'],
    ['a first name of 101 characters', { first_name: 'J'.repeat(101) }, 'first_name: must be at most 100 characters'],
    ['a last name with a line break', { last_name: 'Doe\r\nBcc: x@example.com' }, 'last_name: must not contain control characters'],
    ['a first name that is a number', { first_name: 7 }, 'first_name: must be a string'],
  ])('is rejected with %s, naming platform, topic and field', (_, overrides, field) => {
    const translation = translate('customer.created', { ...customer(), ...overrides });
    expect(translation.kind).toBe('rejected');
    expect((translation as { reason: string }).reason).toContain(`woocommerce customer.created: ${field}`);
  });
});

describe('customer.updated', () => {
  it('is a Customer Upserted at its date_modified_gmt, so the newest of out-of-order updates wins', () => {
    const older = eventsOf(translate('customer.updated', { ...customer(), first_name: 'Johnny', date_modified_gmt: '2017-03-22T08:00:00' }));
    const newer = eventsOf(translate('customer.updated', { ...customer(), first_name: 'Jon', date_modified_gmt: '2017-03-23T08:00:00' }));
    expect(older[0]).toMatchObject({ time: '2017-03-22T08:00:00Z', detail: { customerId: '25', firstName: 'Johnny' } });
    expect(newer[0]).toMatchObject({ time: '2017-03-23T08:00:00Z', detail: { customerId: '25', firstName: 'Jon' } });
  });

  it('is rejected naming the topic', () => {
    expect(translate('customer.updated', { ...customer(), email: 42 })).toEqual({
      kind: 'rejected',
      reason: 'woocommerce customer.updated: email: must be a string',
    });
  });
});

describe('customer.deleted', () => {
  // WooCommerce sends only the id of a deleted resource (WC_Webhook::build_payload).
  it('is a Customer Deleted at the time the delivery was received', () => {
    expect(eventsOf(translate('customer.deleted', { id: 25 }, '2026-03-02T10:00:00.000Z'))).toEqual([
      { time: '2026-03-02T10:00:00.000Z', source: 'shop', 'detail-type': 'Customer Deleted', detail: { customerId: '25' } },
    ]);
  });

  it('is rejected without the time it was received, since the body carries none', () => {
    expect(translate('customer.deleted', { id: 25 })).toEqual({ kind: 'rejected', reason: expect.stringContaining('woocommerce customer.deleted: receivedAt') });
    expect(translate('customer.deleted', { id: 25 }, 'yesterday').kind).toBe('rejected');
  });

  it.each([{}, { id: 0 }, { id: '25' }, { id: 2.5 }])('is rejected naming id: %j', (body) => {
    expect(translate('customer.deleted', body, '2026-03-02T10:00:00Z')).toEqual({
      kind: 'rejected',
      reason: 'woocommerce customer.deleted: id: must be a positive integer',
    });
  });
});

describe('order.created', () => {
  it('is an Order Placed, field by field', () => {
    expect(eventsOf(translate('order.created', order()))).toEqual([
      {
        time: modified,
        source: 'shop',
        'detail-type': 'Order Placed',
        detail: { ...ids, placedAt: '2017-03-21T19:16:00Z', total: 39, currency: 'USD' },
      },
    ]);
  });

  it('carries the first coupon code', () => {
    const [placed] = eventsOf(translate('order.created', order({ coupon_lines: [coupon, { ...coupon, id: 321, code: 'second' }] })));
    expect(placed!.detail.discountCode).toBe('winback10');
  });

  it('takes the money from its decimal string', () => {
    const [placed] = eventsOf(translate('order.created', order({ total: '29.35', currency: 'EUR' })));
    expect(placed!.detail).toMatchObject({ total: 29.35, currency: 'EUR' });
  });

  it.each([
    ['pending', []],
    ['processing', []],
    ['on-hold', []],
    ['failed', []],
  ])('in status %s is only placed', (status, more) => {
    expect(eventsOf(translate('order.created', order({ status }))).map((event) => event['detail-type'])).toEqual(['Order Placed', ...more]);
  });

  it('already completed is placed, then delivered at its completion', () => {
    const events = eventsOf(translate('order.created', order(completed)));
    expect(events.map((event) => event['detail-type'])).toEqual(['Order Placed', 'Order Delivered']);
    expect(events[1]).toEqual({ time: modified, source: 'shop', 'detail-type': 'Order Delivered', detail: { ...ids, deliveredAt: '2017-03-21T19:54:51Z' } });
  });

  it.each(['cancelled', 'refunded'])('already %s is placed, then cancelled', (status) => {
    const events = eventsOf(translate('order.created', order({ status, refunds })));
    expect(events.map((event) => event['detail-type'])).toEqual(['Order Placed', 'Order Cancelled']);
    expect(events[1]!.detail).toEqual({ ...ids, cancelledAt: modified, refunded: 19 });
  });

  it('completed with partial refunds is placed, delivered, then refunded once per refund', () => {
    const events = eventsOf(translate('order.created', order({ ...completed, refunds })));
    expect(events.map((event) => event['detail-type'])).toEqual(['Order Placed', 'Order Delivered', 'Order Refunded', 'Order Refunded']);
  });

  it('of a guest (customer_id 0) is ignored: no customer to mail', () => {
    const translation = translate('order.created', order({ customer_id: 0 }));
    expect(translation).toEqual({ kind: 'ignored', reason: expect.stringMatching(/^woocommerce order\.created: guest order/) });
  });

  it('is rejected with a total that is not a decimal string', () => {
    for (const total of ['29,35', 29.35, '', '-5.00', '1e3', null]) {
      expect(translate('order.created', order({ total }))).toEqual({
        kind: 'rejected',
        reason: 'woocommerce order.created: total: must be a decimal string such as "19.99"',
      });
    }
  });

  it.each([
    ['a currency in lower case', { currency: 'usd' }, 'currency: must be an ISO 4217 code such as EUR'],
    ['a total past what an order can be', { total: '10000000000000.00' }, 'total: must be at most'],
    ['no creation date', { date_created_gmt: null }, 'date_created_gmt: must be a GMT date-time'],
    ['a creation date in the local zone format of another API', { date_created_gmt: '21/03/2017 19:16' }, 'date_created_gmt'],
    ['a customer id as a string', { customer_id: '26' }, 'customer_id: must be a positive integer'],
    ['a negative customer id', { customer_id: -1 }, 'customer_id: must be a positive integer'],
    ['an order id of 0', { id: 0 }, 'id: must be a positive integer'],
    ['a status that is not a string', { status: 5 }, 'status: must be a string'],
    ['a coupon code with a line break', { coupon_lines: [{ ...coupon, code: 'a\nb' }] }, 'coupon_lines.0.code: must not contain control characters'],
    ['coupon lines that are not a list', { coupon_lines: 'winback10' }, 'coupon_lines: must be an array'],
    ['a refund with no total', { refunds: [{ id: 726, reason: '' }] }, 'refunds.0.total: must be a decimal string'],
    ['a refund total as a number', { refunds: [{ id: 726, total: -10 }] }, 'refunds.0.total: must be a decimal string'],
    ['a refund id as a string', { refunds: [{ id: '726', total: '-10.00' }] }, 'refunds.0.id: must be a positive integer'],
    ['refunds that are not a list', { refunds: {} }, 'refunds: must be an array'],
    ['101 refunds', { refunds: Array.from({ length: 101 }, (_, i) => ({ id: i + 1, total: '-1.00' })) }, 'refunds: must hold at most 100 refunds'],
  ])('is rejected with %s, naming platform, topic and field', (_, overrides, field) => {
    const translation = translate('order.created', order(overrides));
    expect(translation.kind).toBe('rejected');
    expect((translation as { reason: string }).reason).toContain(`woocommerce order.created: ${field}`);
  });
});

describe('order.updated', () => {
  it.each(['processing', 'on-hold', 'pending', 'failed', 'shipped'])('in status %s without refunds is no event (the order was placed when created)', (status) => {
    expect(translate('order.updated', order({ status }))).toEqual({ kind: 'events', events: [] });
  });

  it('completed is an Order Delivered at its date_completed_gmt, never an Order Placed', () => {
    expect(eventsOf(translate('order.updated', order(completed)))).toEqual([
      { time: modified, source: 'shop', 'detail-type': 'Order Delivered', detail: { ...ids, deliveredAt: '2017-03-21T19:54:51Z' } },
    ]);
  });

  it('completed without a completion date is delivered at its last change', () => {
    const [delivered] = eventsOf(translate('order.updated', order({ status: 'completed', date_modified_gmt: '2017-03-25T10:00:00' })));
    expect(delivered).toMatchObject({ time: '2017-03-25T10:00:00Z', detail: { deliveredAt: '2017-03-25T10:00:00Z' } });
  });

  it('cancelled is an Order Cancelled at its last change, with nothing refunded to record', () => {
    expect(eventsOf(translate('order.updated', order({ status: 'cancelled' })))).toEqual([
      { time: modified, source: 'shop', 'detail-type': 'Order Cancelled', detail: { ...ids, cancelledAt: modified } },
    ]);
  });

  it('refunded is an Order Cancelled with the refunds added up (their totals are negative)', () => {
    expect(eventsOf(translate('order.updated', order({ status: 'refunded', refunds })))).toEqual([
      { time: modified, source: 'shop', 'detail-type': 'Order Cancelled', detail: { ...ids, cancelledAt: modified, refunded: 19 } },
    ]);
  });

  it('with partial refunds is one Order Refunded per refund, repeated on every update (each refundId counts once)', () => {
    const expected = [
      { time: modified, source: 'shop', 'detail-type': 'Order Refunded', detail: { ...ids, refundId: '726', refundedAt: modified, amount: 10 } },
      { time: modified, source: 'shop', 'detail-type': 'Order Refunded', detail: { ...ids, refundId: '724', refundedAt: modified, amount: 9 } },
    ];
    expect(eventsOf(translate('order.updated', order({ refunds })))).toEqual(expected);
    expect(eventsOf(translate('order.updated', order({ refunds, customer_note: 'changed' })))).toEqual(expected);
  });

  it('completed with partial refunds is delivered, then refunded', () => {
    const events = eventsOf(translate('order.updated', order({ ...completed, refunds })));
    expect(events.map((event) => event['detail-type'])).toEqual(['Order Delivered', 'Order Refunded', 'Order Refunded']);
  });

  it('does not need what only placing an order uses (total, currency, creation date)', () => {
    const { total: _total, currency: _currency, ...rest } = order(completed);
    expect(eventsOf(translate('order.updated', { ...rest, date_created_gmt: null })).map((event) => event['detail-type'])).toEqual(['Order Delivered']);
  });

  it('of a guest (customer_id 0) is ignored', () => {
    expect(translate('order.updated', order({ ...completed, customer_id: 0 })).kind).toBe('ignored');
  });

  it('is rejected naming the topic and the field', () => {
    expect(translate('order.updated', order({ date_completed_gmt: 'soon', status: 'completed' }))).toEqual({
      kind: 'rejected',
      reason: 'woocommerce order.updated: date_completed_gmt: must be a GMT date-time such as "2017-03-22T19:28:02"',
    });
  });

  it('is rejected when its refunds add up past what an order can be', () => {
    const huge = [{ id: 1, total: '-900000000000.00' }, { id: 2, total: '-900000000000.00' }];
    expect(translate('order.updated', order({ status: 'refunded', refunds: huge }))).toEqual({
      kind: 'rejected',
      reason: expect.stringMatching(/^woocommerce order\.updated: Order Cancelled: refunded: must be at most/),
    });
  });
});

describe('order.deleted', () => {
  it('is ignored: an order in the trash is not a cancellation', () => {
    expect(translate('order.deleted', { id: 723 })).toEqual({ kind: 'ignored', reason: expect.stringMatching(/^woocommerce order\.deleted: /) });
  });
});

describe('other topics', () => {
  it.each(['product.created', 'coupon.updated', 'order.restored', 'action.woocommerce_add_to_cart', 'constructor', '__proto__', 'toString'])(
    '%s is ignored',
    (topic) => {
      expect(translate(topic, { id: 1 })).toEqual({ kind: 'ignored', reason: `woocommerce ${topic}: topic not used` });
    },
  );

  it('without a topic header is rejected', () => {
    expect(translateWoo({}, order())).toEqual({ kind: 'rejected', reason: 'woocommerce: x-wc-webhook-topic: missing header' });
  });
});

describe('anything at all', () => {
  const topics = ['customer.created', 'customer.updated', 'customer.deleted', 'order.created', 'order.updated', 'order.deleted', 'product.updated'];
  const deep = (levels: number) => {
    let value: unknown = {};
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };
  const wrongValues = [null, undefined, '', 'x', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, [], [1], {}, deep(50), 'x'.repeat(100_000)];
  const bodies: unknown[] = [
    null,
    undefined,
    0,
    42,
    Number.NaN,
    '',
    'webhook_id=7',
    '{"id":25}',
    true,
    [],
    [customer()],
    [order()],
    {},
    deep(10_000),
    { id: 25, email: { nested: { deeper: ['john.doe@example.com'] } } },
    Symbol('x'),
    () => 1,
    new Date(),
    Object.create(null),
    // Every field used, of each payload, set to every wrong kind of value.
    ...['id', 'email', 'first_name', 'last_name', 'date_created_gmt', 'date_modified_gmt'].flatMap((field) => wrongValues.map((value) => ({ ...customer(), [field]: value }))),
    ...['id', 'customer_id', 'status', 'currency', 'total', 'date_created_gmt', 'date_modified_gmt', 'date_completed_gmt', 'coupon_lines', 'refunds'].flatMap((field) =>
      wrongValues.map((value) => order({ [field]: value })),
    ),
    ...wrongValues.map((value) => order({ coupon_lines: [{ code: value }] })),
    ...wrongValues.flatMap((value) => [order({ refunds: [{ id: value, total: '-1.00' }] }), order({ refunds: [{ id: 1, total: value }] }), order({ refunds: [value] })]),
  ];
  const headerSets: unknown[] = [undefined, null, {}, [], 'order.created', { 'x-wc-webhook-topic': 7 }, { 'x-wc-webhook-topic': ['order.created'] }, { 'X-WC-Webhook-Topic': 'order.created' }];

  it(`never throws: ${bodies.length} bodies under every topic, and ${headerSets.length} kinds of broken headers`, () => {
    expect(bodies.length).toBeGreaterThan(50);
    const check = (translation: Translation) => {
      if (translation.kind === 'events') expectValid(translation.events);
      else expect(translation.reason).toMatch(/^woocommerce[ :]/);
    };
    for (const topic of topics) for (const body of bodies) check(translate(topic, body, '2026-03-02T10:00:00Z'));
    for (const headers of headerSets) {
      const translation = translateWoo(headers as Record<string, string>, order());
      expect(translation.kind).toBe('rejected');
      check(translation);
    }
  });

  it('never throws on a body whose fields throw when read', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(translate('order.created', hostile)).toEqual({ kind: 'rejected', reason: 'woocommerce: the delivery could not be read' });
  });
});
