/**
 * The local event bus: what EventBridge does for this project, and no more.
 * - rules with event patterns deliver each matching event to their target;
 * - schedule rules fire `Scheduled Event`s at their times;
 * - a failing target is retried, then the event is dead-lettered with the reason;
 * - PutEvents is served over HTTP, so handlers publish through the real SDK client.
 *
 * Time is a clock the bus owns: virtual in a simulation (events are delivered in
 * time order, as fast as the handlers run), or the wall clock under `npm start`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesPattern, validatePattern } from './event-pattern';
import { nextFireTimes, validateScheduleExpression } from './schedule-expression';
import { listening } from './ports';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface DeadLetter {
  /** Clock time the event was given up on. */
  at: string;
  reason: string;
  /** The rule whose target failed, when it was a delivery failure. */
  rule?: string;
  event: unknown;
}

type Target = (event: BusEvent) => Promise<unknown>;

export interface PutEntry {
  source: string;
  detailType: string;
  detail: unknown;
  time?: Date;
  resources?: string[];
}

interface Rule {
  name: string;
  pattern?: Record<string, unknown>;
  schedule?: string;
  target: Target;
  /** Retries after the first attempt. */
  retryAttempts: number;
}

interface Pending {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

export const localAccount = '000000000000';
export const localRegion = 'local-1';

/** The event as EventBridge delivers it to a target; `time` defaults to the bus clock. */
export const toBusEvent = (entry: PutEntry, now: Date): BusEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': entry.detailType,
  source: entry.source,
  account: localAccount,
  time: (entry.time ?? now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: localRegion,
  resources: entry.resources ?? [],
  detail: entry.detail,
});

