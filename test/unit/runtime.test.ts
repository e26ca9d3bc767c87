/** The Lambda runtime holds the SDK clients a function's wiring permits, and says so when a handler reaches for another. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { environment, lambdaHandler, runtimeFromEnvironment, type Runtime } from '../../functions/runtime';
import { wiring } from '../../functions/wiring';

beforeEach(() => {
  vi.stubEnv(environment.tableName, 'retention');
  vi.stubEnv(environment.configurationSetName, 'retention');
  vi.stubEnv(environment.eventBusName, 'retention');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
});
afterEach(() => vi.unstubAllEnvs());

describe('runtimeFromEnvironment', () => {
  it('builds the clients the permissions allow', async () => {
    const sender = await runtimeFromEnvironment(wiring.sender.permissions);
    expect(sender.ses).toBeInstanceOf(SESv2Client);
    const sweep = await runtimeFromEnvironment(wiring.birthdaySweep.permissions);
    expect(sweep.sqs).toBeInstanceOf(SQSClient);
  });

  it('stands in for the others with an error naming the permission', async () => {
    const kpis = await runtimeFromEnvironment(wiring.kpis.permissions);
    expect(() => kpis.ses.send).toThrow('SES: this function\'s wiring (functions/wiring.ts) has no "sendEmail" permission');
    expect(() => kpis.events.send).toThrow(/"putEvents" permission/);
    expect(() => kpis.sqs.send).toThrow(/"enqueue" permission/);
    await expect(kpis.keyring()).rejects.toThrow(/"signingSecret" permission/);
  });
});

describe('lambdaHandler', () => {
  it('builds the runtime on the first invocation, and again after it failed', async () => {
    const create = vi.fn((runtime: Runtime) => async () => runtime.tableName);
    const handler = lambdaHandler(create, wiring.kpis);
    vi.stubEnv(environment.tableName, '');
    await expect(handler({}, {} as never)).rejects.toThrow(/TABLE_NAME is not set/);
    vi.stubEnv(environment.tableName, 'retention');
    expect(await handler({}, {} as never)).toBe('retention');
    expect(await handler({}, {} as never)).toBe('retention');
    expect(create).toHaveBeenCalledTimes(1);
  });
});
