/**
 * `retention import`'s row mappings (local/import.ts): rows shaped as Shopify's
 * customer and order exports (parsed from CSV text, header included) and as the
 * generic format; every event they give passes our own schema; a bad row names its column.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { shopEvents } from '../../functions/events/shop';
import type { ShopEventLine } from '../../functions/sources/translation';
import { customerRowToEvents, orderRowToEvents, type Row, type RowResult } from '../../local/import';

const rows = (csv: string): Row[] => parse(csv, { columns: true, bom: true }) as Row[];
const importedAt = '2026-03-02T00:00:00.000Z';

/** The events of a row that must map; each is checked against its own schema. */
const eventsOf = (result: RowResult): ShopEventLine[] => {
  if (!result.ok) throw new Error(`expected events, got ${result.field}: ${result.reason}`);
  for (const event of result.events) {
    const definition = shopEvents.find((d) => d.detailType === event['detail-type'])!;
    expect(definition.detail.safeParse(event.detail).success, event['detail-type']).toBe(true);
    expect(event.source).toBe('shop');
  }
  return result.events;
};
const summary = (events: ShopEventLine[]) => events.map((event) => [event['detail-type'], event.time]);

// Shopify's customer export: the documented columns, a metafield column added by the export's options.
const shopifyCustomers = `Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags,Birth date (customer.metafields.facts.birth_date)
'7210448301122,Ann,Example,ann@example.com,yes,,1 Main St,,Springfield,IL,US,12345,,,no,34.98,1,"two
lines",no,vip,1990-03-02
'7210448301123,Bea,,bea@example.com,no,,,,Paris,,FR,75001,,,no,0.00,0,,no,,
7210448301124,,,cy@example.com,,,,,,,,,,,no,0.00,0,,no,,
'7210448301125,Dan,Example,dan@example,yes,,,,,,FR,,,,no,0.00,0,,no,,
,Eve,Example,eve@example.com,yes,,,,,,FR,,,,no,0.00,0,,no,,
'7210448301127,Fay,Example,fay@example.com,maybe,,,,,,FR,,,,no,0.00,0,,no,,
'7210448301128,Gus,Example,gus@example.com,yes,,,,,,FR,,,,no,0.00,0,,no,,1990-02-30`;

describe('Shopify customer export rows', () => {
  const [ann, bea, cy, dan, eve, fay, gus] = rows(shopifyCustomers);

  it('map to Customer Upserted at the import time, consent from Accepts Email Marketing, the zone from the country', () => {
    const [event] = eventsOf(customerRowToEvents('shopify', ann!, importedAt));
    expect(event).toEqual({
      time: importedAt,
      source: 'shop',
      'detail-type': 'Customer Upserted',
      // The id without the apostrophe Shopify puts before it for spreadsheets.
      detail: {
        customerId: '7210448301122',
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Example',
        timeZone: 'America/New_York',
        birthday: '1990-03-02',
        marketingConsent: true,
      },
    });
    expect(eventsOf(customerRowToEvents('shopify', bea!, importedAt))[0]!.detail).toEqual({
      customerId: '7210448301123',
      email: 'bea@example.com',
      firstName: 'Bea',
      timeZone: 'Europe/Paris',
      marketingConsent: false,
    });
    // Blank consent: none given (not a refusal); no country: no zone (the engine's default).
    expect(eventsOf(customerRowToEvents('shopify', cy!, importedAt))[0]!.detail).toEqual({ customerId: '7210448301124', email: 'cy@example.com' });
  });

  it('takes a custom.time_zone metafield over the country', () => {
    const [row] = rows(`Customer ID,Email,Default Address Country Code,Time zone (customer.metafields.custom.time_zone)\n1,a@example.com,US,America/Los_Angeles`);
    expect(eventsOf(customerRowToEvents('shopify', row!, importedAt))[0]!.detail.timeZone).toBe('America/Los_Angeles');
  });

  it('refuses a bad row naming its column, never its value', () => {
    expect(customerRowToEvents('shopify', dan!, importedAt)).toEqual({ ok: false, field: 'Email', reason: expect.any(String) });
    expect(customerRowToEvents('shopify', eve!, importedAt)).toEqual({ ok: false, field: 'Customer ID', reason: 'missing' });
    expect(customerRowToEvents('shopify', fay!, importedAt)).toEqual({ ok: false, field: 'Accepts Email Marketing', reason: 'must be yes or no' });
    expect(customerRowToEvents('shopify', gus!, importedAt)).toMatchObject({ ok: false, field: 'Birth date (customer.metafields.facts.birth_date)' });
    const reason = customerRowToEvents('shopify', dan!, importedAt);
    expect(JSON.stringify(reason)).not.toContain('dan@');
  });
});

