/**
 * What every campaign sweep shares: read the customers due by now through the
 * campaign's due-time index, settle each with the campaign's own rule (with a
 * bounded concurrency), and count the outcomes.
 */
import type { DueIndexName } from '../adapters/dynamodb/table';
import type { Config } from '../config';
import type { Campaign } from '../events/retention';
import type { CustomerProfile } from '../customers/profile';
import type { DeliveryOutcome } from './delivery';
import type { CustomerStore } from './ports';

/**
 * Outcomes a sweep reports besides the delivery's own: a customer no longer
 * eligible, a sequence an order ended, a survey within the fatigue period.
 */
export type SweepOutcome = DeliveryOutcome | { outcome: 'ineligible' | 'ended' | 'fatigued' };

export interface SweepResult {
  campaign: Campaign;
  /** Customers the due-time index returned. */
  due: number;
  outcomes: Partial<Record<SweepOutcome['outcome'], number>>;
  /** Emails sent per A/B test variant, `experiment/variant`. */
  variants: Record<string, number>;
  /** Emails sent per step, for a campaign with steps (winback). */
  steps: Record<string, number>;
  /** Failures worth a retry of the whole sweep (what was sent is a no-op then). */
  retryable: string[];
}

/** Bounded, so a large hour does not open thousands of connections at once. */
const concurrency = 16;

export const runSweep = async (
  campaign: Campaign,
  index: DueIndexName,
  at: Date,
  ports: { config: Config; customers: CustomerStore },
  settle: (profile: CustomerProfile) => Promise<SweepOutcome>,
): Promise<SweepResult> => {
  // A campaign switched off reads nothing; what is due waits in the index until it is switched on.
  const queue = ports.config[campaign].enabled ? await ports.customers.due(index, at) : [];
  const result: SweepResult = { campaign, due: queue.length, outcomes: {}, variants: {}, steps: {}, retryable: [] };
  const worker = async () => {
    for (let profile = queue.shift(); profile; profile = queue.shift()) {
      const outcome = await settle(profile);
      result.outcomes[outcome.outcome] = (result.outcomes[outcome.outcome] ?? 0) + 1;
      if (outcome.outcome === 'failed' && outcome.retryable) result.retryable.push(`${profile.customerId}: ${outcome.reason}`);
      if (outcome.outcome === 'sent' && outcome.assignment) {
        const key = `${outcome.assignment.experiment}/${outcome.assignment.variant}`;
        result.variants[key] = (result.variants[key] ?? 0) + 1;
      }
      if (outcome.outcome === 'sent' && outcome.step !== undefined) result.steps[outcome.step] = (result.steps[outcome.step] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
};
