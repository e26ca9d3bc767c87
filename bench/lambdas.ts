/**
 * The Lambda bundles and rendering (issue 12): every function of the wiring
 * table bundled as `cdk synth` bundles it (lib/bundle.ts), its size and source
 * map, its cold import in a fresh Node.js process, where the time of that
 * import goes (a CPU profile), and the time to render an email from the
 * compiled templates the sender carries.
 *
 *   npx tsx bench/lambdas.ts      # prints the section
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Metafile } from 'esbuild';
import { bundledInputs, bundleLambda, lambdaBuildOptions, loadedOnImport, projectRoot } from '../lib/bundle';
import { compileTemplates } from '../functions/templates/compile';
import { createRenderer } from '../functions/templates/render';
import { sampleCustomers, sampleFor, templateSamples } from '../functions/templates/samples';
import { wiring, type FunctionName } from '../functions/wiring';
import { machine } from './report';

/** Fresh processes per bundle: the machine is shared, so many, interleaved, and the median. */
const coldImports = 11;
/** CPU profiles per bundle, averaged. */
const profiledImports = 5;
const renders = 200;
/** What made the sending bundles 4.5 MB: none of it may be in a bundle. */
const mjmlToolchain = ['mjml', 'juice', 'cheerio', 'parse5'];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number, digits = 0) => `${value.toFixed(digits)} ms`;

/** Bytes of the files under `dir` whose name matches. */
const sizeOf = (dir: string, match: (file: string) => boolean): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sum + sizeOf(path, match);
    return match(entry.name) ? sum + statSync(path).size : sum;
  }, 0);

/** The script a fresh process runs to import a bundle (none: a bare Node.js). */
export const importScript = (file?: string) => (file ? `await import(${JSON.stringify(pathToFileURL(file).href)})` : '');

/** Milliseconds from the start of a fresh `node` (with the flag Lambda sets) to the end of running `script`. */
const coldStart = (script: string, flags: string[] = [], scriptOnly = false): number => {
  // From the process's start; `scriptOnly`: from when the script starts, its own time alone.
  const run = spawnSync(process.execPath, ['--enable-source-maps', ...flags, '--input-type=module', '-e', `const started = ${scriptOnly ? 'performance.now()' : '0'}; ${script}; console.log(performance.now() - started)`], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`cold import failed: ${run.stderr}`);
  return Number(run.stdout.trim().split('\n').at(-1));
};

/**
 * The median cold start of each script, run `coldImports` times in turns (each
 * round runs every script once), so that a busy moment of the machine falls on
 * all of them alike.
 */
export const coldStarts = (scripts: string[]): number[] => {
  const times = scripts.map((): number[] => []);
  for (let round = 0; round < coldImports; round++) scripts.forEach((script, i) => times[i]!.push(coldStart(script)));
  return times.map(median);
};

/** Where the CPU time of a cold import goes, by the frames a profile samples. */
export const profileParts = ['compiling the code', 'running the code', 'garbage collection', 'compiling built-ins', 'source maps', 'Node.js, other'] as const;
type ProfilePart = (typeof profileParts)[number];

const partOf = ({ url, functionName }: { url: string; functionName: string }): ProfilePart => {
  if (functionName === 'compileSourceTextModule') return 'compiling the code';
  if (url.startsWith('file:')) return 'running the code';
  if (functionName === '(garbage collector)') return 'garbage collection';
  // The built-in modules a bundle imports (http, https, crypto, streams, zlib...), compiled from Node.js's own sources.
  if (url === 'node:internal/bootstrap/realm') return 'compiling built-ins';
  if (url.startsWith('node:internal/source_map')) return 'source maps';
  return 'Node.js, other';
};

