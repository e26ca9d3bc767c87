/**
 * `retention import` (docs/design.md §6): a shop's history, read from CSV exports
 * (streamed through csv-parse) and published as the shop's own events
 * (functions/events/shop.ts), each checked by its schema first.
 *
 * Formats (`--format`, default shopify). A file starts with a header row; columns
 * may come in any order and others are ignored; UTF-8 (a BOM is fine), RFC 4180
 * quoting; blank lines and rows of empty cells are skipped.
 *
 * - `shopify`: the admin's exports (Customers → Export, Orders → Export, plain CSV).
 *   customers: `Customer ID`, `Email`, `First Name`, `Last Name`, `Accepts Email
 *   Marketing` (yes/no), `Default Address Country Code` (the time zone, as for
 *   webhooks), and when the export includes those metafields `… (customer.metafields.facts.birth_date)`
 *   (the birthday) and `… (customer.metafields.custom.time_zone)` (a zone that beats the country's).
 *   orders: `Id` (else `Name`) is the order id, as in webhooks; `Email` (the
 *   customer, found by the customer export's `Email`: an order of no customer
 *   there is reported and skipped), `Created at`, `Total`,
 *   `Currency`, `Discount Code`, `Fulfilled at` (taken as delivered: the export
 *   has no delivery time), `Cancelled at`, `Financial Status` (`refunded`,
 *   `partially_refunded`), `Refunded Amount`, `Paid at`. An order has a row per
 *   line item, its own columns on the first row only: the others are skipped.
 *   Times as Shopify writes them, `2024-05-01 10:00:00 +0200`, or ISO-8601.
 * - `generic`:
 *   customers.csv `customer_id,email,first_name,last_name,locale,time_zone,birthday,marketing_consent`:
 *     customer_id and email required; locale a BCP 47 tag (en, ms-MY); time_zone an
 *     IANA name (Europe/Paris); birthday YYYY-MM-DD or --MM-DD; marketing_consent
 *     true/false (yes/no, 1/0; blank: none given).
 *   orders.csv `order_id,customer_id,placed_at,total,currency,discount_code,delivered_at,cancelled_at,refunded`:
 *     order_id, customer_id, placed_at, total and currency required; times ISO-8601
 *     with Z or an offset; total and refunded decimals (19.99) in the order's ISO 4217
 *     currency; refunded: what was paid back, the whole total (the order counts no
 *     more) or part of it.
 *
 * Events, in this order: every order's events by their time (`Order Placed` at
 * placedAt, `Order Delivered`, `Order Refunded` for a partial refund, `Order
 * Cancelled` for a cancellation or a full refund), then every customer's
 * `Customer Upserted` at the import's time. Orders first, on purpose: ingest then
 * stores the history without scheduling anything (no profile yet), and each
 * customer's upsert plans their birthday, winback and survey from the import's
 * time on, so an occasion already past (a winback step due months ago, a survey
 * for last year's order) is never sent. That holds for customers the engine does
 * not have yet: for one it has, ingest plans from each order's own time. A refund
 * has no time in either export: it is dated at the order's latest known time.
 *
 * Resume: the events come in the same order on every run of the same files, so a
 * checkpoint (written after each batch the destination acknowledged) holds how
 * many were published; a run again skips them. A batch published just before an
 * interruption, with its checkpoint not yet written, goes again: the engine counts
 * an order or an upsert once however often it comes. An output file (`--out`) is
 * cut back to the checkpoint's length instead, so it holds each event once.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { parse, type CsvError } from 'csv-parse';
import { z } from 'zod';
import { jitteredBackoff, patientRetries } from '../functions/adapters/retries';
import { isoInstant } from '../functions/events/event';
import { customerUpserted, orderCancelled, orderDelivered, orderPlaced, orderRefunded } from '../functions/events/shop';
import { countryTimeZone } from '../functions/sources/shopify';
import { shopEvent, type ShopEventLine } from '../functions/sources/translation';
import { originResource } from '../functions/customers/story';
import { progressCounter } from './progress';

export type ImportFormat = 'shopify' | 'generic';
export const importFormats: readonly ImportFormat[] = ['shopify', 'generic'];

/** A CSV row by column name. */
export type Row = Readonly<Record<string, string | undefined>>;

export type RowResult =
  /** `lineItem`: a Shopify order's further line item, with no events of its own. */
  | { ok: true; events: ShopEventLine[]; lineItem?: true }
  | { ok: false; field: string; reason: string };

