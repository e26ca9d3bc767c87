/**
 * `retention import` (local/import.ts): Shopify exports of some 300 customers
 * imported into a simulator input file, then one day simulated right after the
 * import: history is stored, nothing already past is mailed, what is due that
 * day is. An interrupted import goes on without publishing twice; the local bus
 * and PutEvents (in batches, throttled entries again) take the same events.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopEventLine } from '../../functions/sources/translation';
import { LocalEventBus, type BusEvent } from '../../local/event-bus';
import { ImportError, importHistory, putEventsEntrySize, putEventsMaxBytes, putEventsWithBackoff, type ImportOptions } from '../../local/import';
import { runSimulation } from './run-simulation';

const dir = mkdtempSync(join(tmpdir(), 'retention-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The import's time, and the simulated day right after it. */
const importedAt = new Date('2026-03-02T00:00:00Z');
const dayAfter = '2026-03-03T00:00:00Z';

const csvLine = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
const customerHeader = [
  'Customer ID', 'First Name', 'Last Name', 'Email', 'Accepts Email Marketing', 'Default Address Company', 'Default Address Address1',
  'Default Address Address2', 'Default Address City', 'Default Address Province Code', 'Default Address Country Code', 'Default Address Zip',
  'Default Address Phone', 'Phone', 'Accepts SMS Marketing', 'Total Spent', 'Total Orders', 'Note', 'Tax Exempt', 'Tags',
  'Birth date (customer.metafields.facts.birth_date)',
];
const orderHeader = [
  'Name', 'Email', 'Financial Status', 'Paid at', 'Fulfillment Status', 'Fulfilled at', 'Accepts Marketing', 'Currency', 'Subtotal', 'Shipping',
  'Taxes', 'Total', 'Discount Code', 'Discount Amount', 'Shipping Method', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price',
  'Lineitem compare at price', 'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status', 'Billing Name',
  'Billing City', 'Billing Country', 'Shipping Name', 'Shipping City', 'Shipping Country', 'Notes', 'Note Attributes', 'Cancelled at',
  'Payment Method', 'Refunded Amount', 'Vendor', 'Outstanding Balance', 'Id', 'Tags', 'Risk Level', 'Source',
];
const row = (header: string[], values: Record<string, string>) => csvLine(header.map((column) => values[column] ?? ''));
/** Shopify's time format: `2025-05-01 09:58:12 +0100`. */
const shopifyTime = (date: Date, offset = '+0100') => {
  const minutes = (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3)));
  return `${new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ')} ${offset}`;
};
const day = 86_400_000;

/**
 * A shop's exports: 300 customers whose every occasion is past (orders from
 * January 2024 to May 2025, none of their winback steps or surveys due after
 * 2025), three whose occasion falls on the simulated day, and a few bad rows.
 */