/** The milliseconds of CPU of each part of a cold import (with the flag Lambda sets) under the sampling profiler, the mean of `profiledImports`. */
export const importProfile = (file?: string): Record<ProfilePart, number> => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-import-profile-'));
  const parts = Object.fromEntries(profileParts.map((part) => [part, 0])) as Record<ProfilePart, number>;
  try {
    for (let i = 0; i < profiledImports; i++) {
      coldStart(importScript(file), ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, '--cpu-prof-name', `${i}.cpuprofile`]);
      const profile = JSON.parse(readFileSync(join(dir, `${i}.cpuprofile`), 'utf8')) as {
        nodes: { id: number; callFrame: { url: string; functionName: string } }[];
        samples: number[];
        timeDeltas: number[];
      };
      const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
      profile.samples.forEach((id, s) => (parts[partOf(frames.get(id)!)] += (profile.timeDeltas[s] ?? 0) / 1000 / profiledImports));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return parts;
};

/** The SDK clients whose code is in these outputs: `dynamodb`, `lib-dynamodb`, `sesv2`... */
const sdkClients = (metafile: Metafile, outputs: string[]): string[] =>
  [
    ...new Set(
      outputs.flatMap((output) =>
        Object.entries(metafile.outputs[output]?.inputs ?? {}).flatMap(([input, { bytesInOutput }]) => {
          const client = bytesInOutput ? /node_modules\/@aws-sdk\/(client-|lib-)([^/]+)\//.exec(input) : null;
          return client ? [client[1] === 'lib-' ? `lib-${client[2]}` : client[2]!] : [];
        }),
      ),
    ),
  ].sort();

interface BundleRow {
  name: FunctionName;
  dir: string;
  metafile: Metafile;
  code: number;
  map: number;
  other: number;
  /** Bytes of code the import loads (the entry and its static chunks). */
  loaded: number;
  sdkOnImport: string[];
  sdkOnDemand: string[];
  toolchain: string[];
}

async function bundleAll(outdir: string): Promise<BundleRow[]> {
  const rows: BundleRow[] = [];
  for (const name of Object.keys(wiring) as FunctionName[]) {
    const dir = join(outdir, name);
    const metafile = await bundleLambda(wiring[name].handler, dir);
    const inputs = bundledInputs(metafile);
    const loaded = loadedOnImport(metafile).filter((output) => output.endsWith('.mjs'));
    const sdkOnImport = sdkClients(metafile, loaded);
    rows.push({
      name,
      dir,
      metafile,
      code: sizeOf(dir, (file) => file.endsWith('.mjs')),
      map: sizeOf(dir, (file) => file.endsWith('.map')),
      other: sizeOf(dir, (file) => !file.endsWith('.mjs') && !file.endsWith('.map')),
      loaded: loaded.reduce((sum, output) => sum + metafile.outputs[output]!.bytes, 0),
      sdkOnImport,
      sdkOnDemand: sdkClients(metafile, Object.keys(metafile.outputs)).filter((client) => !sdkOnImport.includes(client)),
      toolchain: mjmlToolchain.filter((pkg) => inputs.some((input) => input.includes(`node_modules/${pkg}/`))),
    });
  }
  return rows;
}

/**
 * What the libraries a function is made of cost at import, each alone: a
 * small module bundled with the functions' own esbuild options (one file),
 * cold-imported in turns with the others. The last is a function reduced to
 * what every one of ours does: parse its event with zod, log and count with
 * Powertools behind middy, read one DynamoDB item with the SDK.
 */
const importParts: { part: string; source: string }[] = [
  {
    part: 'the DynamoDB client and its document client, created',
    source: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; export const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));",
  },
  { part: 'zod, one object schema', source: "import * as z from 'zod'; export const schema = z.object({ id: z.string().min(1), at: z.iso.datetime(), score: z.number().int().min(0).max(10).optional() });" },
  { part: "the project's event schemas (functions/events)", source: "export * from './functions/events/shop'; export * from './functions/events/retention';" },
  { part: 'Powertools logger and metrics, middy', source: "export * from './functions/observability'; export { default as middy } from '@middy/core';" },
  { part: 'luxon', source: "export { DateTime } from 'luxon';" },
  { part: "a first time zone's rules (Intl.DateTimeFormat)", source: "export const format = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kuala_Lumpur' });" },
  {
    part: 'all of the above but luxon and the time zone: a minimal function',
    source: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
      "import middy from '@middy/core';",
      "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
      "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
      "import { orderPlaced } from './functions/events/shop';",
      "import { logger, metrics } from './functions/observability';",
      "const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
      'export const handler = middy(async (event: unknown) => {',
      '  const order = orderPlaced.detail.parse((event as { detail: unknown }).detail);',
      "  return client.send(new GetCommand({ TableName: 'table', Key: { pk: order.customerId, sk: order.orderId } }));",
      '}).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
    ].join('\n'),
  },
];