/** What is wrong with a row: its column, and why (never its value: rows hold personal data). */
class Problem {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}
const fail = (field: string, reason: string): never => {
  throw new Problem(field, reason);
};
const attempt = (map: () => Omit<Extract<RowResult, { ok: true }>, 'ok'>): RowResult => {
  try {
    return { ok: true, ...map() };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, field: error.field, reason: error.reason };
    throw error;
  }
};

const cell = (row: Row, column: string | undefined) => (column === undefined ? undefined : row[column]?.trim() || undefined);
const required = <T>(value: T | undefined, column: string): T => value ?? fail(column, 'missing');
/** Shopify writes ids as `'7210448301122` so that spreadsheets keep every digit. */
const idCell = (row: Row, column: string) => cell(row, column)?.replace(/^'/, '') || undefined;
/** A column of an exported metafield, named `<its name> (customer.metafields.<namespace>.<key>)`. */
const metafieldColumn = (row: Row, reference: string) => Object.keys(row).find((column) => column.endsWith(`(customer.metafields.${reference})`));

const shopifyTime = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?) ?([+-]\d{2}):?(\d{2})$/;
/** An instant in UTC, from Shopify's `2024-05-01 10:00:00 +0200` or ISO-8601 with Z or an offset. */
const instantIn = (row: Row, column: string) => {
  const value = cell(row, column);
  if (value === undefined) return undefined;
  const parts = shopifyTime.exec(value);
  const iso = parts ? `${parts[1]}T${parts[2]!.length === 5 ? `${parts[2]}:00` : parts[2]}${parts[3]}:${parts[4]}` : value;
  const time = isoInstant.safeParse(iso).success ? Date.parse(iso) : NaN;
  if (!(time >= 0 && time < Date.UTC(10_000, 0, 1))) fail(column, 'must be a time such as 2024-05-01 10:00:00 +0200 or 2024-05-01T10:00:00+02:00');
  return new Date(time).toISOString();
};
const amountIn = (row: Row, column: string) => {
  const value = cell(row, column);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}(\.\d{1,6})?$/.test(value)) fail(column, 'must be an amount such as 19.99');
  return Number(value);
};
const consentIn = (row: Row, column: string) => {
  const value = cell(row, column)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['yes', 'true', '1'].includes(value)) return true;
  if (['no', 'false', '0'].includes(value)) return false;
  return fail(column, 'must be yes or no');
};

/** The event once our own schema accepts its detail; a refusal names the CSV column (`columns`: our field → theirs). */
const checked = (
  definition: { detailType: string; detail: z.ZodType },
  time: string,
  detail: Record<string, unknown>,
  columns: Record<string, string | undefined>,
): ShopEventLine => {
  const result = definition.detail.safeParse(detail);
  if (result.success) return shopEvent(time, definition.detailType, result.data as Record<string, unknown>);
  const issue = result.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  return fail(columns[field] ?? (field || '(row)'), issue.message);
};

/** The columns each format must have: a file without them is not that export. */
export const requiredColumns = {
  shopify: { customers: ['Customer ID', 'Email'], orders: ['Name', 'Email', 'Created at', 'Total', 'Currency'] },
  generic: { customers: ['customer_id', 'email'], orders: ['order_id', 'customer_id', 'placed_at', 'total', 'currency'] },
} as const;

