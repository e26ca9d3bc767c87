/**
 * The campaign settings a marketer edits in the studio (docs/design.md §9): the
 * campaign blocks of the configuration schema, nothing declared again. They
 * are a file of the studio's content, `settings.json`, versioned and published
 * with the templates; the rest of the configuration (the shop, the sources)
 * stays with the deployment.
 */
import { z } from 'zod';
import { configSchema, type Config } from '../config';
import { describeIssues } from '../events/event';

export const settingsFile = 'settings.json';

/** The loyalty programme's blocks (docs/design.md §10) are edited here when the deployment runs it; left out, the deployment's stay. */
export const campaignSettingsSchema = configSchema.pick({ birthday: true, winback: true, nps: true, loyalty: true, referral: true }).strict();
export type CampaignSettings = z.infer<typeof campaignSettingsSchema>;

/** The settings a deployment starts with: its configuration's. */
export const settingsOf = (config: Config): CampaignSettings => ({
  birthday: config.birthday,
  winback: config.winback,
  nps: config.nps,
  ...(config.loyalty && { loyalty: config.loyalty }),
  ...(config.referral && { referral: config.referral }),
});

/** The settings file's text, or a problem naming the field and what is wrong with it. */
export const parseSettings = (text: string): { settings: CampaignSettings } | { problem: string } => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `${settingsFile} is not JSON: ${(error as Error).message}` };
  }
  const result = campaignSettingsSchema.safeParse(json);
  return result.success ? { settings: result.data } : { problem: `${settingsFile}: ${describeIssues(result.error)}` };
};

export const formatSettings = (settings: CampaignSettings) => `${JSON.stringify(settings, null, 2)}\n`;

/** The configuration the functions run by: the deployment's, with the published campaign settings. */
export const withSettings = (config: Config, settings: CampaignSettings): Config => ({
  ...config,
  ...settings,
  // Absent from a settings file (one published before the programme was configured): the deployment's.
  loyalty: settings.loyalty ?? config.loyalty,
  referral: settings.referral ?? config.referral,
});
