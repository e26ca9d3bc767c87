/** Lambda: hourly, publishes the events a crashed sender left in the outbox. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import { dynamoSendLedger } from '../adapters/dynamodb/send-ledger';
import { eventBridgePublisher } from '../adapters/eventbridge';
import { relayOutbox } from '../sending/outbox';
import { logger } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';

export const createHandler = (runtime: Runtime) => {
  const ports = { ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName, runtime.config.records), events: eventBridgePublisher(runtime.events, runtime.eventBusName) };
  return middy(async (event: z.infer<typeof EventBridgeSchema>) => {
    const result = await relayOutbox(new Date(event.time), ports);
    logger.info('outbox relayed', result);
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(parser({ schema: EventBridgeSchema }));
};

export const handler = lambdaHandler(createHandler, wiring.outbox);
