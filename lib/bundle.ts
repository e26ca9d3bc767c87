/**
 * How each Lambda function is bundled (docs/design.md §7): one place, used by the CDK
 * stack (`CampaignFunction` runs this file for every function at synth) and
 * by the bench (bench/lambdas.ts), so what is measured is what is deployed.
 *
 * - esbuild, ESM for Node.js 22, minified, with a source map for stack traces
 *   of the project's own code: file and line, no `sourcesContent`, and none
 *   for the dependencies (`projectMappingsOnly`);
 * - the AWS SDK is left out: the Lambda runtime provides it;
 * - code splitting, so a module imported on demand (the signing keys' reader)
 *   is loaded only by the functions that use it;
 * - `RETENTION_PRECOMPILED_TEMPLATES` set: the renderer reads compiled
 *   templates and the MJML toolchain (mjml, juice, cheerio, undici,
 *   iconv-lite...) is not bundled; a function that renders gets its templates
 *   compiled in `templates/` beside the code (functions/templates/compile.ts);
 * - except for the studio's function (the one that writes content): it
 *   compiles and checks templates when a marketer previews and publishes, so
 *   it carries MJML, loaded on its first use, and the default templates'
 *   sources (content version 0, docs/design.md §9);
 * - zod without its 40 locales (below).
 *
 * Run as a script: `tsx lib/bundle.ts <handler> <output dir> [project root]`.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import * as esbuild from 'esbuild';
import { compileTemplates } from '../functions/templates/compile';
import { wiring } from '../functions/wiring';

/** The repository root: `functions/`, `templates/` and `package-lock.json` live here. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** This file, for the CDK to run. */
export const bundleScript = fileURLToPath(import.meta.url);

/** ESM output needs `require` for the CommonJS dependencies esbuild inlines (they `require` Node built-ins). */
const esmRequireShim = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * `import { z } from 'zod'` binds zod's namespace as a value, which esbuild
 * keeps whole: every schema kind, JSON Schema, and 40 locales (38 % of a
 * bundle). The same import as `import * as z` reads the same exports but lets
 * esbuild keep only those used. Rewritten in our code and in dependencies
 * (Powertools' schemas import it so).
 */
const zodNamespaceImports: esbuild.Plugin = {
  name: 'zod-namespace-imports',
  setup(build) {
    build.onLoad({ filter: /\.(m?js|ts)$/ }, async ({ path }) => {
      if (/[\\/]node_modules[\\/]zod[\\/]/.test(path)) return undefined;
      const source = await readFile(path, 'utf8');
      const rewritten = source.replace(/import\s*\{([^}]*)\}\s*from\s*(['"])zod\2;?/g, (whole, names: string, quote: string) => {
        const specifiers = names.split(',').map((name) => name.trim()).filter(Boolean);
        if (!specifiers.includes('z')) return whole;
        const rest = specifiers.filter((name) => name !== 'z');
        return `import * as z from ${quote}zod${quote};${rest.length ? ` import { ${rest.join(', ')} } from ${quote}zod${quote};` : ''}`;
      });
      return rewritten === source ? undefined : { contents: rewritten, loader: path.endsWith('.ts') ? 'ts' : 'js', resolveDir: resolve(path, '..') };
    });
  },
};

/** The studio's function: it compiles templates, with MJML. */
export const compilesTemplates = (handler: string) =>
  Object.values(wiring).some((fn) => fn.handler === handler && 'writeContent' in fn.permissions && fn.permissions.writeContent);

/** The esbuild options of a function's bundle: `functions/handlers/<handler>.ts` to `<outdir>/index.mjs`. */
export const lambdaBuildOptions = (handler: string, outdir: string, root = projectRoot): esbuild.BuildOptions & { metafile: true } => ({
  entryPoints: { index: join(root, 'functions', 'handlers', `${handler}.ts`) },
  absWorkingDir: root,
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: esmRequireShim },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Provided by the Node.js 22 Lambda runtime; and TypeScript, which MJML's configuration loader (cosmiconfig) requires only for a `.ts` configuration file.
  external: ['@aws-sdk/*', 'typescript'],
  define: { 'process.env.RETENTION_PRECOMPILED_TEMPLATES': compilesTemplates(handler) ? '"false"' : '"true"' },
  plugins: [zodNamespaceImports],
  metafile: true,
  logLevel: 'warning',
});

