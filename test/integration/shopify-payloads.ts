/**
 * The shop's own events (functions/events/shop.ts) written as the Shopify
 * webhooks that say the same thing, as EventBridge delivers them from a
 * Shopify partner event source: the inverse of functions/sources/shopify.ts,
 * for tests. Payloads are shaped as Shopify's webhook reference shows them
 * (Admin API 2025-10, as test/unit/shopify-source.test.ts copies them): ids
 * are JSON numbers, money is a decimal string, times are in the shop's offset.
 *
 * Our ids must be decimal strings ('7000000000001'): the translator makes
 * String(id) of Shopify's numbers, so the two histories name the same customers.
 */
import ct from 'countries-and-timezones';
import { countryTimeZone, shopifyApiVersion } from '../../functions/sources/shopify';

export const shopifySource = 'aws.partner/shopify.com/123/retention';

/** A line of the simulator's input (`local/simulate.ts`): our own event or a Shopify one. */
export interface EventLine {
  time: string;
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

/** The shop's clock: Kuala Lumpur, UTC+08:00 all year; Shopify writes its times in it. */
const shopOffsetHours = 8;

/** An instant as Shopify writes it: the shop's offset, to the second (the millisecond too, when there is one). */
export const shopTime = (iso: string) => {
  const local = new Date(Date.parse(iso) + shopOffsetHours * 3_600_000).toISOString();
  const withoutZone = local.endsWith('.000Z') ? local.slice(0, 19) : local.slice(0, 23);
  return `${withoutZone}+0${shopOffsetHours}:00`;
};

/** A Shopify id: a JSON number, from one of ours (a decimal string). */
export const shopifyId = (id: unknown) => {
  if (typeof id !== 'string' || !/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) {
    throw new Error(`shopify-payloads: ids must be decimal strings below 2^53, got ${JSON.stringify(id)}`);
  }
  return Number(id);
};

/** The EventBridge event of a Shopify webhook, as a simulator input line delivered at `time`. */
export const shopifyLine = (
  time: string,
  topic: string,
  payload: Record<string, unknown>,
  headers: { webhookId: string; triggeredAt?: string },
): EventLine => ({
  time,
  source: shopifySource,
  'detail-type': 'shopifyWebhook',
  detail: {
    payload,
    metadata: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': 'xT6yH5jZfQm6Q3lC8nA0r7sV2bP9dK1eL4wG0hM5nYI=',
      'X-Shopify-Shop-Domain': 'retention-test.myshopify.com',
      'X-Shopify-API-Version': shopifyApiVersion,
      'X-Shopify-Webhook-Id': headers.webhookId,
      'X-Shopify-Triggered-At': headers.triggeredAt ?? time,
      'X-Shopify-Event-Id': headers.webhookId.replace(/^.{8}/, 'e0e0e0e0'),
    },
  },
});

/** A webhook id shaped as Shopify's (a UUID), deterministic. */
export const webhookId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const moneySet = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

const money = (amount: number) => amount.toFixed(2);

/** A customer metafield as a webhook includes it (the subscription's metafields). */
const metafield = (ownerId: number, namespace: string, key: string, value: string, type: string) => ({
  id: ownerId + 1_000_000,
  namespace,
  key,
  value,
  description: null,
  owner_id: ownerId,
  owner_resource: 'customer',
  type,
});

export interface ShopifyCustomer {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  timeZone?: string;
  birthday?: string;
  /** When Shopify last saw them change (created_at and updated_at). */
  at: string;
}

/**
 * A customer's zone as Shopify carries it: the country of the default address
 * (the zone's own country), and the `custom.time_zone` metafield when the
 * country alone does not give the zone (New York and Los Angeles share a
 * country) or when `metafieldAlways`. A customer with no zone has no address:
 * the engine's default applies, as in our own version.
 */
const zoneFields = (id: number, timeZone: string | undefined, metafieldAlways: boolean) => {
  if (!timeZone) return { default_address: null, metafields: [] };
  const country = ct.getTimezone(timeZone)?.countries[0] ?? null;
  const needsMetafield = metafieldAlways || countryTimeZone(country) !== timeZone;
  return {
    default_address: { id: id + 2_000_000, customer_id: id, city: 'Somewhere', country_code: country, default: true },
    metafields: needsMetafield ? [metafield(id, 'custom', 'time_zone', timeZone, 'single_line_text_field')] : [],
  };
};

