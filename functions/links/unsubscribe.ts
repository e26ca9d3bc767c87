/**
 * The unsubscribe links every email carries (RFC 2369, RFC 8058): an https URL
 * whose POST unsubscribes at once, and a mailto for clients that prefer mail.
 */
import type { Config } from '../config';
import { signToken, type Keyring } from './signed-token';

export const unsubscribePurpose = 'unsubscribe';
/**
 * How long an email's unsubscribe link (and its mailto) works. CAN-SPAM wants
 * an opt-out to keep working at least 30 days after sending, and Gmail and
 * Yahoo require one-click unsubscribe (RFC 8058) to work from the mail still
 * in the inbox. 90 days, three times the legal floor, covers mail read a season
 * late; past it a forwarded or leaked link stops naming the customer, and a
 * retired signing key need only be kept that long. Every later email carries a
 * fresh link.
 */
export const unsubscribeValidDays = 90;

export const unsubscribeLinks = (keyring: Keyring, shop: Config['shop'], customerId: string, campaign: string, at: Date) => {
  const token = signToken(keyring, {
    customerId,
    purpose: unsubscribePurpose,
    subject: campaign,
    expiresAt: new Date(at.getTime() + unsubscribeValidDays * 86_400_000),
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
