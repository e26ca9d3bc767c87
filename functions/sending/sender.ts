/**
 * The sender (docs/design.md §8): settles one send job with its campaign's rule. The
 * customer is read afresh; a job whose customer is no longer due at its time
 * (another job settled it, or an order moved it on) does nothing.
 */
import type { Campaign } from '../events/retention';
import type { CustomerProfile } from '../customers/profile';
import type { DeliveryPorts } from '../campaigns/delivery';
import type { Attempt, CustomerStore, CustomerStory } from '../campaigns/ports';
import { notMailableBecause, type EmailEntry } from '../customers/story';
import type { SweepOutcome } from '../campaigns/sweep';
import { birthdaySendKey, settleBirthday } from '../campaigns/birthday/sweep';
import { settleNps, surveySendKey } from '../campaigns/nps/sweep';
import { settleWinback, winbackSendKey } from '../campaigns/winback/sweep';
import { pointsSendKey, settlePoints, settleTier, tierSendKey } from '../campaigns/loyalty/sweep';
import { referralSendKey, settleReferral } from '../campaigns/referral/sweep';
import type { Referrals } from '../campaigns/ports';
import type { SendJob } from './jobs';

export type SenderPorts = DeliveryPorts & { customers: CustomerStore; story: CustomerStory; referrals: Referrals };

const campaigns: Record<Campaign, { dueAt: (profile: CustomerProfile) => string | undefined; settle: typeof settleReferral }> = {
  birthday: { dueAt: (profile) => profile.birthdayDueAt, settle: settleBirthday },
  winback: { dueAt: (profile) => profile.winbackDueAt, settle: settleWinback },
  nps: { dueAt: (profile) => profile.npsDueAt, settle: settleNps },
  tier: { dueAt: (profile) => profile.tierDueAt, settle: settleTier },
  points: { dueAt: (profile) => profile.pointsDueAt, settle: settlePoints },
  referral: { dueAt: (profile) => profile.referralDueAt, settle: settleReferral },
};

/** The send key the settled occasion had, from the profile as the job found it. */
const sendKeyOf = (campaign: Campaign, profile: CustomerProfile): string => {
  switch (campaign) {
    case 'birthday':
      return birthdaySendKey(profile.customerId, profile.birthdayOccasion!);
    case 'winback':
      return winbackSendKey(profile.customerId, profile.winbackLapse!, profile.winbackStep!);
    case 'nps':
      return surveySendKey(profile.customerId, profile.npsOrderId!);
    case 'tier':
      return tierSendKey(profile.customerId, profile.tierOccasion!);
    case 'points':
      return pointsSendKey(profile.customerId, profile.pointsOccasion!);
    case 'referral':
      return referralSendKey(profile.customerId, profile.referralStep!, profile.referralRewardFor);
  }
};

export const settleJob = async (job: SendJob, ports: SenderPorts, attempt: Attempt): Promise<SweepOutcome> => {
  const campaign = campaigns[job.campaign];
  const profile = await ports.customers.get(job.customerId);
  const dueAt = profile && campaign.dueAt(profile);
  if (!profile || dueAt === undefined || Date.parse(dueAt) > Date.parse(job.at)) return { outcome: 'duplicate' };
  const outcome = await campaign.settle(profile, new Date(job.at), ports, attempt);
  const entry = storyEntry(job, profile, outcome);
  if (entry) await ports.story.note(job.customerId, entry);
  return outcome;
};

/** What the customer's story keeps of a settled job (docs/design.md §11); a failure that will be retried is not settled. */
const storyEntry = (job: SendJob, profile: CustomerProfile, outcome: SweepOutcome): EmailEntry | undefined => {
  if (outcome.outcome === 'duplicate' || (outcome.outcome === 'failed' && outcome.retryable)) return undefined;
  const step = job.campaign === 'winback' ? profile.winbackStep : job.campaign === 'referral' ? profile.referralStep : undefined;
  const entry: EmailEntry = { kind: 'email', at: job.at, campaign: job.campaign, ...(step !== undefined && { step }), outcome: outcome.outcome };
  switch (outcome.outcome) {
    case 'heldOut':
      return { ...entry, sendKey: sendKeyOf(job.campaign, profile) };
    case 'sent':
      return { ...entry, sendKey: sendKeyOf(job.campaign, profile), messageId: outcome.messageId, ...(outcome.subject && { subject: outcome.subject }), ...(outcome.discountCode && { discountCode: outcome.discountCode }) };
    case 'deferred':
      return { ...entry, until: outcome.until.toISOString(), ...(outcome.takenBy && { takenBy: outcome.takenBy }) };
    case 'suppressed':
      return { ...entry, ...(outcome.why && { why: outcome.why }) };
    case 'ineligible':
      return { ...entry, why: notMailableBecause(profile, job.campaign) ?? 'not eligible' };
    case 'failed':
      return { ...entry, reason: outcome.reason };
    default:
      return entry;
  }
};
