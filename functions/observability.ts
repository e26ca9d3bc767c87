/** Logger and metrics, created once; every handler imports them. Log customer ids, never addresses or names. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { namespace, serviceName } from './metrics';

export const logger = new Logger({ serviceName });
/** Emit through `functions/metrics.ts` (`emit`, `emitAll`), by catalogue key. Locally, the stack takes the EMF lines out of stdout (local/metrics.ts). */
// Its own warnings (e.g. "no metrics to publish" from a handler that had nothing to count) go through
// the logger, as JSON lines at WARN, instead of raw console lines.
export const metrics = new Metrics({ namespace, serviceName, logger });
