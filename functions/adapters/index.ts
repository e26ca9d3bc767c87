/** The ports every function needs, implemented on the AWS services a runtime points at. */
import type { Runtime } from '../runtime';
import { dynamoCustomerStore } from './dynamodb/customers';
import { dynamoDiscountCodes } from './dynamodb/discount-codes';
import { dynamoKpiCounters } from './dynamodb/kpi-counters';
import { dynamoOrderStore } from './dynamodb/orders';
import { dynamoReferrals } from './dynamodb/referrals';
import { dynamoCustomerStory } from './dynamodb/story';
import { eventBridgePublisher } from './eventbridge';

export const storeAdapters = (runtime: Runtime) => ({
  config: runtime.config,
  now: runtime.now,
  customers: dynamoCustomerStore(runtime.dynamo, runtime.tableName),
  orders: dynamoOrderStore(runtime.dynamo, runtime.tableName),
  codes: dynamoDiscountCodes(runtime.dynamo, runtime.tableName),
  kpis: dynamoKpiCounters(runtime.dynamo, runtime.tableName),
  referrals: dynamoReferrals(runtime.dynamo, runtime.tableName),
  story: dynamoCustomerStory(runtime.dynamo, runtime.tableName, runtime.config.records),
  events: eventBridgePublisher(runtime.events, runtime.eventBusName),
});
