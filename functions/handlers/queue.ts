/**
 * What the queue-triggered handlers share (docs/design.md §8): an SQS batch from the
 * event source mapping, each record handled on its own through Powertools'
 * batch processor, and the records that failed reported back
 * (`batchItemFailures`) so SQS retries only those, after the visibility
 * timeout, and moves one that keeps failing to the dead-letter queue.
 * Records are handled in order, one at a time: one customer's events stay in
 * the order they came.
 */
import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface QueueResult<R> extends SQSBatchResponse {
  /** What each record that succeeded came to (logged and counted by the local stack; Lambda ignores it). */
  results: R[];
}

export const processQueue = async <R>(
  event: SQSEvent,
  context: Context,
  handleRecord: (record: SQSRecord) => Promise<R>,
): Promise<QueueResult<R>> => {
  const processor = new BatchProcessor(EventType.SQS);
  processor.register(event.Records, handleRecord, { context, processInParallel: false, throwOnFullBatchFailure: false });
  const processed = await processor.process();
  const results = processed.filter(([status]) => status === 'success').map(([, result]) => result as R);
  return { ...processor.response(), results };
};
