/**
 * What the campaign sweep handlers share: a scheduled EventBridge event in,
 * the campaign's sweep run at the time it carries, its outcomes out as log and
 * metrics; a retryable failure is thrown so EventBridge retries the sweep
 * (what was sent is then a no-op).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import { deliveryAdapters } from '../adapters/delivery';
import type { DeliveryPorts } from '../campaigns/delivery';
import type { CustomerStore } from '../campaigns/ports';
import type { SweepResult } from '../campaigns/sweep';
import { logger, metrics } from '../observability';
import type { Runtime } from '../runtime';

export const sweepHandler =
  (sweep: (at: Date, ports: DeliveryPorts & { customers: CustomerStore }) => Promise<SweepResult>) => (runtime: Runtime) => {
    const adapters = deliveryAdapters(runtime);
    return middy(async (event: z.infer<typeof EventBridgeSchema>) => {
      const result = await sweep(new Date(event.time), { ...adapters, keyring: await runtime.keyring() });
      logger.info('sweep', { campaign: result.campaign, at: event.time, due: result.due, ...result.outcomes });
      metrics.addDimension('campaign', result.campaign);
      metrics.addMetric('due', MetricUnit.Count, result.due);
      for (const [outcome, count] of Object.entries(result.outcomes)) metrics.addMetric(outcome, MetricUnit.Count, count);
      // A/B tests: sends per variant, a dimension only these metrics carry.
      for (const [variant, count] of Object.entries(result.variants)) {
        const single = metrics.singleMetric();
        single.addDimensions({ campaign: result.campaign, variant });
        single.addMetric('sent', MetricUnit.Count, count);
      }
      if (result.retryable.length) {
        throw new Error(`${result.campaign} sweep: ${result.retryable.length} sends failed, first: ${result.retryable[0]}`);
      }
      return result;
    })
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics))
      .use(parser({ schema: EventBridgeSchema }));
  };
