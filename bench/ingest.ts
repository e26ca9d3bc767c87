/**
 * Ingest, one event at a time (issue 12): the shop's events through the real
 * ingest function of the local stack, each awaited before the next, as a
 * queue with one consumer delivers them. Reports events a second and
 * DynamoDB calls per event type (the document client's meter), and the time
 * of one order against the customer's number of prior orders, which must not
 * grow with it. A measurement, never a pass/fail test.
 *
 *   npx tsx bench/ingest.ts
 *   node --cpu-prof --import tsx bench/ingest.ts    # where the time goes
 */
import '../local/environment';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../functions/config';
import { toBusEvent } from '../local/event-bus';
import { startLocalStack, type LocalStack } from '../local/stack';
import { seededRandom } from '../local/synthetic';
import type { ShopEvent } from './load';
import { yearInput } from './year';

const from = new Date('2026-01-01T00:00:00Z');
const day = 86_400_000;
/** Prior orders of the customers whose next orders are timed. */
const historyLengths = [1, 10, 50, 200];
/** A history page's worth: each mean includes the order that opens a page, which reads the pages before (docs/design.md §3). */
const timedOrders = 32;
const customersPerLength = 6;

interface Sample {
  type: string;
  /** Wall time, and this process's CPU time (the whole local stack runs in it): the latter barely moves when other work shares the machine. */
  ms: number;
  cpuMs: number;
  calls: Record<string, number>;
  /** Write units, as DynamoDB (dynalite) reported them: they grow with the size of the items rewritten. */
  writeUnits: number;
}

const fixed = (value: number, digits = 1) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, n) => sum + n, 0);

/** A realistic stream: the shop events of bench/year.ts's year (customers, their orders, most delivered), in time order. */
const shopStream = (customers: number): ShopEvent[] =>
  (yearInput(customers).lines.filter((line) => 'source' in line) as ShopEvent[]).sort((a, b) => a.time.localeCompare(b.time));

/** A customer with a steady rhythm of orders, about weekly. */
const steadyCustomer = (customerId: string, orders: number): ShopEvent[] => {
  const next = seededRandom(orders * 100 + customerId.length);
  const upsert = { time: from.toISOString(), source: 'shop', 'detail-type': 'Customer Upserted', detail: { customerId, email: `${customerId}@example.com`, locale: 'en', marketingConsent: true } };
  let at = from.getTime();
  return [
    upsert,
    ...Array.from({ length: orders }, (_, i) => {
      at += (5 + next() * 4) * day;
      const placedAt = new Date(at).toISOString();
      return { time: placedAt, source: 'shop', 'detail-type': 'Order Placed', detail: { orderId: `${customerId}-o${i + 1}`, customerId, placedAt, total: Math.round((15 + next() * 185) * 100) / 100, currency: 'EUR' } };
    }),
  ];
};

/** Points in the bench's currency and two tiers within reach of a weekly customer. */
const withLoyalty = parseConfig({
  loyalty: {
    pointsPerUnit: { EUR: 1 },
    tiers: [
      { name: 'Silver', spend: { EUR: 1000 } },
      { name: 'Gold', spend: { EUR: 4000 } },
    ],
  },
});

/**
 * One more order's cost by the customer's prior orders. Every customer's prior orders first; then the timed orders in
 * rounds, one of each customer a round, so that whatever else changes during the run (the table's size, the heap, the
 * machine's load) falls on all lengths alike.
 */
const orderCostByHistory = async (stack: LocalStack) => {
  const customers = historyLengths.flatMap((length) =>
    Array.from({ length: customersPerLength }, (_, k) => ({ length, events: steadyCustomer(`steady-${length}-${k}`, length + timedOrders) })),
  );
  for (const { length, events } of customers) for (const event of events.slice(0, length + 1)) await ingestOne(stack, event);
  const timed = new Map(historyLengths.map((length) => [length, [] as Sample[]]));
  for (let round = 0; round < timedOrders; round++) {
    for (const { length, events } of customers) timed.get(length)!.push(await ingestOne(stack, events[length + 1 + round]!));
  }
  return historyLengths.map((length) => {
    const { ms, cpuMs, writeUnits, count, callsPerEvent } = summarise(timed.get(length)!);
    return { length, ms: ms / count, cpuMs: cpuMs / count, calls: callsPerEvent, writeUnits: writeUnits / count };
  });
};

const ingestOne = async (stack: LocalStack, event: ShopEvent): Promise<Sample> => {
  const calls: Record<string, number> = {};
  stack.meter.calls = calls;
  const time = new Date(event.time);
  const [started, cpu, units] = [performance.now(), process.cpuUsage(), stack.meter.writeUnits];
  await stack.invoke('ingest', toBusEvent({ source: event.source, detailType: event['detail-type'], detail: event.detail, time }, time));
  const { user, system } = process.cpuUsage(cpu);
  return { type: event['detail-type'], ms: performance.now() - started, cpuMs: (user + system) / 1000, calls, writeUnits: stack.meter.writeUnits - units };
};

