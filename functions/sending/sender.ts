/**
 * The sender (docs/design.md §8): settles one send job with its campaign's rule. The
 * customer is read afresh; a job whose customer is no longer due at its time
 * (another job settled it, or an order moved it on) does nothing.
 */
import type { Campaign } from '../events/retention';
import type { CustomerProfile } from '../customers/profile';
import type { DeliveryPorts } from '../campaigns/delivery';
import type { Attempt, CustomerStore } from '../campaigns/ports';
import type { SweepOutcome } from '../campaigns/sweep';
import { settleBirthday } from '../campaigns/birthday/sweep';
import { settleNps } from '../campaigns/nps/sweep';
import { settleWinback } from '../campaigns/winback/sweep';
import type { SendJob } from './jobs';

export type SenderPorts = DeliveryPorts & { customers: CustomerStore };

const campaigns: Record<Campaign, { dueAt: (profile: CustomerProfile) => string | undefined; settle: typeof settleBirthday }> = {
  birthday: { dueAt: (profile) => profile.birthdayDueAt, settle: settleBirthday },
  winback: { dueAt: (profile) => profile.winbackDueAt, settle: settleWinback },
  nps: { dueAt: (profile) => profile.npsDueAt, settle: settleNps },
};

export const settleJob = async (job: SendJob, ports: SenderPorts, attempt: Attempt): Promise<SweepOutcome> => {
  const campaign = campaigns[job.campaign];
  const profile = await ports.customers.get(job.customerId);
  const dueAt = profile && campaign.dueAt(profile);
  if (!profile || dueAt === undefined || Date.parse(dueAt) > Date.parse(job.at)) return { outcome: 'duplicate' };
  return campaign.settle(profile, new Date(job.at), ports, attempt);
};