/** A customer's row as their `Customer Upserted`, at `importedAt` (the exports say nothing of when they changed). */
export const customerRowToEvents = (format: ImportFormat, row: Row, importedAt: string): RowResult =>
  attempt(() => {
    if (format === 'shopify') {
      const birthday = metafieldColumn(row, 'facts.birth_date');
      const timeZone = metafieldColumn(row, 'custom.time_zone');
      const columns = {
        customerId: 'Customer ID',
        email: 'Email',
        firstName: 'First Name',
        lastName: 'Last Name',
        marketingConsent: 'Accepts Email Marketing',
        birthday,
        timeZone: timeZone ?? 'Default Address Country Code',
      };
      const detail = {
        customerId: required(idCell(row, 'Customer ID'), 'Customer ID'),
        email: required(cell(row, 'Email'), 'Email'),
        firstName: cell(row, 'First Name'),
        lastName: cell(row, 'Last Name'),
        // Their own zone wins; else their country's, as for webhooks (none for a country with no one zone to pick).
        timeZone: cell(row, timeZone) ?? countryTimeZone(cell(row, 'Default Address Country Code')?.toUpperCase()),
        birthday: cell(row, birthday),
        marketingConsent: consentIn(row, 'Accepts Email Marketing'),
      };
      return { events: [checked(customerUpserted, importedAt, detail, columns)] };
    }
    const columns = {
      customerId: 'customer_id',
      email: 'email',
      firstName: 'first_name',
      lastName: 'last_name',
      locale: 'locale',
      timeZone: 'time_zone',
      birthday: 'birthday',
      marketingConsent: 'marketing_consent',
    };
    const detail = {
      customerId: required(cell(row, 'customer_id'), 'customer_id'),
      email: required(cell(row, 'email'), 'email'),
      firstName: cell(row, 'first_name'),
      lastName: cell(row, 'last_name'),
      locale: cell(row, 'locale'),
      timeZone: cell(row, 'time_zone'),
      birthday: cell(row, 'birthday'),
      marketingConsent: consentIn(row, 'marketing_consent'),
    };
    return { events: [checked(customerUpserted, importedAt, detail, columns)] };
  });

interface OrderFacts {
  orderId: string;
  customerId: string;
  placedAt: string;
  total: number;
  currency: string | undefined;
  discountCode: string | undefined;
  deliveredAt: string | undefined;
  cancelledAt: string | undefined;
  /** Paid back in full (the order counts no more), or in part. */
  refund?: { full: boolean; amount: number | undefined };
  /** What the export knows of when things happened, for a refund's time. */
  latestAt: string;
}

/** An order's events, from its facts; `columns` names the CSV column of each field for refusals. */
const orderEvents = (order: OrderFacts, columns: Record<string, string>) => {
  const { orderId, customerId } = order;
  for (const field of ['deliveredAt', 'cancelledAt'] as const) {
    if (order[field] !== undefined && order[field] < order.placedAt) fail(columns[field]!, 'must not be before the order was placed');
  }
  const events = [
    checked(
      orderPlaced,
      order.placedAt,
      { orderId, customerId, placedAt: order.placedAt, total: order.total, currency: order.currency, discountCode: order.discountCode },
      columns,
    ),
  ];
  if (order.deliveredAt) events.push(checked(orderDelivered, order.deliveredAt, { orderId, customerId, deliveredAt: order.deliveredAt }, columns));
  const { refund } = order;
  if (order.cancelledAt || refund?.full) {
    const cancelledAt = order.cancelledAt ?? order.latestAt;
    events.push(checked(orderCancelled, cancelledAt, { orderId, customerId, cancelledAt, refunded: refund?.amount || undefined }, columns));
  } else if (refund) {
    // One refund per order in an export: its id is the order's, so importing again counts it once.
    const amount = refund.amount || fail(columns.refunded!, 'must be an amount above 0 for a partial refund');
    events.push(checked(orderRefunded, order.latestAt, { orderId, customerId, refundId: `${orderId}-refund`, refundedAt: order.latestAt, amount }, columns));
  }
  return events;
};

const latest = (...times: (string | undefined)[]) => times.filter((time) => time !== undefined).sort().at(-1)!;

/** Columns that only an order's first row fills in: a row with none of them is a further line item. */
const shopifyOrderColumns = ['Email', 'Financial Status', 'Created at', 'Total', 'Currency'];

/**
 * An order's row as its events, or a reason. Shopify's orders name their customer
 * by email only: `customerIdByEmail` (lower-cased emails) comes from the customer export.
 */
