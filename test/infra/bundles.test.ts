/**
 * The Lambda bundles as `cdk synth` makes them (lib/bundle.ts): small, without
 * MJML but for MJML's own function, holding the AWS SDK but only the clients
 * their wiring permits, and working.
 * Sizes and times are measured by `npx tsx bench/lambdas.ts`, not here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledInputs, bundleLambda, compilesTemplates, importedOnLoad, loadedOnImport, projectRoot } from '../../lib/bundle';
import { compiledManifest } from '../../functions/templates/template-file';
import { wiring, type FunctionName } from '../../functions/wiring';
import { parseConfig } from '../../functions/config';
import { localCredentials, localRegion } from '../../local/dynamodb';
import { startLocalStack } from '../../local/stack';
import { LocalLambda } from '../../local/lambda';
import { environment } from '../../functions/runtime';

const names = Object.keys(wiring) as FunctionName[];
/** MJML's function alone carries MJML (lib/bundle.ts); the studio's compiles templates with it when marketers preview and publish. */
const withoutMjml = names.filter((name) => name !== 'mjml');
const sending = withoutMjml.filter((name) => !compilesTemplates(wiring[name].handler));
/** The functions that call AWS: all but MJML's, which is given its text and answers. */
const onAws = names.filter((name) => (wiring[name].permissions as { table?: string }).table);
// Under node_modules, so a bundle finds the AWS SDK there as it finds it in the Lambda runtime.
mkdirSync(join(projectRoot, 'node_modules', '.cache'), { recursive: true });
const outdir = mkdtempSync(join(projectRoot, 'node_modules', '.cache', 'retention-bundles-'));
const bundles = {} as Record<FunctionName, Metafile>;

beforeAll(async () => {
  for (const name of names) bundles[name] = await bundleLambda(wiring[name].handler, join(outdir, name));
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The npm packages of these inputs (`@scope/name` or `name`), the nearest `node_modules` of each. */
const packagesOf = (inputs: string[]): string[] =>
  [...new Set(inputs.flatMap((input) => input.match(/.*node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? []))].sort();

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));

describe('each bundle', () => {
  it.each(withoutMjml)('%s holds no MJML toolchain and only the English zod locale', (name) => {
    const inputs = bundledInputs(bundles[name]);
    for (const pkg of ['mjml', 'juice', 'cheerio', 'iconv-lite', 'undici', 'htmlnano', 'typescript']) {
      expect(inputs.filter((input) => input.includes(`node_modules/${pkg}/`))).toEqual([]);
    }
    expect(inputs.filter((input) => /zod\/v4\/locales\/(?!en\.js)/.test(input))).toEqual([]);
  });

  it.each(names)('%s is at most 1 MB with its source map, which maps the project code only', (name) => {
    const dir = join(outdir, name);
    const code = files(dir).filter((file) => /\.(mjs|map)$/.test(file));
    expect(code.reduce((sum, file) => sum + statSync(file).size, 0)).toBeLessThanOrEqual(1024 * 1024);
    const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith(`functions/handlers/${wiring[name].handler}.ts`))).toBe(true);
    expect(map.sources.filter((source) => source.includes('node_modules'))).toEqual([]);
  });

  it('MJML\'s function holds no AWS SDK at all', () => {
    expect(packagesOf(bundledInputs(bundles.mjml)).filter((pkg) => pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/'))).toEqual([]);
  });

  it.each(onAws)('%s holds only the SDK clients its wiring permits, and takes none from the runtime', (name) => {
    const { permissions } = wiring[name] as {
      permissions: { sendEmail?: boolean; putEvents?: boolean; enqueue?: string; signingSecret?: boolean; webhookSecret?: boolean; invoke?: string };
    };
    const permitted = [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
      ...(permissions.putEvents ? ['@aws-sdk/client-eventbridge'] : []),
      ...(permissions.sendEmail ? ['@aws-sdk/client-sesv2'] : []),
      ...(permissions.enqueue ? ['@aws-sdk/client-sqs'] : []),
      // Powertools reads the secrets through this client.
      ...(permissions.signingSecret || permissions.webhookSecret ? ['@aws-sdk/client-secrets-manager'] : []),
      ...(permissions.invoke ? ['@aws-sdk/client-lambda'] : []),
    ];
    // The SDK is bundled (lib/bundle.ts): its clients' code is in the bundle, whether loaded with it or on demand.
    const packages = packagesOf(bundledInputs(bundles[name]));
    expect(permitted).toEqual(expect.arrayContaining(packages.filter((pkg) => /^@aws-sdk\/(client|lib)-/.test(pkg))));
    expect(packages).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']));
    expect(importedOnLoad(bundles[name]).filter((path) => path.startsWith('@aws-sdk/'))).toEqual([]);
  });

  it.each(onAws)('%s takes its credentials as Lambda gives them, without the providers for developer machines', (name) => {
    const packages = packagesOf(bundledInputs(bundles[name]));
    expect(packages).toEqual(expect.arrayContaining(['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-env']));
    expect(packages.filter((pkg) => /^@aws-sdk\/(credential-provider-(sso|ini|process|web-identity|login)|nested-clients|token-providers)$/.test(pkg))).toEqual([]);
  });

  it.each(sending)('%s carries compiled templates only if it renders emails', (name) => {
    const renders = bundledInputs(bundles[name]).some((input) => input.endsWith('functions/templates/render.ts'));
    expect(renders).toBe(name === 'sender');
    expect(existsSync(join(outdir, name, 'templates', compiledManifest))).toBe(renders);
  });
});

describe("the studio's function", () => {
  /** The inputs of the outputs its entry imports as it loads (a chunk imported on demand is not among them). */
  const loadedOnStart = (metafile: Metafile) => loadedOnImport(metafile).flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));

  it('loads the compiler and the checker only when a marketer first previews or publishes, and calls MJML in its function', () => {
    const inputs = bundledInputs(bundles.studio);
    expect(inputs.some((input) => input.endsWith('functions/templates/compile.ts'))).toBe(true);
    expect(inputs.some((input) => input.endsWith('functions/adapters/mjml-function.ts'))).toBe(true);
    const onStart = loadedOnStart(bundles.studio);
    expect(onStart.some((input) => input.endsWith('functions/handlers/studio.ts'))).toBe(true);
    expect(onStart.filter((input) => input.endsWith('functions/templates/check.ts') || input.endsWith('functions/adapters/mjml-function.ts'))).toEqual([]);
  });

  it('carries the default templates as sources (content version 0), not compiled', () => {
    const dir = join(outdir, 'studio', 'templates');
    expect(files(dir).filter((file) => file.endsWith('.mjml')).length).toBeGreaterThanOrEqual(15);
    expect(existsSync(join(dir, compiledManifest))).toBe(false);
  });
});