const shopExports = () => {
  const customers = [csvLine(customerHeader)];
  const orders = [csvLine(orderHeader)];
  let orderNumber = 1000;
  let orderCount = 0;
  let orderEvents = 0;
  const countries = ['FR', 'DE', 'US', 'GB', 'ES'];
  const addCustomer = (i: number, values: Record<string, string> = {}) =>
    customers.push(
      row(customerHeader, {
        'Customer ID': `'${9_000_000_000_000 + i}`,
        'First Name': 'Cust',
        'Last Name': `N${i}`,
        Email: `c${i}@example.com`,
        'Accepts Email Marketing': i % 10 === 9 ? 'no' : 'yes',
        'Default Address City': 'Town',
        'Default Address Country Code': countries[i % countries.length]!,
        'Accepts SMS Marketing': 'no',
        'Tax Exempt': 'no',
        ...values,
      }),
    );
  /** An order (and its further line-item rows); returns how many events it makes. */
  const addOrder = (i: number, placed: Date, { delivered, cancelled, status = 'paid', refunded = '0.00', email = `c${i}@example.com`, total = '42.50', lineItems = 1 }: {
    delivered?: Date; cancelled?: Date; status?: string; refunded?: string; email?: string; total?: string; lineItems?: number;
  } = {}) => {
    const name = `#${++orderNumber}`;
    orders.push(
      row(orderHeader, {
        Name: name,
        Email: email,
        'Financial Status': status,
        'Paid at': shopifyTime(placed),
        'Fulfillment Status': delivered ? 'fulfilled' : 'unfulfilled',
        'Fulfilled at': delivered ? shopifyTime(delivered) : '',
        'Accepts Marketing': 'yes',
        Currency: 'EUR',
        Subtotal: total,
        Shipping: '0.00',
        Taxes: '0.00',
        Total: total,
        'Discount Code': orderNumber % 5 === 0 ? 'WELCOME10' : '',
        'Discount Amount': '0.00',
        'Created at': shopifyTime(placed),
        'Lineitem quantity': '1',
        'Lineitem name': 'Tea, green',
        'Lineitem price': total,
        'Billing Name': `Cust N${i}`,
        'Cancelled at': cancelled ? shopifyTime(cancelled) : '',
        'Refunded Amount': refunded,
        Id: String(5_000_000 + orderNumber),
        Source: 'web',
      }),
    );
    for (let item = 1; item < lineItems; item++) orders.push(row(orderHeader, { Name: name, 'Lineitem quantity': '1', 'Lineitem name': `Extra ${item}`, 'Lineitem price': '1.00' }));
    orderCount++;
    const events = 1 + (delivered ? 1 : 0) + (cancelled || status === 'refunded' || status === 'partially_refunded' ? 1 : 0);
    orderEvents += events;
  };

  for (let i = 0; i < 300; i++) {
    addCustomer(i);
    const orderTotal = 1 + (i % 4);
    let placed = new Date(Date.UTC(2024, 0, 10) + ((i * 3) % 365) * day + 10 * 3_600_000);
    for (let n = 0; n < orderTotal; n++) {
      const k = i * 4 + n;
      addOrder(i, placed, {
        delivered: new Date(placed.getTime() + 2 * day),
        ...(k % 11 === 0 && { cancelled: new Date(placed.getTime() + day), status: 'voided' }),
        ...(k % 13 === 0 && { status: 'refunded', refunded: '42.50' }),
        ...(k % 17 === 0 && { status: 'partially_refunded', refunded: '5.00' }),
        lineItems: 1 + (k % 3),
      });
      placed = new Date(placed.getTime() + (20 + ((i * 7) % 30)) * day);
    }
  }
  // Due on the simulated day (Paris): a birthday, a survey 7 days after a delivery, the third winback step.
  addCustomer(300, { 'Default Address Country Code': 'FR', 'Birth date (customer.metafields.facts.birth_date)': '1990-03-02' });
  addOrder(300, new Date('2025-01-15T10:00:00Z'), { delivered: new Date('2025-01-17T10:00:00Z') });
  addCustomer(301, { 'Default Address Country Code': 'FR', 'Accepts Email Marketing': 'yes' });
  addOrder(301, new Date('2026-02-20T09:00:00Z'), { delivered: new Date('2026-02-23T11:00:00Z') });
  addCustomer(302, { 'Default Address Country Code': 'FR', 'Accepts Email Marketing': 'yes' });
  // At risk 60 days after (2026-01-01, step 1), step 2 on 2026-01-31, step 3 on 2026-03-02.
  addOrder(302, new Date('2025-11-02T09:00:00Z'), { delivered: new Date('2025-11-04T09:00:00Z') });
  const good = { customers: 303, orders: orderCount, events: orderEvents + 303 };
  // Bad rows: reported with file and line, skipped.
  addCustomer(303, { Email: 'not-an-email' });
  orders.push(row(orderHeader, { Name: '#9001', Email: 'nobody@example.com', 'Financial Status': 'paid', Currency: 'EUR', Total: '10.00', 'Created at': '2025-01-01 10:00:00 +0000', Id: '9001' }));
  orders.push(row(orderHeader, { Name: '#9002', Email: 'c1@example.com', 'Financial Status': 'paid', Currency: 'EUR', Total: 'ten', 'Created at': '2025-01-01 10:00:00 +0000', Id: '9002' }));
  return { customers: `${customers.join('\n')}\n`, orders: `${orders.join('\r\n')}\r\n`, good, badRows: 3 };
};

