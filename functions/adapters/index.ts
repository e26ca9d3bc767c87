/** The campaign ports, implemented on the AWS services a runtime points at. */
import type { Runtime } from '../runtime';
import { createRenderer, resolveLocale } from '../templates/render';
import type { Templates } from '../campaigns/ports';
import { dynamoCustomerStore } from './dynamodb/customers';
import { dynamoDiscountCodes } from './dynamodb/discount-codes';
import { dynamoOrderStore } from './dynamodb/orders';
import { dynamoSendLedger } from './dynamodb/send-ledger';
import { dynamoSuppressions } from './dynamodb/suppressions';
import { eventBridgePublisher } from './eventbridge';
import { sesMailer } from './ses';

export const templatesIn = (templatesDir: string): Templates => {
  const renderer = createRenderer(templatesDir);
  return {
    localeFor: (campaign, requested) => resolveLocale(renderer.locales(campaign), requested),
    render: (campaign, locale, data) => renderer.render(campaign, locale, data),
  };
};

export const adaptersFor = (runtime: Runtime) => ({
  config: runtime.config,
  customers: dynamoCustomerStore(runtime.dynamo, runtime.tableName),
  orders: dynamoOrderStore(runtime.dynamo, runtime.tableName),
  ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName),
  suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
  codes: dynamoDiscountCodes(runtime.dynamo, runtime.tableName),
  mailer: sesMailer(runtime.ses, { name: runtime.config.shop.name, address: runtime.config.shop.fromAddress }, runtime.configurationSetName),
  events: eventBridgePublisher(runtime.events, runtime.eventBusName),
  templates: templatesIn(runtime.templatesDir),
});
