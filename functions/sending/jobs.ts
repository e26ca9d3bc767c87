/**
 * Send jobs (docs/design.md §8): a sweep only selects, and queues one job per due
 * customer; the sender settles each job. A job names no more than who and
 * when: the sender reads the customer afresh, so a job that comes late or
 * twice decides from what is stored then.
 */
import { z } from 'zod';
import { isoInstant } from '../events/event';
import { campaignSchema } from '../events/retention';

export const sendJobSchema = z.object({
  campaign: campaignSchema,
  customerId: z.string().min(1),
  /** The sweep's time: the business time of the send. */
  at: isoInstant,
});
export type SendJob = z.infer<typeof sendJobSchema>;

export interface SendQueue {
  /** Queues the jobs (in batches, as SQS takes them); throws if some could not be queued. */
  enqueue(jobs: SendJob[]): Promise<void>;
}
