/**
 * The SDK's retries for calls that are safe to repeat. Every write of the
 * engine is (docs/design.md §8), so a call is retried on throttling, a server error
 * and a lost answer, up to `maxAttempts`, with backoff, and without the
 * standard strategy's retry quota: that quota stops retrying altogether once
 * a tenth of the calls fail, which turns a bad minute of DynamoDB into
 * invocations that fail whole and start over from their first call.
 * SendEmail is the one call never repeated by the SDK (runtime.ts).
 */
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

const retryable = new Set<RetryErrorInfo['errorType']>(['THROTTLING', 'TRANSIENT', 'SERVER_ERROR']);

/** Full jitter on an exponential backoff, capped: AWS's advice for retries. */
export const jitteredBackoff = (attempt: number) => Math.floor(Math.random() * Math.min(20_000, 50 * 2 ** attempt));

const token = (retryCount: number, retryDelay: number): StandardRetryToken => ({
  getRetryCount: () => retryCount,
  getRetryDelay: () => retryDelay,
  getRetryCost: () => undefined,
});

export const patientRetries = (maxAttempts: number, backoff: (attempt: number) => number = jitteredBackoff): RetryStrategyV2 => ({
  acquireInitialRetryToken: async () => token(0, 0),
  async refreshRetryTokenForRetry(previous, errorInfo) {
    const attempt = previous.getRetryCount() + 1;
    if (attempt >= maxAttempts || !retryable.has(errorInfo.errorType)) throw new Error('no retry');
    return token(attempt, backoff(attempt));
  },
  recordSuccess: () => undefined,
});