export const orderRowToEvents = (format: ImportFormat, row: Row, customerIdByEmail: ReadonlyMap<string, string>): RowResult =>
  attempt(() => {
    if (format === 'shopify') {
      if (!shopifyOrderColumns.some((column) => cell(row, column))) return { events: [], lineItem: true };
      const idColumn = idCell(row, 'Id') ? 'Id' : 'Name';
      const email = required(cell(row, 'Email'), 'Email');
      const customerId = customerIdByEmail.get(email.toLowerCase()) ?? fail('Email', 'matches no customer of the customer export');
      const placedAt = required(instantIn(row, 'Created at'), 'Created at');
      const total = required(amountIn(row, 'Total'), 'Total');
      const deliveredAt = instantIn(row, 'Fulfilled at');
      const status = cell(row, 'Financial Status')?.toLowerCase();
      const refunded = amountIn(row, 'Refunded Amount');
      const refund =
        status === 'refunded' ? { full: true, amount: refunded ?? total } : status === 'partially_refunded' ? { full: false, amount: refunded } : undefined;
      const order: OrderFacts = {
        orderId: required(idCell(row, idColumn), idColumn),
        customerId,
        placedAt,
        total,
        currency: cell(row, 'Currency'),
        // Shopify lists every code applied, comma-separated: the first is the one a campaign's would be.
        discountCode: cell(row, 'Discount Code')?.split(',')[0]?.trim() || undefined,
        deliveredAt,
        cancelledAt: instantIn(row, 'Cancelled at'),
        refund,
        latestAt: latest(placedAt, deliveredAt, instantIn(row, 'Paid at')),
      };
      return {
        events: orderEvents(order, {
          orderId: idColumn,
          customerId: 'Email',
          placedAt: 'Created at',
          total: 'Total',
          currency: 'Currency',
          discountCode: 'Discount Code',
          deliveredAt: 'Fulfilled at',
          cancelledAt: 'Cancelled at',
          refunded: 'Refunded Amount',
          amount: 'Refunded Amount',
          refundId: idColumn,
          refundedAt: 'Created at',
        }),
      };
    }
    const placedAt = required(instantIn(row, 'placed_at'), 'placed_at');
    const total = required(amountIn(row, 'total'), 'total');
    const deliveredAt = instantIn(row, 'delivered_at');
    const refunded = amountIn(row, 'refunded');
    const order: OrderFacts = {
      orderId: required(cell(row, 'order_id'), 'order_id'),
      customerId: required(cell(row, 'customer_id'), 'customer_id'),
      placedAt,
      total,
      currency: cell(row, 'currency'),
      discountCode: cell(row, 'discount_code'),
      deliveredAt,
      cancelledAt: instantIn(row, 'cancelled_at'),
      refund: refunded ? { full: refunded >= total, amount: refunded } : undefined,
      latestAt: latest(placedAt, deliveredAt),
    };
    return {
      events: orderEvents(order, {
        orderId: 'order_id',
        customerId: 'customer_id',
        placedAt: 'placed_at',
        total: 'total',
        currency: 'currency',
        discountCode: 'discount_code',
        deliveredAt: 'delivered_at',
        cancelledAt: 'cancelled_at',
        refunded: 'refunded',
        amount: 'refunded',
        refundId: 'order_id',
        refundedAt: 'placed_at',
      }),
    };
  });

/** A problem that stops the import before anything is published: bad files or a checkpoint that does not fit. */
export class ImportError extends Error {}

/** What csv-parse found wrong with a row, in words that quote nothing of it. */
const csvReason = (error: CsvError) =>
  ({
    CSV_RECORD_INCONSISTENT_COLUMNS: 'has not as many fields as the header',
    CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
    CSV_INVALID_CLOSING_QUOTE: 'a quote inside a quoted field is not doubled',
  })[error.code as string] ?? `is not valid CSV (${error.code})`;

/**
 * The rows of a CSV file with their line numbers, streamed. A row that is not
 * valid CSV goes to `bad` and the reading goes on.
 */
async function* readCsv(file: string, required: readonly string[], bad: (line: number, field: string, reason: string) => void) {
  let header: string[] | undefined;
  const checkHeader = () => {
    if (!header) throw new ImportError(`${file}: no header row`);
    const missing = required.find((column) => !header!.includes(column));
    if (missing) throw new ImportError(`${file}: no column '${missing}' (is it the right export, and the right --format?)`);
  };
  const source = createReadStream(file);
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    columns: (names: string[]) => (header = names.map((name) => name.trim())),
    on_skip: (error) => {
      if (error) bad(Number(error.lines), '(row)', csvReason(error));
    },
  });
  source.on('error', (error) => parser.destroy(error));
  // csv-parse counts a CRLF inside a quoted field as two lines: corrected here.
  let crlfInFields = 0;
  let checked = false;
  try {
    for await (const { record, info } of source.pipe(parser) as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!checked) checkHeader();
      checked = true;
      const values = Object.values(record);
      crlfInFields += values.reduce((n, value) => n + (value.match(/\r\n/g)?.length ?? 0), 0);
      const breaks = values.reduce((n, value) => n + (value.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
      yield { row: record as Row, line: info.lines - crlfInFields - breaks };
    }
    if (!checked) checkHeader();
  } finally {
    source.destroy();
  }
}

