/** Logger and metrics, created once; every handler imports them. Log customer ids, never addresses or names. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'retention' });
export const metrics = new Metrics({ namespace: 'Retention', serviceName: 'retention' });
