/**
 * Lambda: once a day, the retention KPIs of the 30 days that ended at
 * midnight UTC, published as metrics (a KPI without a denominator is left out,
 * not sent as zero). Money per currency (`Currency` dimension) and, with a base
 * currency configured, converted to it (`BaseCurrency`).
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
import { dynamoCustomerStore } from '../adapters/dynamodb/customers';
import { emitKpis, emitTierCustomers } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';

export const createHandler = (runtime: Runtime) => {
  const counters = dynamoKpiCounters(runtime.dynamo, runtime.tableName);
  const customers = dynamoCustomerStore(runtime.dynamo, runtime.tableName);
  return middy(async (event: z.infer<typeof EventBridgeSchema>) => {
    // The day that ended before this run.
    const result = await dailyKpis(plusDays(dayOf(event.time), -1), counters, runtime.config.kpis);
    logger.info('kpis', { day: result.day, ...result.kpis });
    emitKpis(metrics, result.kpis);
    // The loyalty programme's tiers as published (docs/design.md §9, §10): their customers now.
    const { loyalty } = (await runtime.content.current()).config;
    const tiers = loyalty?.tiers.length ? await customers.countByTier(loyalty.tiers.map((tier) => tier.name)) : undefined;
    if (tiers) emitTierCustomers(metrics, tiers);
    return { ...result, ...(tiers && { tiers }) };
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: EventBridgeSchema }));
};

export const handler = lambdaHandler(createHandler, wiring.kpis);