/** Bundles each part into its own folder; its code's size. */
async function bundleParts(outdir: string): Promise<{ part: string; file: string; size: number }[]> {
  const bundled = [];
  for (const [i, { part, source }] of importParts.entries()) {
    const dir = join(outdir, `part-${i}`);
    const options = lambdaBuildOptions('kpis', dir);
    const { metafile } = await esbuild.build({
      ...options,
      entryPoints: undefined,
      splitting: false,
      // Dependencies only, whose code a function's map leaves unmapped (lib/bundle.ts): no map.
      sourcemap: false,
      stdin: { contents: source, resolveDir: projectRoot, loader: 'ts', sourcefile: `part-${i}.ts` },
      outfile: join(dir, 'index.mjs'),
      outdir: undefined,
    });
    bundled.push({ part, file: join(dir, 'index.mjs'), size: Object.entries(metafile.outputs).reduce((sum, [file, output]) => sum + (file.endsWith('.mjs') ? output.bytes : 0), 0) });
  }
  return bundled;
}

/**
 * MJML's toolchain, loaded by the MJML function's first invocation (a marketer's
 * first preview or publish after a cold start): the chunk that holds mjml-core, imported in a fresh process (the milliseconds
 * of that import alone), in turns, the median.
 */
const mjmlChunkImport = (file: string): number => median(Array.from({ length: coldImports }, () => coldStart(importScript(file), [], true)));

/** The studio's MJML chunk before lib/bundle.ts left out what MJML compiles without (plugin \`mjmlAsCompiled\`), measured as above at commit b76f689. */
const mjmlBefore = { measured: '2026-11-28', code: 4313 * 1024, chunk: 3_233_804, importMs: 424 };

interface RenderRow {
  campaign: string;
  locale: string;
  firstLambda: number;
  firstLocal: number;
  after: number;
}

/** Render times per template: the first render of a fresh renderer, then the median of `renders` more with varied data. */
async function measureRendering(compiledDir: string): Promise<RenderRow[]> {
  const templatesDir = join(projectRoot, 'templates');
  const timed = async (render: () => Promise<unknown>) => {
    const started = performance.now();
    await render();
    return performance.now() - started;
  };
  const rows: RenderRow[] = [];
  for (const campaign of Object.keys(templateSamples)) {
    for (const locale of ['en', 'ms', 'ar']) {
      // Varied as sends are: each customer, name and code different.
      const data = Array.from({ length: renders + 1 }, (_, i) => {
        const customer = sampleCustomers[i % sampleCustomers.length]!;
        const sample = sampleFor(campaign, { firstName: customer.firstName && `${customer.firstName} ${i}` }, locale);
        const offer = sample.offer as { code: string } | undefined;
        if (offer) offer.code = `${offer.code.slice(0, 6)}${String(i).padStart(4, '0')}`;
        return sample;
      });
      // As on Lambda: the compiled templates the sender carries.
      process.env.RETENTION_PRECOMPILED_TEMPLATES = 'true';
      const lambda = createRenderer(compiledDir);
      delete process.env.RETENTION_PRECOMPILED_TEMPLATES;
      const firstLambda = await timed(() => lambda.render(campaign, locale, data[0]!));
      const after: number[] = [];
      for (const sample of data.slice(1)) after.push(await timed(() => lambda.render(campaign, locale, sample)));
      // Locally (npm start, simulate, tests) the first render compiles the template.
      const firstLocal = await timed(() => createRenderer(templatesDir).render(campaign, locale, data[0]!));
      rows.push({ campaign, locale, firstLambda, firstLocal, after: median(after) });
    }
  }
  return rows;
}

