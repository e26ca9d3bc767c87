/**
 * Attribution of an order to a campaign (docs/design.md §5): an order that redeems a
 * code a campaign issued converts for that campaign and step; otherwise the
 * first order within the window after a winback email converts for winback.
 */
import type { Campaign } from '../events/retention';
import type { CustomerProfile } from '../customers/profile';
import type { DiscountCode } from './ports';

/** The campaigns whose emails can convert: those issuing codes, and winback by its window. A survey cannot. */
export const convertingCampaigns = ['birthday', 'winback'] as const satisfies readonly Campaign[];
export type ConvertingCampaign = (typeof convertingCampaigns)[number];

export interface Attribution {
  campaign: Campaign;
  step?: number;
  via: 'code' | 'window';
  /** The customer was held out: the order converts the email they would have had. */
  holdout?: boolean;
  /** The A/B test variant of the email converted, when it was in one. */
  experiment?: string;
  variant?: string;
}

export const attributeOrder = (input: {
  placedAt: string;
  redeemed?: Pick<DiscountCode, 'campaign' | 'step' | 'experiment' | 'variant'>;
  profile?: Pick<
    CustomerProfile,
    'winbackLastSentAt' | 'winbackLastSentStep' | 'winbackLastSendKey' | 'winbackConvertedKey' | 'winbackLastExperiment' | 'winbackLastVariant' | 'winbackLastHeldOut'
  >;
  windowDays: number;
}): Attribution | undefined => {
  const { placedAt, redeemed, profile, windowDays } = input;
  if (redeemed) {
    const { campaign, step, experiment, variant } = redeemed;
    return { campaign: campaign as Campaign, step, via: 'code', ...(experiment && { experiment, variant }) };
  }
  if (!profile?.winbackLastSentAt || profile.winbackConvertedKey === profile.winbackLastSendKey) return undefined;
  const sinceEmail = Date.parse(placedAt) - Date.parse(profile.winbackLastSentAt);
  if (sinceEmail < 0 || sinceEmail > windowDays * 86_400_000) return undefined;
  const { winbackLastExperiment: experiment, winbackLastVariant: variant } = profile;
  return {
    campaign: 'winback',
    step: profile.winbackLastSentStep,
    via: 'window',
    ...(profile.winbackLastHeldOut && { holdout: true }),
    ...(experiment && { experiment, variant }),
  };
};
