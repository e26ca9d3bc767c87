/**
 * Signed link tokens: HMAC-SHA256 over (customer, subject, purpose, expiry),
 * with a key id so the key can rotate. Verification is constant-time and every
 * kind of bad token yields the same `undefined`, so a caller cannot tell them apart.
 *
 * Token: base64url(JSON claims) "." base64url(signature).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** `{ "current": "k2", "k1": "<secret>", "k2": "<secret>" }`: sign with current, verify with any. */
export interface Keyring {
  current: string;
  keys: Record<string, string>;
}

export const parseKeyring = (json: string): Keyring => {
  const parsed = z.record(z.string(), z.string().min(1)).parse(JSON.parse(json));
  const { current, ...keys } = parsed;
  if (!current || !secretOf({ current, keys }, current)) throw new Error('signing keyring: "current" must name one of its keys');
  return { current, keys };
};

/**
 * The secret of a key id, only from the keyring's own keys: a token names its
 * key id, so `constructor` or `__proto__` must find nothing, not Object.prototype's.
 */
const secretOf = (keyring: Keyring, kid: string): string | undefined => {
  const secret = Object.hasOwn(keyring.keys, kid) ? keyring.keys[kid] : undefined;
  return typeof secret === 'string' && secret ? secret : undefined;
};

const claimsSchema = z.object({
  kid: z.string(),
  /** customer id */
  c: z.string(),
  /** purpose, e.g. `unsubscribe`, `nps` */
  p: z.string(),
  /** what the link is about (a survey id, a campaign); may be empty */
  s: z.string(),
  /** expiry, epoch seconds (within what a Date holds) */
  e: z.number().int().min(0).max(8.64e12),
});

export interface TokenClaims {
  customerId: string;
  purpose: string;
  subject: string;
  expiresAt: Date;
}

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

export const signToken = (keyring: Keyring, claims: TokenClaims): string => {
  const payload = Buffer.from(
    JSON.stringify({
      kid: keyring.current,
      c: claims.customerId,
      p: claims.purpose,
      s: claims.subject,
      e: Math.floor(claims.expiresAt.getTime() / 1000),
    }),
  ).toString('base64url');
  const secret = secretOf(keyring, keyring.current);
  if (!secret) throw new Error('signing keyring: "current" must name one of its keys');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
};

/** The claims of a valid, unexpired token for `purpose`; `undefined` for anything else. */
export const verifyToken = (keyring: Keyring, token: string, purpose: string, now: Date): TokenClaims | undefined => {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
  const secret = secretOf(keyring, claims.kid);
  if (!secret) return undefined;
  const expected = sign(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (claims.p !== purpose || claims.e * 1000 <= now.getTime()) return undefined;
  return { customerId: claims.c, purpose: claims.p, subject: claims.s, expiresAt: new Date(claims.e * 1000) };
};