/** A binary min-heap on (at, seq): events due at the same time keep the order they were queued in. */
class Agenda {
  private heap: Pending[] = [];
  private seq = 0;
  get size() {
    return this.heap.length;
  }
  push(at: number, run: () => Promise<void>) {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, run });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }
  peek(): Pending | undefined {
    return this.heap[0];
  }
  pop(): Pending | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let smallest = i;
        if (l < heap.length && this.before(heap[l]!, heap[smallest]!)) smallest = l;
        if (r < heap.length && this.before(heap[r]!, heap[smallest]!)) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
  private before(a: Pending, b: Pending) {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

export interface EventBusOptions {
  /** The clock's start. */
  start: Date;
  /** Called for every event put on the bus (bus.ndjson). */
  onEvent?: (event: BusEvent) => void;
  onDeadLetter?: (deadLetter: DeadLetter) => void;
}

export class LocalEventBus {
  private rules: Rule[] = [];
  private deadLetterPatterns: Record<string, unknown>[] = [];
  private redeliveryTargets = new Map<string, (event: unknown) => void>();
  private agenda = new Agenda();
  private clock: number;
  private scheduledUntil: number;
  private server?: Server;

  constructor(private readonly options: EventBusOptions) {
    this.clock = options.start.getTime();
    // Schedules fire from the start on: a firing at exactly `start` counts.
    this.scheduledUntil = this.clock - 1;
  }

  now(): Date {
    return new Date(this.clock);
  }

  addRule(rule: { name: string; pattern: Record<string, unknown> } | { name: string; schedule: string }, target: Target, retryAttempts: number) {
    if ('pattern' in rule) validatePattern(rule.pattern);
    else validateScheduleExpression(rule.schedule);
    this.rules.push({ ...rule, target, retryAttempts });
  }

  /** Events matching `pattern` go straight to the dead letters (the rejected-events queue on AWS). */
  addDeadLetterRule(pattern: Record<string, unknown>) {
    validatePattern(pattern);
    this.deadLetterPatterns.push(pattern);
  }

  /** Where `redeliver` sends a dead letter of `name` that is not one of the bus's rules' (a queue's function: back on its queue). */
  addRedeliveryTarget(name: string, target: (event: unknown) => void) {
    this.redeliveryTargets.set(name, target);
  }

  /**
   * A dead letter's event back where it failed (local/dead-letters.ts; on AWS SQS's
   * StartMessageMoveTask and Lambda's Invoke do it): a queue's function gets it on its
   * queue again, a rule's target gets it again with the rule's retries. Failing again, it
   * is a new dead letter. A rule's target runs at the current clock time, after what is running now.
   */
  redeliver(target: string, event: unknown) {
    const redelivery = this.redeliveryTargets.get(target);
    if (redelivery) return redelivery(event);
    const rule = this.rules.find((each) => each.name === target);
    if (!rule) throw new Error(`no rule or queue consumer named '${target}'`);
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new Error(`${target}: the event to redeliver is not an object`);
    this.agenda.push(this.clock, () => this.invoke(rule, event as BusEvent));
  }

  /** PutEvents: stamps the envelope and queues delivery at the current clock time, after what is running now. */
  put(entry: PutEntry): BusEvent {
    const event = this.stamp(entry);
    this.agenda.push(this.clock, () => this.deliver(event));
    return event;
  }

  /** An event published at `at` (a simulator input line): delivered then, before schedules firing at the same time. */
  putAt(at: Date, entry: PutEntry) {
    this.agenda.push(Math.max(at.getTime(), this.clock), () => this.deliver(this.stamp(entry)));
  }

  /** Runs `action` when the clock reaches `at`. */
  at(at: Date, action: () => Promise<void> | void) {
    this.agenda.push(Math.max(at.getTime(), this.clock), async () => action());
  }

  private stamp(entry: PutEntry): BusEvent {
    const event = toBusEvent(entry, this.now());
    this.options.onEvent?.(event);
    return event;
  }

  deadLetter(deadLetter: Omit<DeadLetter, 'at'>) {
    this.options.onDeadLetter?.({ at: this.now().toISOString(), ...deadLetter });
  }

  /** Advances the clock to `until`, firing schedules and delivering everything due before it on the way. */
  async runUntil(until: Date, onProgress?: (now: Date) => void) {
    this.schedule(until.getTime() - 1);
    await this.deliverWhile((at) => at < until.getTime(), onProgress);
    this.clock = Math.max(this.clock, until.getTime());
  }

  /** Delivers everything due by now, without moving the clock. */
  async flush() {
    await this.deliverWhile((at) => at <= this.clock);
  }

  private async deliverWhile(due: (at: number) => boolean, onProgress?: (now: Date) => void) {
    for (let next = this.agenda.peek(); next && due(next.at); next = this.agenda.peek()) {
      this.agenda.pop();
      if (next.at > this.clock) {
        this.clock = next.at;
        onProgress?.(this.now());
      }
      await next.run();
    }
  }

  /** Queues each schedule's firings up to and including `until` (once: later calls extend from there). */
  private schedule(until: number) {
    if (until <= this.scheduledUntil) return;
    for (const rule of this.rules) {
      if (!rule.schedule) continue;
      for (const time of nextFireTimes(rule.schedule, new Date(this.scheduledUntil), new Date(until))) {
        this.agenda.push(time.getTime(), () =>
          this.invoke(rule, {
            version: '0',
            id: randomUUID(),
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: localAccount,
            time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            region: localRegion,
            resources: [`arn:aws:events:${localRegion}:${localAccount}:rule/${rule.name}`],
            detail: {},
          }),
        );
      }
    }
    this.scheduledUntil = until;
  }

  private async deliver(event: BusEvent) {
    const plain = event as unknown as Record<string, unknown>;
    if (this.deadLetterPatterns.some((pattern) => matchesPattern(pattern, plain))) {
      const detail = event.detail as { reason?: string; event?: unknown };
      this.deadLetter({ reason: detail.reason ?? event['detail-type'], event: detail.event ?? event });
    }
    for (const rule of this.rules) {
      if (rule.pattern && matchesPattern(rule.pattern, plain)) await this.invoke(rule, event);
    }
  }

  /** One attempt, then `retryAttempts` more; then the event is dead-lettered with the last error. */
  private async invoke(rule: Rule, event: BusEvent) {
    let lastError: unknown;
    for (let attempt = 0; attempt <= rule.retryAttempts; attempt++) {
      try {
        await rule.target(event);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    this.deadLetter({
      reason: `${rule.name} failed after ${rule.retryAttempts + 1} attempts: ${message}`,
      rule: rule.name,
      event,
    });
  }

  /** Serves PutEvents (JSON 1.1 protocol) for the SDK's EventBridge client, over HTTP (`listen`) or in this process. */
  readonly listener: RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      // Not EventBridge's: a redrive of a dead letter to the target it failed at (`redeliver`).
      if (request.headers['x-amz-target'] === 'RetentionLocal.Redeliver') {
        try {
          const { Target, Event } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Target?: unknown; Event?: unknown };
          if (typeof Target !== 'string') return reply(400, { __type: 'ValidationException', message: 'Target (a function name) is required' });
          this.redeliver(Target, Event);
          return reply(200, {});
        } catch (error) {
          return reply(400, { __type: 'ValidationException', message: error instanceof Error ? error.message : String(error) });
        }
      }
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return reply(400, { __type: 'UnknownOperationException', message: 'the local bus serves PutEvents only' });
      }
      try {
        const { Entries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: PutEventsEntry[] };
        if (!Array.isArray(Entries) || Entries.length < 1 || Entries.length > 10) {
          return reply(400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 events' });
        }
        const results = Entries.map((entry) => {
          const detail = parseDetail(entry);
          if (typeof detail === 'string') return { ErrorCode: 'MalformedDetail', ErrorMessage: detail };
          const event = this.put({
            source: entry.Source!,
            detailType: entry.DetailType!,
            detail,
            time: entry.Time === undefined ? undefined : new Date(Number(entry.Time) * 1000),
            resources: entry.Resources,
          });
          return { EventId: event.id };
        });
        reply(200, { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length });
      } catch (error) {
        reply(400, { __type: 'ValidationException', message: String(error) });
      }
    });
  };

  /** Resolves to the endpoint the bus listens on. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer(this.listener);
    await listening(this.server, port, host);
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async close() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number | string;
  Resources?: string[];
  EventBusName?: string;
}

/** As EventBridge: Source, DetailType and a JSON-object Detail are required. */
const parseDetail = (entry: PutEventsEntry): unknown | string => {
  if (!entry.Source || !entry.DetailType) return 'Source and DetailType are required';
  try {
    const detail: unknown = JSON.parse(entry.Detail ?? '');
    return typeof detail === 'object' && detail !== null && !Array.isArray(detail) ? detail : 'Detail must be a JSON object';
  } catch {
    return 'Detail is not valid JSON';
  }
};