describe("MJML's function", () => {
  it("carries MJML without what it compiles without: fetching, decoding buffers, minify, beautify, remote resources; loaded on its first invocation", () => {
    const packages = packagesOf(bundledInputs(bundles.mjml));
    expect(packages).toEqual(expect.arrayContaining(['mjml-core', 'juice', 'cheerio', 'parse5']));
    expect(packages.filter((pkg) => ['undici', 'iconv-lite', 'encoding-sniffer', 'htmlnano', 'js-beautify', 'web-resource-inliner', 'typescript'].includes(pkg))).toEqual([]);
    const onStart = loadedOnImport(bundles.mjml).flatMap((file) => Object.keys(bundles.mjml.outputs[file]?.inputs ?? {}));
    expect(onStart.filter((input) => /node_modules\/(mjml|juice|cheerio)/.test(input))).toEqual([]);
  });
});

describe('the sender', () => {
  it('carries every template compiled, the partials and no MJML source', () => {
    const dir = join(outdir, 'sender', 'templates');
    const compiled = JSON.parse(readFileSync(join(dir, compiledManifest), 'utf8')) as Record<string, { html: string }>;
    const sets = readdirSync(join(projectRoot, 'templates'), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'partials');
    const sources = sets.flatMap((set) => readdirSync(join(projectRoot, 'templates', set.name)).filter((f) => f.endsWith('.mjml')).map((f) => `${set.name}/${f}`));
    expect(Object.keys(compiled).sort()).toEqual(sources.sort());
    for (const template of Object.values(compiled)) expect(template.html).not.toMatch(/<mj-/);
    expect(files(dir).filter((file) => file.endsWith('.mjml'))).toEqual([]);
  });
});

