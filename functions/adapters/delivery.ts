/**
 * What a sending function needs on top of the stores: the ledger, suppressions,
 * SES and the templates. Apart from index.ts so functions that never send do
 * not bundle the template toolchain.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { experimentSchema, type Experiment } from '../campaigns/experiments';
import type { Templates } from '../campaigns/ports';
import { describeIssues } from '../events/event';
import type { Runtime } from '../runtime';
import { createRenderer, resolveLocale } from '../templates/render';
import { dynamoSendLedger } from './dynamodb/send-ledger';
import { dynamoSuppressions } from './dynamodb/suppressions';
import { storeAdapters } from './index';
import { sesMailer } from './ses';
import { wiring } from '../wiring';

export const templatesIn = (templatesDir: string): Templates => {
  const renderer = createRenderer(templatesDir);
  const experiments = new Map<string, Experiment | undefined>();
  return {
    localeFor: (campaign, requested) => resolveLocale(renderer.locales(campaign), requested),
    render: (campaign, locale, data, variant) => renderer.render(campaign, locale, data, variant),
    experimentFor(campaign) {
      if (!experiments.has(campaign)) {
        const file = join(templatesDir, campaign, 'experiment.json');
        const result = existsSync(file) ? experimentSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
        if (result && !result.success) throw new Error(`${campaign}/experiment.json: ${describeIssues(result.error)}`);
        experiments.set(campaign, result?.data);
      }
      return experiments.get(campaign);
    },
  };
};

export const deliveryAdapters = (runtime: Runtime) => ({
  ...storeAdapters(runtime),
  ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName),
  suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
  mailer: sesMailer(runtime.ses, { name: runtime.config.shop.name, address: runtime.config.shop.fromAddress }, runtime.configurationSetName, {
    ...runtime.config.sending,
    concurrency: wiring.sender.trigger.queue.maxConcurrency,
  }),
  templates: templatesIn(runtime.templatesDir),
});
