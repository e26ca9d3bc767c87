/**
 * Recording what a customer clicked (docs/design.md §5, nps): a valid score link records
 * the score (a later click within the link's 30 days replaces it, a replay
 * changes nothing), a comment is stored with it, and the shop hears about
 * detractors and promoters. Any invalid link records nothing.
 */
import { outgoing } from '../../events/event';
import { npsCommentAdded, npsDetractor, npsPromoter, npsResponseRecorded } from '../../events/retention';
import type { Config } from '../../config';
import { timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { nextSendSlot } from '../local-time';
import { referralEligibility } from '../referral/rules';
import { verifyToken, type Keyring } from '../../links/signed-token';
import type { CustomerStore, EventPublisher, KpiCounters, NpsResponses } from '../ports';
import { dayOf, npsChanges } from '../../ops/counters';
import { npsCategory, npsPurpose, parseScoreSubject } from './rules';

export interface ResponsePorts {
  config: Config;
  keyring: Keyring;
  customers: Pick<CustomerStore, 'get' | 'update'>;
  responses: NpsResponses;
  events: EventPublisher;
  kpis: KpiCounters;
}

export type ClickResult =
  | { valid: false }
  | { valid: true; customer: CustomerProfile; surveyId: string; score: number; changed: boolean; previousScore?: number };

/** A token that verifies, for a score, of a customer still with us. */
const claimsOf = async (token: string, now: Date, ports: ResponsePorts) => {
  const claims = verifyToken(ports.keyring, token, npsPurpose, now);
  const subject = claims && parseScoreSubject(claims.subject);
  if (!claims || !subject) return undefined;
  const customer = await ports.customers.get(claims.customerId);
  if (!customer || customer.deletedAt) return undefined;
  return { customer, ...subject };
};

export const recordScore = async (token: string, now: Date, ports: ResponsePorts): Promise<ClickResult> => {
  const claims = await claimsOf(token, now, ports);
  if (!claims) return { valid: false };
  const { customer, surveyId, score } = claims;
  const recorded = await ports.responses.record({
    customerId: customer.customerId,
    surveyId,
    score,
    recordedAt: now.toISOString(),
  });
  const previousScore = recorded.changed ? recorded.previousScore : undefined;
  if (recorded.changed) {
    const response = { customerId: customer.customerId, surveyId, orderId: surveyId, score };
    const category = npsCategory(score);
    const previous = previousScore === undefined ? undefined : npsCategory(previousScore);
    // The survey's whole contribution, with its latest score: replaces the one before.
    await ports.kpis.contribute(`NPS#${customer.customerId}#${surveyId}`, npsChanges(dayOf(recorded.firstRecordedAt), category));
    // One follow-up per response: only when the response becomes a detractor (or promoter).
    const becomes = previous !== category;
    const time = now.toISOString();
    await ports.events.publish([
      outgoing(npsResponseRecorded, time, { ...response, previousScore }),
      ...(becomes && category === 'detractor' ? [outgoing(npsDetractor, time, response)] : []),
      ...(becomes && category === 'promoter' ? [outgoing(npsPromoter, time, response)] : []),
    ]);
    await inviteIfPromoter(customer, score, now, ports);
  }
  return { valid: true, customer, surveyId, score, changed: recorded.changed, previousScore };
};

/**
 * The latest score is kept on the profile; a promoter's first one makes the referral
 * invitation due (docs/design.md §10), unless a referral email is pending already.
 */
const inviteIfPromoter = async (customer: CustomerProfile, score: number, now: Date, ports: ResponsePorts) => {
  await ports.customers.update(customer.customerId, { npsLatestScore: score });
  const { config } = ports;
  const invitation = referralEligibility({ referral: config.referral, latestNpsScore: score, tier: customer.loyaltyTier, loyalty: config.loyalty, invited: customer.referralInvitedAt !== undefined });
  if (!invitation.eligible || customer.referralDueAt !== undefined) return;
  const dueAt = nextSendSlot(now, timeZoneOf(customer, config.defaultTimeZone), config.referral!.sendHour, config.sendWindow);
  await ports.customers.update(customer.customerId, { referralStep: 1, referralDueAt: dueAt.toISOString() }, { referralDueAt: undefined, referralInvitedAt: undefined });
};

export const addComment = async (token: string, comment: string, now: Date, ports: ResponsePorts) => {
  const claims = await claimsOf(token, now, ports);
  if (!claims) return { valid: false as const };
  const saved = await ports.responses.comment(claims.customer.customerId, claims.surveyId, comment);
  if (!saved) return { valid: false as const };
  await ports.events.publish([
    outgoing(npsCommentAdded, now.toISOString(), {
      customerId: saved.customerId,
      surveyId: saved.surveyId,
      orderId: saved.surveyId,
      score: saved.score,
      comment,
    }),
  ]);
  return { valid: true as const, customer: claims.customer };
};
