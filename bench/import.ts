/**
 * Importing a shop's history (issue 12): `retention import` of generic-format
 * CSV exports (local/import.ts) into a local stack started in this process,
 * its events published to the stack's bus over its endpoint (the `local`
 * destination, as against `npm start`), then the bus and queues driven until
 * every event is ingested. Reports wall and CPU time, events a second, DynamoDB
 * calls per event (the document client's meter), and the time 100,000
 * customers with 400,000 orders would take at that rate. A measurement, never
 * a pass/fail test.
 *
 *   npx tsx bench/import.ts [customers...]
 */
import '../local/environment';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../functions/config';
import { wiring } from '../functions/wiring';
import { importHistory } from '../local/import';
import { startLocalStack } from '../local/stack';
import { seededRandom } from '../local/synthetic';

/** The import's time: the orders are of the two years before it. */
const importedAt = new Date('2026-01-01T00:00:00Z');
const day = 86_400_000;
const zones = ['Europe/Paris', 'Europe/London', 'America/New_York', 'Asia/Kuala_Lumpur', 'Asia/Dubai', 'Australia/Sydney'];
const locales = ['en', 'ms', 'ar'];
/** The goal (issue 12): a shop of this size in at most five minutes. */
export const goal = { customers: 100_000, orders: 400_000, minutes: 5 };

export interface ImportRow {
  customers: number;
  orders: number;
  events: number;
  /** Publishing to the bus (reading the CSV files, checking each row, PutEvents), then delivering and ingesting. */
  publishSeconds: number;
  ingestSeconds: number;
  seconds: number;
  cpuSeconds: number;
  callsPerEvent: number;
  /** All the import's DynamoDB calls over its orders: what an order of the history costs, its share of the upserts included. */
  callsPerOrder: number;
  deadLetters: number;
  /** At the measured events a second, for `goal` (the same mix: about four orders a customer). */
  extrapolatedMinutes: number;
}

/** customers.csv and orders.csv (generic format): about 4 orders a customer over the past two years, most delivered, a few cancelled. */
export const writeShopExports = async (dir: string, count: number) => {
  const next = seededRandom(42);
  const customers = ['customer_id,email,first_name,last_name,locale,time_zone,birthday,marketing_consent'];
  const orders = ['order_id,customer_id,placed_at,total,currency,discount_code,delivered_at,cancelled_at,refunded'];
  let orderCount = 0;
  for (let c = 1; c <= count; c++) {
    const id = `c${c}`;
    const month = String(1 + Math.floor(next() * 12)).padStart(2, '0');
    const dayOfMonth = String(1 + Math.floor(next() * 28)).padStart(2, '0');
    const birthday = next() < 0.9 ? `19${60 + Math.floor(next() * 40)}-${month}-${dayOfMonth}` : '';
    customers.push(
      `${id},${id}@example.com,First${c},Last${c},${locales[c % locales.length]},${zones[c % zones.length]},${birthday},${next() < 0.8 ? 'true' : 'false'}`,
    );
    // 1 to 7 orders, 4 on average, placed between two years and a week before the import.
    const n = 1 + Math.floor(next() * 7);
    for (let o = 1; o <= n; o++) {
      const placed = importedAt.getTime() - (7 + next() * 723) * day;
      const roll = next();
      const delivered = roll < 0.9 ? new Date(placed + (1 + next() * 4) * day).toISOString() : '';
      const cancelled = roll >= 0.96 ? new Date(placed + next() * day).toISOString() : '';
      const total = (15 + next() * 185).toFixed(2);
      orders.push(`${id}-o${o},${id},${new Date(placed).toISOString()},${total},EUR,${next() < 0.1 ? 'WELCOME10' : ''},${delivered},${cancelled},`);
      orderCount++;
    }
  }
  const files = { customers: join(dir, 'customers.csv'), orders: join(dir, 'orders.csv') };
  await writeFile(files.customers, `${customers.join('\n')}\n`);
  await writeFile(files.orders, `${orders.join('\n')}\n`);
  return { ...files, orderCount };
};

const queueNames = Object.values(wiring).flatMap((fn) => ('queue' in fn.trigger ? [fn.trigger.queue.name] : []));

export async function measureImport(customers: number): Promise<ImportRow> {
  const dir = await mkdtemp(join(tmpdir(), 'retention-bench-import-'));
  let deadLetters = 0;
  const stack = await startLocalStack({ config: parseConfig({}), start: importedAt, onDeadLetter: () => deadLetters++ });
  try {
    const files = await writeShopExports(dir, customers);
    const calls: Record<string, number> = {};
    stack.meter.calls = calls;
    let skipped = 0;
    const [started, cpu] = [performance.now(), process.cpuUsage()];
    const summary = await importHistory({
      format: 'generic',
      customers: files.customers,
      orders: files.orders,
      to: { kind: 'local', url: stack.endpoints.bus },
      now: importedAt,
      restart: true,
      report: () => skipped++,
    });
    const published = performance.now();
    // What the bus holds is delivered (its rules put it on the queues, whose consumers ingest it), and whatever that
    // publishes in turn, up to a minute past the import.
    await stack.bus.runUntil(new Date(importedAt.getTime() + 60_000));
    const ended = performance.now();
    const { user, system } = process.cpuUsage(cpu);
    if (summary.interrupted || skipped) throw new Error(`the import stopped short (${summary.published} of ${summary.events} events, ${skipped} bad rows)`);
    const left = queueNames.map((name) => [name, stack.sqs.depth(name)] as const).filter(([, d]) => d.visible + d.inFlight + d.delayed > 0);
    if (left.length) throw new Error(`messages left on the queues: ${left.map(([name, d]) => `${name} ${JSON.stringify(d)}`).join(', ')}`);
    const seconds = (ended - started) / 1000;
    const totalCalls = Object.values(calls).reduce((sum, n) => sum + n, 0);
    // A customer's upsert, and each order's events (placed, most delivered, a few cancelled) in the measured mix.
    const goalEvents = goal.customers + goal.orders * ((summary.events - summary.customers) / summary.orders);
    return {
      customers: summary.customers,
      orders: summary.orders,
      events: summary.events,
      publishSeconds: (published - started) / 1000,
      ingestSeconds: (ended - published) / 1000,
      seconds,
      cpuSeconds: (user + system) / 1e6,
      callsPerEvent: totalCalls / summary.events,
      callsPerOrder: totalCalls / summary.orders,
      deadLetters,
      extrapolatedMinutes: (goalEvents / (summary.events / seconds)) / 60,
    };
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const fixed = (value: number, digits = 1) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const importTable = (rows: ImportRow[]) =>
  [
    `| customers | orders | events | publish | deliver and ingest | wall time | CPU time | events/s | DynamoDB calls per event | per order | dead letters | ${goal.customers.toLocaleString('en')} customers, ${goal.orders.toLocaleString('en')} orders at this rate |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.customers.toLocaleString('en')} | ${r.orders.toLocaleString('en')} | ${r.events.toLocaleString('en')} | ${fixed(r.publishSeconds)} s | ${fixed(r.ingestSeconds)} s | ${fixed(r.seconds)} s | ${fixed(r.cpuSeconds)} s | ${fixed(r.events / r.seconds, 0)} | ${fixed(r.callsPerEvent)} | ${fixed(r.callsPerOrder)} | ${r.deadLetters} | ${fixed(r.extrapolatedMinutes, 0)} min |`,
    ),
  ].join('\n');

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv.slice(2).map(Number);
  const rows: ImportRow[] = [];
  for (const size of sizes.length ? sizes : [1000]) rows.push(await measureImport(size));
  console.log(importTable(rows));
}
