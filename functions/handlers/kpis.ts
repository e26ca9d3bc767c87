/**
 * Lambda: once a day, the retention KPIs of the 30 days that ended at
 * midnight UTC, published as metrics (a KPI without a denominator is left out,
 * not sent as zero).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import { dynamoKpiCounters } from '../adapters/dynamodb/kpi-counters';
import { dayOf, plusDays } from '../ops/counters';
import { dailyKpis } from '../ops/daily-kpis';
import { emitForCampaign, emitService } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';

export const createHandler = (runtime: Runtime) => {
  const counters = dynamoKpiCounters(runtime.dynamo, runtime.tableName);
  return middy(async (event: z.infer<typeof EventBridgeSchema>) => {
    // The day that ended before this run.
    const result = await dailyKpis(plusDays(dayOf(event.time), -1), counters);
    const { attributedRevenue, ...kpis } = result.kpis;
    logger.info('kpis', { day: result.day, ...result.kpis });
    for (const [key, value] of Object.entries(kpis) as [keyof typeof kpis, number | null][]) {
      if (value !== null) emitService(metrics, key, value);
    }
    for (const [campaign, revenue] of Object.entries(attributedRevenue) as [keyof typeof attributedRevenue, number][]) {
      emitForCampaign(metrics, 'attributedRevenue', campaign, revenue);
    }
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: EventBridgeSchema }));
};

export const handler = lambdaHandler(createHandler, wiring.kpis);
