/**
 * The Lambda bundles as `cdk synth` makes them (lib/bundle.ts): small, without
 * MJML, importing only the SDK clients their wiring permits, and working.
 * Sizes and times are measured by `npx tsx bench/lambdas.ts`, not here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledInputs, bundleLambda, importedOnLoad, projectRoot } from '../../lib/bundle';
import { compiledManifest } from '../../functions/templates/template-file';
import { wiring, type FunctionName } from '../../functions/wiring';

const names = Object.keys(wiring) as FunctionName[];
// Under node_modules, so a bundle finds the AWS SDK there as it finds it in the Lambda runtime.
mkdirSync(join(projectRoot, 'node_modules', '.cache'), { recursive: true });
const outdir = mkdtempSync(join(projectRoot, 'node_modules', '.cache', 'retention-bundles-'));
const bundles = {} as Record<FunctionName, Metafile>;

beforeAll(async () => {
  for (const name of names) bundles[name] = await bundleLambda(wiring[name].handler, join(outdir, name));
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));

describe('each bundle', () => {
  it.each(names)('%s holds no MJML toolchain and only the English zod locale', (name) => {
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
    expect(map.sources.some((source) => source.endsWith('functions/runtime.ts'))).toBe(true);
    expect(map.sources.filter((source) => source.includes('node_modules'))).toEqual([]);
  });

  it.each(names)('%s imports, as it loads, only the SDK clients its wiring permits', (name) => {
    const { permissions } = wiring[name] as { permissions: { sendEmail?: boolean; putEvents?: boolean; enqueue?: string } };
    const permitted = [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
      ...(permissions.putEvents ? ['@aws-sdk/client-eventbridge'] : []),
      ...(permissions.sendEmail ? ['@aws-sdk/client-sesv2'] : []),
      ...(permissions.enqueue ? ['@aws-sdk/client-sqs'] : []),
    ];
    expect(permitted).toEqual(expect.arrayContaining(importedOnLoad(bundles[name]).filter((path) => path.startsWith('@aws-sdk/'))));
  });

  it.each(names)('%s carries compiled templates only if it renders emails', (name) => {
    const renders = bundledInputs(bundles[name]).some((input) => input.endsWith('functions/templates/render.ts'));
    expect(renders).toBe(name === 'sender');
    expect(existsSync(join(outdir, name, 'templates', compiledManifest))).toBe(renders);
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
});
