/**
 * The engine's SDK retries (functions/adapters/retries.ts, docs/design.md §8): a call safe to repeat is retried on
 * throttling, a lost connection or answer and a server error, up to its attempts, without a quota; never on the
 * caller's own error (a failed condition is an answer, not a failure).
 */
import { ConditionalCheckFailedException, InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { patientRetries } from '../../functions/adapters/retries';

const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: { httpStatusCode: 400 } });
const serverError = () => new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } });
const connectionReset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const answerLost = () => Object.assign(new Error('timed out'), { name: 'TimeoutError' });

/** A call that fails with each of `failures` in turn, then answers; counting its attempts. */
const call = (...failures: Error[]) => {
  const made = { attempts: 0 };
  const next = async () => {
    const failure = failures[made.attempts++];
    if (failure) throw failure;
    return { response: {}, output: { $metadata: {} } as MetadataBearer };
  };
  return { made, next };
};
const args = { input: {}, request: {} } as FinalizeHandlerArguments<object>;

describe('the SDK retries of a call safe to repeat', () => {
  it.each([
    ['throttling', throttled],
    ['a server error', serverError],
    ['a reset connection', connectionReset],
    ['a lost answer', answerLost],
  ])('retry %s until the call answers, and tell how many attempts it took', async (_, failure) => {
    const { made, next } = call(failure(), failure(), failure());
    const { output } = await patientRetries(10, () => 0).retry(next, args);
    expect(made.attempts).toBe(4);
    expect(output.$metadata).toMatchObject({ attempts: 4, totalRetryDelay: 0 });
  });

  it('give up after the last attempt, with the last failure and its attempts', async () => {
    const last = serverError();
    const { made, next } = call(throttled(), serverError(), last, serverError());
    const error = await patientRetries(3, () => 0).retry(next, args).catch((e: unknown) => e);
    expect(error).toBe(last);
    expect(made.attempts).toBe(3);
    expect(last.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
  });

  it('never retry the caller\'s own error: a failed condition is the answer', async () => {
    const failure = conditionFailed();
    const { made, next } = call(failure);
    await expect(patientRetries(10, () => 0).retry(next, args)).rejects.toBe(failure);
    expect(made.attempts).toBe(1);
  });

  it('one attempt is one call (SendEmail): even throttling is not repeated', async () => {
    const { made, next } = call(throttled());
    await expect(patientRetries(1, () => 0).retry(next, args)).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(made.attempts).toBe(1);
  });

  it('wait the backoff of each retry, and tell the time waited', async () => {
    const waits: number[] = [];
    const { next } = call(throttled(), throttled());
    const { output } = await patientRetries(5, (attempt) => (waits.push(attempt), attempt)).retry(next, args);
    expect(waits).toEqual([1, 2]);
    expect(output.$metadata.totalRetryDelay).toBe(3);
  });

  it('no quota: after a run of failures a call is still retried', async () => {
    const strategy = patientRetries(3, () => 0);
    for (let i = 0; i < 50; i++) await strategy.retry(call(serverError(), serverError()).next, args);
    const { made, next } = call(throttled(), throttled());
    await strategy.retry(next, args);
    expect(made.attempts).toBe(3);
  });
});
