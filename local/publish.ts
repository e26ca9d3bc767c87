/** `retention publish FILE`: puts events (NDJSON, or a JSON array) on the running local bus through PutEvents. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DeadLetter } from './event-bus';
import { localCredentials, localRegion } from './dynamodb';
import { readInput, type InputLine } from './simulate';

type EventLine = Exclude<InputLine, { recipient: unknown }>;

/** The events of a file; lines that are not events are returned as rejected, with their reason. */
export const parseEvents = (content: string, file: string) => {
  const trimmed = content.trim();
  let ndjson = trimmed;
  if (trimmed.startsWith('[')) {
    try {
      ndjson = (JSON.parse(trimmed) as unknown[]).map((event) => JSON.stringify(event)).join('\n');
    } catch (error) {
      return { lines: [], rejected: [{ at: '', reason: `${file}: not a JSON array: ${(error as Error).message}`, event: null }] };
    }
  }
  const { lines, rejected } = readInput(ndjson);
  const events: EventLine[] = [];
  for (const { value } of lines) {
    if ('recipient' in value) rejected.push({ at: '', reason: 'recipient actions only run in `retention simulate`', event: value });
    else events.push(value);
  }
  return { lines: events, rejected: rejected as DeadLetter[] };
};

/** Publishes the events, ten per PutEvents call as EventBridge allows; resolves to what the bus accepted and refused. */
export const publish = async (events: EventLine[], busUrl: string) => {
  const client = new EventBridgeClient({ endpoint: busUrl, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  let published = 0;
  const failed: string[] = [];
  try {
    for (let i = 0; i < events.length; i += 10) {
      const { Entries } = await client.send(
        new PutEventsCommand({
          Entries: events.slice(i, i + 10).map((event) => ({
            EventBusName: 'retention',
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.time),
          })),
        }),
      );
      for (const entry of Entries ?? []) {
        if (entry.EventId) published++;
        else failed.push(`${entry.ErrorCode}: ${entry.ErrorMessage}`);
      }
    }
  } finally {
    client.destroy();
  }
  return { published, failed };
};