/** customers/create and customers/update: the payload. */
export const customerPayload = (customer: ShopifyCustomer, metafieldAlways = true) => {
  const id = shopifyId(customer.id);
  const { default_address, metafields } = zoneFields(id, customer.timeZone, metafieldAlways);
  return {
    id,
    created_at: shopTime(customer.at),
    updated_at: shopTime(customer.at),
    first_name: customer.firstName ?? null,
    last_name: customer.lastName ?? null,
    state: 'enabled',
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    email: customer.email,
    phone: null,
    currency: 'EUR',
    locale: customer.locale,
    addresses: default_address ? [default_address] : [],
    tax_exemptions: [],
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    default_address,
    metafields: [...metafields, ...(customer.birthday ? [metafield(id, 'facts', 'birth_date', customer.birthday, 'date')] : [])],
  };
};

/** customers_email_marketing_consent/update: the payload (`not_subscribed`: never was; `unsubscribed`: withdrawn). */
export const consentPayload = (customerId: string, email: string | undefined, subscribed: boolean, changedAt: string, neverWas = false) => ({
  customer_id: shopifyId(customerId),
  email_address: email ?? null,
  phone: null,
  email_marketing_consent: {
    state: subscribed ? 'subscribed' : neverWas ? 'not_subscribed' : 'unsubscribed',
    opt_in_level: subscribed ? 'single_opt_in' : null,
    consent_updated_at: shopTime(changedAt),
  },
});

interface KnownOrder {
  orderId: string;
  customerId: string;
  placedAt: string;
  total: number;
  currency: string;
  discountCode?: string;
}

/** A refund as Shopify writes it, in refunds/create and in an order's `refunds`. */
const refundOf = (order: KnownOrder, refundId: number, amount: number, at: string) => ({
  id: refundId,
  order_id: shopifyId(order.orderId),
  created_at: shopTime(at),
  processed_at: shopTime(at),
  note: null,
  user_id: null,
  restock: false,
  duties: [],
  order_adjustments: [],
  refund_line_items: [],
  refund_shipping_lines: [],
  admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
  transactions: [
    {
      id: refundId + 1,
      order_id: shopifyId(order.orderId),
      kind: 'refund',
      gateway: 'shopify_payments',
      status: 'success',
      message: null,
      created_at: shopTime(at),
      processed_at: shopTime(at),
      test: false,
      parent_id: null,
      amount: money(amount),
      currency: order.currency,
    },
  ],
});

/** orders/create and orders/cancelled: the payload (with its cancellation, when cancelled). */
const orderPayload = (order: KnownOrder, email: string | undefined, cancelled?: { at: string; refunds: ReturnType<typeof refundOf>[] }) => {
  const id = shopifyId(order.orderId);
  const total = money(order.total);
  const placed = shopTime(order.placedAt);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id % 100_000}`,
    email: email ?? null,
    created_at: placed,
    processed_at: placed,
    updated_at: cancelled ? shopTime(cancelled.at) : placed,
    cancelled_at: cancelled ? shopTime(cancelled.at) : null,
    cancel_reason: cancelled ? 'customer' : null,
    currency: order.currency,
    presentment_currency: order.currency,
    financial_status: cancelled?.refunds.length ? 'refunded' : cancelled ? 'voided' : 'paid',
    fulfillment_status: null,
    subtotal_price: total,
    subtotal_price_set: moneySet(total, order.currency),
    total_discounts: '0.00',
    total_price: total,
    total_price_set: moneySet(total, order.currency),
    total_tax: '0.00',
    taxes_included: true,
    test: false,
    discount_codes: order.discountCode ? [{ code: order.discountCode, amount: '0.00', type: 'percentage' }] : [],
    customer: { id: shopifyId(order.customerId), email: email ?? null, admin_graphql_api_id: `gid://shopify/Customer/${order.customerId}` },
    line_items: [],
    refunds: cancelled?.refunds ?? [],
  };
};

