/**
 * `retention publish FILE`: puts events (NDJSON, or a JSON array) on the running local bus through
 * PutEvents, and tells, per line, what the engine will make of each: ingest's own checks, run here
 * on the event as the bus will deliver it, so an event ingest rejects (later, on its queue, as an
 * `Event Rejected` dead letter) is reported with its reason when it is published.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { shopEventSchema } from '../functions/customers/ingest';
import { measure, parseBounded } from '../functions/events/bounded';
import { shopEvents } from '../functions/events/shop';
import { isPlatformEvent, translatePlatformEvent } from '../functions/sources';
import { wiring, type FunctionName, type FunctionWiring } from '../functions/wiring';
import { toBusEvent } from './event-bus';
import { localCredentials, localRegion } from './dynamodb';
import { matchesPattern } from './event-pattern';
import { readInput, type InputLine } from './simulate';

type EventLine = Exclude<InputLine, { recipient: unknown }> & { resources?: string[] };

/** A line of the file that is no event to publish, with where it is (`FILE:LINE`) and why. */
export interface NotAnEvent {
  where: string;
  reason: string;
}

/**
 * The events of a file, each with where it is (`FILE:LINE`; `FILE: event N` in a JSON array), in
 * time order; lines that are no event (not JSON, no time, a recipient action) apart, with their reason.
 */
export const parseEvents = (content: string, file: string) => {
  const trimmed = content.trim();
  let ndjson = trimmed;
  let array = false;
  if (trimmed.startsWith('[')) {
    try {
      ndjson = (JSON.parse(trimmed) as unknown[]).map((event) => JSON.stringify(event)).join('\n');
      array = true;
    } catch (error) {
      return { events: [], notEvents: [{ where: file, reason: `not a JSON array: ${(error as Error).message}` }] };
    }
  }
  const where = (line: number) => (array ? `${file}: event ${line}` : `${file}:${line}`);
  const { lines, rejected } = readInput(ndjson);
  const notEvents: NotAnEvent[] = rejected.map(({ reason }) => {
    // readInput names the line as `input line N: ...`.
    const match = /^input line (\d+): (.*)$/s.exec(reason);
    return match ? { where: where(Number(match[1])), reason: match[2]! } : { where: file, reason };
  });
  const events: { where: string; event: EventLine }[] = [];
  for (const { line, value } of lines) {
    if ('recipient' in value) notEvents.push({ where: where(line), reason: 'recipient actions only run in `retention simulate`' });
    else events.push({ where: where(line), event: value });
  }
  return { events, notEvents };
};

export type Verdict =
  /** Ingest takes it (stores it, or finds it a duplicate), or another function's rule does. */
  | { outcome: 'accepted'; by: FunctionName[] }
  /** Ingest refuses it: an `Event Rejected` dead letter with this reason. */
  | { outcome: 'rejected'; reason: string }
  /** No function takes it (no rule matches, or a platform's topic the engine does not use). */
  | { outcome: 'ignored'; reason: string };

const shopEventTypes = shopEvents.map((event) => event.detailType);

/** The rules an event reaches: each function's pattern (a queue's: its own and its platform's). */
const takers = (event: Record<string, unknown>): FunctionName[] =>
  (Object.entries(wiring) as [FunctionName, FunctionWiring][])
    .filter(([, fn]) => {
      const { trigger } = fn;
      const patterns = 'queue' in trigger ? [trigger.queue.pattern, trigger.queue.platformPattern] : 'pattern' in trigger ? [trigger.pattern] : [];
      return patterns.some((pattern) => pattern && matchesPattern(pattern, event));
    })
    .map(([name]) => name);

/**
 * What the engine will make of the event once the bus delivers it: the envelope the local bus
 * stamps (./event-bus.ts `toBusEvent`), routed by the wiring table's patterns, then ingest's
 * checks in ingest's order (functions/customers/ingest.ts `ingest`): a platform's event bounded
 * and translated (functions/sources), each shop event bounded and parsed with the shop's schemas.
 */
