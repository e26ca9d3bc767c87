/**
 * What every campaign sweep shares (docs/design.md §8): read the customers due by now
 * through the campaign's due-time index and queue one send job each. It sends
 * nothing itself, so an hour of any size is selected in seconds; near its time
 * limit it stops, and what is left stays due for the next run.
 */
import type { DueIndexName } from '../adapters/dynamodb/table';
import { campaignSettings, type Config } from '../config';
import type { Campaign } from '../events/retention';
import type { SendQueue } from '../sending/jobs';
import type { DeliveryOutcome } from './delivery';
import type { CustomerStore } from './ports';

/**
 * Outcomes of settling a job besides the delivery's own: a customer no longer
 * eligible, a sequence an order ended, a survey within the fatigue period, a
 * job whose customer is no longer due (another job settled it).
 */
export type SweepOutcome = DeliveryOutcome | { outcome: 'ineligible' | 'ended' | 'fatigued' | 'duplicate' };

export interface SweepResult {
  campaign: Campaign;
  /** Customers the due-time index returned, each queued. */
  due: number;
  /** False when the sweep stopped near its time limit and left some for the next run. */
  complete: boolean;
}

/** Stop selecting with this much time left: the last page still gets queued. */
export const stopMarginMs = 30_000;

export interface SweepPorts {
  config: Config;
  customers: Pick<CustomerStore, 'due'>;
  sendJobs: SendQueue;
}

export const runSweep = async (
  campaign: Campaign,
  index: DueIndexName,
  at: Date,
  ports: SweepPorts,
  remainingMs: () => number,
): Promise<SweepResult> => {
  const result: SweepResult = { campaign, due: 0, complete: true };
  // A campaign switched off reads nothing; what is due waits in the index until it is switched on.
  if (!campaignSettings(ports.config, campaign).enabled) return result;
  for await (const customerIds of ports.customers.due(index, at)) {
    await ports.sendJobs.enqueue(customerIds.map((customerId) => ({ campaign, customerId, at: at.toISOString() })));
    result.due += customerIds.length;
    if (remainingMs() < stopMarginMs) {
      result.complete = false;
      break;
    }
  }
  return result;
};
