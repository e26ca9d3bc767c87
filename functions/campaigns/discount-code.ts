/**
 * Discount codes: at least 8 characters from an alphabet without look-alikes
 * (no 0/O, 1/I/L), so a customer can type one from a phone screen.
 *
 * A code is derived from the send key with a keyed HMAC: unguessable without
 * the secret, yet the same occasion always yields the same code, so a retried
 * or replayed send issues no second code. `attempt` moves past a collision.
 */
import { createHmac } from 'node:crypto';

export const codeAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const codeLength = 10;

export const discountCodeFor = (secret: string, sendKey: string, attempt = 0): string => {
  const digest = createHmac('sha256', secret).update(`discount-code:${sendKey}:${attempt}`).digest();
  let code = '';
  for (let i = 0; i < codeLength; i++) code += codeAlphabet[digest[i]! % codeAlphabet.length];
  return code;
};
