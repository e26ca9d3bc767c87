/** The eleven score links of a survey (0–10), each signed for its customer, survey, score and expiry. */
import type { Config } from '../../config';
import { signToken, type Keyring } from '../../links/signed-token';
import { npsPurpose, scoreSubject } from './rules';

export const surveyScoreLinks = (keyring: Keyring, config: Config, customerId: string, surveyId: string, at: Date) => {
  const expiresAt = new Date(at.getTime() + config.nps.linkValidDays * 86_400_000);
  const base = config.shop.linkBaseUrl.replace(/\/$/, '');
  return Array.from({ length: 11 }, (_, score) => ({
    score,
    url: `${base}/nps?token=${signToken(keyring, { customerId, purpose: npsPurpose, subject: scoreSubject(surveyId, score), expiresAt })}`,
  }));
};
