/**
 * `npm run bench -- --capacity`: DynamoDB's load per partition, and the send
 * queue, at 10 million customers (docs/design.md §8: no partition, table or index,
 * takes more than 1,000 writes or 3,000 reads a second; hot keys are sharded).
 *
 * Runs a sample of N synthetic customers through the real stack: their year of
 * orders imported through the ingest function two weeks before the measured
 * days, then two weeks of live orders and deliveries on the bus (so surveys
 * come due), then the measured days: every hourly sweep, the send queue and
 * its sender, SES's events, survey answers through the links server, profile
 * updates, live orders and, on the first day, a flash sale (an ingest burst).
 * Every DynamoDB request of the measured days is metered per partition (table
 * or index, partition key value) and per second of the stack's clock
 * (./partition-meter.ts), then extrapolated to 10 million customers (the model
 * is written out in BENCHMARKS.md). Writes its section of BENCHMARKS.md.
 * A measurement, never a pass/fail test.
 *
 *   npm run bench -- --capacity                      # 1,000 customers, 7 measured days
 *   npm run bench -- --capacity --customers 5000     # a bigger sample, slower
 *   npm run bench -- --capacity --customers 300 --days 1 --dry-run
 */
import '../local/environment';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem, type } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexShards, tableSchema } from '../functions/adapters/dynamodb/table';
import { parseConfig } from '../functions/config';
import { emailSent } from '../functions/events/retention';
import { wiring, type FunctionName } from '../functions/wiring';
import { localCredentials, localRegion } from '../local/dynamodb';
import type { BusEvent } from '../local/event-bus';
import { progressBar } from '../local/progress';
import { loadThroughIngest, type ShopEvent } from './load';
import { startLocalStack, type LocalStack } from '../local/stack';
import { syntheticCustomers, syntheticOrders } from '../local/synthetic';
import { invocationContext, partitionMeter, type MeterRecord } from './partition-meter';

const { values } = parseArgs({
  options: {
    capacity: { type: 'boolean' },
    customers: { type: 'string', default: '1000' },
    /** The first measured day, and how many. */
    day: { type: 'string', default: '2027-03-15' },
    days: { type: 'string', default: '7' },
    /** Share of the customers who order in the flash-sale hour (UTC) of the first day. */
    burst: { type: 'string', default: '0.05' },
    'burst-hour': { type: 'string', default: '10' },
    'scale-to': { type: 'string', default: '10000000' },
    /** SES account send rates (MaxSendRate, emails a second) to model. */
    'ses-rates': { type: 'string', default: '14,100' },
    /** Share of survey recipients who answer (a click on a score) within hours. */
    answers: { type: 'string', default: '0.3' },
    'dry-run': { type: 'boolean', default: false },
  },
});

const sample = Number(values.customers);
const days = Number(values.days);
const target = Number(values['scale-to']);
const scale = target / sample;
const sesRates = values['ses-rates']!.split(',').map(Number);
const burstShare = Number(values.burst);
const burstHour = Number(values['burst-hour']);
const answerShare = Number(values.answers);

const second = 1000;
const hour = 3_600_000;
const dayMs = 86_400_000;
const day = new Date(`${values.day}T00:00:00Z`);
/** Live events (orders, deliveries) from two weeks before: the surveys due on the measured days come from them. */
const liveFrom = new Date(day.getTime() - 14 * dayMs);
/** The measured window: the days, and the KPI roll-up of the last one (00:15 UTC the day after). */
const windowStart = day.getTime();
const windowEnd = day.getTime() + days * dayMs + hour;
const hours = (windowEnd - windowStart) / hour;
const hourOf = (at: number) => Math.floor((at - windowStart) / hour);

/** docs/design.md §8: DynamoDB's per-partition limits. */
const writeLimit = 1000;
const readLimit = 3000;

/** mulberry32: the scenario's own draws, seeded, so a run is reproducible. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const draw = random(44);

const iso = (ms: number) => new Date(ms).toISOString();

// --- the scenario ---

const profiles: ShopEvent[] = syntheticCustomers({ count: sample, time: liveFrom, seed: 42 });
const customerIds = profiles.map((profile) => profile.detail.customerId as string);
const orders: ShopEvent[] = syntheticOrders({ customerIds, from: new Date(day.getTime() - 366 * dayMs), to: new Date(windowEnd), seed: 43 });
// History before the live weeks arrives as an import (event time: their start), as when a shop moves in.
const imported = orders.filter((order) => order.time < liveFrom.toISOString()).map((order) => ({ ...order, time: liveFrom.toISOString() }));
const liveOrders = orders.filter((order) => order.time >= liveFrom.toISOString());
// Each live order is delivered one to five days later.
const deliveries: ShopEvent[] = liveOrders.flatMap((order) => {
  const at = Math.floor((Date.parse(order.time) + (1 + draw() * 4) * dayMs) / 60_000) * 60_000;
  return at < windowEnd
    ? [{ time: iso(at), source: 'shop', 'detail-type': 'Order Delivered', detail: { orderId: order.detail.orderId, customerId: order.detail.customerId, deliveredAt: iso(at) } }]
    : [];
});
// The flash sale: a share of the customers order within one hour of the first measured day.
const shuffled = customerIds.map((id) => ({ id, key: draw() })).sort((a, b) => a.key - b.key).map(({ id }) => id);
const sale: ShopEvent[] = shuffled.slice(0, Math.round(burstShare * sample)).map((customerId, i) => {
  const at = windowStart + burstHour * hour + Math.floor(draw() * 3600) * second;
  return {
    time: iso(at),
    source: 'shop',
    'detail-type': 'Order Placed',
    detail: { orderId: `ord-sale-${i + 1}`, customerId, placedAt: iso(at), total: Math.round((15 + draw() * 185) * 100) / 100, currency: 'EUR' },
  };
});
// One customer in a hundred updates their profile each measured day.
const updates: ShopEvent[] = Array.from({ length: days }, (_, d) =>
  profiles.filter(() => draw() < 0.01).map((profile) => ({ ...profile, time: iso(windowStart + d * dayMs + Math.floor(draw() * 86_400) * second) })),
).flat();
const live = [...liveOrders, ...deliveries, ...sale, ...updates];

// --- the stack, metered ---

interface HourWork {
  invocations: number;
  /** Records handled (a queue's messages), or invocations (a schedule's runs, an HTTP request). */
  records: number;
  ms: number;
}
const work = new Map<string, HourWork[]>();
const workOf = (fn: string, h: number) => {
  let perHour = work.get(fn);
  if (!perHour) work.set(fn, (perHour = Array.from({ length: hours }, () => ({ invocations: 0, records: 0, ms: 0 }))));
  return perHour[h]!;
};
/** The sender's jobs and emails per hour, per campaign and outcome. */
const jobs = Array.from({ length: hours }, () => ({ jobs: 0, emails: 0, campaigns: {} as Record<string, number>, outcomes: {} as Record<string, number> }));
const answers = { scheduled: 0, answered: 0, failed: 0 };

let metering = false;
const inWindow = (at: number) => metering && at >= windowStart && at < windowEnd;

const stack: LocalStack = await startLocalStack({
  config: parseConfig({}),
  start: liveFrom,
  onResult: (name, _event, result) => {
    const at = stack.bus.now().getTime();
    if (!inWindow(at)) return;
    workOf(name, hourOf(at)).records++;
    const value = result as { outcome?: string; campaign?: string; again?: boolean } | undefined;
    if (name === 'sender' && value?.campaign) {
      const slot = jobs[hourOf(at)]!;
      slot.jobs++;
      slot.campaigns[value.campaign] = (slot.campaigns[value.campaign] ?? 0) + 1;
      slot.outcomes[value.outcome ?? '?'] = (slot.outcomes[value.outcome ?? '?'] ?? 0) + 1;
      if (value.outcome === 'sent' && !value.again) slot.emails++;
    }
  },
  onEvent: (event) => answerSurveys(event),
});

