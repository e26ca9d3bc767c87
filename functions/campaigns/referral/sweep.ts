/**
 * The referral emails (docs/design.md §10): step 1 invites a promoter or top-tier customer
 * to refer friends, with their personal code (usable by many new customers, each once);
 * step 2 thanks them for a friend's first order, with a reward code. One referral email is
 * pending at a time; settling a reward makes the next one owed due.
 */
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { deliver, type DeliveryPorts } from '../delivery';
import { afterDelivery } from '../loyalty/sweep';
import type { Attempt, CustomerStore, Referrals } from '../ports';
import { runSweep, type SweepOutcome, type SweepPorts } from '../sweep';
import { referralEligibility } from './rules';

export const referralSendKey = (customerId: string, step: number, referredId?: string) =>
  step === 1 ? `referral#${customerId}#invite` : `referral#${customerId}#reward#${referredId}`;

type Ports = DeliveryPorts & { customers: CustomerStore; referrals: Referrals };

export const runReferralSweep = (at: Date, ports: SweepPorts, remainingMs: () => number) => runSweep('referral', 'referralDue', at, ports, remainingMs);

export const settleReferral = async (profile: CustomerProfile, at: Date, ports: Ports, attempt: Attempt): Promise<SweepOutcome> => {
  const referral = ports.config.referral;
  const { customerId } = profile;
  const step = profile.referralStep;
  const rewardFor = profile.referralRewardFor;
  if (!referral || step === undefined || (step === 2 && rewardFor === undefined)) return { outcome: 'ended' };
  const pending = { referralStep: step, ...(step === 2 && { referralRewardFor: rewardFor }) };
  const clear = { referralDueAt: undefined, referralStep: undefined, referralRewardFor: undefined };
  const rewardDue = (referredId: string) => ({ referralStep: 2, referralRewardFor: referredId, referralDueAt: at.toISOString() });
  /**
   * This email is settled: the next reward owed, if any, is due at once (the day's one email
   * defers it as it must); else nothing is pending. A friend converting meanwhile found this
   * email pending and left their reward to it: once cleared, look again, or that reward would
   * wait for the next conversion.
   */
  const settled = async (values: Partial<CustomerProfile> = {}) => {
    const next = (await ports.referrals.pending(customerId))[0];
    const stored = await ports.customers.update(customerId, { ...values, ...(next ? rewardDue(next.referredId) : clear) }, pending);
    if (!stored || next) return;
    const late = (await ports.referrals.pending(customerId))[0];
    if (late) await ports.customers.update(customerId, rewardDue(late.referredId), { referralDueAt: undefined });
  };

  if (step === 1) {
    const invite = (dueAt: string | undefined, invited = false) =>
      dueAt === undefined ? settled(invited ? { referralInvitedAt: at.toISOString() } : {}) : ports.customers.update(customerId, { referralDueAt: dueAt }, pending);
    // Asked again at send time: a promoter who has since scored 5, or a tier lost, is not invited.
    const eligible = referralEligibility({ referral, latestNpsScore: profile.npsLatestScore, tier: profile.loyaltyTier, loyalty: ports.config.loyalty, invited: profile.referralInvitedAt !== undefined });
    if (!eligible.eligible || !isMailable(profile)) {
      await invite(undefined);
      return { outcome: eligible.eligible ? 'ineligible' : 'ended' };
    }
    const outcome = await deliver(
      {
        campaign: 'referral',
        step: 1,
        template: 'referral-1',
        sendKey: referralSendKey(customerId, 1),
        customer: profile,
        timeZone: timeZoneOf(profile, ports.config.defaultTimeZone),
        at,
        sendHour: referral.sendHour,
        // The customer's personal code: their friends' discount.
        offer: { percentOff: referral.percentOff, validDays: referral.validDays, oncePerCustomer: true },
        data: { referral: { rewardPercentOff: referral.rewardPercentOff } },
      },
      ports,
      attempt,
    );
    // Invited once: sent, or held out. An invitation not mailable now may come with a later promoter score.
    const invited = outcome.outcome === 'sent' || outcome.outcome === 'heldOut';
    await afterDelivery(outcome, (dueAt) => invite(dueAt, invited));
    return outcome;
  }

  const reward = async (dueAt: string | undefined) => {
    if (dueAt !== undefined) return ports.customers.update(customerId, { referralDueAt: dueAt }, pending);
    await ports.referrals.settle(customerId, rewardFor!, at.toISOString());
    return settled();
  };
  if (!isMailable(profile)) {
    await reward(undefined);
    return { outcome: 'ineligible' };
  }
  const outcome = await deliver(
    {
      campaign: 'referral',
      step: 2,
      template: 'referral-2',
      sendKey: referralSendKey(customerId, 2, rewardFor),
      customer: profile,
      timeZone: timeZoneOf(profile, ports.config.defaultTimeZone),
      at,
      sendHour: referral.sendHour,
      offer: { percentOff: referral.rewardPercentOff, validDays: referral.validDays },
    },
    ports,
    attempt,
  );
  await afterDelivery(outcome, reward);
  return outcome;
};
