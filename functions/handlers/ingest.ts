/** Lambda: the shop's events in. Thin: parse and store through the ingest use case. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { storeAdapters } from '../adapters';
import { ingest } from '../customers/ingest';
import { logger } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';

export const createHandler = (runtime: Runtime) => {
  const ports = storeAdapters(runtime);
  return middy(async (event: unknown) => {
    const result = await ingest(event, ports);
    if (result.outcome === 'rejected') logger.warn('event rejected', { reason: result.reason });
    else logger.info('event ingested', { outcome: result.outcome });
    return result;
  }).use(injectLambdaContext(logger));
};

export const handler = lambdaHandler(createHandler);
