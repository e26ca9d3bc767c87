/** Signed links: HMAC-SHA256 with a key id; every bad token is refused the same way. */
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken, type Keyring } from '../../functions/links/signed-token';
import { unsubscribeLinks } from '../../functions/links/unsubscribe';
import { parseConfig } from '../../functions/config';

const keyring: Keyring = { current: 'k1', keys: { k1: 'first-secret' } };
const claims = { customerId: 'c1', purpose: 'unsubscribe', subject: 'birthday', expiresAt: new Date('2027-01-01T00:00:00Z') };
const now = new Date('2026-06-01T00:00:00Z');

describe('a signed token', () => {
  it('verifies and returns its claims', () => {
    expect(verifyToken(keyring, signToken(keyring, claims), 'unsubscribe', now)).toEqual(claims);
  });

  it('still verifies after the key rotates, by its key id', () => {
    const token = signToken(keyring, claims);
    const rotated: Keyring = { current: 'k2', keys: { k1: 'first-secret', k2: 'second-secret' } };
    expect(verifyToken(rotated, token, 'unsubscribe', now)?.customerId).toBe('c1');
  });

  it.each([
    ['tampered claims', (t: string) => Buffer.from(Buffer.from(t.split('.')[0]!, 'base64url').toString().replace('c1', 'c2')).toString('base64url') + '.' + t.split('.')[1]],
    ['tampered signature', (t: string) => t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA')],
    ['malformed', () => 'not-a-token'],
    ['empty', () => ''],
    ['extra part', (t: string) => `${t}.x`],
  ])('is refused when %s', (_, mangle) => {
    expect(verifyToken(keyring, mangle(signToken(keyring, claims)), 'unsubscribe', now)).toBeUndefined();
  });

  it('is refused after it expires', () => {
    expect(verifyToken(keyring, signToken(keyring, claims), 'unsubscribe', new Date('2027-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('is refused for another purpose', () => {
    expect(verifyToken(keyring, signToken(keyring, claims), 'nps', now)).toBeUndefined();
  });

  it('is refused when signed with an unknown key', () => {
    const other: Keyring = { current: 'k9', keys: { k9: 'other' } };
    expect(verifyToken(keyring, signToken(other, claims), 'unsubscribe', now)).toBeUndefined();
  });
});

describe('unsubscribe headers (RFC 2369, RFC 8058)', () => {
  const { shop } = parseConfig({});
  const links = unsubscribeLinks(keyring, shop, 'c1', 'birthday', now);

  it('offer a signed https URL and a mailto', () => {
    expect(links.headers['List-Unsubscribe']).toBe(`<${links.url}>, <${links.mailto}>`);
    expect(links.url).toMatch(/^https:\/\/links\.shop\.example\/unsubscribe\?token=/);
    expect(links.mailto).toMatch(/^mailto:unsubscribe@shop\.example\?subject=unsubscribe%20/);
    const token = new URL(links.url).searchParams.get('token')!;
    expect(verifyToken(keyring, token, 'unsubscribe', now)?.customerId).toBe('c1');
  });

  it('declare one-click unsubscribe', () => {
    expect(links.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });
});
