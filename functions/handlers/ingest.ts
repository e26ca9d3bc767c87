/**
 * Lambda: the shop's events in, from the queue the rule on the bus feeds
 * (each message body is the EventBridge event). Thin: parse and store through
 * the ingest use case; a record that failed is retried by SQS.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { storeAdapters } from '../adapters';
import { ingest } from '../customers/ingest';
import { emitAll, emitMoney, emitPerStep, emitService, emitSingle } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';
import { processQueue } from './queue';

export const createHandler = (runtime: Runtime) => {
  const adapters = storeAdapters(runtime);
  return middy(async (event: SQSEvent, context: Context) => {
    // Occasions are planned by the published campaign settings (docs/design.md §9).
    const ports = { ...adapters, config: (await runtime.content.current()).config };
    return processQueue(event, context, async (record) => {
      const result = await ingest(JSON.parse(record.body), ports);
      if (result.outcome === 'rejected') {
        logger.warn('event rejected', { reason: result.reason });
        emitService(metrics, 'deadLetters', 1);
      } else logger.info('event ingested', { outcome: result.outcome });
      if (result.outcome === 'ignored') emitService(metrics, 'ignoredEvents', 1);
      if (result.conversion) {
        const { campaign, step, revenue, currency } = result.conversion;
        // Revenue in its currency (and converted to the base currency, if configured): never summed across currencies.
        emitAll(metrics, campaign, { converted: 1 });
        emitMoney(metrics, 'revenue', { campaign }, { amount: revenue, currency }, ports.config.kpis);
        if (step !== undefined) emitPerStep(metrics, campaign, step, { converted: 1, revenue: { amount: revenue, currency } }, ports.config.kpis);
      }
      if (result.reverted) emitAll(metrics, result.reverted.campaign, { reverted: 1 });
      // The loyalty programme's figures (docs/design.md §10), each in a document of its own.
      if (result.pointsEarned) emitSingle(metrics, 'pointsIssued', {}, result.pointsEarned);
      if (result.pointsRedeemed) emitSingle(metrics, 'pointsRedeemed', {}, result.pointsRedeemed);
      if (result.referral) {
        emitSingle(metrics, 'referralConverted', { campaign: 'referral' }, 1);
        emitMoney(metrics, 'referralRevenue', { campaign: 'referral' }, { amount: result.referral.revenue, currency: result.referral.currency }, ports.config.kpis);
      }
      return result;
    });
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
};

export const handler = lambdaHandler(createHandler, wiring.ingest);
