/**
 * The unsubscribe links every email carries (RFC 2369, RFC 8058): an https URL
 * whose POST unsubscribes at once, and a mailto for clients that prefer mail.
 */
import type { Config } from '../config';
import { signToken, type Keyring } from './signed-token';

export const unsubscribePurpose = 'unsubscribe';
/** Long enough that an old email's link still works. */
const validForDays = 730;

export const unsubscribeLinks = (keyring: Keyring, shop: Config['shop'], customerId: string, campaign: string, at: Date) => {
  const token = signToken(keyring, {
    customerId,
    purpose: unsubscribePurpose,
    subject: campaign,
    expiresAt: new Date(at.getTime() + validForDays * 86_400_000),
  });
  const url = `${shop.linkBaseUrl.replace(/\/$/, '')}/unsubscribe?token=${token}`;
  const mailto = `mailto:${shop.unsubscribeMailbox}?subject=unsubscribe%20${token}`;
  return {
    url,
    mailto,
    headers: {
      'List-Unsubscribe': `<${url}>, <${mailto}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
};
