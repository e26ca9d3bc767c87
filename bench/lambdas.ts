/**
 * The Lambda bundles and rendering (issue 12): every function of the wiring
 * table bundled as `cdk synth` bundles it (lib/bundle.ts), its size and source
 * map, its cold import in a fresh Node.js process, and the time to render an
 * email from the compiled templates the sender carries.
 *
 *   npx tsx bench/lambdas.ts      # prints the section
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledInputs, bundleLambda, importedOnLoad, projectRoot } from '../lib/bundle';
import { compileTemplates } from '../functions/templates/compile';
import { createRenderer } from '../functions/templates/render';
import { sampleCustomers, sampleFor, templateSamples } from '../functions/templates/samples';
import { wiring, type FunctionName } from '../functions/wiring';
import { machine } from './report';

const coldImports = 5;
const renders = 200;
/** What made the sending bundles 4.5 MB: none of it may be in a bundle. */
const mjmlToolchain = ['mjml', 'juice', 'cheerio', 'iconv-lite', 'undici', 'htmlnano'];

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

/** Milliseconds from the start of a fresh `node` (with the flag Lambda sets) to the end of running `script`, median of `coldImports`. */
const coldStart = (script: string): number =>
  median(
    Array.from({ length: coldImports }, () => {
      const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', `${script}; console.log(performance.now())`], {
        cwd: projectRoot,
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`cold import failed: ${run.stderr}`);
      return Number(run.stdout.trim().split('\n').at(-1));
    }),
  );

interface BundleRow {
  name: FunctionName;
  code: number;
  map: number;
  other: number;
  sdk: string[];
  toolchain: string[];
  coldImport: number;
}

async function measureBundles(outdir: string): Promise<BundleRow[]> {
  const rows: BundleRow[] = [];
  for (const name of Object.keys(wiring) as FunctionName[]) {
    const dir = join(outdir, name);
    const metafile = await bundleLambda(wiring[name].handler, dir);
    const imports = importedOnLoad(metafile);
    const inputs = bundledInputs(metafile);
    rows.push({
      name,
      code: sizeOf(dir, (file) => file.endsWith('.mjs')),
      map: sizeOf(dir, (file) => file.endsWith('.map')),
      other: sizeOf(dir, (file) => !file.endsWith('.mjs') && !file.endsWith('.map')),
      sdk: [...new Set(imports.filter((path) => path.startsWith('@aws-sdk/')).map((path) => path.replace('@aws-sdk/', '')))].sort(),
      toolchain: mjmlToolchain.filter((pkg) => inputs.some((input) => input.includes(`node_modules/${pkg}/`))),
      coldImport: coldStart(`await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)})`),
    });
  }
  return rows;
}

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

export async function measureLambdas(): Promise<string> {
  // Inside the project, so the bundles find the AWS SDK in node_modules as they find it in the Lambda runtime.
  mkdirSync(join(projectRoot, 'node_modules', '.cache'), { recursive: true });
  const outdir = mkdtempSync(join(projectRoot, 'node_modules', '.cache', 'retention-lambda-bench-'));
  const compiledDir = mkdtempSync(join(tmpdir(), 'retention-compiled-'));
  try {
    const bundles = await measureBundles(outdir);
    const nodeAlone = coldStart('');
    const withDynamo = coldStart("await import('@aws-sdk/client-dynamodb'); await import('@aws-sdk/lib-dynamodb')");
    await compileTemplates(join(projectRoot, 'templates'), compiledDir);
    const rendering = await measureRendering(compiledDir);
    const carrying = bundles.filter((row) => row.toolchain.length);

    return `## Lambda bundles and rendering

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}. Each function of the wiring table bundled as
\`cdk synth\` bundles it (\`bundleLambda\` in lib/bundle.ts: esbuild, ESM, minified, the AWS SDK left to the
Lambda runtime, code splitting), into a folder under node_modules/ so that the bundle finds the SDK there as it
finds it in the runtime. Code is every \`.mjs\` file of the bundle (its chunks too), the map
every \`.map\` file (the project's own code mapped, dependencies left unmapped), other files what else the asset
holds (the sender's compiled templates). Cold import: \`node --enable-source-maps\` (Lambda's \`NODE_OPTIONS\`)
started afresh ${coldImports} times, each importing the bundle's \`index.mjs\` and printing \`performance.now()\`,
the milliseconds since the process started; the median. For scale, on the same machine a Node.js process that
imports nothing takes ${ms(nodeAlone)}, and one that only imports the DynamoDB client (every function's) ${ms(withDynamo)}.

Goal: each bundle at most 1 MB with its source map, cold import at most 200 ms.

| function | code | source map | code + map | other files | SDK packages it imports | cold import | beyond Node.js + DynamoDB client |
|---|---:|---:|---:|---:|---|---:|---:|
${bundles
  .map(
    (row) =>
      `| ${row.name} | ${kb(row.code)} | ${kb(row.map)} | ${kb(row.code + row.map)} | ${row.other ? kb(row.other) : '–'} | ${row.sdk.join(', ')} | ${ms(row.coldImport)} | ${ms(row.coldImport - withDynamo)} |`,
  )
  .join('\n')}

${
  carrying.length
    ? `MJML's toolchain is in ${carrying.map((row) => `${row.name} (${row.toolchain.join(', ')})`).join('; ')}.`
    : `No bundle holds any of ${mjmlToolchain.join(', ')}: templates are compiled at build time (functions/templates/compile.ts).`
}

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