/**
 * The bundles as lib/bundle.ts made them at commit 1a7a40c (the AWS SDK left to
 * the Lambda runtime, so imported from node_modules) and as it makes them since
 * the SDK is bundled, from the same sources otherwise, measured by this file's
 * `coldStarts` and `importProfile` in the same session, in turns, so that both
 * met the same machine: kept here, as the code that made the first is gone.
 */
const beforeAndAfter: {
  measured: string;
  load: number;
  bare: { before: number; after: number };
  rows: Record<string, { before: { size: number; coldImport: number }; after: { size: number; coldImport: number } }>;
  profiles: Record<string, { before: Record<ProfilePart, number>; after: Record<ProfilePart, number> }>;
} = {
  measured: '2026-11-28',
  load: 1.1,
  bare: { before: 89, after: 90 },
  rows: {
    ingest: { before: { size: 402759, coldImport: 378 }, after: { size: 642805, coldImport: 242 } },
    birthdaySweep: { before: { size: 286342, coldImport: 379 }, after: { size: 530167, coldImport: 246 } },
    npsSweep: { before: { size: 286305, coldImport: 407 }, after: { size: 530130, coldImport: 231 } },
    sender: { before: { size: 652303, coldImport: 450 }, after: { size: 871827, coldImport: 280 } },
    links: { before: { size: 450850, coldImport: 468 }, after: { size: 713247, coldImport: 284 } },
    sesEvents: { before: { size: 307073, coldImport: 429 }, after: { size: 547436, coldImport: 234 } },
    winbackSweep: { before: { size: 286334, coldImport: 410 }, after: { size: 530159, coldImport: 238 } },
    outbox: { before: { size: 280141, coldImport: 371 }, after: { size: 520926, coldImport: 239 } },
    studio: { before: { size: 4336473, coldImport: 534 }, after: { size: 4551305, coldImport: 278 } },
    kpis: { before: { size: 281803, coldImport: 369 }, after: { size: 500416, coldImport: 236 } },
  },
  profiles: {
    kpis: {
      before: { 'compiling the code': 42, 'running the code': 61.9, 'garbage collection': 34.8, 'compiling built-ins': 33.9, 'source maps': 9.4, 'Node.js, other': 245.7 },
      after: { 'compiling the code': 57.9, 'running the code': 48.4, 'garbage collection': 23.6, 'compiling built-ins': 27.2, 'source maps': 11.8, 'Node.js, other': 70.4 },
    },
    sender: {
      before: { 'compiling the code': 49.6, 'running the code': 90.3, 'garbage collection': 48.4, 'compiling built-ins': 28.6, 'source maps': 16.2, 'Node.js, other': 281.2 },
      after: { 'compiling the code': 72.3, 'running the code': 42.3, 'garbage collection': 22.6, 'compiling built-ins': 23.9, 'source maps': 12.4, 'Node.js, other': 75.1 },
    },
    studio: {
      before: { 'compiling the code': 44.7, 'running the code': 85.7, 'garbage collection': 49.2, 'compiling built-ins': 23.4, 'source maps': 4.3, 'Node.js, other': 232.7 },
      after: { 'compiling the code': 49.6, 'running the code': 63.7, 'garbage collection': 23, 'compiling built-ins': 20.9, 'source maps': 9, 'Node.js, other': 60.1 },
    },
  },
};

const profileRow = (name: string, parts: Record<ProfilePart, number>) =>
  `| ${name} | ${ms(profileParts.reduce((sum, part) => sum + parts[part], 0))} | ${profileParts.map((part) => ms(parts[part])).join(' | ')} |`;