describe('a bundle loads and runs', () => {
  it('a sweep parses its event with zod, in English, before any AWS call', () => {
    const script = `
      const { handler } = await import(${JSON.stringify(join(outdir, 'birthdaySweep', 'index.mjs'))});
      const error = await handler({ time: 'not a time' }, { getRemainingTimeInMillis: () => 1000 }).catch((e) => e);
      console.log(JSON.stringify({ name: error.name, cause: JSON.stringify(error.cause) }));`;
    const out = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      env: { ...process.env, TABLE_NAME: 't', CONFIGURATION_SET_NAME: 'c', EVENT_BUS_NAME: 'b', SEND_JOBS_QUEUE_URL: 'https://sqs.example/q', AWS_REGION: 'eu-west-1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as { name: string; cause: string };
    expect(result.name).toBe('ParseError');
    expect(result.cause).toContain('Invalid input: expected string, received undefined');
  });

  it("the studio's function previews and publishes from its bundle, with MJML's from its bundle, over DynamoDB, EventBridge and Lambda", async () => {
    const stack = await startLocalStack({ config: parseConfig({}), start: new Date('2026-03-01T00:00:00Z') });
    // MJML's function as its bundle is, behind Lambda's Invoke API.
    const mjml = (await import(pathToFileURL(join(outdir, 'mjml', 'index.mjs')).href)) as { handler: (event: unknown) => Promise<unknown> };
    let compiled = 0;
    const lambda = new LocalLambda(new Map([['mjml-bundle', (event: unknown) => (compiled++, mjml.handler(event))]]), localRegion);
    const lambdaEndpoint = await lambda.listen();
    try {
      const claims = { username: 'pat@shop.example', 'cognito:groups': '[publishers]' };
      const request = (method: string, path: string, body?: unknown) => ({
        rawPath: path,
        requestContext: { http: { method }, authorizer: { jwt: { claims } } },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const script = `
        const { handler } = await import(${JSON.stringify(join(outdir, 'studio', 'index.mjs'))});
        const context = { getRemainingTimeInMillis: () => 29000, functionName: 'studio' };
        const answers = [];
        for (const event of ${JSON.stringify([
          request('POST', '/api/preview', { set: 'birthday', locale: 'ms', subject: 'Hari jadi!', preheader: 'Hadiah', body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hai</mj-text></mj-column></mj-section></mj-body></mjml>', sample: 'malay' }),
          request('POST', '/api/preview', { set: 'birthday', locale: 'ms', subject: 'Hari jadi!', preheader: 'Hadiah', body: '<mjml><mj-body><mj-section><mj-column>\n<mj-text colour="red">Hai</mj-text></mj-column></mj-section></mj-body></mjml>', sample: 'malay' }),
          request('POST', '/api/publish', { note: 'from the bundle' }),
          request('GET', '/api/versions'),
        ])}) {
          const answer = await handler(event, context);
          answers.push({ status: answer.statusCode, body: JSON.parse(answer.body) });
        }
        console.log(JSON.stringify(answers));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
        env: {
          ...process.env,
          TABLE_NAME: 'retention',
          EVENT_BUS_NAME: 'retention',
          CONFIGURATION_SET_NAME: 'retention',
          TEMPLATES_DIR: join(outdir, 'studio', 'templates'),
          AWS_REGION: localRegion,
          AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
          AWS_ENDPOINT_URL_EVENTBRIDGE: stack.endpoints.bus,
          AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
          [environment.mjmlFunctionName]: 'mjml-bundle',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
        encoding: 'utf8',
      });
      const [preview, misspelt, published, versions] = JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: number; body: Record<string, any> }[];
      expect(preview!.status).toBe(200);
      expect(preview!.body.html).toContain('Hai');
      // MJML's strict validation, at the draft's own line.
      expect(misspelt!.body.ok).toBe(false);
      expect(misspelt!.body.problems).toContainEqual({ field: 'body', line: 2, column: 10, message: 'MJML <mj-text>: Attribute colour is illegal' });
      expect(compiled).toBeGreaterThan(1);
      // The defaults, published as the bundle carries them: version 1, nothing changed.
      expect(published).toEqual({ status: 200, body: { ok: true, version: 1, changed: [] } });
      expect(versions!.body.published).toBe(1);
    } finally {
      await Promise.all([stack.close(), lambda.close()]);
    }
  }, 60_000);
});