export const screen = (line: EventLine, now = new Date()): Verdict => {
  const event = toBusEvent(
    { source: line.source, detailType: line['detail-type'], detail: line.detail, time: new Date(line.time), resources: line.resources },
    now,
  ) as unknown as Record<string, unknown>;
  const by = takers(event);
  if (!by.length) {
    const known = line.source === 'shop' ? ` (the shop's are ${shopEventTypes.map((type) => `'${type}'`).join(', ')})` : '';
    return { outcome: 'ignored', reason: `no rule takes source '${line.source}', detail-type '${line['detail-type']}'${known}` };
  }
  if (!by.includes('ingest')) return { outcome: 'accepted', by };
  const shopEvents: unknown[] = [];
  if (isPlatformEvent(event)) {
    const { problem } = measure(event);
    const translation = problem ? { kind: 'rejected' as const, reason: problem } : translatePlatformEvent(event);
    if (translation.kind === 'ignored') return { outcome: 'ignored', reason: translation.reason };
    if (translation.kind === 'rejected') return { outcome: 'rejected', reason: translation.reason };
    shopEvents.push(...translation.events);
  } else shopEvents.push(event);
  for (const shopEvent of shopEvents) {
    const parsed = parseBounded(shopEventSchema, shopEvent);
    if (!parsed.success) return { outcome: 'rejected', reason: parsed.reason };
  }
  return { outcome: 'accepted', by };
};

/** What PutEvents answered for one event: its id, or the bus's refusal. */
export type EntryResult = { eventId: string } | { error: string };

/**
 * Publishes the events, ten per PutEvents call as EventBridge allows; resolves to what the bus
 * accepted and refused (`results`: one per event, in order).
 */
export const publish = async (events: EventLine[], busUrl: string) => {
  const client = new EventBridgeClient({ endpoint: busUrl, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  let published = 0;
  const failed: string[] = [];
  const results: EntryResult[] = [];
  try {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const { Entries } = await client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: 'retention',
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.time),
            ...(event.resources && { Resources: event.resources }),
          })),
        }),
      );
      batch.forEach((_, j) => {
        const entry = Entries?.[j];
        if (entry?.EventId) {
          published++;
          results.push({ eventId: entry.EventId });
        } else {
          const error = entry ? `${entry.ErrorCode}: ${entry.ErrorMessage}` : 'no answer from the bus';
          failed.push(error);
          results.push({ error });
        }
      });
    }
  } finally {
    client.destroy();
  }
  return { published, failed, results };
};

/** `retention publish`'s report: a line per event that is not simply accepted, then the count. */
export const report = (options: {
  busUrl: string;
  events: { where: string; event: EventLine }[];
  notEvents: NotAnEvent[];
  verdicts: Verdict[];
  results: EntryResult[];
}) => {
  const problems: { where: string; text: string }[] = options.notEvents.map(({ where, reason }) => ({ where, text: `not published: ${reason}` }));
  let accepted = 0;
  let rejected = 0;
  let ignored = 0;
  let refused = 0;
  options.events.forEach(({ where }, i) => {
    const result = options.results[i];
    const verdict = options.verdicts[i]!;
    if (result && 'error' in result) {
      refused++;
      problems.push({ where, text: `not published: the bus refused it: ${result.error}` });
    } else if (verdict.outcome === 'rejected') {
      rejected++;
      problems.push({ where, text: `rejected: ${verdict.reason}` });
    } else if (verdict.outcome === 'ignored') {
      ignored++;
      problems.push({ where, text: `ignored: ${verdict.reason}` });
    } else accepted++;
  });
  // In file order: FILE:LINE sorts by its line number.
  const lineOf = (where: string) => Number(/(\d+)$/.exec(where)?.[1] ?? 0);
  problems.sort((a, b) => lineOf(a.where) - lineOf(b.where));
  const published = options.events.length - refused;
  const parts = [`${accepted} accepted`];
  if (rejected) parts.push(`${rejected} rejected (published anyway, as on AWS: ${rejected === 1 ? 'it is' : 'they are'} in the dead letters with the reason)`);
  if (ignored) parts.push(`${ignored} ignored (no function takes ${ignored === 1 ? 'it' : 'them'})`);
  const unpublished = options.notEvents.length + refused;
  const summary = `published ${published} event${published === 1 ? '' : 's'} to ${options.busUrl}: ${parts.join(', ')}${
    unpublished ? `; ${unpublished} line${unpublished === 1 ? '' : 's'} not published` : ''
  }`;
  return { problems: problems.map(({ where, text }) => `${where}: ${text}`), summary, failed: rejected + unpublished > 0 };
};
