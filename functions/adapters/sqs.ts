/** Queuing send jobs on SQS: batches of ten, as SendMessageBatch takes them; a refused entry fails the call. */
import { SendMessageBatchCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { SendQueue } from '../sending/jobs';
import { cachedHandlers, engineClient } from './sdk-client';

/** The client, for the runtime to import on demand (named, so that a bundle keeps only SendMessageBatch: see ses.ts). */
export const sqsClient = (config: SQSClientConfig) => engineClient(new SQSClient({ ...cachedHandlers, ...config }));

const batchSize = 10;

export const sqsSendQueue = (client: SQSClient, queueUrl: string): SendQueue => ({
  async enqueue(jobs) {
    for (let i = 0; i < jobs.length; i += batchSize) {
      let entries = jobs.slice(i, i + batchSize).map((job, j) => ({ Id: String(j), MessageBody: JSON.stringify(job) }));
      // Entries SQS refused are sent again, a few times; a job queued twice is a no-op for the sender.
      for (let attempt = 0; entries.length; attempt++) {
        const { Failed } = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const failed = new Set((Failed ?? []).map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
        if (entries.length && attempt === 2) throw new Error(`SQS refused ${entries.length} send job(s): ${Failed?.[0]?.Code}`);
      }
    }
  },
});