/** EventBridge's PutEvents limits: 10 entries and 256 KB a call, an entry's size counted as AWS documents. */
export const putEventsMaxEntries = 10;
export const putEventsMaxBytes = 256 * 1024;
export const putEventsEntrySize = (event: ShopEventLine) =>
  14 + Buffer.byteLength(event.source) + Buffer.byteLength(event['detail-type']) + Buffer.byteLength(JSON.stringify(event.detail));

const toEntry = (busName: string, event: ShopEventLine): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: event.source,
  DetailType: event['detail-type'],
  Detail: JSON.stringify(event.detail),
  Time: new Date(event.time),
  Resources: [originResource('import')],
});

/** Entry errors worth another try: the rest (a denied bus, a malformed entry) will fail again. */
const retryableEntryError = (code: string) => /throttl|internal/i.test(code);

/**
 * One PutEvents batch, its throttled or failed entries sent again with backoff
 * (a throttled call as a whole is the SDK's to retry); throws when an entry is
 * refused for good or still fails after `maxAttempts`.
 */
export const putEventsWithBackoff = async (
  client: Pick<EventBridgeClient, 'send'>,
  busName: string,
  events: ShopEventLine[],
  { maxAttempts = 10, backoff = jitteredBackoff, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)) } = {},
) => {
  let pending = events.map((event) => toEntry(busName, event));
  for (let attempt = 1; ; attempt++) {
    const { FailedEntryCount, Entries = [] } = await client.send(new PutEventsCommand({ Entries: pending }));
    if (!FailedEntryCount) return;
    // Entries answer in the order sent.
    const failed = pending.filter((_, i) => Entries[i]?.ErrorCode);
    const codes = Entries.flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : []));
    const refused = codes.find((code) => !retryableEntryError(code));
    if (refused) throw new Error(`PutEvents refused an event: ${refused}`);
    if (attempt >= maxAttempts) throw new Error(`PutEvents: ${failed.length} event(s) still failing after ${maxAttempts} attempts (${codes[0]})`);
    await sleep(backoff(attempt));
    pending = failed;
  }
};

export type Destination =
  /** NDJSON, as `retention simulate --input` reads it. */
  | { kind: 'file'; path: string }
  /** The bus of a running `npm start`. */
  | { kind: 'local'; url: string }
  | { kind: 'aws'; busName: string; client?: Pick<EventBridgeClient, 'send'>; sleep?: (ms: number) => Promise<unknown> };

interface Sink {
  maxEntries: number;
  maxBytes: number;
  /** Resolves once the destination has the batch. */
  send(batch: ShopEventLine[]): Promise<void>;
  /** What the checkpoint needs to resume there (the output file's length). */
  position(): { outBytes?: number };
  close(): Promise<void>;
}

const openSink = async (destination: Destination, outBytes: number | undefined): Promise<Sink> => {
  switch (destination.kind) {
    case 'file': {
      // Resuming: back to the checkpoint's length, dropping what an interruption left after it.
      const handle = await open(destination.path, outBytes === undefined ? 'w' : 'r+').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' && outBytes !== undefined) throw new ImportError(`${destination.path}: the output of the interrupted import is gone; --restart starts over`);
        throw error;
      });
      let bytes = outBytes ?? 0;
      await handle.truncate(bytes);
      return {
        maxEntries: 256,
        maxBytes: Infinity,
        async send(batch) {
          const text = Buffer.from(batch.map((event) => `${JSON.stringify(event)}\n`).join(''));
          await handle.write(text, 0, text.length, bytes);
          // On disk before the checkpoint says so.
          await handle.datasync();
          bytes += text.length;
        },
        position: () => ({ outBytes: bytes }),
        close: () => handle.close(),
      };
    }
    case 'local': {
      const { publish } = await import('./publish');
      return {
        maxEntries: putEventsMaxEntries,
        maxBytes: putEventsMaxBytes,
        async send(batch) {
          const { failed } = await publish(batch.map((event) => ({ ...event, resources: [originResource('import')] })), destination.url).catch((error: Error) => {
            throw new Error(`cannot publish to ${destination.url} (is \`npm start\` running?): ${error.message}`);
          });
          if (failed.length) throw new Error(`the bus refused ${failed.length} event(s): ${failed[0]}`);
        },
        position: () => ({}),
        close: async () => undefined,
      };
    }
    case 'aws': {
      const client = destination.client ?? new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({ retryStrategy: patientRetries(10) });
      return {
        maxEntries: putEventsMaxEntries,
        maxBytes: putEventsMaxBytes,
        send: (batch) => putEventsWithBackoff(client, destination.busName, batch, destination.sleep && { sleep: destination.sleep }),
        position: () => ({}),
        close: async () => {
          if (!destination.client) (client as EventBridgeClient).destroy();
        },
      };
    }
  }
};