const shop = shopExports();
const customersFile = join(dir, 'customers_export.csv');
const ordersFile = join(dir, 'orders_export.csv');
writeFileSync(customersFile, shop.customers);
writeFileSync(ordersFile, shop.orders);

const quietly = (reported: string[] = []) => ({ report: (line: string) => reported.push(line) });
const importTo = (out: string, options: Partial<ImportOptions> = {}) =>
  importHistory({ format: 'shopify', customers: customersFile, orders: ordersFile, to: { kind: 'file', path: out }, now: importedAt, ...quietly(), ...options });
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('a Shopify history imported, then one day simulated', () => {
  const out = join(dir, 'history.ndjson');
  const reported: string[] = [];
  let summary: Awaited<ReturnType<typeof importHistory>>;
  let run: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    summary = await importTo(out, quietly(reported));
    run = await runSimulation(lines(out), importedAt.toISOString(), dayAfter);
  });

  it('imports every good row and reports each bad one by file, line and column', () => {
    expect(summary).toMatchObject({ customers: shop.good.customers, orders: shop.good.orders, events: shop.good.events, skippedRows: shop.badRows, interrupted: false });
    expect(lines(out)).toHaveLength(shop.good.events);
    expect(reported).toEqual([
      `${customersFile}:305: Email: Invalid email address`,
      expect.stringMatching(new RegExp(`^${ordersFile}:\\d+: Email: matches no customer of the customer export$`)),
      expect.stringMatching(new RegExp(`^${ordersFile}:\\d+: Total: must be an amount such as 19.99$`)),
    ]);
    // Never a customer's data in a report.
    expect(reported.join('\n')).not.toMatch(/@|nobody|not-an-email/);
    // Done: no checkpoint left.
    expect(existsSync(`${customersFile}.import-checkpoint.json`)).toBe(false);
  });

  it('puts the orders first, in time order, then the customers at the import time', () => {
    const events = lines(out).map((line) => JSON.parse(line) as ShopEventLine);
    const firstCustomer = events.findIndex((e) => e['detail-type'] === 'Customer Upserted');
    expect(firstCustomer).toBe(events.length - shop.good.customers);
    const orderTimes = events.slice(0, firstCustomer).map((e) => Date.parse(e.time));
    expect(orderTimes).toEqual([...orderTimes].sort((a, b) => a - b));
    expect(events.slice(firstCustomer).every((e) => e.time === importedAt.toISOString())).toBe(true);
  });

  it('stores all of it, with no dead letter', () => {
    expect(run.deadLetters).toEqual([]);
    expect(run.summary.input).toEqual({ lines: shop.good.events, rejected: 0 });
    expect(run.summary.ingested).toEqual({ stored: shop.good.events });
  });

  it("mails only what is due that day: nothing for a past winback step or last year's delivery", () => {
    const sent = run.emails.map((email) => [email.customerId, email.campaign, email.step ?? null]).sort();
    expect(sent).toEqual([
      [String(9_000_000_000_300), 'birthday', null],
      [String(9_000_000_000_301), 'nps', null],
      [String(9_000_000_000_302), 'winback', 3],
    ]);
  });
});

