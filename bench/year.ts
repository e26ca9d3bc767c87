/**
 * A simulated year of a shop, as a shop runs `retention simulate` before going
 * live: N customers in en/ms/ar across 16 time zones, each with a year of
 * orders (their own rhythm, runs and pauses), most of them delivered one to
 * five days later, and some survey answers. Each size runs the real CLI in a
 * fresh process; wall time and peak memory (the process's maximum resident
 * set) are measured from outside.
 *
 *   npx tsx bench/year.ts 1000            # one size, prints its row
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { seededRandom, syntheticCustomers, syntheticOrders } from '../local/synthetic';

export const year = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
const day = 86_400_000;

/** The simulation's input lines, deterministic for a size. */
export const yearInput = (count: number) => {
  const from = new Date(year.from);
  const to = new Date(year.to);
  const customers = syntheticCustomers({ count, time: from, seed: 42 });
  const orders = syntheticOrders({ customerIds: customers.map((c) => c.detail.customerId), from, to, seed: 43 });
  const next = seededRandom(44);
  const lines: object[] = [...customers];
  const lastAnswer = new Map<string, number>();
  for (const order of orders) {
    lines.push(order);
    // Nine orders in ten are reported delivered, one to five days later.
    if (next() < 0.1) continue;
    const deliveredAt = Date.parse(order.time) + (1 + Math.floor(next() * 5)) * day;
    if (deliveredAt >= to.getTime()) continue;
    const { orderId, customerId } = order.detail as { orderId: string; customerId: string };
    lines.push({ time: new Date(deliveredAt).toISOString(), source: 'shop', 'detail-type': 'Order Delivered', detail: { orderId, customerId, deliveredAt: new Date(deliveredAt).toISOString() } });
    // A third answer the survey that comes a week after the delivery, at most once a season.
    const answerAt = deliveredAt + 9 * day;
    if (answerAt < to.getTime() && answerAt - (lastAnswer.get(customerId) ?? -Infinity) > 100 * day && next() < 0.33) {
      lastAnswer.set(customerId, answerAt);
      lines.push({ time: new Date(answerAt).toISOString(), recipient: { customerId, action: 'nps-score', score: Math.floor(next() * 11) } });
    }
  }
  return { lines, customers: customers.length, orders: orders.length };
};

/** Writes the input of `count` customers as NDJSON; returns its counts. */
export const writeYearInput = async (file: string, count: number) => {
  const input = yearInput(count);
  await writeFile(file, input.lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return input;
};

export interface YearRow {
  customers: number;
  orders: number;
  lines: number;
  emails: number;
  deadLetters: number;
  seconds: number;
  peakMb: number;
}

const bin = fileURLToPath(new URL('../bin/retention.js', import.meta.url));

/** Runs `retention simulate` over a year of `count` customers in a fresh process, under GNU time. */
export const measureYear = async (count: number): Promise<YearRow> => {
  const dir = await mkdtemp(join(tmpdir(), 'retention-year-'));
  try {
    const input = join(dir, 'input.ndjson');
    const { lines, orders } = await writeYearInput(input, count);
    const out = join(dir, 'out');
    const { stderr } = await promisify(execFile)(
      '/usr/bin/time',
      ['-f', 'time %e s %M KB', process.execPath, bin, 'simulate', '--input', input, '--from', year.from, '--to', year.to, '--out', out],
      { maxBuffer: 64 * 2 ** 20 },
    );
    const [, seconds, kb] = /time ([\d.]+) s (\d+) KB/.exec(stderr) ?? [];
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { emails: { total: number }; deadLetters: number };
    return { customers: count, orders, lines: lines.length, emails: summary.emails.total, deadLetters: summary.deadLetters, seconds: Number(seconds), peakMb: Number(kb) / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export const yearTable = (rows: YearRow[]) =>
  [
    '| customers | orders | input lines | emails | dead letters | wall time | per 1,000 customers | peak memory |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.customers.toLocaleString('en')} | ${r.orders.toLocaleString('en')} | ${r.lines.toLocaleString('en')} | ${r.emails.toLocaleString('en')} | ${r.deadLetters} | ${r.seconds.toFixed(1)} s | ${((r.seconds / r.customers) * 1000).toFixed(1)} s | ${r.peakMb.toFixed(0)} MB |`,
    ),
  ].join('\n');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = (process.argv[2] ?? '1000').split(',').map(Number);
  const rows: YearRow[] = [];
  for (const size of sizes) rows.push(await measureYear(size));
  console.log(yearTable(rows));
}
