import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import type { CustomerProfile } from '../../functions/customers/profile';
import { isMailable } from '../../functions/customers/profile';
import { mailtoToken, resubscribe, savePreferences, unsubscribeAll, unsubscribeByMailto, viewPreferences, type UnsubscribePorts } from '../../functions/customers/unsubscribe';
import type { OutgoingEvent } from '../../functions/events/event';
import type { Campaign } from '../../functions/events/retention';
import { signToken, type Keyring } from '../../functions/links/signed-token';
import { unsubscribeLinks } from '../../functions/links/unsubscribe';

const keyring: Keyring = { current: 'k1', keys: { k1: 'unit-test-key' } };
const shop = parseConfig({}).shop;
const now = new Date('2026-05-10T12:00:00Z');

/** In-memory ports: a few customers, a suppression list, the events published. */
const fakePorts = () => {
  const profiles = new Map<string, CustomerProfile>(
    ['ana', 'ben'].map((id) => [id, { customerId: id, email: `${id}@example.com`, marketingConsent: true, updatedAt: '2026-05-01T00:00:00Z' }]),
  );
  profiles.set('gone', { customerId: 'gone', marketingConsent: false, updatedAt: '2026-05-02T00:00:00Z', deletedAt: '2026-05-02T00:00:00Z' } as CustomerProfile);
  const suppressed = new Map<string, string>();
  const published: OutgoingEvent[] = [];
  const ports: UnsubscribePorts = {
    keyring,
    customers: {
      get: async (id) => profiles.get(id),
      setOptedOut: async (id, campaigns: Campaign[]) => {
        const profile = profiles.get(id);
        if (!profile || profile.deletedAt) return undefined;
        const previous = profile.optedOut ?? [];
        profiles.set(id, { ...profile, optedOut: campaigns.length ? campaigns : undefined });
        return { previous };
      },
    },
    suppressions: {
      isSuppressed: async (email) => suppressed.has(email),
      suppress: async (email, reason) => {
        if (suppressed.has(email)) return false;
        suppressed.set(email, reason);
        return true;
      },
      liftUnsubscribe: async (email) => suppressed.get(email) === 'unsubscribe' && suppressed.delete(email),
    },
    events: { publish: async (events) => void published.push(...events) },
    story: { consent: async () => undefined },
  };
  return { ports, profiles, suppressed, published };
};

const tokenOf = (customerId: string, at = now) => new URL(unsubscribeLinks(keyring, shop, customerId, 'winback', at).url).searchParams.get('token')!;
/** The subject a mail client writes from the header's mailto. */
const mailtoSubject = (customerId: string) =>
  decodeURIComponent(new URL(unsubscribeLinks(keyring, shop, customerId, 'winback', now).mailto).searchParams.get('subject')!);

describe('unsubscribeByMailto: the mailto half of List-Unsubscribe', () => {
  it('reads the token from the subject the mailto asks for', () => {
    expect(mailtoSubject('ana')).toBe(`unsubscribe ${tokenOf('ana')}`);
    expect(mailtoToken(mailtoSubject('ana'))).toBe(tokenOf('ana'));
  });

  it.each([
    ['a reply prefix', (t: string) => `Re: unsubscribe ${t}`],
    ['a still-encoded space', (t: string) => `unsubscribe%20${t}`],
    ['other case and spacing', (t: string) => `  UNSUBSCRIBE   ${t}  `],
  ])('tolerates %s', (_, subject) => {
    expect(mailtoToken(subject(tokenOf('ana')))).toBe(tokenOf('ana'));
  });

  it.each([
    ['no token', 'unsubscribe'],
    ['another word', `subscribe ${'a.b'}`],
    ['text after the token', `unsubscribe a.b please`],
    ['no token shape', 'unsubscribe hello'],
    ['an enormous subject', `unsubscribe ${'a'.repeat(3000)}.b`],
  ])('finds no token in %s', (_, subject) => {
    expect(mailtoToken(subject)).toBeUndefined();
  });

  it('unsubscribes from everything, as the one-click POST does, once', async () => {
    const { ports, suppressed, published } = fakePorts();
    const first = await unsubscribeByMailto(mailtoSubject('ana'), now, ports);
    expect(first).toMatchObject({ valid: true, changed: true });
    expect(suppressed.get('ana@example.com')).toBe('unsubscribe');
    const again = await unsubscribeByMailto(mailtoSubject('ana'), now, ports);
    expect(again).toMatchObject({ valid: true, changed: false });
    expect(published.map((e) => [e.detailType, e.detail])).toEqual([['Customer Unsubscribed', { customerId: 'ana', campaigns: 'all', via: 'mailto' }]]);
  });

  it('changes nothing for a bad subject, a tampered, expired or foreign token, or an erased customer', async () => {
    const { ports, suppressed, published } = fakePorts();
    const token = tokenOf('ana');
    const foreign = signToken({ current: 'x', keys: { x: 'another-key' } }, { customerId: 'ana', purpose: 'unsubscribe', subject: 'winback', expiresAt: new Date('2027-01-01') });
    const otherPurpose = signToken(keyring, { customerId: 'ana', purpose: 'nps', subject: 'o1#5', expiresAt: new Date('2027-01-01') });
    for (const subject of [
      'hello',
      `unsubscribe ${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`,
      `unsubscribe ${tokenOf('ana', new Date('2023-01-01T00:00:00Z'))}`,
      `unsubscribe ${foreign}`,
      `unsubscribe ${otherPurpose}`,
      `unsubscribe ${tokenOf('gone')}`,
      `unsubscribe ${tokenOf('nobody')}`,
    ]) {
      expect(await unsubscribeByMailto(subject, now, ports)).toEqual({ valid: false });
    }
    expect(suppressed.size).toBe(0);
    expect(published).toEqual([]);
  });
});

