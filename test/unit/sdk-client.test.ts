/**
 * What the engine's SDK clients share (functions/adapters/sdk-client.ts, docs/design.md §6): their configuration
 * is a copy made at once, which must hold every setting the SDK resolved, as the SDK resolved it.
 */
import '../../local/environment';
import { setFlagsFromString } from 'node:v8';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { engineClient } from '../../functions/adapters/sdk-client';

const settings = { region: 'local-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 };

describe('an engine client', () => {
  it.each([
    ['DynamoDB', () => new DynamoDBClient(settings)],
    ['SES', () => new SESv2Client(settings)],
  ])('%s: its configuration is its own object, with every setting the SDK resolved, accessors included', async (_, make) => {
    const sdk = make();
    const engine = engineClient(make());
    expect(engine.config).not.toBe(sdk.config);
    expect(Object.keys(engine.config).sort()).toEqual(Object.keys(sdk.config).sort());
    const credentials = Object.getOwnPropertyDescriptor(engine.config, 'credentials');
    expect(credentials?.get).toBeTypeOf('function');
    await expect(engine.config.credentials()).resolves.toMatchObject(settings.credentials);
    expect(await engine.config.maxAttempts()).toBe(2);
    expect(await engine.config.region()).toBe('local-1');
  });

  it('credentials set on its configuration are resolved by the SDK, as on the SDK\'s own', async () => {
    const engine = engineClient(new DynamoDBClient(settings));
    // As a caller may set them: the SDK's setter makes a provider of them.
    (engine.config as { credentials: unknown }).credentials = { accessKeyId: 'other', secretAccessKey: 'other' };
    await expect(engine.config.credentials()).resolves.toMatchObject({ accessKeyId: 'other' });
  });

  it('any number of clients of a service: configurations of one shape, none a hash table (V8 copies those ten times slower)', () => {
    setFlagsFromString('--allow-natives-syntax');
    const fast = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;
    const sameShape = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    // Each client's credentials are the SDK's accessor, of functions of its own.
    const configs = ['a', 'b', 'c'].map((key) => engineClient(new DynamoDBClient({ ...settings, credentials: { accessKeyId: key, secretAccessKey: key } })).config);
    expect(configs.map(fast)).toEqual([true, true, true]);
    expect(configs.slice(1).map((config) => sameShape(config, configs[0]!))).toEqual([true, true]);
  });

  it('no longer has the SDK logger middleware', () => {
    const engine = engineClient(new DynamoDBClient(settings));
    expect(engine.middlewareStack.identify().some((entry) => entry.startsWith('loggerMiddleware'))).toBe(false);
  });
});