export async function measureLambdas(): Promise<string> {
  // Outside the project: a bundle needs nothing from node_modules (the SDK is in it).
  const outdir = mkdtempSync(join(tmpdir(), 'retention-lambda-bench-'));
  const compiledDir = mkdtempSync(join(tmpdir(), 'retention-compiled-'));
  try {
    const bundles = await bundleAll(outdir);
    const parts = await bundleParts(outdir);
    const load = loadavg()[0]!;
    const [nodeAlone, withDynamo, ...imported] = coldStarts([
      importScript(),
      "await import('@aws-sdk/client-dynamodb'); await import('@aws-sdk/lib-dynamodb')",
      ...bundles.map((row) => importScript(join(row.dir, 'index.mjs'))),
      ...parts.map((part) => importScript(part.file)),
    ]) as [number, number, ...number[]];
    const coldImport = imported.slice(0, bundles.length);
    const partImport = imported.slice(bundles.length);
    const holder = bundles.find((row) => row.toolchain.length);
    const mjmlChunk = holder && Object.entries(holder.metafile.outputs).find(([, output]) => Object.keys(output.inputs).some((input) => input.includes('node_modules/mjml-core/lib/index.js')));
    const mjml = mjmlChunk && { bytes: mjmlChunk[1].bytes, importMs: mjmlChunkImport(join(projectRoot, mjmlChunk[0])) };
    const profiles = bundles.map((row) => importProfile(join(row.dir, 'index.mjs')));
    const bareProfile = importProfile();
    await compileTemplates(join(projectRoot, 'templates'), compiledDir);
    const rendering = await measureRendering(compiledDir);
    const carrying = bundles.filter((row) => row.toolchain.length);
    const { before, after } = { before: beforeAndAfter.bare.before, after: beforeAndAfter.bare.after };

    return `## Lambda bundles and rendering

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, a machine shared with other work (load average
${load.toFixed(1)} at the start of the cold imports). Each function of the wiring table bundled as \`cdk synth\` bundles it
(\`bundleLambda\` in lib/bundle.ts: esbuild, ESM, minified, the AWS SDK bundled, code splitting), into a folder outside
the project: a bundle needs nothing from node_modules. Code is every \`.mjs\` file of the bundle (its chunks too, those
loaded on demand as well), the map every \`.map\` file (the project's own code mapped, dependencies left unmapped),
other files what else the asset holds (compiled templates, the studio's template sources); loaded on import is the
code of the entry and the chunks it imports, what Node.js reads and compiles before the handler exists.
Cold import: \`node --enable-source-maps\` (Lambda's \`NODE_OPTIONS\`) started afresh, importing the bundle's
\`index.mjs\` and printing \`performance.now()\`, the milliseconds since the process started; ${coldImports} times for each
function, in turns with the others and with a bare Node.js, the median. For scale: a Node.js process that imports
nothing takes ${ms(nodeAlone)}; one that imports the DynamoDB client from node_modules (as the functions did while the
SDK was left to the Lambda runtime) ${ms(withDynamo)}.

Goal: each bundle at most 1 MB with its source map, cold import at most 200 ms.

| function | code | source map | code + map | loaded on import | other files | SDK clients loaded on import | SDK clients loaded on demand | cold import | beyond a bare Node.js |
|---|---:|---:|---:|---:|---:|---|---|---:|---:|
${bundles
  .map(
    (row, i) =>
      `| ${row.name} | ${kb(row.code)} | ${kb(row.map)} | ${kb(row.code + row.map)} | ${kb(row.loaded)} | ${row.other ? kb(row.other) : '–'} | ${row.sdkOnImport.join(', ') || '–'} | ${row.sdkOnDemand.join(', ') || '–'} | ${ms(coldImport[i]!)} | ${ms(coldImport[i]! - nodeAlone)} |`,
  )
  .join('\n')}

${
  carrying.length
    ? `MJML's toolchain is in ${carrying.map((row) => `${row.name} (${row.toolchain.join(', ')}), loaded on its first invocation`).join('; ')}, which the studio's function invokes to preview, check and publish (docs/design.md §9).`
    : `No bundle holds any of ${mjmlToolchain.join(', ')}: templates are compiled at build time (functions/templates/compile.ts).`
}${
  mjml
    ? ` The chunk that holds it is ${kb(mjml.bytes)} and takes ${ms(mjml.importMs)} to import in a fresh process (the
marketer's first preview after a cold start waits for it); before lib/bundle.ts left out what MJML compiles without
(cheerio's loading from URLs, buffers and streams with undici and iconv-lite, minify, beautify, remote resources: the
\`mjmlAsCompiled\` plugin), measured ${mjmlBefore.measured} at commit b76f689, when the studio's function still held MJML, its
code was ${kb(mjmlBefore.code)}, that chunk ${kb(mjmlBefore.chunk)} and its import ${ms(mjmlBefore.importMs)}; the templates it compiles are the same, byte for byte.`
    : ''
}

What the libraries every function is made of cost at import, each alone (bundled as the functions are, in one file
without a source map; cold-imported in turns with the bundles above, the median; beyond a bare Node.js):

| what is imported | code | cold import | beyond a bare Node.js |
|---|---:|---:|---:|
${parts.map((part, i) => `| ${part.part} | ${kb(part.size)} | ${ms(partImport[i]!)} | ${ms(partImport[i]! - nodeAlone)} |`).join('\n')}

A function reduced to what each of ours does (zod, Powertools, middy, one DynamoDB read) takes
${ms(partImport.at(-1)!)} to import here${partImport.at(-1)! > 200 ? ', above the 200 ms goal before any campaign code: with these libraries on this machine the goal is out of reach' : ''}.

Where the time of a cold import goes: \`node --enable-source-maps --cpu-prof\` (sampling every 0.1 ms, which slows
it), the CPU time of the samples by the frame they fall in, the mean of ${profiledImports} imports. Compiling the code is
V8 parsing the bundle's modules (\`compileSourceTextModule\`); running it, the modules' top-level code (building zod
schemas, the SDK's and Powertools' objects...); compiling built-ins, Node.js compiling the built-in modules the bundle
imports (http, https, crypto, streams, zlib...); source maps, reading and parsing the project code's maps; Node.js,
other: its own start, its module loader (resolving, reading and linking each file), the built-ins' own code and the
rest.

| function | CPU | ${profileParts.join(' | ')} |
|---|---:|${profileParts.map(() => '---:').join('|')}|
${profileRow('bare Node.js', bareProfile)}
${bundles.map((row, i) => profileRow(row.name, profiles[i]!)).join('\n')}

### Before and after bundling the AWS SDK

Measured ${beforeAndAfter.measured}, load average ${beforeAndAfter.load.toFixed(1)}: the bundles as lib/bundle.ts made them at commit
1a7a40c (the AWS SDK left to the Lambda runtime, so imported from node_modules) and as it makes them since it bundles
the SDK, from the same sources otherwise; cold imports in turns (a bare Node.js: ${ms(before)} and ${ms(after)}), as above.

| function | code + map, before | after | cold import, before | after |
|---|---:|---:|---:|---:|
${Object.entries(beforeAndAfter.rows)
  .map(([name, row]) => `| ${name} | ${kb(row.before.size)} | ${kb(row.after.size)} | ${ms(row.before.coldImport)} | ${ms(row.after.coldImport)} |`)
  .join('\n')}

Their profiles (as above, the mean of 3 imports each):

| function | CPU | ${profileParts.join(' | ')} |
|---|---:|${profileParts.map(() => '---:').join('|')}|
${Object.entries(beforeAndAfter.profiles)
  .flatMap(([name, { before: was, after: is }]) => [profileRow(`${name}, before`, was), profileRow(`${name}, after`, is)])
  .join('\n')}

Rendering an email (subject, preheader, HTML and text part) from the compiled templates, as the sender does: the
first render of a fresh renderer (on Lambda it reads and parses the compiled template; locally, under \`npm start\`,
\`simulate\` and the tests, it first compiles the template from its MJML), then the median of ${renders} more renders
of the same template, each with other data (customer, name, code).

Goal: at most 1 ms per email after the first of its template.

| template | locale | first, on Lambda | first, locally | each after the first |
|---|---|---:|---:|---:|
${rendering.map((row) => `| ${row.campaign} | ${row.locale} | ${ms(row.firstLambda, 1)} | ${ms(row.firstLocal, 1)} | ${ms(row.after, 2)} |`).join('\n')}
`;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(compiledDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await measureLambdas());