describe('the preference form', () => {
  // A shop without the loyalty programme offers the three campaigns.
  const offered = ['birthday', 'winback', 'nps'] as const;

  it('opts out of what is not kept, publishing only when an opt-out is added', async () => {
    const { ports, profiles, published } = fakePorts();
    const token = tokenOf('ben');
    expect(await savePreferences(token, ['birthday'], now, ports, offered)).toMatchObject({ valid: true, optedOut: ['winback', 'nps'], changed: true, unsubscribed: false });
    expect(profiles.get('ben')?.optedOut).toEqual(['winback', 'nps']);
    expect(await savePreferences(token, ['birthday', 'birthday'], now, ports, offered)).toMatchObject({ changed: false });
    // Opting back in to one is a change, but no unsubscribe.
    expect(await savePreferences(token, ['birthday', 'nps'], now, ports, offered)).toMatchObject({ optedOut: ['winback'], changed: true });
    expect(published.map((e) => e.detail)).toEqual([{ customerId: 'ben', campaigns: ['winback', 'nps'], via: 'page' }]);
  });

  it('keeps a choice about a campaign the form did not offer', async () => {
    const { ports, profiles } = fakePorts();
    const token = tokenOf('ben');
    // The shop ran its loyalty programme when Ben opted out of the tier emails, and no longer does.
    expect(await savePreferences(token, ['birthday', 'winback', 'nps', 'points', 'referral'], now, ports)).toMatchObject({ optedOut: ['tier'] });
    expect(await savePreferences(token, ['birthday'], now, ports, offered)).toMatchObject({ optedOut: ['winback', 'nps', 'tier'], unsubscribed: false });
    expect(profiles.get('ben')?.optedOut).toEqual(['winback', 'nps', 'tier']);
  });

  it('keeping nothing is unsubscribing from everything', async () => {
    const { ports, suppressed, published } = fakePorts();
    expect(await savePreferences(tokenOf('ben'), [], now, ports, offered)).toMatchObject({ valid: true, unsubscribed: true, changed: true });
    expect(suppressed.has('ben@example.com')).toBe(true);
    expect(published.map((e) => e.detail)).toEqual([{ customerId: 'ben', campaigns: 'all', via: 'page' }]);
  });

  it('viewing the page reads and never writes', async () => {
    const { ports, suppressed, published, profiles } = fakePorts();
    const before = JSON.stringify([...profiles]);
    expect(await viewPreferences(tokenOf('ana'), now, ports)).toMatchObject({ valid: true, unsubscribed: false, optedOut: [] });
    expect(JSON.stringify([...profiles])).toBe(before);
    expect(suppressed.size).toBe(0);
    expect(published).toEqual([]);
    await unsubscribeAll(tokenOf('ana'), 'one-click', now, ports);
    expect(await viewPreferences(tokenOf('ana'), now, ports)).toMatchObject({ valid: true, unsubscribed: true });
  });
});

describe('subscribing again, from the unsubscribed page', () => {
  it('takes the address off the list and says so once', async () => {
    const { ports, suppressed, published } = fakePorts();
    await unsubscribeAll(tokenOf('ana'), 'one-click', now, ports);
    expect(await resubscribe(tokenOf('ana'), now, ports)).toMatchObject({ valid: true, resubscribed: true });
    expect(suppressed.has('ana@example.com')).toBe(false);
    expect(await resubscribe(tokenOf('ana'), now, ports)).toMatchObject({ valid: true, resubscribed: true });
    expect(published.map((e) => e.detailType)).toEqual(['Customer Unsubscribed', 'Customer Resubscribed']);
  });

  it('leaves an address that bounced or complained on the list: the page says it cannot', async () => {
    const { ports, suppressed, published } = fakePorts();
    await ports.suppressions.suppress('ben@example.com', 'bounce', now.toISOString());
    expect(await resubscribe(tokenOf('ben'), now, ports)).toMatchObject({ valid: true, resubscribed: false });
    expect(suppressed.get('ben@example.com')).toBe('bounce');
    expect(published).toEqual([]);
  });

  it('needs a valid link, like unsubscribing', async () => {
    const { ports } = fakePorts();
    expect(await resubscribe(tokenOf('gone'), now, ports)).toEqual({ valid: false });
    expect(await resubscribe(`${tokenOf('ana')}x`, now, ports)).toEqual({ valid: false });
  });
});

describe('isMailable(profile, campaign)', () => {
  const profile = { marketingConsent: true, email: 'a@example.com' };
  it('respects the campaigns opted out of, and stays as it was without a campaign', () => {
    expect(isMailable(profile)).toBe(true);
    expect(isMailable({ ...profile, optedOut: ['winback'] })).toBe(true);
    expect(isMailable({ ...profile, optedOut: ['winback'] }, 'winback')).toBe(false);
    expect(isMailable({ ...profile, optedOut: ['winback'] }, 'birthday')).toBe(true);
    expect(isMailable({ ...profile, marketingConsent: false }, 'birthday')).toBe(false);
    expect(isMailable({ ...profile, deletedAt: '2026-01-01T00:00:00Z' }, 'nps')).toBe(false);
  });
});
