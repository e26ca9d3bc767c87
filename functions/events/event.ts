/**
 * Every event the engine reads or writes is declared once, in a file of its own
 * exporting its source, detail-type and zod schema; producers and consumers
 * import the same declaration.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

export const isoInstant = z.iso.datetime({ offset: true });

export interface EventDefinition<Source extends string, DetailType extends string, Detail extends z.ZodType> {
  source: Source;
  detailType: DetailType;
  detail: Detail;
  /** The delivered EventBridge event (docs/design.md §3): version, id, account, time, region, resources... */
  envelope: ReturnType<typeof envelopeOf<Source, DetailType, Detail>>;
}

export const defineEvent = <Source extends string, DetailType extends string, Detail extends z.ZodType>(
  source: Source,
  detailType: DetailType,
  detail: Detail,
): EventDefinition<Source, DetailType, Detail> => ({
  source,
  detailType,
  detail,
  envelope: envelopeOf(source, detailType, detail),
});

const envelopeOf = <Source extends string, DetailType extends string, Detail extends z.ZodType>(
  source: Source,
  detailType: DetailType,
  detail: Detail,
) => EventBridgeSchema.extend({ source: z.literal(source), 'detail-type': z.literal(detailType), detail });

/**
 * What a handler hands to the event publisher: the bus fills in its own id and
 * the account. `eventId` is ours and stable: an event published again (after a
 * crash, from the outbox) carries the same one in its detail, so consumers
 * drop repeats by it.
 */
export interface OutgoingEvent {
  source: string;
  detailType: string;
  time: string;
  detail: Record<string, unknown>;
  eventId?: string;
  /** The event's `resources`: here, where a shop event came from (functions/customers/story.ts, `originResource`). */
  resources?: string[];
}

export const outgoing = <D extends z.ZodType>(
  definition: EventDefinition<string, string, D>,
  time: string,
  detail: z.input<D>,
  eventId?: string,
): OutgoingEvent => ({
  source: definition.source,
  detailType: definition.detailType,
  time,
  detail: definition.detail.parse(detail) as Record<string, unknown>,
  ...(eventId && { eventId }),
});

/** The stable id of the event of `detailType` that follows the state change `key` (a send key, an order id...). */
export const stableEventId = (detailType: string, key: string) => `${detailType.replaceAll(' ', '')}#${key}`;

/** A reason lists this many issues at most: it goes to logs and dead letters, and a list of 10,000 bad entries says no more than ten. */
const maxIssuesListed = 10;

/** `detail.email: Invalid email address` — names the field and what is wrong with it. */
export const describeIssues = (error: z.ZodError): string => {
  const listed = error.issues.slice(0, maxIssuesListed).map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(event)';
    return `${field}: ${issue.message}`;
  });
  const more = error.issues.length - listed.length;
  return [...listed, ...(more > 0 ? [`and ${more} more`] : [])].join('; ');
};
