/**
 * What the campaign sweep handlers share: a scheduled EventBridge event in,
 * the campaign's sweep run at the time it carries, its outcomes out as log and
 * metrics; a retryable failure is thrown so EventBridge retries the sweep
 * (what was sent is then a no-op).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import { deliveryAdapters } from '../adapters/delivery';
import type { DeliveryPorts } from '../campaigns/delivery';
import type { CustomerStore } from '../campaigns/ports';
import type { SweepOutcome, SweepResult } from '../campaigns/sweep';
import { emitAll, emitPerStep, emitVariantSent, isCampaignMetric, type CampaignMetric } from '../metrics';
import { logger, metrics } from '../observability';
import type { Runtime } from '../runtime';

/** Every outcome a sweep can report, at zero: a quiet hour charts as 0, not as no data. The type makes it complete. */
const noOutcomes: Record<SweepOutcome['outcome'], 0> = {
  sent: 0, deferred: 0, suppressed: 0, heldOut: 0, failed: 0, duplicate: 0, missed: 0, ineligible: 0, ended: 0, fatigued: 0,
};

export const sweepHandler =
  (sweep: (at: Date, ports: DeliveryPorts & { customers: CustomerStore }) => Promise<SweepResult>) => (runtime: Runtime) => {
    const adapters = deliveryAdapters(runtime);
    return middy(async (event: z.infer<typeof EventBridgeSchema>) => {
      const started = performance.now();
      const result = await sweep(new Date(event.time), { ...adapters, keyring: await runtime.keyring() });
      const duration = Math.round(performance.now() - started);
      logger.info('sweep', { campaign: result.campaign, at: event.time, due: result.due, durationMs: duration, ...result.outcomes });
      const outcomes: Partial<Record<CampaignMetric, number>> = {};
      for (const [outcome, count] of Object.entries({ ...noOutcomes, ...result.outcomes })) if (isCampaignMetric(outcome)) outcomes[outcome] = count;
      emitAll(metrics, result.campaign, { eligible: result.due, ...outcomes, sweepDuration: duration });
      // A/B tests: sends per variant, a dimension only these metrics carry.
      for (const [variant, count] of Object.entries(result.variants)) emitVariantSent(metrics, result.campaign, variant, count);
      for (const [step, count] of Object.entries(result.steps)) emitPerStep(metrics, result.campaign, Number(step), { sent: count });
      if (result.retryable.length) {
        throw new Error(`${result.campaign} sweep: ${result.retryable.length} sends failed, first: ${result.retryable[0]}`);
      }
      return result;
    })
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics))
      .use(parser({ schema: EventBridgeSchema }));
  };
