/**
 * What a sending function needs on top of the stores: the ledger, suppressions,
 * SES and the templates. Apart from index.ts so functions that never send do
 * not bundle the template toolchain.
 */
import type { Templates } from '../campaigns/ports';
import type { Runtime } from '../runtime';
import { createRenderer, resolveLocale } from '../templates/render';
import { dynamoSendLedger } from './dynamodb/send-ledger';
import { dynamoSuppressions } from './dynamodb/suppressions';
import { storeAdapters } from './index';
import { sesMailer } from './ses';

export const templatesIn = (templatesDir: string): Templates => {
  const renderer = createRenderer(templatesDir);
  return {
    localeFor: (campaign, requested) => resolveLocale(renderer.locales(campaign), requested),
    render: (campaign, locale, data) => renderer.render(campaign, locale, data),
  };
};

export const deliveryAdapters = (runtime: Runtime) => ({
  ...storeAdapters(runtime),
  ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName),
  suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
  mailer: sesMailer(runtime.ses, { name: runtime.config.shop.name, address: runtime.config.shop.fromAddress }, runtime.configurationSetName),
  templates: templatesIn(runtime.templatesDir),
});