const summarise = (samples: Sample[]) => {
  const ms = samples.reduce((sum, s) => sum + s.ms, 0);
  const cpuMs = samples.reduce((sum, s) => sum + s.cpuMs, 0);
  const writeUnits = samples.reduce((sum, s) => sum + s.writeUnits, 0);
  const calls: Record<string, number> = {};
  for (const sample of samples) for (const [command, n] of Object.entries(sample.calls)) calls[command] = (calls[command] ?? 0) + n;
  return { count: samples.length, ms, cpuMs, writeUnits, perSecond: (samples.length / ms) * 1000, callsPerEvent: total(calls) / samples.length, calls };
};

const byCommand = (calls: Record<string, number>, count: number) =>
  Object.entries(calls)
    .sort(([, a], [, b]) => b - a)
    .map(([command, n]) => `${command.replace(/Command$/, '')} ${fixed(n / count)}`)
    .join(', ');

export async function measureIngest(): Promise<string> {
  const stack = await startLocalStack({ config: parseConfig({}), start: from });
  try {
    // Warm-up (the handler's first calls compile it), not counted.
    for (const event of shopStream(20).map((e) => ({ ...e, detail: { ...e.detail, customerId: `warm-${e.detail.customerId}` } }))) await ingestOne(stack, event);

    const stream = shopStream(150);
    const samples: Sample[] = [];
    for (const event of stream) samples.push(await ingestOne(stack, event));
    const types = ['Customer Upserted', 'Order Placed', 'Order Delivered'];
    const rows = [...types.map((type) => [type, summarise(samples.filter((s) => s.type === type))] as const), ['all', summarise(samples)] as const];

    const history = await orderCostByHistory(stack);
    await stack.bus.flush();
    const loyaltyStack = await startLocalStack({ config: withLoyalty, start: from });
    const withPoints = await orderCostByHistory(loyaltyStack).finally(() => loyaltyStack.close());

    return [
      '## Ingest, one event at a time',
      '',
      `Each event through the real ingest function of the local stack (\`stack.invoke('ingest', …)\`: the handler, its SQS batch of one, ` +
        `the SDK, dynalite), awaited before the next, as one queue consumer delivers them. ${rows[3]![1].count.toLocaleString('en')} events of 150 ` +
        'synthetic customers over a year (the shop events of bench/year.ts: their upserts, orders, and nine in ten of those delivered one to five days later), in time order, ' +
        `after a warm-up. DynamoDB calls counted by the document client's meter (\`functions/adapters/dynamodb/client.ts\`); CPU is this ` +
        'process\'s, which runs the whole local stack (it moves less than wall time when the machine is shared); write units as dynalite ' +
        'reports them (1 KB of item a unit). `npx tsx bench/ingest.ts`.',
      '',
      '| event | events | events/s | ms per event | CPU ms per event | DynamoDB calls per event | by command |',
      '|---|---:|---:|---:|---:|---:|---|',
      ...rows.map(
        ([type, r]) =>
          `| ${type} | ${r.count.toLocaleString('en')} | ${fixed(r.perSecond, 0)} | ${fixed(r.ms / r.count, 2)} | ${fixed(r.cpuMs / r.count, 2)} | ${fixed(r.callsPerEvent)} | ${byCommand(r.calls, r.count)} |`,
      ),
      '',
      `One more order of a customer with a steady weekly rhythm, by the orders they already had (the mean of the next ${timedOrders} orders of each of ${customersPerLength} customers, in rounds of one order of each; a history page's worth, so each mean includes the one order that opens a page and reads the pages before), with the default configuration, and with the loyalty programme on (points on every order, two tiers: \`withLoyalty\` in bench/ingest.ts) in a stack of its own:`,
      '',
      '| prior orders | ms per order | CPU ms per order | DynamoDB calls per order | write units per order | with loyalty: ms | CPU ms | calls | write units |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...history.map((h, i) => {
        const l = withPoints[i]!;
        return `| ${h.length} | ${fixed(h.ms, 2)} | ${fixed(h.cpuMs, 2)} | ${fixed(h.calls)} | ${fixed(h.writeUnits)} | ${fixed(l.ms, 2)} | ${fixed(l.cpuMs, 2)} | ${fixed(l.calls)} | ${fixed(l.writeUnits)} |`;
      }),
      '',
    ].join('\n');
  } finally {
    await stack.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await measureIngest());