/** fulfillment_events/create: the payload of the carrier's "delivered" (no customer in it). */
const deliveredPayload = (orderId: string, deliveredAt: string, eventId: number) => ({
  id: eventId,
  fulfillment_id: eventId + 1,
  status: 'delivered',
  message: 'Delivered',
  happened_at: shopTime(deliveredAt),
  created_at: shopTime(deliveredAt),
  updated_at: shopTime(deliveredAt),
  estimated_delivery_at: null,
  country: null,
  shop_id: 548380009,
  order_id: shopifyId(orderId),
  admin_graphql_api_id: `gid://shopify/FulfillmentEvent/${eventId}`,
});

/**
 * Writes our own events as Shopify webhooks, in the order given: a customer
 * becomes customers/create (customers/update once known), followed at once by
 * their consent on its own topic, as Shopify sends it; orders, deliveries,
 * cancellations and refunds their own topic each. Every webhook has its own
 * X-Shopify-Webhook-Id and is triggered at the event's time. Orders are
 * remembered, for what Shopify repeats of them (a cancellation is the whole
 * order, with the refund it made: `refunded`).
 *
 * `metafieldAlways: false`: a customer whose country gives their zone has it from the country alone.
 */
export const shopifyEncoder = (options: { metafieldAlways?: boolean } = {}) => {
  const customers = new Map<string, { email?: string }>();
  const orders = new Map<string, KnownOrder>();
  let webhooks = 0;
  const line = (time: string, topic: string, payload: Record<string, unknown>) => shopifyLine(time, topic, payload, { webhookId: webhookId(++webhooks) });

  return (event: EventLine): EventLine[] => {
    const { time, detail: d } = event;
    const str = (field: string) => d[field] as string;
    switch (event['detail-type']) {
      case 'Customer Upserted': {
        const id = str('customerId');
        const topic = customers.has(id) ? 'customers/update' : 'customers/create';
        customers.set(id, { email: str('email') });
        const customer: ShopifyCustomer = {
          id,
          email: str('email'),
          firstName: d.firstName as string | undefined,
          lastName: d.lastName as string | undefined,
          locale: d.locale as string | undefined,
          timeZone: d.timeZone as string | undefined,
          birthday: d.birthday as string | undefined,
          at: time,
        };
        const metafieldAlways = options.metafieldAlways ?? Number(id) % 2 === 0;
        const consent = typeof d.marketingConsent === 'boolean' ? [line(time, 'customers_email_marketing_consent/update', consentPayload(id, str('email'), d.marketingConsent, time, topic === 'customers/create'))] : [];
        return [line(time, topic, customerPayload(customer, metafieldAlways)), ...consent];
      }
      case 'Customer Consent Changed':
        return [line(time, 'customers_email_marketing_consent/update', consentPayload(str('customerId'), customers.get(str('customerId'))?.email, d.marketingConsent as boolean, str('changedAt')))];
      case 'Order Placed': {
        const order: KnownOrder = {
          orderId: str('orderId'),
          customerId: str('customerId'),
          placedAt: str('placedAt'),
          total: d.total as number,
          currency: str('currency'),
          discountCode: d.discountCode as string | undefined,
        };
        orders.set(order.orderId, order);
        return [line(time, 'orders/create', orderPayload(order, customers.get(order.customerId)?.email))];
      }
      case 'Order Delivered':
        return [line(time, 'fulfillment_events/create', deliveredPayload(str('orderId'), str('deliveredAt'), 9_000_000_000 + webhooks))];
      case 'Order Cancelled': {
        const order = orders.get(str('orderId'));
        if (!order) throw new Error(`shopify-payloads: order ${str('orderId')} cancelled before it was placed`);
        // What the shop paid back (`refunded`), as the one refund the cancellation made.
        const paidBack = typeof d.refunded === 'number' ? [refundOf(order, 8_000_000_000 + webhooks, d.refunded, str('cancelledAt'))] : [];
        const cancelled = { at: str('cancelledAt'), refunds: paidBack };
        return [line(time, 'orders/cancelled', orderPayload(order, customers.get(order.customerId)?.email, cancelled))];
      }
      case 'Order Refunded': {
        const order = orders.get(str('orderId'));
        if (!order) throw new Error(`shopify-payloads: order ${str('orderId')} refunded before it was placed`);
        return [line(time, 'refunds/create', refundOf(order, shopifyId(str('refundId')), d.amount as number, str('refundedAt')))];
      }
      default:
        throw new Error(`shopify-payloads: no Shopify webhook for ${event['detail-type']}`);
    }
  };
};