describe('an interrupted import', () => {
  const reference = join(dir, 'reference.ndjson');
  beforeAll(async () => {
    await importTo(reference);
  });

  it('goes on where it stopped, every event exactly once, even after a half-written line', async () => {
    const out = join(dir, 'resumed.ndjson');
    const checkpoint = join(dir, 'resumed.checkpoint.json');
    const stop = new AbortController();
    const first = await importTo(out, { checkpoint, signal: stop.signal, onBatch: () => stop.abort() });
    expect(first).toMatchObject({ interrupted: true, resumedFrom: 0 });
    expect(first.published).toBeGreaterThan(0);
    expect(first.published).toBeLessThan(first.events);
    expect(lines(out)).toHaveLength(first.published);
    // What a crash while writing the next batch leaves behind.
    appendFileSync(out, '{"time":"2024-01-');

    const second = await importTo(out, { checkpoint, now: new Date() });
    expect(second).toMatchObject({ interrupted: false, resumedFrom: first.published, published: first.events });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    expect(new Set(lines(out)).size).toBe(first.events);
    expect(existsSync(checkpoint)).toBe(false);
  });

  it('refuses to go on over changed files, and --restart starts over', async () => {
    const [customers, orders, out] = ['customers.csv', 'orders.csv', 'out.ndjson'].map((name) => join(dir, `changed-${name}`)) as [string, string, string];
    writeFileSync(customers, shop.customers);
    writeFileSync(orders, shop.orders);
    const stop = new AbortController();
    const options = { format: 'shopify' as const, customers, orders, to: { kind: 'file' as const, path: out }, now: importedAt, ...quietly() };
    await importHistory({ ...options, signal: stop.signal, onBatch: () => stop.abort() });
    appendFileSync(orders, `${csvLine(orderHeader.map(() => ''))}\r\n`);
    await expect(importHistory(options)).rejects.toThrow(ImportError);
    await expect(importHistory(options)).rejects.toThrow(/--restart/);
    const again = await importHistory({ ...options, restart: true });
    expect(again).toMatchObject({ resumedFrom: 0, interrupted: false });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
  });
});

