/**
 * Lambda: the hourly loyalty review (docs/design.md §10). A failure is thrown so EventBridge
 * retries the run; a customer reviewed twice publishes the same events and stores the same.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { storeAdapters } from '../adapters';
import { runLoyaltyReview } from '../campaigns/loyalty/review';
import { emitSingle } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';

export const createHandler = (runtime: Runtime) => {
  const { customers, orders, events } = storeAdapters(runtime);
  return middy(async (event: z.infer<typeof EventBridgeSchema>, context: Context) => {
    // The published loyalty settings (docs/design.md §9).
    const { config } = await runtime.content.current();
    const result = await runLoyaltyReview(new Date(event.time), { config, customers, orders, events }, () => context.getRemainingTimeInMillis());
    logger.info('loyalty review', { at: event.time, ...result });
    // Zero too, while the programme runs: a quiet hour charts as 0, not as no data.
    if (config.loyalty) emitSingle(metrics, 'pointsExpired', {}, result.pointsExpired);
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: EventBridgeSchema }));
};

export const handler = lambdaHandler(createHandler, wiring.loyaltyReview);
