/** Loading a shop's history through the real ingest function, as the benchmarks do. */
import { toBusEvent } from '../local/event-bus';
import { progressCounter } from '../local/progress';
import type { LocalStack } from '../local/stack';

export type ShopEvent = { time: string; source: string; 'detail-type': string; detail: Record<string, unknown> };

/**
 * Loads events through the ingest function, 16 customers at a time as
 * concurrent Lambda invocations would, each customer's events in time order;
 * then delivers what ingestion published (conversions).
 */
export const loadThroughIngest = async (stack: LocalStack, events: ShopEvent[], label: string) => {
  const byCustomer = new Map<string, ShopEvent[]>();
  for (const event of events) {
    const id = event.detail.customerId as string;
    byCustomer.set(id, [...(byCustomer.get(id) ?? []), event]);
  }
  const queue = [...byCustomer.values()];
  const progress = progressCounter(process.stderr, events.length, label);
  let done = 0;
  const worker = async () => {
    for (let mine = queue.shift(); mine; mine = queue.shift()) {
      for (const event of mine) {
        const time = new Date(event.time);
        await stack.invoke('ingest', toBusEvent({ source: event.source, detailType: event['detail-type'], detail: event.detail, time }, time));
        progress(++done);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await stack.bus.flush();
};