// Which function's invocation makes each request, and how long invocations take.
const invocation = stack.metrics.invocation.bind(stack.metrics);
stack.metrics.invocation = <T>(name: FunctionName, run: () => Promise<T>) =>
  invocationContext.run({ fn: name }, async () => {
    const at = stack.bus.now().getTime();
    const started = performance.now();
    try {
      return await invocation(name, run);
    } finally {
      if (inWindow(at)) {
        const slot = workOf(name, hourOf(at));
        slot.invocations++;
        slot.ms += performance.now() - started;
        // An HTTP request is one piece of work (queue functions count their records in onResult).
        if ('http' in wiring[name].trigger) slot.records++;
      }
    }
  });

const peek = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: localRegion, credentials: localCredentials }));
const meter = partitionMeter({
  client: stack.runtime.dynamo,
  peek,
  tableName: stack.runtime.tableName,
  partitionKey: tableSchema.partitionKey,
  sortKey: tableSchema.sortKey,
  indexes: tableSchema.indexes,
  now: () => stack.bus.now(),
});

/** Some survey recipients click a score in the email, minutes to hours later, through the links server. */
function answerSurveys(event: BusEvent) {
  if (event.source !== emailSent.source || event['detail-type'] !== emailSent.detailType) return;
  const sent = emailSent.detail.safeParse(event.detail);
  if (!sent.success || sent.data.campaign !== 'nps' || draw() >= answerShare) return;
  const { messageId } = sent.data;
  const score = Math.floor(draw() * 11);
  answers.scheduled++;
  stack.bus.at(new Date(stack.bus.now().getTime() + (10 * 60 + draw() * 6 * 3600) * second), async () => {
    const email = stack.ses.accepted.find((accepted) => accepted.messageId === messageId);
    const links = email ? [...email.html.matchAll(/href="([^"]*\/nps\?token=[^"]*)"[^>]*>\s*(\d{1,2})\s*</g)] : [];
    const href = links.find((link) => Number(link[2]) === score)?.[1];
    if (!href || !stack.endpoints.links) return void answers.failed++;
    const url = new URL(href.replaceAll('&amp;', '&'));
    const response = await fetch(`${stack.endpoints.links}${url.pathname}${url.search}`);
    if (response.ok) answers.answered++;
    else answers.failed++;
  });
}

const wallStart = performance.now();
const wall = { import: 0, live: 0, measured: 0 };
try {
  await loadThroughIngest(stack, [...profiles, ...imported], `importing ${sample.toLocaleString('en')} customers and ${imported.length.toLocaleString('en')} orders`);
  wall.import = (performance.now() - wallStart) / 1000;
  for (const event of live) {
    const time = new Date(event.time);
    stack.bus.putAt(time, { source: event.source, detailType: event['detail-type'], detail: event.detail, time });
  }
  const before = progressBar(process.stderr, liveFrom, day, 'two live weeks');
  await stack.bus.runUntil(day, (now) => before.update(now, stack.ses.accepted.length));
  before.done(stack.ses.accepted.length);
  wall.live = (performance.now() - wallStart) / 1000 - wall.import;
  const sentBefore = stack.ses.accepted.length;
  metering = meter.on = true;
  const bar = progressBar(process.stderr, day, new Date(windowEnd), `measured from ${values.day}`);
  await stack.bus.runUntil(new Date(windowEnd), (now) => bar.update(now, stack.ses.accepted.length - sentBefore));
  bar.done(stack.ses.accepted.length - sentBefore);
  metering = meter.on = false;
  wall.measured = (performance.now() - wallStart) / 1000 - wall.import - wall.live;
} finally {
  peek.destroy();
  await stack.close();
}
if (meter.unknownOperations.size) console.warn(`not metered: ${[...meter.unknownOperations].join(', ')}`);

// --- the model ---

const records = meter.records.filter((record) => record.at >= windowStart && record.at < windowEnd);
// Every metered request, for a closer look (CAPACITY_RECORDS=records.json).
if (process.env.CAPACITY_RECORDS) await writeFile(process.env.CAPACITY_RECORDS, JSON.stringify(records));

const partitionName = (record: Pick<MeterRecord, 'target' | 'pk'>) => `${record.target} ${record.pk}`;
/**
 * A customer's, a send's, a code's, an address's or a message's own partition, or an order's in the `orders` index
 * (keyed by its id): its load does not grow with the customer base.
 */
