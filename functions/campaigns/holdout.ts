/**
 * Holdout groups (docs/design.md §5, all campaigns): a campaign may keep a share of
 * its customers out, recorded as "would have sent" and not emailed, so its
 * conversions can be compared with theirs. Membership is a hash of campaign
 * and customer: the same customers every run, no state to keep.
 */
import { uniformHash } from './experiments';

export const isHeldOut = (campaign: string, customerId: string, share: number) =>
  share > 0 && uniformHash(`holdout:${campaign}:${customerId}`) < share;
