/** docs/design.md §10, referral: who gets a personal code, and which first order rewards its owner. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { suppressionKey } from '../../functions/adapters/dynamodb/suppressions';
import { addressHash } from '../../functions/customers/profile';
import {
  referralEligibility,
  referralOutcome,
  type ReferralOutcomeInput,
  type ReferredCustomer,
  type Referrer,
} from '../../functions/campaigns/referral/rules';

const config = parseConfig({
  loyalty: { pointsPerUnit: { MYR: 1 }, tiers: [{ name: 'Silver', spend: { MYR: 500 } }, { name: 'Gold', spend: { MYR: 2000 } }] },
  referral: { percentOff: 10, rewardPercentOff: 15, validDays: 30 },
});
const { referral, loyalty } = config;

describe('the configuration', () => {
  it('fills in what the block leaves out: 10 % off, a 15 % reward, codes valid 30 days, from 10:00 local, no holdout', () => {
    expect(parseConfig({ referral: {} }).referral).toEqual({ percentOff: 10, rewardPercentOff: 15, validDays: 30, sendHour: 10, holdoutShare: 0 });
  });

  it('refuses a discount outside 1–100 %, naming the field', () => {
    expect(() => parseConfig({ referral: { rewardPercentOff: 150 } })).toThrow('retention.config.json: referral.rewardPercentOff');
  });
});

describe('a personal referral code: for promoters and the top tier, once', () => {
  const eligibility = (input: { latestNpsScore?: number; tier?: string; invited?: boolean }) =>
    referralEligibility({ referral, loyalty, invited: false, ...input });

  it('goes to a promoter: a latest score of 9 or 10', () => {
    expect(eligibility({ latestNpsScore: 9 })).toEqual({ eligible: true, as: 'promoter' });
    expect(eligibility({ latestNpsScore: 10 })).toEqual({ eligible: true, as: 'promoter' });
  });

  it('not to a passive or a detractor, nor to a customer never surveyed', () => {
    const reason = 'neither a promoter nor in the top tier';
    expect(eligibility({ latestNpsScore: 8 })).toEqual({ eligible: false, reason });
    expect(eligibility({ latestNpsScore: 3 })).toEqual({ eligible: false, reason });
    expect(eligibility({})).toEqual({ eligible: false, reason });
  });

  it('goes to a customer in the top tier, not a lower one', () => {
    expect(eligibility({ tier: 'Gold' })).toEqual({ eligible: true, as: 'top tier' });
    expect(eligibility({ tier: 'Silver' })).toMatchObject({ eligible: false });
  });

  it('only to promoters without tiers', () => {
    expect(referralEligibility({ referral, tier: 'Gold', invited: false })).toMatchObject({ eligible: false });
    expect(referralEligibility({ referral, loyalty: { tiers: [] }, latestNpsScore: 9, invited: false })).toMatchObject({ eligible: true });
  });

  it('once: a customer invited already gets no second code', () => {
    expect(eligibility({ latestNpsScore: 10, invited: true })).toEqual({ eligible: false, reason: 'already invited' });
  });

  it('to nobody with referral off', () => {
    expect(referralEligibility({ referral: undefined, latestNpsScore: 10, invited: false })).toEqual({ eligible: false, reason: 'referral off' });
  });
});

describe('a reward: a new customer’s first order with the code, once per referred customer', () => {
  const ana: Referrer = { customerId: 'ana', email: 'ana@shop.example', code: 'ANA2345678', codeExpiresAt: '2026-06-30T00:00:00.000Z' };
  const ben: ReferredCustomer = { customerId: 'ben', email: 'ben@mail.example', orders: [{ orderId: 'b1', placedAt: '2026-06-10T09:00:00.000Z' }] };
  const firstOrder = { orderId: 'b1', placedAt: '2026-06-10T09:00:00.000Z', discountCode: 'ANA2345678' };
  const outcome = (input: Partial<ReferralOutcomeInput> = {}) => referralOutcome({ referral, referrer: ana, referred: ben, order: firstOrder, ...input });

  it('rewards the referrer when a new customer’s first order uses their code', () => {
    expect(outcome()).toEqual({ kind: 'reward', referrerId: 'ana', referredId: 'ben' });
  });

  it('takes the code as typed, in any case and with stray spaces', () => {
    expect(outcome({ order: { ...firstOrder, discountCode: ' ana2345678 ' } })).toMatchObject({ kind: 'reward' });
  });

  it('nothing for an order without the code, or with a code that is nobody’s referral code', () => {
    expect(outcome({ order: { ...firstOrder, discountCode: undefined } })).toEqual({ kind: 'none', reason: 'no referral code' });
    expect(outcome({ order: { ...firstOrder, discountCode: 'BDAY234567' } })).toEqual({ kind: 'none', reason: 'no referral code' });
    expect(outcome({ referrer: undefined })).toEqual({ kind: 'none', reason: 'no referral code' });
  });

  it('nothing for referring oneself: the same customer', () => {
    const self = { ...ben, customerId: 'ana', email: 'ana@shop.example' };
    expect(outcome({ referred: self })).toEqual({ kind: 'none', reason: 'self-referral: same customer' });
  });

  it('nothing for referring oneself: another account with the same address, in any case', () => {
    expect(outcome({ referred: { ...ben, email: ' Ana@Shop.Example' } })).toEqual({ kind: 'none', reason: 'self-referral: same address' });
  });

  it('nothing for referring oneself after erasure: the address matches the erased account’s hash', () => {
    const erasedAna: Referrer = { customerId: 'ana', addressHash: addressHash('ana@shop.example'), code: ana.code, codeExpiresAt: ana.codeExpiresAt };
    expect(outcome({ referrer: erasedAna, referred: { ...ben, email: 'ANA@shop.example' } })).toEqual({ kind: 'none', reason: 'self-referral: same address' });
    const erasedBen: ReferredCustomer = { customerId: 'ben', addressHash: addressHash('ana@shop.example'), orders: ben.orders };
    expect(outcome({ referred: erasedBen })).toEqual({ kind: 'none', reason: 'self-referral: same address' });
  });

  it('hashes an address as the suppression list does, so an erased customer’s hash is found', () => {
    expect(suppressionKey('ana@shop.example').pk).toBe(`SUPPRESSED#${addressHash(' Ana@Shop.example')}`);
  });

  it('nothing for a code an existing customer uses: an earlier order, even one cancelled since', () => {
    const existing = { ...ben, orders: [{ orderId: 'b0', placedAt: '2026-01-02T00:00:00.000Z' }, ...ben.orders] };
    expect(outcome({ referred: existing })).toEqual({ kind: 'none', reason: 'existing customer' });
  });

  it('nothing for a second order with the code', () => {
    const second = { orderId: 'b2', placedAt: '2026-06-12T00:00:00.000Z', discountCode: ana.code };
    const again = { ...ben, orders: [...ben.orders, second], rewardedOrderId: 'b1' };
    expect(outcome({ referred: again, order: second })).toEqual({ kind: 'none', reason: 'existing customer' });
  });

  it('one order is first of two placed at the same instant: the smaller id', () => {
    const twins = { ...ben, orders: [...ben.orders, { orderId: 'b0', placedAt: firstOrder.placedAt }] };
    expect(outcome({ referred: twins })).toEqual({ kind: 'none', reason: 'existing customer' });
    expect(outcome({ referred: twins, order: { ...firstOrder, orderId: 'b0' } })).toMatchObject({ kind: 'reward' });
  });

  it('one reward per referred customer: a first order arriving after another was rewarded earns nothing', () => {
    // b1 was rewarded; an order placed before it, reported late, is now the first one.
    const late = { orderId: 'b0', placedAt: '2026-06-09T00:00:00.000Z', discountCode: ana.code };
    const rewarded = { ...ben, orders: [...ben.orders, late], rewardedOrderId: 'b1' };
    expect(outcome({ referred: rewarded, order: late })).toEqual({ kind: 'none', reason: 'already rewarded' });
  });

  it('the same answer for the rewarded order asked about again (a redelivered event), so its effects can be repeated', () => {
    expect(outcome({ referred: { ...ben, rewardedOrderId: 'b1' } })).toMatchObject({ kind: 'reward' });
  });

  it('nothing for an order placed after the code expired', () => {
    expect(outcome({ order: { ...firstOrder, placedAt: '2026-06-30T00:00:01.000Z' } })).toEqual({ kind: 'none', reason: 'code expired' });
  });

  it('nothing for a cancelled order', () => {
    expect(outcome({ order: { ...firstOrder, cancelled: true } })).toEqual({ kind: 'none', reason: 'order cancelled' });
  });

  it('nothing with referral off', () => {
    expect(outcome({ referral: undefined })).toEqual({ kind: 'none', reason: 'referral off' });
  });
});