const ownPartition = (record: Pick<MeterRecord, 'target' | 'pk'>) =>
  (record.target === 'table' && /^(CUSTOMER|SEND|CODE|SUPPRESSED|MESSAGE)#/.test(record.pk)) || record.target === 'orders';
/** A dirty-days partition, `KPI#DIRTY#<n>`: one small item per dirty day (of the writers whose key hashes to n). */
const dirtyPartition = (record: Pick<MeterRecord, 'target' | 'pk'>) => record.target === 'table' && record.pk.startsWith('KPI#DIRTY#');
/** A day's contributions, `KPI#<day>`: one item per customer (footprint) or event (conversion, NPS answer) that counts on that day. */
const dayPartition = (record: Pick<MeterRecord, 'target' | 'pk'>) => record.target === 'table' && /^KPI#\d{4}-\d\d-\d\d$/.test(record.pk);
/**
 * How a partition's range read grows with the customers: `KPI` holds one total a day (it does not grow); a
 * dirty-days partition one item per dirty day (it grows with the days, not the customers); the others (index
 * shards, `KPI#<day>`) one item per customer or event.
 */
type RangeKind = 'scales' | 'fixed' | 'days';
const rangeKind = (record: Pick<MeterRecord, 'target' | 'pk'>): RangeKind =>
  record.target === 'table' && record.pk === 'KPI' ? 'fixed' : dirtyPartition(record) ? 'days' : 'scales';
/** A request the function made (index writes are records derived from a table write). */
const isRequest = (record: MeterRecord) => record.target === 'table' || record.op === 'query';

const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
const total = (fn: string, field: keyof HourWork) => sum((work.get(fn) ?? []).map((slot) => slot[field]));
const dayJobs = sum(jobs.map((slot) => slot.jobs));
const dayEmails = sum(jobs.map((slot) => slot.emails));
/** Share of the send jobs that end in an email: the others (deferred, duplicate, ineligible...) do not wait for SES. */
const sentShare = dayJobs && dayEmails ? dayEmails / dayJobs : 1;
const quotaShare = parseConfig({}).sending.quotaShare;
const queueOf = (fn: 'ingest' | 'sender' | 'sesEvents') => wiring[fn].trigger.queue;
/** ms of one record, as measured locally (invocation wall time / records). */
const msPerRecord = (fn: string) => (total(fn, 'records') ? total(fn, 'ms') / total(fn, 'records') : NaN);
const requestsPerRecord = (fn: string) => records.filter((record) => record.fn === fn && isRequest(record)).length / Math.max(1, total(fn, 'records'));
const ingestCapacity = (queueOf('ingest').maxConcurrency * 1000) / msPerRecord('ingest');
const senderLambdaCapacity = (queueOf('sender').maxConcurrency * 1000) / msPerRecord('sender');
const linksThrottle = 'http' in wiring.links.trigger ? wiring.links.trigger.http.throttle.ratePerSecond : Infinity;
const queueFunctions = new Set(['ingest', 'sender', 'sesEvents', 'links']);

/**
 * The dirty days: each KPI contribution bumps a small item, `KPI#DIRTY#<n>` / `<day>`, in the partition
 * its writer's key hashes to; the daily roll-up queries every dirty-days partition and recomputes each
 * day it finds from that day's `KPI#<day>` contributions. At the target size a night's work is ×(scale ÷
 * days) the whole window's, so every day the window's roll-ups recomputed is taken as dirty on one night,
 * and in every dirty-days partition (a day has many writers).
 */
const dirty = (() => {
  const bumps = records.filter((record) => dirtyPartition(record) && (record.op === 'put' || record.op === 'update'));
  const bumpsPer = new Map<string, number>();
  for (const record of bumps) bumpsPer.set(record.pk, (bumpsPer.get(record.pk) ?? 0) + 1);
  const queries = records.filter((record) => dirtyPartition(record) && record.op === 'query' && record.fn === 'kpis');
  /** The dirty-days partitions the roll-up reads (the layout's), and those the writers reached. */
  const read = [...new Set(queries.map((record) => record.pk))].sort();
  const written = [...bumpsPer.keys()].sort();
  const bytesPerItem = Math.max(0, ...queries.filter((record) => record.items).map((record) => record.bytes! / record.items!)) || 30;
  const recomputed = records.filter((record) => dayPartition(record) && record.op === 'query' && record.fn === 'kpis');
  const nights = new Map<number, Set<string>>();
  for (const record of recomputed) {
    const at = Math.floor(record.at / second);
    if (!nights.has(at)) nights.set(at, new Set());
    nights.get(at)!.add(record.pk);
  }
  const ingestBumps = bumps.filter((record) => record.fn === 'ingest');
  // In the hour with the most shop events (the flash sale: orders, each bumping once per day its footprint changes).
  const busiest = (work.get('ingest') ?? []).reduce((best, slot, h, all) => (slot.records > all[best]!.records ? h : best), 0);
  const busiestEvents = work.get('ingest')?.[busiest]?.records ?? 0;
  return {
    read,
    written,
    /** The largest share of the bumps one dirty-days partition took. */
    topShare: bumps.length ? Math.max(...bumpsPer.values()) / bumps.length : 0,
    bytesPerItem,
    /** Days recomputed: at most on one night in the sample, and in all the window (taken as one night's at the target size). */
    measuredDays: Math.max(0, ...[...nights.values()].map((days) => days.size)),
    daysAtTarget: new Set(recomputed.map((record) => record.pk)).size,
    /** The most days from a run's first to the farthest it recomputed: at most that many dirty on one night at the target size. */
    span: Math.max(0, ...[...nights.values()].map((pks) => {
      const times = [...pks].map((pk) => Date.parse(pk.slice('KPI#'.length)));
      return Math.round((Math.max(...times) - Math.min(...times)) / dayMs) + 1;
    })),
    bumps: bumps.length,
    /** Bumps per shop event (ingest's: footprints and conversions), over the window and in the flash sale's hour. */
    bumpsPerShopEvent: ingestBumps.length / Math.max(1, total('ingest', 'records')),
    bumpsPerShopEventAtPeak: ingestBumps.filter((record) => hourOf(record.at) === busiest).length / Math.max(1, busiestEvents),
  };
})();

/** Shop events a second reaching ingest at the target size, per hour (the queue holds what it cannot take yet). */
const ingestPlan = (() => {
  let backlog = 0;
  return Array.from({ length: hours }, (_, h) => {
    const arriving = (work.get('ingest')?.[h]?.records ?? 0) * scale;
    const busy = backlog > 0 || arriving / 3600 > ingestCapacity;
    backlog = Math.max(0, backlog + arriving - ingestCapacity * 3600);
    return { arrivalRate: arriving / 3600, rate: busy ? ingestCapacity : arriving / 3600, backlogAfter: backlog };
  });
})();

/**
 * The send queue at the target size, for an SES account sending `maxSendRate` a second: each
 * hour's jobs arrive at once (the sweep), the sender takes `quotaShare` of the rate.
 */
const sendPlan = (maxSendRate: number) => {
  const emailRate = maxSendRate * quotaShare;
  const jobRate = emailRate / sentShare;
  let backlog = 0;
  const perHour = jobs.map((slot) => {
    const arriving = slot.jobs * scale;
    const queued = backlog + arriving;
    backlog = Math.max(0, queued - jobRate * 3600);
    return { arriving, drainSeconds: queued / jobRate, rate: Math.min(jobRate, queued), backlogAfter: backlog };
  });
  return { maxSendRate, emailRate, jobRate, perHour };
};
const plans = sesRates.map(sendPlan);
type Plan = (typeof plans)[number];

type Units = { read: number; write: number };
const addTo = (map: Map<number, Units>, at: number, record: MeterRecord, write = record.writeUnits) => {
  const units = map.get(at) ?? { read: 0, write: 0 };
  units.read += record.readUnits;
  units.write += write;
  map.set(at, units);
};
/** Shared partitions: units per second as measured; queue functions' single-item units per hour; scheduled functions' per second; range reads per run. */
const measuredPerSecond = new Map<string, Map<number, Units>>();
const queueUnits = new Map<string, Map<string, Units[]>>();
const scheduledPerSecond = new Map<string, Map<number, Units>>();
type RangeRun = { fn: string; at: number; read: number; bytes: number; items: number; consistent: boolean; queries: number; kind: RangeKind };
const rangeRuns = new Map<string, RangeRun[]>();
const ownPerSecond = new Map<string, Map<number, Units>>();
for (const record of records) {
  const name = partitionName(record);
  const at = Math.floor(record.at / second);
  if (ownPartition(record)) {
    let seconds = ownPerSecond.get(name);
    if (!seconds) ownPerSecond.set(name, (seconds = new Map()));
    addTo(seconds, at, record);
    continue;
  }
  let seconds = measuredPerSecond.get(name);
  if (!seconds) measuredPerSecond.set(name, (seconds = new Map()));
  addTo(seconds, at, record);
  if (queueFunctions.has(record.fn)) {
    let byFunction = queueUnits.get(name);
    if (!byFunction) queueUnits.set(name, (byFunction = new Map()));
    let perHour = byFunction.get(record.fn);
    if (!perHour) byFunction.set(record.fn, (perHour = Array.from({ length: hours }, () => ({ read: 0, write: 0 }))));
    perHour[hourOf(record.at)]!.read += record.readUnits;
    perHour[hourOf(record.at)]!.write += record.writeUnits;
  } else if (record.op === 'query') {
    let runs = rangeRuns.get(name);
    if (!runs) rangeRuns.set(name, (runs = []));
    const run = runs.find((r) => r.fn === record.fn && r.at === at);
    if (run) {
      run.read += record.readUnits;
      run.bytes += record.bytes ?? 0;
      run.items += record.items ?? 0;
      run.queries++;
    } else runs.push({ fn: record.fn, at, read: record.readUnits, bytes: record.bytes ?? 0, items: record.items ?? 0, consistent: !!record.consistent, queries: 1, kind: rangeKind(record) });
  } else {
    const key = `${name}|${record.fn}|${hourOf(record.at)}`;
    let perSecond = scheduledPerSecond.get(key);
    if (!perSecond) scheduledPerSecond.set(key, (perSecond = new Map()));
    addTo(perSecond, at, record);
  }
}
const maxOf = (units: Iterable<Units>) => {
  const list = [...units];
  return { write: Math.max(0, ...list.map((u) => u.write)), read: Math.max(0, ...list.map((u) => u.read)) };
};

/**
 * A range read at the target size, in pages of at most 1 MB: its bytes grow with the customers; `KPI`'s do
 * not; a dirty-days partition holds every day that may be dirty on one night at the target size.
 */
const scaledRange = (run: Pick<RangeRun, 'read' | 'bytes' | 'consistent' | 'queries' | 'kind'>) => {
  if (run.kind === 'fixed') return { readUnits: run.read, pages: run.queries, bytes: run.bytes };
  const bytes = run.kind === 'days' ? Math.max(run.bytes, Math.max(dirty.daysAtTarget, dirty.span) * dirty.bytesPerItem) : run.bytes * scale;
  const perUnit = run.consistent ? 1 : 0.5;
  const pages = Math.max(run.queries, Math.ceil(bytes / 2 ** 20));
  return { readUnits: Math.max(pages * perUnit, Math.ceil(bytes / 4096) * perUnit), pages, bytes };
};

/**
 * Work a second of a queue or HTTP function at the target size in hour h, for a send plan, and the
 * hour whose mix of work it is doing: a queue still draining an earlier hour's work does that hour's.
 */
const rateOf = (fn: string, h: number, plan: Plan) => {
  const done = (at: number) => work.get(fn)?.[at]?.records ?? 0;
  const mixOf = (backlogAfter: (at: number) => number) => {
    for (let at = h; at >= 0; at--) {
      if (done(at)) return at;
      if (at === 0 || !backlogAfter(at - 1)) return undefined;
    }
    return undefined;
  };
  const sending = (at: number) => plan.perHour[at]!.backlogAfter;
  if (fn === 'sender') return { mix: mixOf(sending), rate: plan.perHour[h]!.rate };
  if (fn === 'ingest') return { mix: mixOf((at) => ingestPlan[at]!.backlogAfter), rate: ingestPlan[h]!.rate };
  // SES's events follow the emails: as many per email as measured, at the plan's email rate.
  if (fn === 'sesEvents') return { mix: mixOf(sending), rate: (total('sesEvents', 'records') / Math.max(1, dayEmails)) * plan.perHour[h]!.rate * sentShare };
  return { mix: done(h) ? h : undefined, rate: Math.min(linksThrottle, (done(h) * scale) / 3600) };
};

interface PartitionRow {
  name: string;
  /** Busiest second at the sample size. */
  measured: Units;
  /** Per send plan: units a second at the target size in the partition's busiest hour, that hour, and the function with the most. */
  modelled: (Units & { hour: number; top: string })[];
  /** Write units per email (the sender's and SES events') and per shop event (ingest). */
  perEmail: number;
  perShopEvent: number;
  /** The biggest range read of one run at the target size. */
  range?: { fn: string; readUnits: number; pages: number };
}

const rows: PartitionRow[] = [...measuredPerSecond.keys()].map((name) => {
  const byFunction = queueUnits.get(name) ?? new Map<string, Units[]>();
  const scheduled = [...scheduledPerSecond.entries()].filter(([key]) => key.startsWith(`${name}|`));
  const modelled = plans.map((plan) => {
    let best = { write: 0, read: 0, hour: 0, top: '' };
    for (let h = 0; h < hours; h++) {
      const parts: { fn: string; write: number; read: number }[] = [];
      for (const [fn, perHour] of byFunction) {
        const { mix, rate } = rateOf(fn, h, plan);
        if (mix === undefined || !rate) continue;
        const used = perHour[mix]!;
        const done = work.get(fn)![mix]!.records;
        parts.push({ fn, write: (used.write / done) * rate, read: (used.read / done) * rate });
      }
      // A scheduled function's single-item requests are made once a run whatever the size: as measured.
      for (const [key, perSecond] of scheduled) {
        const [, fn, inHour] = key.split('|');
        if (Number(inHour) === h) parts.push({ fn: fn!, ...maxOf(perSecond.values()) });
      }
      const write = sum(parts.map((p) => p.write));
      const read = sum(parts.map((p) => p.read));
      const top = parts.sort((a, b) => b.write + b.read / 3 - (a.write + a.read / 3))[0]?.fn ?? '';
      if (write / writeLimit + read / readLimit > best.write / writeLimit + best.read / readLimit) best = { write, read, hour: h, top };
    }
    return best;
  });
  const writesPer = (fns: string[], per: number) => sum(fns.map((fn) => sum((byFunction.get(fn) ?? []).map((u) => u.write)))) / Math.max(1, per);
  const runs = (rangeRuns.get(name) ?? []).map((run) => ({ fn: run.fn, ...scaledRange(run) })).sort((a, b) => b.readUnits - a.readUnits);
  return {
    name,
    measured: maxOf(measuredPerSecond.get(name)!.values()),
    modelled,
    perEmail: writesPer(['sender', 'sesEvents'], dayEmails),
    perShopEvent: writesPer(['ingest'], total('ingest', 'records')),
    range: runs[0],
  };
});
const pressure = (row: PartitionRow) => Math.max(...row.modelled.map((m) => Math.max(m.write / writeLimit, m.read / readLimit)));
rows.sort((a, b) => pressure(b) - pressure(a));

const ownRows = (() => {
  const best = new Map<string, { name: string; write: number; read: number }>();
  for (const [name, seconds] of ownPerSecond) {
    // `CUSTOMER#…`, `SEND#…`; an order's index partition, `orders …`.
    const kind = name.startsWith('table ') ? name.slice('table '.length).replace(/#.*/, '#…') : name.replace(/ .*/, ' …');
    const { write, read } = maxOf(seconds.values());
    const current = best.get(kind) ?? { name, write: 0, read: 0 };
    if (write > current.write) Object.assign(current, { name, write });
    current.read = Math.max(current.read, read);
    best.set(kind, current);
  }
  return [...best.entries()].sort((a, b) => b[1].write - a[1].write);
})();

/**
 * The KPI roll-up (`kpis`) at the target size: one invocation reads the dirty-days partitions and, for each
 * mark it finds there, reads that day's contributions, one page after the other, writes the day's total and
 * clears the mark (2 writes). A day is marked in every dirty-days partition its writers reach, and at the
 * target size a day has many writers: it is in all of them, and recomputed once for each. Its time:
 * `pagesPerSecond` pages of 1 MB and `writeSeconds` a write (assumed, not measured).
 */
const pagesPerSecond = 20;
const writeSeconds = 0.01;
const rollUp = (() => {
  const runs = [...rangeRuns.entries()].flatMap(([name, list]) => list.filter((run) => run.fn === 'kpis').map((run) => ({ name, run })));
  if (!runs.length) return undefined;
  // The marks each run found and cleared (or failed to: a newer bump), per day: one recomputation each.
  const marks = new Map<string, number>();
  for (const record of records) {
    if (record.fn !== 'kpis' || record.op !== 'delete' || !dirtyPartition(record)) continue;
    const key = `${Math.floor(record.at / second)}|KPI#${record.sk}`;
    marks.set(key, (marks.get(key) ?? 0) + 1);
  }
  const isDay = (name: string) => /^table KPI#\d{4}-\d\d-\d\d$/.test(name);
  /** One recomputation of a day: its run's reads divided by the marks found for it. */
  const once = ({ name, run }: { name: string; run: RangeRun }): RangeRun => {
    const times = isDay(name) ? Math.max(1, marks.get(`${run.at}|${name.replace(/^table /, '')}`) ?? 1) : 1;
    return { ...run, read: run.read / times, bytes: run.bytes / times, queries: Math.max(1, Math.round(run.queries / times)) };
  };
  const nights = new Map<number, { name: string; run: RangeRun }[]>();
  for (const entry of runs) nights.set(entry.run.at, [...(nights.get(entry.run.at) ?? []), entry]);
  // One night at the target size: every partition the window's runs read, each at its largest recomputation.
  const largest = new Map<string, { name: string; run: RangeRun }>();
  for (const entry of runs) {
    const current = largest.get(entry.name);
    if (!current || once(current).bytes < once(entry).bytes) largest.set(entry.name, entry);
  }
  const costOf = (days: number, pages: number, readUnits: number, copies: number) => {
    const writes = 2 * days * copies;
    return { days, readUnits, pages, writes, seconds: pages / pagesPerSecond + writes * writeSeconds };
  };
  /** A night at the target size, each day recomputed `copies` times (the dirty-days partitions that hold it). */
  const cost = (list: { name: string; run: RangeRun }[], copies: number) => {
    let days = 0, pages = 0, readUnits = 0;
    for (const entry of list) {
      const times = isDay(entry.name) ? copies : 1;
      const range = scaledRange(once(entry));
      if (isDay(entry.name)) days++;
      pages += range.pages * times;
      readUnits += range.readUnits * times;
    }
    return costOf(days, pages, readUnits, copies);
  };
  /**
   * At most: every day from the run's first to the farthest a night's contributions reached (a lapse day, up to
   * a year on), each day at the mean of the days the window recomputed (the biggest, the nearest days, among them).
   */
  const span = dirty.span;
  const spanCost = (copies: number) => {
    const list = [...largest.values()];
    const days = list.filter(({ name }) => isDay(name));
    const others = list.filter(({ name }) => !isDay(name)).map((entry) => scaledRange(once(entry)));
    const perDay = days.map((entry) => scaledRange(once(entry)));
    const mean = (pick: (range: { pages: number; readUnits: number }) => number) => sum(perDay.map(pick)) / Math.max(1, perDay.length);
    const n = Math.max(span, days.length);
    return costOf(n, sum(others.map((r) => r.pages)) + n * copies * mean((r) => r.pages), sum(others.map((r) => r.readUnits)) + n * copies * mean((r) => r.readUnits), copies);
  };
  /** Dirty-days partitions: reached by the writers now, and all the roll-up reads. */
  const reached = Math.max(1, dirty.written.length);
  const shards = Math.max(reached, dirty.read.length);
  const dayQueries = runs.filter(({ name }) => isDay(name)).reduce((n, { run }) => n + run.queries, 0);
  return {
    nights: nights.size,
    reached,
    shards,
    /** Day queries per mark found, in the sample: 1 when a day's contributions fit one page. */
    queriesPerMark: dayQueries / Math.max(1, sum([...marks.values()])),
    span,
    /**
     * One night at the target size, three ways: the sample's biggest night; every day the window's runs
     * recomputed; every day of the span. Each as the writers reach the dirty-days partitions now, with the
     * bumps spread over all of them, and with each day recomputed once a run.
     */
    estimates: [
      (() => {
        const night = [...nights.values()].sort((a, b) => cost(b, 1).pages - cost(a, 1).pages)[0]!;
        return { of: 'biggest' as const, now: cost(night, reached), spread: cost(night, shards), single: cost(night, 1) };
      })(),
      { of: 'window' as const, now: cost([...largest.values()], reached), spread: cost([...largest.values()], shards), single: cost([...largest.values()], 1) },
      { of: 'span' as const, now: spanCost(reached), spread: spanCost(shards), single: spanCost(1) },
    ],
  };
})();

// --- the report ---

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const duration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${fixed(seconds)} s`;
  if (seconds < 3600) return `${fixed(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${fixed(Math.floor((seconds % 3600) / 60))} min`;
};
const hourLabel = (h: number) => `${iso(windowStart + h * hour).slice(5, 10)} ${iso(windowStart + h * hour).slice(11, 13)}:00`;
const plural = (n: number, noun: string) => `${fixed(n)} ${noun}${n === 1 ? '' : 's'}`;
const quotaLabel = (plan: Plan) => `SES ${fixed(plan.maxSendRate)}/s`;
const over = (m: Units) => m.write > writeLimit || m.read > readLimit;

const busiestHour = jobs.reduce((best, slot, h) => (slot.jobs > jobs[best]!.jobs ? h : best), 0);
const sum24 = (pick: (h: number) => number) => Array.from({ length: 24 }, (_, hod) => {
  const list = Array.from({ length: days }, (_, d) => pick(d * 24 + hod));
  return { mean: sum(list) / days, max: Math.max(...list) };
});
const profile = sum24((h) => jobs[h]!.jobs);
const busiestHourOfDay = profile.reduce((best, slot, hod) => (slot.mean > profile[best]!.mean ? hod : best), 0);
const expectedJobs = profile[busiestHourOfDay]!.mean * scale;
const tally = (pick: (slot: (typeof jobs)[number]) => Record<string, number>) =>
  jobs.reduce<Record<string, number>>((all, slot) => {
    for (const [key, count] of Object.entries(pick(slot))) all[key] = (all[key] ?? 0) + count;
    return all;
  }, {});
const campaignsOfWindow = tally((slot) => slot.campaigns);
const outcomesOfWindow = tally((slot) => slot.outcomes);
const burstSlot = ingestPlan[burstHour]!;
const ingestCatchUp = (() => {
  const last = ingestPlan.findLastIndex((slot) => slot.backlogAfter > 0);
  return last < 0 ? 0 : last - burstHour + 1;
})();
const maxDrain = (plan: Plan) => Math.max(...plan.perHour.map((slot) => slot.drainSeconds));
const overRows = rows.filter((row) => row.modelled.some(over));
const ownOver = ownRows.filter(([, best]) => over(best));

const summary = {
  sample, days, target, scale, wall,
  imported: { customers: sample, orders: imported.length },
  live: { orders: liveOrders.length, deliveries: deliveries.length, sale: sale.length, updates: updates.length },
  window: { jobs: dayJobs, emails: dayEmails, sentShare, campaigns: campaignsOfWindow, outcomes: outcomesOfWindow, answers },
  busiestHour: { hour: hourLabel(busiestHour), jobs: jobs[busiestHour]!.jobs, atTarget: jobs[busiestHour]!.jobs * scale },
  ingest: { msPerEvent: msPerRecord('ingest'), requestsPerEvent: requestsPerRecord('ingest'), capacity: ingestCapacity, saleArrival: burstSlot.arrivalRate, catchUpHours: ingestCatchUp },
  sender: { msPerJob: msPerRecord('sender'), requestsPerJob: requestsPerRecord('sender'), lambdaCapacity: senderLambdaCapacity },
  dirty,
  rollUp,
  expectedBusiestHour: { hour: busiestHourOfDay, jobs: expectedJobs },
  plans: plans.map((p) => ({ maxSendRate: p.maxSendRate, emailRate: p.emailRate, jobRate: p.jobRate, busiestHourDrain: p.perHour[busiestHour]!.drainSeconds, maxDrain: maxDrain(p) })),
  overLimit: [...overRows.map((row) => row.name), ...ownOver.map(([kind]) => kind)],
};
console.log(JSON.stringify(summary, null, 2));

const shownRows = rows.slice(0, 12);
const partitionTable = [
  `| partition | busiest second, sample (writes · reads) | ${plans.map((p) => `${quotaLabel(p)}: writes/s · reads/s at ${fixed(target)} (hour, mostly)`).join(' | ')} | write units per email · per shop event | biggest range read of one run at ${fixed(target)} |`,
  `|---|---:|${plans.map(() => '---:|').join('')}---:|---:|`,
  ...shownRows.map((row) => {
    const modelled = row.modelled.map((m) => `${over(m) ? '**' : ''}${fixed(m.write)} · ${fixed(m.read)}${over(m) ? '**' : ''} (${hourLabel(m.hour).slice(6)}, ${m.top || '–'})`);
    const range = row.range ? `${fixed(row.range.readUnits)} RCU, ${fixed(row.range.pages)} page${row.range.pages === 1 ? '' : 's'} (${row.range.fn})` : '–';
    return `| \`${row.name}\` | ${fixed(row.measured.write, 1)} · ${fixed(row.measured.read, 1)} | ${modelled.join(' | ')} | ${fixed(row.perEmail, 2)} · ${fixed(row.perShopEvent, 2)} | ${range} |`;
  }),
].join('\n');
const hiddenRows = rows.slice(shownRows.length);
const hiddenNote = hiddenRows.length
  ? `\n\n${hiddenRows.length} more shared partitions (${[...new Set(hiddenRows.map((row) => row.name.replace(/#\d{4}-\d\d-\d\d$/, '#<day>')))].join(', ')}), each at most ${fixed(Math.max(...hiddenRows.flatMap((row) => row.modelled.map((m) => m.write))))} writes/s and ${fixed(Math.max(...hiddenRows.flatMap((row) => row.modelled.map((m) => m.read))))} reads/s.`
  : '';
const biggestRanges = rows.filter((row) => row.range).sort((a, b) => b.range!.readUnits - a.range!.readUnits).slice(0, 3);
const rollUpNote = (() => {
  if (!rollUp) return '';
  const { reached, shards, span, estimates } = rollUp;
  const timeout = wiring.kpis.timeoutSeconds;
  const window = estimates.find((e) => e.of === 'window')!;
  const labels = {
    biggest: 'the sample\'s biggest night',
    window: `every day the window's runs recomputed, each at its largest`,
    span: `every day of the span a night reaches (${span}: from the run's first day to its farthest lapse day), each at the mean of the ${window.now.days}`,
  };
  const cell = (c: { pages: number; writes: number; seconds: number }) =>
    `${fixed(c.pages)} · ${fixed(c.writes)} · ${c.seconds > timeout ? `**${duration(c.seconds)}**` : duration(c.seconds)}`;
  const columns = [
    { title: `as the bumps fall now (${reached} partition${reached === 1 ? '' : 's'} a day)`, pick: (e: (typeof estimates)[number]) => e.now },
    ...(reached < shards ? [{ title: `the bumps spread (${shards} partitions a day)`, pick: (e: (typeof estimates)[number]) => e.spread }] : []),
    ...(shards > 1 ? [{ title: 'each day once a run', pick: (e: (typeof estimates)[number]) => e.single }] : []),
  ];
  const table = [
    `| one night at ${fixed(target)} customers | days | ${columns.map((c) => `${c.title}: pages · writes · time`).join(' | ')} |`,
    `|---|---:|${columns.map(() => '---:|').join('')}`,
    ...estimates.map((e) => `| ${labels[e.of]} | ${fixed(e.now.days)} | ${columns.map((c) => cell(c.pick(e))).join(' | ')} |`),
  ].join('\n');
  const worst = Math.max(...estimates.flatMap((e) => columns.map((c) => c.pick(e).seconds)));
  return `\n\nThe KPI roll-up (\`kpis\`, 00:15 UTC) queries the ${shards} dirty-days partitions (consistent reads) and, for each mark it finds,
recomputes that day from its \`KPI#<day>\` contributions, one page after the other, writes the day's total to \`KPI\` and clears
the mark (2 writes). At ${fixed(target)} customers a day has many writers, so it is marked in every dirty-days partition they
reach and recomputed once for each. A night at ${fixed(target)} customers brings ${fixed(scale / days)} times the whole window's work, so it
dirties more days than a night of the sample (at most ${fixed(dirty.measuredDays)} here): the table takes the sample's biggest night, every day
the window's ${rollUp.nights} runs recomputed, and every day of the span a night's contributions reach. Times at ${pagesPerSecond} pages of 1 MB a second and
${fixed(writeSeconds * 1000)} ms a write (DynamoDB's latency, assumed: not measured here), against the function's ${fixed(timeout)} s timeout
(\`wiring.kpis\`; bold: over it):

${table}

The longest is ${duration(worst)}, ${worst <= timeout ? `${fixed((worst / timeout) * 100)} % of the timeout` : `**${fixed(worst / timeout, 1)} × the timeout**: a run cut off there has cleared the days it finished, and its ${wiring.kpis.retry.attempts} retries go on from them`}.
At ${pagesPerSecond} pages a second (${fixed(pagesPerSecond * 128)} read units a second, eventually consistent) no partition passes its read limit: one
sequential reader.`;
})();

const ownTable = [
  '| partitions | hottest | writes/s | reads/s |',
  '|---|---|---:|---:|',
  ...ownRows.map(([kind, best]) => `| \`${kind}\` | \`${best.name.replace(/^table /, '')}\` | ${fixed(best.write, 1)} | ${fixed(best.read, 1)} |`),
].join('\n');

const hourTable = [
  `| hour (UTC) | send jobs a day in the sample (mean · max) | jobs at ${fixed(target)} (mean · max) | ${plans.map((p) => `longest drain, ${quotaLabel(p)}`).join(' | ')} | shop events/s at ${fixed(target)}, arriving → ingested (max) |`,
  `|---|---:|---:|${plans.map(() => '---:|').join('')}---:|`,
  ...profile.map((slot, hod) => {
    const hoursOf = Array.from({ length: days }, (_, d) => d * 24 + hod);
    const drains = plans.map((plan) => {
      const worst = Math.max(0, ...hoursOf.filter((h) => plan.perHour[h]!.arriving > 0).map((h) => plan.perHour[h]!.drainSeconds));
      return worst ? duration(worst) : '–';
    });
    const ingest = hoursOf.map((h) => ingestPlan[h]!).reduce((a, b) => (b.arrivalRate > a.arrivalRate ? b : a));
    return `| ${String(hod).padStart(2, '0')}:00 | ${fixed(slot.mean, 1)} · ${slot.max} | ${fixed(slot.mean * scale)} · ${fixed(slot.max * scale)} | ${drains.join(' | ')} | ${fixed(ingest.arrivalRate, 1)} → ${fixed(ingest.rate, 1)} |`;
  }),
].join('\n');

const machine = `${type()} ${process.arch}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`;
const flags = [
  `--customers ${sample}`,
  values.days !== '7' && `--days ${values.days}`,
  values.day !== '2027-03-15' && `--day ${values.day}`,
  values.burst !== '0.05' && `--burst ${values.burst}`,
  values['burst-hour'] !== '10' && `--burst-hour ${values['burst-hour']}`,
  values['ses-rates'] !== '14,100' && `--ses-rates ${values['ses-rates']}`,
].filter(Boolean);
const busiestDrains = plans.map((plan) => `${duration(plan.perHour[busiestHour]!.drainSeconds)} at ${quotaLabel(plan)} (${fixed(plan.emailRate, 1)} emails/s, ${fixed(plan.jobRate, 1)} jobs/s)`);
const verdict = [
  ...plans.map((plan) =>
    maxDrain(plan) <= 3600
      ? `- **${quotaLabel(plan)}** (at most ${fixed(plan.jobRate * 3600)} jobs an hour): every hour's jobs are sent within that hour; the longest queue drains in ${duration(maxDrain(plan))}.`
      : `- **${quotaLabel(plan)}** (at most ${fixed(plan.jobRate * 3600)} jobs an hour): the queue does **not** keep up: an hour's jobs take up to ${duration(maxDrain(plan))} to drain (they go out late, never twice, and never above the quota).`,
  ),
  overRows.length || ownOver.length
    ? `- **Over a limit**: ${[...overRows.map((row) => `\`${row.name}\` (${fixed(Math.max(...row.modelled.map((m) => m.write)))} writes/s, ${fixed(Math.max(...row.modelled.map((m) => m.read)))} reads/s: ${fixed(Math.max(...row.modelled.map((m) => Math.max(m.write / writeLimit, m.read / readLimit))), 1)} × its limit)`), ...ownOver.map(([kind]) => `\`${kind}\``)].join('; ')}.`
    : `- **No partition over its limit**: the hottest shared one, \`${rows[0]?.name}\`, peaks at ${fixed(Math.max(...(rows[0]?.modelled ?? []).map((m) => m.write)))} writes/s and ${fixed(Math.max(...(rows[0]?.modelled ?? []).map((m) => m.read)))} reads/s.`,
];

