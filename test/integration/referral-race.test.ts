/**
 * A friend's first order with a referral code that lands while the referrer's referral
 * email is being settled (docs/design.md §10), over dynalite: the conversion finds that
 * email pending and leaves its reward to it, so settling it must make the reward due,
 * whichever step was pending. The conversion is injected at the worst moment: just after
 * the settling read the rewards owed, before it cleared the pending email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryAdapters } from '../../functions/adapters/delivery';
import { parseConfig } from '../../functions/config';
import { convertReferral } from '../../functions/campaigns/referral/conversion';
import { settleReferral } from '../../functions/campaigns/referral/sweep';
import type { Referrals } from '../../functions/campaigns/ports';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { upsert } from './run-simulation';

const config = parseConfig({ referral: { percentOff: 10, rewardPercentOff: 15, validDays: 60 } });
const at = new Date('2026-05-04T02:00:00Z');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ config, start: new Date('2026-05-01T00:00:00Z') });
});
afterAll(() => stack?.close());

/** The referrer, with the referral email of `step` pending; not mailable, so settling it sends nothing. */
const referrerWithPendingEmail = async (referrerId: string, step: 1 | 2) => {
  await stack.invoke('ingest', { version: '0', id: `upsert-${referrerId}`, account: '0', region: 'local-1', resources: [], ...upsert('2026-05-01T00:00:00Z', { customerId: referrerId, email: `${referrerId}@example.com`, locale: 'en', timeZone: 'UTC', marketingConsent: false }) });
  const ports = { ...(await deliveryAdapters(stack.runtime)()), keyring: await stack.runtime.keyring() };
  if (step === 2) await ports.referrals.record(referrerId, { referredId: 'chen', orderId: 'o-chen', code: `${referrerId}-CODE`, convertedAt: '2026-05-02T08:00:00Z' });
  await ports.customers.update(referrerId, { referralStep: step, ...(step === 2 && { referralRewardFor: 'chen' }), referralDueAt: '2026-05-03T02:00:00Z' });
  return ports;
};

/** Dana's first order with the referrer's code, as ingest converts it. */
const danaConverts = (referrerId: string, ports: Awaited<ReturnType<typeof referrerWithPendingEmail>>) => {
  const order = { orderId: 'o-dana', customerId: `dana-of-${referrerId}`, placedAt: '2026-05-04T01:30:00Z', total: 120, currency: 'MYR' };
  return convertReferral(
    {
      code: { code: `${referrerId}-CODE`, customerId: referrerId, campaign: 'referral', step: 1, percentOff: 10, expiresAt: '2026-07-01T00:00:00Z', sendKey: `referral#${referrerId}#invite`, oncePerCustomer: true },
      order,
      referred: undefined,
      history: { orders: [{ orderId: order.orderId, placedAt: order.placedAt, total: order.total, currency: order.currency }], changes: [] },
      time: at,
      from: at,
    },
    { config, customers: ports.customers, referrals: ports.referrals, events: ports.events },
  );
};

describe('a friend converts while the referral email is being settled', () => {
  it.each([
    [1, 'the invitation'],
    [2, "an earlier friend's reward"],
  ] as const)('step %s (%s): the new reward is due once it is settled, not left waiting', async (step, _pending) => {
    const referrerId = `bilal-${step}`;
    const ports = await referrerWithPendingEmail(referrerId, step);
    let conversions = 0;
    const racing: Referrals = {
      ...ports.referrals,
      async pending(customerId) {
        const owed = await ports.referrals.pending(customerId);
        if (conversions++ === 0) expect(await danaConverts(referrerId, ports)).toMatchObject({ kind: 'reward' });
        return owed;
      },
    };
    const profile = (await ports.customers.get(referrerId))!;
    // While the email was pending, the conversion could not make its reward due itself.
    const outcome = await settleReferral(profile, at, { ...ports, referrals: racing }, { owner: 'job-1', now: at });
    expect(outcome.outcome).toBe(step === 1 ? 'ended' : 'ineligible');
    const after = (await ports.customers.get(referrerId))!;
    expect([after.referralStep, after.referralRewardFor, after.referralDueAt]).toEqual([2, `dana-of-${referrerId}`, at.toISOString()]);
    expect((await ports.referrals.pending(referrerId)).map((owed) => owed.referredId)).toEqual([`dana-of-${referrerId}`]);
  });
});