/**
 * A source map reduced to the project's own code. Dependencies are four fifths
 * of a map's mappings (the sender's map was 0.7 MB for 0.5 MB of code); a
 * frame inside one keeps its place in the bundle: an unmapped segment where
 * dependency code starts, so it is never taken for the project code before it.
 */
export function projectMappingsOnly(map: { sources: string[]; names: string[]; mappings: string }, isDependency: (source: string) => boolean): void {
  const sources: string[] = [];
  const names: string[] = [];
  const keep = (list: string[], kept: Map<number, number>, all: string[], i: number) => {
    if (!kept.has(i)) kept.set(i, list.push(all[i]!) - 1);
    return kept.get(i)!;
  };
  const keptSources = new Map<number, number>();
  const keptNames = new Map<number, number>();
  const dependency = map.sources.map(isDependency);
  let inDependency = false;
  const lines = decode(map.mappings).map((line) =>
    line.flatMap((segment): SourceMapSegment[] => {
      if (segment.length === 1) return [segment];
      if (dependency[segment[1]]) {
        if (inDependency) return [];
        inDependency = true;
        return [[segment[0]]];
      }
      inDependency = false;
      const [column, source, line, sourceColumn, name] = segment as [number, number, number, number, number?];
      const mapped: SourceMapSegment = [column, keep(sources, keptSources, map.sources, source), line, sourceColumn];
      return [name === undefined ? mapped : ([...mapped, keep(names, keptNames, map.names, name)] as SourceMapSegment)];
    }),
  );
  Object.assign(map, { sources, names, mappings: encode(lines) });
}

/** The inputs some code of which is in the bundle (esbuild's metafile lists the files it read and then dropped too). */
export const bundledInputs = (metafile: esbuild.Metafile): string[] =>
  Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput ? [input] : [])));

/**
 * The packages a bundle imports as it loads: from its entry and the chunks that
 * imports. A chunk imported on demand, and the SDK clients the runtime imports
 * on the first invocation, as the function's wiring permits, are not among them.
 */
export const importedOnLoad = (metafile: esbuild.Metafile): string[] => {
  const external = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement' && i.external) external.add(i.path);
      else if (i.kind === 'import-statement') visit(i.path);
    }
  };
  // The entry is index.mjs; a chunk imported on demand is an entry point to esbuild too.
  for (const file of Object.keys(metafile.outputs)) if (file.endsWith('/index.mjs')) visit(file);
  return [...external].sort();
};

/** Bundles a function into `outdir` (empty or new); returns esbuild's account of what went in. */
export async function bundleLambda(handler: string, outdir: string, root = projectRoot): Promise<esbuild.Metafile> {
  const { metafile } = await esbuild.build(lambdaBuildOptions(handler, outdir, root));
  for (const file of Object.keys(metafile.outputs).filter((output) => output.endsWith('.map'))) {
    const path = resolve(root, file);
    const map = JSON.parse(await readFile(path, 'utf8'));
    projectMappingsOnly(map, (source) => resolve(dirname(path), source).split(sep).includes('node_modules'));
    await writeFile(path, JSON.stringify(map));
  }
  // A function that renders emails carries its templates, compiled; the studio's, their sources.
  if (compilesTemplates(handler)) await cp(join(root, 'templates'), join(outdir, 'templates'), { recursive: true, filter: (source) => !source.endsWith('.md') });
  else if (bundledInputs(metafile).some((input) => input.endsWith('functions/templates/render.ts'))) {
    await compileTemplates(join(root, 'templates'), join(outdir, 'templates'));
  }
  return metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === bundleScript) {
  const [handler, outdir, root] = process.argv.slice(2);
  if (!handler || !outdir) {
    process.stderr.write('usage: tsx lib/bundle.ts <handler> <output dir> [project root]\n');
    process.exit(2);
  }
  bundleLambda(handler, resolve(outdir), root && resolve(root)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