const destinationKey = (destination: Destination) =>
  destination.kind === 'file' ? `file:${resolve(destination.path)}` : destination.kind === 'local' ? `local:${destination.url}` : `aws:${destination.busName}`;

interface Checkpoint {
  version: 1;
  /** The files (path, size, time modified) and format: a resume must read the same events. */
  inputs: string;
  destination: string;
  /** The customers' upserts are at this time: the same on every run of one import. */
  importedAt: string;
  published: number;
  outBytes?: number;
}

const readCheckpoint = async (path: string): Promise<Checkpoint | undefined> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    const checkpoint = JSON.parse(text) as Checkpoint;
    if (checkpoint.version === 1 && Number.isInteger(checkpoint.published) && typeof checkpoint.importedAt === 'string') return checkpoint;
  } catch {
    // Reported below.
  }
  throw new ImportError(`${path}: not a checkpoint of \`retention import\`; --restart starts over`);
};

/** Replaced whole (a rename), so an interruption leaves the old checkpoint or the new, never half of one. */
const writeCheckpoint = async (path: string, checkpoint: Checkpoint) => {
  await writeFile(`${path}.tmp`, `${JSON.stringify(checkpoint)}\n`);
  await rename(`${path}.tmp`, path);
};

export interface ImportOptions {
  format: ImportFormat;
  customers: string;
  orders: string;
  to: Destination;
  /** Default: `<customers>.import-checkpoint.json`. */
  checkpoint?: string;
  /** Ignore a checkpoint: publish everything again. */
  restart?: boolean;
  /** The import's time (the customers' upserts); now by default. */
  now?: Date;
  /** Stops after the batch under way (its checkpoint written). */
  signal?: AbortSignal;
  /** Each bad row, as `FILE:LINE: field: reason`. Default: stderr. */
  report?: (line: string) => void;
  /** A terminal to show progress on. */
  progress?: NodeJS.WriteStream;
  /** After each acknowledged batch. */
  onBatch?: (published: number, total: number) => void;
}

export interface ImportSummary {
  customers: number;
  orders: number;
  /** Events of the whole import (the same on every run of the same files). */
  events: number;
  skippedRows: number;
  /** Events already published by an interrupted run, skipped by this one. */
  resumedFrom: number;
  /** Events published in all, this run and the interrupted ones before it. */
  published: number;
  interrupted: boolean;
  checkpoint: string;
}

const fingerprint = async ({ format, customers, orders }: ImportOptions) => {
  const files = await Promise.all(
    [customers, orders].map(async (file) => {
      const { size, mtimeMs } = await stat(file);
      return [resolve(file), size, mtimeMs];
    }),
  );
  return createHash('sha256').update(JSON.stringify([format, files])).digest('hex');
};

const rank: Record<string, number> = { [orderPlaced.detailType]: 0, [orderDelivered.detailType]: 1, [orderRefunded.detailType]: 2, [orderCancelled.detailType]: 3 };

