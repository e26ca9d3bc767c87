/**
 * The SDK's retries for calls that are safe to repeat. Every write of the
 * engine is (docs/design.md §8), so a call is retried on what the SDK's
 * standard strategy calls throttling, a transient error (a lost connection, a
 * timeout) or a server error, up to `maxAttempts`, with backoff, and without
 * that strategy's retry quota: the quota stops retrying altogether once a
 * tenth of the calls fail, which turns a bad minute of DynamoDB into
 * invocations that fail whole and start over from their first call.
 * SendEmail is the one call never repeated by the SDK (runtime.ts: one attempt).
 *
 * A `retry(next, args)` strategy rather than the SDK's token interface: for
 * that one the SDK's middleware makes an `Error` at every call, in case the
 * call fails, whose stack trace was a tenth or more of a local call's CPU in a
 * loop (BENCHMARKS.md).
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { RetryStrategy, SdkError } from '@smithy/types';

/** What the SDK's standard strategy retries; not a client error (a bad request, a failed condition), which would fail again. */
const retryable = (error: SdkError) => isThrottlingError(error) || isTransientError(error) || isServerError(error);

/** Full jitter on an exponential backoff, capped: AWS's advice for retries. */
export const jitteredBackoff = (attempt: number) => Math.floor(Math.random() * Math.min(20_000, 50 * 2 ** attempt));

export const patientRetries = (maxAttempts: number, backoff: (attempt: number) => number = jitteredBackoff): RetryStrategy => ({
  async retry(next, args) {
    let totalRetryDelay = 0;
    for (let attempts = 1; ; attempts++) {
      try {
        const result = await next(args);
        result.output.$metadata.attempts = attempts;
        result.output.$metadata.totalRetryDelay = totalRetryDelay;
        return result;
      } catch (error) {
        if (typeof error !== 'object' || error === null) throw error; // not an error the SDK can tell about
        const failure = error as SdkError;
        if (attempts >= maxAttempts || !retryable(failure)) {
          Object.assign((failure.$metadata ??= {}), { attempts, totalRetryDelay });
          throw failure;
        }
        const delay = backoff(attempts);
        totalRetryDelay += delay;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  },
});
