/** Publishing the engine's events (docs/design.md §4) on the retention bus. */
import { EventBridgeClient, PutEventsCommand, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../campaigns/ports';
import { cachedHandlers, engineClient } from './sdk-client';

/** The client, for the runtime to import on demand (named, so that a bundle keeps only PutEvents: see ses.ts). */
export const eventBridgeClient = (config: EventBridgeClientConfig) => engineClient(new EventBridgeClient({ ...cachedHandlers, ...config }));

/** PutEvents takes at most 10 entries a call. */
const batchSize = 10;

export const eventBridgePublisher = (client: EventBridgeClient, eventBusName: string): EventPublisher => ({
  async publish(events) {
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const { FailedEntryCount, Entries } = await client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: eventBusName,
            Source: event.source,
            DetailType: event.detailType,
            Time: new Date(event.time),
            Detail: JSON.stringify(event.eventId ? { ...event.detail, eventId: event.eventId } : event.detail),
            ...(event.resources && { Resources: event.resources }),
          })),
        }),
      );
      if (FailedEntryCount) {
        const failure = Entries?.find((entry) => entry.ErrorCode);
        throw new Error(`PutEvents rejected ${FailedEntryCount} event(s): ${failure?.ErrorCode} ${failure?.ErrorMessage}`);
      }
    }
  },
});
