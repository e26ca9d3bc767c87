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

/**
 * The ports of a sending function, for one invocation at a time: the stores
 * and SES, with the published templates and campaign settings (docs/design.md §9)
 * as they are at that invocation.
 */
export const deliveryAdapters = (runtime: Runtime) => {
  const fixed = {
    ...storeAdapters(runtime),
    ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName, runtime.config.records),
    suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
    mailer: sesMailer(runtime.ses, { name: runtime.config.shop.name, address: runtime.config.shop.fromAddress }, runtime.configurationSetName, {
      ...runtime.config.sending,
      concurrency: wiring.sender.trigger.queue.maxConcurrency,
      wait: runtime.wait,
    }),
  };
  // One renderer per published version: its templates are parsed once.
  const templates = new Map<string, Templates>();
  return async () => {
    const content = await runtime.content.current();
    if (!templates.has(content.templatesDir)) templates.set(content.templatesDir, templatesIn(content.templatesDir));
    return { ...fixed, config: content.config, templates: templates.get(content.templatesDir)! };
  };
};