describe('destinations', () => {
  const customers = join(dir, 'generic-customers.csv');
  const orders = join(dir, 'generic-orders.csv');
  writeFileSync(customers, ['customer_id,email,first_name,last_name,locale,time_zone,birthday,marketing_consent', ...Array.from({ length: 12 }, (_, i) => `g-${i},g${i}@example.com,G,${i},en,Europe/Paris,,yes`)].join('\n'));
  writeFileSync(orders, ['order_id,customer_id,placed_at,total,currency,discount_code,delivered_at,cancelled_at,refunded', ...Array.from({ length: 12 }, (_, i) => `go-${i},g-${i},2025-0${1 + (i % 9)}-10T10:00:00Z,20,EUR,,,,`)].join('\n'));
  const generic = { format: 'generic' as const, customers, orders, now: importedAt, ...quietly() };

  it("the running local bus, as `retention publish` puts events there", async () => {
    const received: BusEvent[] = [];
    const bus = new LocalEventBus({ start: importedAt, onEvent: (event) => received.push(event) });
    const url = await bus.listen();
    try {
      const summary = await importHistory({ ...generic, to: { kind: 'local', url } });
      expect(summary).toMatchObject({ customers: 12, orders: 12, events: 24, published: 24 });
      expect(received.map((e) => e['detail-type'])).toEqual([...Array(12).fill('Order Placed'), ...Array(12).fill('Customer Upserted')]);
      expect(received[0]!.time).toBe('2025-01-10T10:00:00Z');
      // Marked as an import's, for the consent ledger's source (docs/design.md §11).
      expect(received.every((event) => event.resources.includes('retention:origin/import'))).toBe(true);
    } finally {
      await bus.close();
    }
  });

  it('an AWS event bus: PutEvents of at most 10 entries, throttled entries sent again after a backoff', async () => {
    const calls: { EventBusName?: string; DetailType?: string }[][] = [];
    const sleeps: number[] = [];
    let throttled = false;
    const client = {
      async send(command: PutEventsCommand) {
        const entries = command.input.Entries!;
        calls.push(entries);
        // The second call: its first two entries throttled, once.
        if (calls.length === 2 && !throttled) {
          throttled = true;
          return { FailedEntryCount: 2, Entries: entries.map((_, i) => (i < 2 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `e-${i}` })) };
        }
        return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) };
      },
    } as unknown as EventBridgeClient;
    const summary = await importHistory({ ...generic, to: { kind: 'aws', busName: 'shop-bus', client, sleep: async (ms) => void sleeps.push(ms) } });
    expect(summary).toMatchObject({ events: 24, published: 24, interrupted: false });
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 2, 4]);
    expect(calls[2]).toEqual(calls[1]!.slice(0, 2));
    expect(calls.flat().every((entry) => entry.EventBusName === 'shop-bus')).toBe(true);
    expect(calls.flat().every((entry) => (entry as { Resources?: string[] }).Resources?.includes('retention:origin/import'))).toBe(true);
    expect(sleeps).toHaveLength(1);
  });

  it('PutEvents: an entry refused for good stops the import; batches keep under 256 KB', async () => {
    const refusing = { send: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }] }) } as unknown as EventBridgeClient;
    const event: ShopEventLine = { time: importedAt.toISOString(), source: 'shop', 'detail-type': 'Customer Upserted', detail: { customerId: 'x' } };
    await expect(putEventsWithBackoff(refusing, 'bus', [event], { sleep: async () => undefined })).rejects.toThrow(/AccessDeniedException/);
    const stillThrottled = { send: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] }) } as unknown as EventBridgeClient;
    await expect(putEventsWithBackoff(stillThrottled, 'bus', [event], { maxAttempts: 3, sleep: async () => undefined })).rejects.toThrow(/after 3 attempts/);
    // The size EventBridge counts: 14 for the time, then source, detail type and detail in UTF-8.
    expect(putEventsEntrySize(event)).toBe(14 + 4 + 17 + JSON.stringify(event.detail).length);
    expect(putEventsMaxBytes).toBe(262_144);
  });
});

describe('the command', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const retention = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/retention.js', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, RETENTION_DEBUG: '' } });

  it('imports, reports bad rows on stderr and prints one line', () => {
    const customers = join(dir, 'cli-customers.csv');
    const orders = join(dir, 'cli-orders.csv');
    writeFileSync(customers, 'customer_id,email,first_name,last_name,locale,time_zone,birthday,marketing_consent\nk-1,k1@example.com,,,,,,yes\nk-2,k2@example,,,,,,yes\n');
    writeFileSync(orders, 'order_id,customer_id,placed_at,total,currency,discount_code,delivered_at,cancelled_at,refunded\nko-1,k-1,2025-01-10T10:00:00Z,20,EUR,,2025-01-12T10:00:00Z,,\n');
    const out = join(dir, 'cli.ndjson');
    const { status, stdout, stderr } = retention('import', '--customers', customers, '--orders', orders, '--format', 'generic', '--out', out);
    expect(status, stderr).toBe(0);
    expect(stdout).toBe('imported 1 customers, 1 orders (3 events); 1 rows skipped\n');
    expect(stderr).toBe(`${customers}:3: email: Invalid email address\n`);
    expect(lines(out)).toHaveLength(3);
  });

  it.each([
    ['an unknown format', ['--customers', customersFile, '--orders', ordersFile, '--format', 'csv'], /--format 'csv'/],
    ['no --orders', ['--customers', customersFile], /--orders FILE is required/],
    ['two destinations', ['--customers', customersFile, '--orders', ordersFile, '--out', 'x.ndjson', '--bus', 'shop-bus'], /--out and --bus/],
  ])('refuses %s with a one-line reason', (_, args, reason) => {
    const { status, stdout, stderr } = retention('import', ...args);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(reason)]);
  });
});