// Shopify's order export: one row per line item, the order's own columns on its first row only.
const orderHeader =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source';
const columnCount = orderHeader.split(',').length;
/** An order export row: these columns set, every other one empty. */
const orderRow = (values: Record<string, string>) => {
  const names = orderHeader.split(',');
  const cells = names.map((name) => values[name] ?? '');
  expect(cells).toHaveLength(columnCount);
  return rows(`${orderHeader}\n${cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')}`)[0]!;
};
const firstRow = (values: Record<string, string> = {}) =>
  orderRow({
    Name: '#1001',
    Email: 'Ann@Example.com',
    'Financial Status': 'paid',
    'Paid at': '2025-05-01 10:00:00 +0200',
    'Fulfillment Status': 'fulfilled',
    'Fulfilled at': '2025-05-03 09:00:00 +0200',
    'Accepts Marketing': 'yes',
    Currency: 'EUR',
    Subtotal: '29.98',
    Shipping: '5.00',
    Taxes: '0.00',
    Total: '34.98',
    'Discount Amount': '0.00',
    'Created at': '2025-05-01 09:58:12 +0200',
    'Lineitem quantity': '2',
    'Lineitem name': 'Tee',
    'Billing Name': 'Ann Example',
    'Refunded Amount': '0.00',
    'Outstanding Balance': '0.00',
    Id: '5001',
    Source: 'web',
    ...values,
  });
const customerIdByEmail = new Map([['ann@example.com', '7210448301122']]);

describe('Shopify order export rows', () => {
  it("map an order's first row to Order Placed, and Fulfilled at to Order Delivered, in UTC", () => {
    const events = eventsOf(orderRowToEvents('shopify', firstRow({ 'Discount Code': 'SPRING10' }), customerIdByEmail));
    expect(events.map((e) => e.detail)).toEqual([
      // The customer found by email, whatever its case; the order id is `Id`, as in webhooks.
      { orderId: '5001', customerId: '7210448301122', placedAt: '2025-05-01T07:58:12.000Z', total: 34.98, currency: 'EUR', discountCode: 'SPRING10' },
      { orderId: '5001', customerId: '7210448301122', deliveredAt: '2025-05-03T07:00:00.000Z' },
    ]);
    expect(summary(events)).toEqual([
      ['Order Placed', '2025-05-01T07:58:12.000Z'],
      ['Order Delivered', '2025-05-03T07:00:00.000Z'],
    ]);
  });

  it("skip the further line items' rows, blank but for Name and the line item", () => {
    const lineItem = orderRow({ Name: '#1001', 'Lineitem quantity': '1', 'Lineitem name': 'Mug', 'Lineitem price': '10.00', 'Lineitem sku': 'MUG', Vendor: 'Acme' });
    expect(orderRowToEvents('shopify', lineItem, customerIdByEmail)).toEqual({ ok: true, events: [], lineItem: true });
  });

  it('use Name as the order id when the export has no Id', () => {
    const [placed] = eventsOf(orderRowToEvents('shopify', firstRow({ Id: '' }), customerIdByEmail));
    expect(placed!.detail.orderId).toBe('#1001');
  });

  it('map Cancelled at to Order Cancelled at that time, with what was refunded', () => {
    const events = eventsOf(
      orderRowToEvents('shopify', firstRow({ 'Fulfilled at': '', 'Cancelled at': '2025-05-02 08:00:00 +0000', 'Financial Status': 'refunded', 'Refunded Amount': '34.98' }), customerIdByEmail),
    );
    expect(summary(events)).toEqual([
      ['Order Placed', '2025-05-01T07:58:12.000Z'],
      ['Order Cancelled', '2025-05-02T08:00:00.000Z'],
    ]);
    expect(events[1]!.detail).toEqual({ orderId: '5001', customerId: '7210448301122', cancelledAt: '2025-05-02T08:00:00.000Z', refunded: 34.98 });
  });

  it("map Financial Status refunded to Order Cancelled (a full refund) at the order's latest time", () => {
    const events = eventsOf(orderRowToEvents('shopify', firstRow({ 'Financial Status': 'refunded', 'Refunded Amount': '34.98' }), customerIdByEmail));
    expect(events.map((e) => e['detail-type'])).toEqual(['Order Placed', 'Order Delivered', 'Order Cancelled']);
    expect(events[2]!.detail).toMatchObject({ cancelledAt: '2025-05-03T07:00:00.000Z', refunded: 34.98 });
  });

  it('map partially_refunded to Order Refunded of the Refunded Amount, with a stable refund id', () => {
    const events = eventsOf(orderRowToEvents('shopify', firstRow({ 'Financial Status': 'partially_refunded', 'Refunded Amount': '10.00' }), customerIdByEmail));
    expect(events[2]).toMatchObject({
      'detail-type': 'Order Refunded',
      detail: { orderId: '5001', customerId: '7210448301122', refundId: '5001-refund', amount: 10, refundedAt: '2025-05-03T07:00:00.000Z' },
    });
    expect(orderRowToEvents('shopify', firstRow({ 'Financial Status': 'partially_refunded', 'Refunded Amount': '' }), customerIdByEmail)).toMatchObject({
      ok: false,
      field: 'Refunded Amount',
    });
  });

  it.each([
    ['an email of no customer', { Email: 'zed@example.com' }, 'Email', 'matches no customer of the customer export'],
    ['no email (a guest order)', { Email: '' }, 'Email', 'missing'],
    ['a Total that is no amount', { Total: 'free' }, 'Total', 'must be an amount such as 19.99'],
    ['a negative Total', { Total: '-3.00' }, 'Total', 'must be an amount such as 19.99'],
    ['a Created at that is no time', { 'Created at': 'yesterday' }, 'Created at', expect.stringContaining('must be a time')],
    ['a currency that is no ISO 4217 code', { Currency: 'euro' }, 'Currency', expect.stringContaining('ISO 4217')],
    ['a delivery before the order', { 'Fulfilled at': '2025-04-01 09:00:00 +0200' }, 'Fulfilled at', 'must not be before the order was placed'],
    ['a discount code longer than any', { 'Discount Code': 'X'.repeat(65) }, 'Discount Code', expect.stringContaining('64')],
  ])('refuse %s, naming the column', (_, values, field, reason) => {
    expect(orderRowToEvents('shopify', firstRow(values), customerIdByEmail)).toEqual({ ok: false, field, reason });
  });
});

