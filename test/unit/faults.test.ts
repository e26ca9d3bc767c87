/**
 * docs/design.md §6 `--faults`: the local stack fails as AWS fails. A call fails
 * before it reaches the service, is throttled, or is applied and its answer
 * lost; an invocation is killed, or cut off at its timeout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@smithy/core/transport';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { FaultInjector, parseFaults } from '../../local/faults';

let applied = 0;
let port = 0;
const server = createServer((_, response) => {
  applied++;
  response.end('{}');
});
beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => ((port = (server.address() as AddressInfo).port), resolve()))));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const request = () => new HttpRequest({ protocol: 'http:', hostname: '127.0.0.1', port, method: 'POST', path: '/', headers: { host: '127.0.0.1' }, body: '{}' });
const call = async (injector: FaultInjector) => {
  try {
    const { response } = await injector.requestHandler('dynamodb').handle(request());
    return response.statusCode;
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).name;
  }
};

describe('--faults names a rate per service, or per kind', () => {
  it('spreads a service rate over its kinds', () => {
    const third = expect.closeTo(0.1, 10);
    expect(parseFaults('ses=0.3,crash=0.01')).toEqual({ 'ses.before': third, 'ses.throttle': third, 'ses.after': third, crash: 0.01 });
    expect(parseFaults('dynamodb.after=0.5')).toEqual({ 'dynamodb.after': 0.5 });
  });

  it.each([
    ['ses=2', /between 0 and 1/],
    ['s3=0.1', /unknown service 's3'/],
    ['ses.later=0.1', /unknown kind 'later'/],
    ['crash.after=0.1', /crash has no kinds/],
    ['ses', /NAME=RATE/],
  ])('refuses %s with a reason', (spec, reason) => expect(() => parseFaults(spec)).toThrow(reason));
});

describe('a call fails the way the service fails', () => {
  it('before: the service never sees it', async () => {
    applied = 0;
    expect(await call(new FaultInjector({ 'dynamodb.before': 1 }))).toBe('ECONNREFUSED');
    expect(applied).toBe(0);
  });

  it('throttled: the service refuses it, nothing applied', async () => {
    applied = 0;
    expect(await call(new FaultInjector({ 'dynamodb.throttle': 1 }))).toBe(400);
    expect(applied).toBe(0);
  });

  it('after: applied, and the answer lost (a 500, a reset or a timeout)', async () => {
    applied = 0;
    const injector = new FaultInjector({ 'dynamodb.after': 1 }, 3);
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => call(injector)));
    expect(applied).toBe(12);
    expect(new Set(outcomes)).toEqual(new Set([500, 'ECONNRESET', 'ETIMEDOUT']));
    expect(injector.injected).toEqual({ 'dynamodb.after': 12 });
  });

  it('no faults: the answer as it came', async () => {
    expect(await call(new FaultInjector({}))).toBe(200);
  });
});

describe('an invocation is killed, or cut off at its timeout, as Lambda does', () => {
  it('killed: every later call fails, and the invocation fails whatever its code does next', async () => {
    applied = 0;
    const injector = new FaultInjector({ crash: 1 });
    // Its AsyncLocalStorage off again after, as a stack's close does: on, its promise hooks slow every later file in this worker.
    onTestFinished(() => injector.close());
    const handler = injector.requestHandler('dynamodb');
    const results: string[] = [];
    const run = injector.invoke(async () => {
      for (let i = 0; i < 20; i++) {
        try {
          await handler.handle(request());
          results.push('ok');
        } catch (error) {
          results.push((error as Error).name);
        }
      }
      return 'answered';
    }, 30);
    await expect(run).rejects.toThrow(/invocation killed \(injected crash/);
    const killedAt = results.indexOf('InvocationKilled');
    if (killedAt >= 0) expect(results.slice(killedAt).every((r) => r === 'InvocationKilled')).toBe(true);
    expect(injector.injected.crash).toBe(1);
  });

  it('past its timeout an invocation is cut off', async () => {
    const injector = new FaultInjector({});
    await expect(injector.invoke(() => new Promise(() => undefined), 0.05)).rejects.toThrow('Task timed out after 0.05 seconds');
  });
});
