/** Lambda: the hourly birthday sweep, at the time the schedule carries. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import { deliveryAdapters } from '../adapters/delivery';
import { runBirthdaySweep } from '../campaigns/birthday/sweep';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';

export const createHandler = (runtime: Runtime) => {
  const adapters = deliveryAdapters(runtime);
  return middy(async (event: z.infer<typeof EventBridgeSchema>) => {
    const result = await runBirthdaySweep(new Date(event.time), { ...adapters, keyring: await runtime.keyring() });
    logger.info('birthday sweep', { at: event.time, due: result.due, ...result.outcomes });
    metrics.addDimension('campaign', 'birthday');
    metrics.addMetric('due', MetricUnit.Count, result.due);
    for (const [outcome, count] of Object.entries(result.outcomes)) metrics.addMetric(outcome, MetricUnit.Count, count);
    // Throw so EventBridge retries the sweep; what was sent is then a no-op.
    if (result.retryable.length) throw new Error(`birthday sweep: ${result.retryable.length} sends failed: ${result.retryable[0]}`);
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: EventBridgeSchema }));
};

export const handler = lambdaHandler(createHandler);