describe('generic rows', () => {
  const [customer, noConsent, badZone, badLocale] = rows(`customer_id,email,first_name,last_name,locale,time_zone,birthday,marketing_consent
c-1,siti@example.com,Siti,Aminah,ms-MY,Asia/Kuala_Lumpur,--03-02,true
c-2,bo@example.com,,,,,,
c-3,cy@example.com,,,,Mars/Olympus,,1
c-4,di@example.com,,,not a tag!,,,0`);

  it('map a customer with every column', () => {
    expect(eventsOf(customerRowToEvents('generic', customer!, importedAt))[0]!.detail).toEqual({
      customerId: 'c-1',
      email: 'siti@example.com',
      firstName: 'Siti',
      lastName: 'Aminah',
      locale: 'ms-MY',
      timeZone: 'Asia/Kuala_Lumpur',
      birthday: '--03-02',
      marketingConsent: true,
    });
    expect(eventsOf(customerRowToEvents('generic', noConsent!, importedAt))[0]!.detail).toEqual({ customerId: 'c-2', email: 'bo@example.com' });
    expect(customerRowToEvents('generic', badZone!, importedAt)).toEqual({ ok: false, field: 'time_zone', reason: 'is not a known IANA time zone' });
    expect(customerRowToEvents('generic', badLocale!, importedAt)).toMatchObject({ ok: false, field: 'locale' });
  });

  const orders = rows(`order_id,customer_id,placed_at,total,currency,discount_code,delivered_at,cancelled_at,refunded
o-1,c-1,2025-05-01T10:00:00+08:00,120.50,MYR,WELCOME,2025-05-04T12:00:00Z,,
o-2,c-1,2025-06-01T10:00:00Z,50,MYR,,2025-06-03T10:00:00Z,,50
o-3,c-1,2025-07-01T10:00:00Z,50,MYR,,2025-07-03T10:00:00Z,,12.5
o-4,c-1,2025-08-01T10:00:00Z,50,MYR,,,2025-08-01T12:00:00Z,50
o-5,c-1,,50,MYR,,,,
o-6,c-1,2025-08-01T10:00:00Z,50,MYR,,,2025-07-01T12:00:00Z,`);
  const none = new Map<string, string>();

  it('map orders: placed, delivered, a full refund as a cancellation, a partial one as a refund', () => {
    expect(eventsOf(orderRowToEvents('generic', orders[0]!, none)).map((e) => e.detail)).toEqual([
      { orderId: 'o-1', customerId: 'c-1', placedAt: '2025-05-01T02:00:00.000Z', total: 120.5, currency: 'MYR', discountCode: 'WELCOME' },
      { orderId: 'o-1', customerId: 'c-1', deliveredAt: '2025-05-04T12:00:00.000Z' },
    ]);
    expect(summary(eventsOf(orderRowToEvents('generic', orders[1]!, none)))).toEqual([
      ['Order Placed', '2025-06-01T10:00:00.000Z'],
      ['Order Delivered', '2025-06-03T10:00:00.000Z'],
      ['Order Cancelled', '2025-06-03T10:00:00.000Z'],
    ]);
    expect(eventsOf(orderRowToEvents('generic', orders[2]!, none))[2]).toMatchObject({ 'detail-type': 'Order Refunded', detail: { refundId: 'o-3-refund', amount: 12.5 } });
    expect(eventsOf(orderRowToEvents('generic', orders[3]!, none))[1]).toMatchObject({
      'detail-type': 'Order Cancelled',
      detail: { cancelledAt: '2025-08-01T12:00:00.000Z', refunded: 50 },
    });
  });

  it('refuse bad order rows naming the column', () => {
    expect(orderRowToEvents('generic', orders[4]!, none)).toEqual({ ok: false, field: 'placed_at', reason: 'missing' });
    expect(orderRowToEvents('generic', orders[5]!, none)).toEqual({ ok: false, field: 'cancelled_at', reason: 'must not be before the order was placed' });
  });
});
