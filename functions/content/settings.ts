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

export const campaignSettingsSchema = configSchema.pick({ birthday: true, winback: true, nps: true }).strict();
export type CampaignSettings = z.infer<typeof campaignSettingsSchema>;

/** The settings a deployment starts with: its configuration's. */
export const settingsOf = (config: Config): CampaignSettings => ({ birthday: config.birthday, winback: config.winback, nps: config.nps });

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
export const withSettings = (config: Config, settings: CampaignSettings): Config => ({ ...config, ...settings });