const expectedDrains = plans.map((plan) => `${duration(expectedJobs / plan.jobRate)} at ${quotaLabel(plan)}`);

/** What the figures ask of the design: each a line of BENCHMARKS.md. */
const indexRows = rows.filter((row) => row.name.split(' ')[0]! in tableSchema.indexes);
const perEmailMax = indexRows.reduce((a, b) => (b.perEmail > a.perEmail ? b : a), indexRows[0]!);
const perEventMax = indexRows.reduce((a, b) => (b.perShopEvent > a.perShopEvent ? b : a), indexRows[0]!);
const hottestIndex = indexRows[0];
const lastPlan = plans.at(-1)!;
const peakOf = (row: PartitionRow) => row.modelled.reduce((a, b) => (b.write > a.write ? b : a));
/** The dirty-days partitions: how hot, and how evenly the writers reach them. */
const dirtyRows = rows.filter((row) => row.name.startsWith('table KPI#DIRTY#'));
const kpiRow = rows.find((row) => row.name === 'table KPI');
const dirtyNote = (() => {
  const hottest = dirtyRows[0];
  if (!hottest) return undefined;
  const peak = peakOf(hottest);
  const shards = dirty.read.length || dirtyRows.length;
  const uneven = dirty.written.length < shards;
  const perShard = dirty.bumpsPerShopEventAtPeak * (uneven ? dirty.topShare : 1 / shards);
  const lines = [
    `- **Dirty days.** Each KPI contribution bumps one small item, \`KPI#DIRTY#<n>\` / \`<day>\`, 1 write unit (${fixed(dirty.bumpsPerShopEvent, 1)} bumps per shop event
  here, ${fixed(dirty.bumpsPerShopEventAtPeak, 1)} in the flash sale's hour: an order writes only the days its footprint changes). The hottest, \`${hottest.name.replace(/^table /, '')}\`, peaks at
  ${fixed(peak.write)} writes/s (${hourLabel(peak.hour).slice(6)}, mostly ${peak.top || '–'})${hottest.modelled.some(over) ? `: **over its limit of ${fixed(writeLimit)}**` : `, within its ${fixed(writeLimit)}`}.`,
  ];
  if (uneven) {
    lines.push(`  **The bumps do not spread**: the roll-up reads ${shards} dirty-days partitions, but the writers reached ${dirty.written.length} (${dirty.written.map((pk) => `\`${pk}\``).join(', ')}: ${fixed(dirty.topShare * 100)} % of the
  bumps in the busiest).`);
    if (dirty.written.length <= indexShards && shards > indexShards)
      lines.push(`  The shard is \`shardOf(key) % ${shards}\` (functions/adapters/dynamodb/kpi-counters.ts), and \`shardOf\` is already taken modulo
  \`indexShards\` (${indexShards}): n is always ${indexShards === 1 ? '0' : `below ${indexShards}`}. Hashing the key modulo the dirty shards themselves would spread them, about
  ${fixed(peak.write / Math.max(dirty.topShare, 1e-9) / shards)} writes/s each.`);
  }
  const atCeiling = perShard * ingestCapacity;
  lines.push(`  One dirty-days partition reaches ${fixed(writeLimit)} writes/s at ${fixed(writeLimit / Math.max(perShard, 1e-9))} shop events/s ${uneven ? 'as the bumps fall now' : `(the ${shards} evenly reached)`}; at ingest's
  ceiling (${fixed(ingestCapacity)} events/s, from the local timing) it would take ${fixed(atCeiling)} writes/s${atCeiling > writeLimit ? `: **over its limit**` : `, ${fixed((atCeiling / writeLimit) * 100)} % of its limit`}. Evenly spread,
  the dirty shards need ≥ ${fixed(dirty.bumpsPerShopEventAtPeak, 1)} × shop events/s ÷ ${fixed(writeLimit)}.`);
  if (kpiRow)
    lines.push(`  \`KPI\` itself now takes only the roll-up's day totals and its query: ${fixed(Math.max(...kpiRow.modelled.map((m) => m.write)))} writes/s, ${fixed(Math.max(...kpiRow.modelled.map((m) => m.read)))} reads/s.`);
  return lines.join('\n');
})();
/** Partitions over a limit that no note above explains. */
const otherOver = overRows.filter((row) => !indexRows.includes(row) && !dirtyRows.includes(row));
const recommendations = [
  hottestIndex &&
    `- **Index shards.** \`indexShards\` = ${indexShards} ${indexRows.some((row) => row.modelled.some(over)) ? '**is not enough**' : 'is enough'}: the hottest index partition, \`${hottestIndex.name}\`, peaks at ${fixed(Math.max(...hottestIndex.modelled.map((m) => m.write)))} writes/s
  (at ${quotaLabel(lastPlan)}, shop events included). An index partition takes at most ${fixed(perEmailMax!.perEmail, 2)} writes per email (\`${perEmailMax!.name}\`) and
  ${fixed(perEventMax!.perShopEvent, 2)} per shop event (\`${perEventMax!.name}\`): one shard reaches ${fixed(writeLimit)} writes/s at ${fixed(writeLimit / perEmailMax!.perEmail)} emails/s
  (MaxSendRate ${fixed(writeLimit / perEmailMax!.perEmail / quotaShare)}/s at ${fixed(quotaShare * 100)} %) or ${fixed(writeLimit / perEventMax!.perShopEvent)} shop events/s alone. Above that,
  \`indexShards\` ≥ (${fixed(perEmailMax!.perEmail, 2)} × emails/s + ${fixed(perEventMax!.perShopEvent, 2)} × shop events/s) ÷ ${fixed(writeLimit)}.`,
  dirtyNote,
  rollUp &&
    (() => {
      const { reached, shards, span, estimates } = rollUp;
      const timeout = wiring.kpis.timeoutSeconds;
      const wide = estimates.find((e) => e.of === 'span')!;
      const biggest = estimates.find((e) => e.of === 'biggest')!;
      // The roll-up collects the marks of every dirty-days partition first and recomputes each day once.
      const worst = wide.single;
      const repeat = '';
      const fits = worst.seconds <= timeout;
      return `- **The KPI roll-up ${fits ? 'fits its timeout' : 'may not fit one invocation'}** at ${fixed(target)} customers: at most about ${duration(worst.seconds)} (every day of the
  ${span}-day span dirty on one night, its marks in ${reached} of ${shards} partitions: ${fixed(worst.pages)} pages, ${fixed(worst.writes)} writes) against \`kpis\`' ${fixed(timeout)} s
  timeout; ${duration(biggest.single.seconds)} for the sample's biggest night.${repeat}${
        fits || wide.single.seconds <= timeout ? '' : `
  Even so, fan it out (one message per dirty day on a queue) or keep running totals, so that no run reads every dirty day's contributions.`
      }`;
    })(),
  ...otherOver.map(
    (row) => {
      const worst = row.modelled.reduce((a, b) => (Math.max(b.write / writeLimit, b.read / readLimit) > Math.max(a.write / writeLimit, a.read / readLimit) ? b : a));
      return `- **\`${row.name}\` is over its limit**: ${fixed(worst.write)} writes/s and ${fixed(worst.read)} reads/s in its busiest hour (${hourLabel(worst.hour).slice(6)}, mostly ${worst.top}), at
  ${fixed(row.perShopEvent, 2)} write units per shop event and ${fixed(row.perEmail, 2)} per email.`;
    },
  ),
  ...plans.map((plan) => {
    const needed = Math.ceil((plan.jobRate * msPerRecord('sender')) / 1000);
    return needed > queueOf('sender').maxConcurrency
      ? `- **Sender concurrency at ${quotaLabel(plan)}.** ${fixed(plan.jobRate, 1)} jobs/s at ${fixed(msPerRecord('sender'))} ms a job (the local timing; Lambda's will differ) need ${needed}
  concurrent invocations; \`maxConcurrency\` is ${queueOf('sender').maxConcurrency}. Size it as jobs/s × seconds a job, from Lambda's own Duration.`
      : undefined;
  }),
].filter(Boolean);

