/** docs/design.md §9 and §10: the settings a marketer publishes from the studio, the loyalty programme's included. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { formatSettings, parseSettings, settingsOf, withSettings } from '../../functions/content/settings';

const loyalty = { pointsPerUnit: { MYR: 1 }, tiers: [{ name: 'Silver', spend: { MYR: 500 } }] };
const deployment = parseConfig({ loyalty, referral: {} });

describe('the loyalty programme in the studio’s settings', () => {
  it('starts from the deployment’s blocks, and none for a shop that does not run it', () => {
    expect(settingsOf(deployment)).toMatchObject({ loyalty: deployment.loyalty, referral: deployment.referral });
    expect(Object.keys(settingsOf(parseConfig({})))).toEqual(['birthday', 'winback', 'nps']);
  });

  it('publishes an edited block: a new tier, a bigger reward', () => {
    const edited = { ...settingsOf(deployment), loyalty: { ...deployment.loyalty!, tiers: [...deployment.loyalty!.tiers, { name: 'Gold', spend: { MYR: 2000 } }] }, referral: { ...deployment.referral!, rewardPercentOff: 20 } };
    const parsed = parseSettings(formatSettings(edited));
    if (!('settings' in parsed)) throw new Error(parsed.problem);
    const live = withSettings(deployment, parsed.settings);
    expect(live.loyalty!.tiers.map((tier) => tier.name)).toEqual(['Silver', 'Gold']);
    expect(live.referral!.rewardPercentOff).toBe(20);
  });

  it('keeps the deployment’s programme under settings published before it was configured', () => {
    const old = parseSettings(formatSettings(settingsOf(parseConfig({}))));
    if (!('settings' in old)) throw new Error(old.problem);
    expect(withSettings(deployment, old.settings).loyalty).toEqual(deployment.loyalty);
  });

  it('refuses tiers out of order with the field named, as the configuration does', () => {
    const bad = { ...settingsOf(deployment), loyalty: { ...loyalty, tiers: [{ name: 'Gold', spend: { MYR: 2000 } }, { name: 'Silver', spend: { MYR: 500 } }] } };
    expect(parseSettings(JSON.stringify(bad))).toEqual({ problem: expect.stringMatching(/^settings\.json: loyalty\.tiers\.1/) });
  });
});