export const importHistory = async (options: ImportOptions): Promise<ImportSummary> => {
  const { format } = options;
  const report = options.report ?? ((line: string) => console.error(line));
  const checkpointPath = options.checkpoint ?? `${options.customers}.import-checkpoint.json`;
  const inputs = await fingerprint(options);
  const destination = destinationKey(options.to);
  const saved = options.restart ? undefined : await readCheckpoint(checkpointPath);
  if (saved && (saved.inputs !== inputs || saved.destination !== destination)) {
    throw new ImportError(`${checkpointPath}: left by an import of other (or changed) files or to another destination; --restart starts this one over`);
  }
  const importedAt = saved?.importedAt ?? (options.now ?? new Date()).toISOString();

  let skippedRows = 0;
  const badRow = (file: string) => (line: number, field: string, reason: string) => {
    skippedRows++;
    report(`${file}:${line}: ${field}: ${reason}`);
  };

  // The customers first, for the orders' customer by email; their events are read again at the end.
  const customerIdByEmail = new Map<string, string>();
  let customers = 0;
  const badCustomer = badRow(options.customers);
  for await (const { row, line } of readCsv(options.customers, requiredColumns[format].customers, badCustomer)) {
    const result = customerRowToEvents(format, row, importedAt);
    if (!result.ok) {
      badCustomer(line, result.field, result.reason);
      continue;
    }
    customers++;
    const { customerId, email } = result.events[0]!.detail as { customerId: string; email: string };
    // Shopify keeps emails unique; should a file not, its orders go to the first.
    if (!customerIdByEmail.has(email.toLowerCase())) customerIdByEmail.set(email.toLowerCase(), customerId);
  }

  // The orders, held to be put in time order (an export lists the newest first).
  const orderEvents: { event: ShopEventLine; time: number; rank: number; seq: number }[] = [];
  let orders = 0;
  let orderName: string | undefined;
  const badOrder = badRow(options.orders);
  for await (const { row, line } of readCsv(options.orders, requiredColumns[format].orders, badOrder)) {
    const name = format === 'shopify' ? cell(row, 'Name') : undefined;
    // A further row of the order above (some exports repeat its columns there too).
    if (name !== undefined && name === orderName) continue;
    const result = orderRowToEvents(format, row, customerIdByEmail);
    if (result.ok && result.lineItem) {
      badOrder(line, 'Name', 'a line item of no order row above it');
      continue;
    }
    orderName = name;
    if (!result.ok) {
      badOrder(line, result.field, result.reason);
      continue;
    }
    orders++;
    for (const event of result.events) orderEvents.push({ event, time: Date.parse(event.time), rank: rank[event['detail-type']]!, seq: orderEvents.length });
  }
  orderEvents.sort((a, b) => a.time - b.time || a.rank - b.rank || a.seq - b.seq);
  const total = orderEvents.length + customers;

  async function* events() {
    for (const { event } of orderEvents) yield event;
    // Their bad rows were reported in the first reading.
    for await (const { row } of readCsv(options.customers, requiredColumns[format].customers, () => undefined)) {
      const result = customerRowToEvents(format, row, importedAt);
      if (result.ok) yield result.events[0]!;
    }
  }

  const resumedFrom = Math.min(saved?.published ?? 0, total);
  let published = resumedFrom;
  const sink = await openSink(options.to, saved?.outBytes);
  const started = Date.now();
  let lastDraw = 0;
  const drawProgress = () => {
    const stream = options.progress;
    const now = Date.now();
    if (!stream?.isTTY || !total || (now - lastDraw < 100 && published < total)) return;
    lastDraw = now;
    const rate = Math.round((published - resumedFrom) / Math.max((now - started) / 1000, 0.001));
    progressCounter(stream, total, `importing (${rate.toLocaleString('en')} events/s)`)(published);
  };
  let batch: ShopEventLine[] = [];
  let batchBytes = 0;
  const flush = async () => {
    await sink.send(batch);
    published += batch.length;
    batch = [];
    batchBytes = 0;
    await writeCheckpoint(checkpointPath, { version: 1, inputs, destination, importedAt, published, ...sink.position() });
    drawProgress();
    options.onBatch?.(published, total);
  };
  try {
    let index = 0;
    for await (const event of events()) {
      if (index++ < resumedFrom) continue;
      if (options.signal?.aborted) break;
      const size = putEventsEntrySize(event);
      if (batch.length === sink.maxEntries || (batch.length && batchBytes + size > sink.maxBytes)) {
        await flush();
        if (options.signal?.aborted) break;
      }
      batch.push(event);
      batchBytes += size;
    }
    if (batch.length && !options.signal?.aborted) await flush();
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new Error(`${(error as Error).message}; ${published} of ${total} events were published, and the same command goes on from there`, { cause: error });
  } finally {
    await sink.close();
    // The progress line ends before what is said next, when the import stopped short of its end.
    if (lastDraw && published < total) options.progress?.write('\n');
  }
  const interrupted = published < total;
  // Done: a later import of the same files is a new one.
  if (!interrupted) await rm(checkpointPath, { force: true });
  return { customers, orders, events: total, skippedRows, resumedFrom, published, interrupted, checkpoint: checkpointPath };
};