const section = `<!-- capacity:start (written by npm run bench -- --capacity, bench/capacity.ts) -->
## Capacity at 10 million customers

Written by \`npm run bench -- --capacity ${flags.join(' ')}\` (bench/capacity.ts), measured ${new Date().toISOString().slice(0, 10)}
on ${machine}: import ${fixed(wall.import)} s, two live weeks ${fixed(wall.live)} s, the ${days} measured day${days === 1 ? '' : 's'} ${fixed(wall.measured)} s.
Goal (docs/design.md §8): no DynamoDB partition, table or index, takes more than ${fixed(writeLimit)} writes or ${fixed(readLimit)} reads a second at
${fixed(target)} customers, and the busiest hour is carried by the send queue at the SES quota. \`indexShards\` = ${indexShards}.

**What runs.** ${fixed(sample)} synthetic customers (seed 42: three locales, 16 time zones, 90 % with a birthday, 80 % with
consent) and their year of orders, ${fixed(imported.length)} of them imported through the ingest function on ${liveFrom.toISOString().slice(0, 10)}; then two
weeks of live shop events on the bus (orders, each delivered one to five days later, so surveys come due); then
${days} measured day${days === 1 ? '' : 's'} from ${values.day} and the next night's KPI roll-up: every hourly sweep, the send queue and its
sender, SES's events, ${plural(answers.answered, 'survey answer')} through the links server, ${fixed(updates.length)} profile updates, live orders, and on
the first day a flash sale: ${fixed(sale.length)} customers (${fixed(burstShare * 100)} %) order between ${String(burstHour).padStart(2, '0')}:00 and ${String(burstHour + 1).padStart(2, '0')}:00 UTC. In all, ${fixed(dayJobs)} send jobs
(${Object.entries(campaignsOfWindow).map(([c, n]) => `${c} ${n}`).join(', ')}) ended in ${fixed(dayEmails)} emails (${Object.entries(outcomesOfWindow).map(([o, n]) => `${o} ${n}`).join(', ')}).

**How it is metered** (bench/partition-meter.ts). A middleware on the stack's DynamoDB client records each request of
the measured window: the stack's (virtual) clock, the function whose invocation made it, its partition (the table's or
an index's partition key value) and the capacity it consumed. Table units are DynamoDB's own (dynalite's
\`ConsumedCapacity\`, asked with \`ReturnConsumedCapacity: 'INDEXES'\`), with DynamoDB's charges where dynalite differs (0.5
or 1 for a query that returns nothing; a failed conditional write charged as a write of the item there). Index writes
are charged as DynamoDB charges a KEYS_ONLY index: the item's index keys are read before and after each write through a
separate, unmetered client; 1 write to put an entry, 1 to delete one, 2 when its keys change, each to the index
partition concerned. A query's partition is the value its key condition gives the partition key.

**The model, to ${fixed(target)} customers (×${fixed(scale)}).**
- A customer's, a send's, a code's, an address's or a message's own partition (\`CUSTOMER#\`, \`SEND#\`, \`CODE#\`,
  \`SUPPRESSED#\`, \`MESSAGE#\`), and an order's in the \`orders\` index, carries that customer's work only: its rate is the same at any size, taken as measured in
  its busiest second. The local clock stands still during an invocation, so all of a job's or an event's requests fall
  in one second: an upper bound.
- Every other partition (each index shard, \`KPI\`, each \`KPI#DIRTY#<n>\`, each \`KPI#<day>\`) is shared: its load is the rate of the work that
  touches it × the units one piece of that work costs there (measured per hour). The rate of the work is what the queues
  let through at ${fixed(target)} customers:
  - the sender: each hour's jobs (×${fixed(scale)}) arrive at once, when the sweep runs, and drain at the SES pace:
    ${fixed(quotaShare * 100)} % of MaxSendRate in emails (config \`sending.quotaShare\`), so ${fixed(quotaShare * 100)} % × MaxSendRate ÷ ${fixed(sentShare, 2)} jobs a second
    (${fixed(sentShare * 100)} % of the jobs send; the others do not wait for SES). SES's events follow the emails (${fixed(total('sesEvents', 'records') / Math.max(1, dayEmails), 1)} per email);
  - ingest: each hour's shop events (×${fixed(scale)}) arrive spread over the hour; the queue lets through at most
    \`maxConcurrency\` (${queueOf('ingest').maxConcurrency}) invocations × one event per ${fixed(msPerRecord('ingest'))} ms (the local wall time per record, ${fixed(requestsPerRecord('ingest'))} DynamoDB
    requests per event) = ${fixed(ingestCapacity)} events/s, and holds the rest;
  - survey answers: each hour's (×${fixed(scale)}) spread over the hour, at most the HTTP API's throttle (${linksThrottle}/s);
  - all of these at once, each at its full rate in the hour: an upper bound.
- The scheduled functions (sweeps, outbox relay, KPI roll-up) make their single-item requests once a run, whatever
  the size: as measured (a run's requests all fall in one second of the standing clock: an upper bound). Their range reads (a sweep's query of its index shard, the roll-up's query of a
  \`KPI#<day>\` partition) return ×${fixed(scale)} the bytes; except \`KPI\` (one total a day, as measured) and the
  \`KPI#DIRTY#<n>\` partitions (one small item per dirty day: at most ${fixed(Math.max(dirty.daysAtTarget, dirty.span))} days each at ${fixed(target)} customers, below). Bytes ÷ 4 KB
  read units (÷ 2 eventually consistent), in pages of 1 MB. A paginated Query is sequential: one run passes 3,000 reads/s on its
  partition only if its 1 MB pages (128 units, eventually consistent) come back faster than one per 43 ms.
- The dirty days: every KPI contribution (an order's changed days, a conversion, an NPS answer) bumps a small item,
  \`KPI#DIRTY#<n>\` / \`<day>\` (1 write unit), in the partition its writer's key hashes to: these partitions scale like the
  others, with the work. A night at ${fixed(target)} customers is ${fixed(scale / days)} times the window's work: it may dirty every day the
  window's roll-ups recomputed (${fixed(dirty.daysAtTarget)}; at most ${fixed(dirty.measuredDays)} on one night of the sample), and at most every day of the span
  a night's contributions reach (${fixed(dirty.span)}: from the day before the run to the farthest lapse day), each marked in every
  dirty-days partition (a day has many writers; ${fixed(dirty.bytesPerItem)} bytes a mark).

### The busiest hour

The hour of the day busiest on average is ${String(busiestHourOfDay).padStart(2, '0')}:00 UTC: ${fixed(profile[busiestHourOfDay]!.mean, 1)} send jobs a day in the sample, so
${fixed(expectedJobs)} at ${fixed(target)} customers, drained in ${expectedDrains.join(' and ')}. The busiest single hour measured, ${hourLabel(busiestHour)} UTC,
had ${plural(jobs[busiestHour]!.jobs, 'send job')} in the sample (a small sample's maximum: an upper bound), so ${fixed(jobs[busiestHour]!.jobs * scale)} at ${fixed(target)} customers,
drained in ${busiestDrains.join('; in ')}. The sender's own pace, measured locally, is one job per ${fixed(msPerRecord('sender'))} ms per invocation
(${fixed(requestsPerRecord('sender'))} DynamoDB requests a job, the template rendered): its ${queueOf('sender').maxConcurrency} concurrent invocations (\`maxConcurrency\`) settle about
${fixed(senderLambdaCapacity)} jobs/s. The flash sale brings ${fixed(burstSlot.arrivalRate)} shop events/s at ${fixed(target)} customers against ingest's ${fixed(ingestCapacity)}
events/s: ${burstSlot.arrivalRate > ingestCapacity ? `the queue holds the rest and catches up within ${ingestCatchUp} hour${ingestCatchUp === 1 ? '' : 's'}` : 'ingest keeps up'}.

${verdict.join('\n')}

### What the figures ask for

${recommendations.join('\n')}

### Shared partitions at ${fixed(target)} customers

Write units (1 KB) and read units (4 KB strongly consistent) a second in each partition's busiest hour, for each SES
send rate, with the function that brings the most (bold: over ${fixed(writeLimit)} writes/s or ${fixed(readLimit)} reads/s). "Write units per
email · per shop event" is each partition's distance to its limit whatever the rates: ${fixed(writeLimit)} ÷ units per email is
the email rate at which it would reach it alone.

${partitionTable}${hiddenNote}

Biggest range reads of one run at ${fixed(target)} customers: ${biggestRanges.map((row) => `\`${row.name}\` ${fixed(row.range!.readUnits)} read units in ${fixed(row.range!.pages)} pages (${row.range!.fn})`).join('; ')}.${rollUpNote}

### Own partitions (the same at any size)

The busiest second of the hottest partition of each kind in the measured window.

${ownTable}

### Hour by hour

Send jobs per hour of the day (UTC; 09:00 and 10:00 local go round the world), over the ${days} measured day${days === 1 ? '' : 's'}, and the longest
time the send queue takes to drain an hour's jobs at ${fixed(target)} customers (from the sweep, with what earlier hours
left), next to the shop events arriving and ingested.

${hourTable}
<!-- capacity:end -->`;

if (values['dry-run']) {
  console.log(`\n${section}`);
} else {
  const existing = await readFile('BENCHMARKS.md', 'utf8').catch(() => '');
  const markers = /<!-- capacity:start[^]*?<!-- capacity:end -->/;
  await writeFile('BENCHMARKS.md', markers.test(existing) ? existing.replace(markers, () => section) : `${existing.trimEnd()}\n\n${section}\n`);
  console.log('wrote the capacity section of BENCHMARKS.md');
}
