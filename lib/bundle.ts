/**
 * How each Lambda function is bundled (docs/design.md §7): one place, used by the CDK
 * stack (`CampaignFunction` runs this file for every function at synth) and
 * by the bench (bench/lambdas.ts), so what is measured is what is deployed.
 *
 * - esbuild, ESM for Node.js 22, minified, with a source map for stack traces
 *   of the project's own code: file and line, no `sourcesContent`, and none
 *   for the dependencies (`projectMappingsOnly`; a chunk of dependencies only
 *   has no map at all);
 * - the AWS SDK bundled, as AWS advises for cold starts, not taken from the
 *   Lambda runtime: importing its clients from `node_modules` resolves and
 *   reads hundreds of CommonJS files, the most of a function's cold import
 *   (BENCHMARKS.md). Only what a function uses: the clients its wiring
 *   permits (`permittedClientsOnly`), the commands it sends (`sdkSchemaKeys`),
 *   the credential providers Lambda uses (`lambdaCredentialChain`);
 * - code splitting, so a module imported on demand (an SDK client, the
 *   signing keys' reader) is loaded by the first invocation that needs it,
 *   not as the function loads; chunks nothing imports are removed;
 * - `RETENTION_PRECOMPILED_TEMPLATES` set: the renderer reads compiled
 *   templates and the MJML toolchain (mjml, juice, cheerio, undici,
 *   iconv-lite...) is not bundled; a function that renders gets its templates
 *   compiled in `templates/` beside the code (functions/templates/compile.ts);
 * - except for the studio's function (the one that writes content): it
 *   compiles and checks templates when a marketer previews and publishes, so
 *   it carries the compiler and the default templates' sources (content
 *   version 0, docs/design.md §9), but not MJML: its calls to MJML go to the
 *   MJML function (`mjmlInItsFunction`), which alone holds MJML, loaded on its
 *   first use;
 * - zod without its 40 locales (below);
 * - html-to-text's serializer without the `entities` tables it never reads
 *   (`entitiesEscapeOnly`).
 *
 * What each of these saves is measured by bench/lambdas.ts (BENCHMARKS.md,
 * "Lambda bundles and rendering").
 *
 * Run as a script: `tsx lib/bundle.ts <handler> <output dir> [project root]`.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import * as esbuild from 'esbuild';
import { compileTemplates } from '../functions/templates/compile';
import { wiring, type FunctionWiring } from '../functions/wiring';

/** The repository root: `functions/`, `templates/` and `package-lock.json` live here. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** This file, for the CDK to run. */
export const bundleScript = fileURLToPath(import.meta.url);

/**
 * ESM output needs `require` for the CommonJS dependencies esbuild inlines (they `require` Node built-ins).
 * Aliased: a dependency that imports `createRequire` itself would clash with the name.
 */
const esmRequireShim = "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);";

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

/**
 * The AWS SDK describes each service in one module of schemas: every
 * operation and shape of the API, with traits keyed by computed names
 * (`{ [_h]: ['POST', '/v2/email/outbound-emails', 200] }`, where
 * `const _h = "http"`). A computed key might run code, as far as esbuild can
 * tell, so it keeps every operation and, through them, every shape and name
 * (SES's whole API, 40 KB, for the two commands we send). Written as the
 * literal keys they are, the unused ones are shaken out.
 */
const sdkSchemaKeys: esbuild.Plugin = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/].*[\\/]dist-es[\\/](.*[\\/])?schemas[\\/]schemas_\d+\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const names = new Map([...source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)].map(([, name, value]) => [name!, value!]));
      const contents = source.replace(/\[(_\w+)\]:/g, (whole, name: string) => (names.has(name) ? `${names.get(name)}:` : whole));
      return { contents, loader: 'js' };
    });
  },
};

/**
 * dom-serializer (html-to-text's, for the text part of an email) imports three
 * escaping functions from `entities`, whose index also holds its decoding and
 * encoding tables (70 KB, built from strings as the bundle loads): esbuild keeps
 * them. The same functions, from the same package's own module of them.
 */
const entitiesEscapeOnly: esbuild.Plugin = {
  name: 'entities-escape-only',
  setup(build) {
    build.onResolve({ filter: /^entities$/ }, async ({ path, importer, resolveDir, kind, pluginData }) => {
      if (pluginData === 'entities-escape-only' || !importer.includes(`${sep}node_modules${sep}dom-serializer${sep}`)) return undefined;
      const index = await build.resolve(path, { importer, resolveDir, kind, pluginData: 'entities-escape-only' });
      const escape = join(dirname(index.path), 'escape.js');
      return index.errors.length || !index.path.endsWith(`${sep}lib${sep}esm${sep}index.js`) ? undefined : { path: escape };
    });
  },
};

/**
 * MJML in its function, as the studio compiles with it (functions/templates/compile.ts: no
 * minify, no beautify, templates given as text), without the parts of its
 * toolchain only other uses reach (BENCHMARKS.md):
 * - cheerio's entry also loads documents from URLs, buffers and streams
 *   (undici, iconv-lite, encoding sniffing: 1.9 MB); juice and mjml-core call
 *   only its `load`, taken from the module that defines it;
 * - lodash once, not also the minified copy lodash/fp wraps;
 * - mjml-core's `minify` (htmlnano, posthtml, cssnano) and `beautify`
 *   (js-beautify), and juice's inlining of remote resources
 *   (web-resource-inliner): each a module that says so if it is ever called.
 */
const mjmlAsCompiled: esbuild.Plugin = {
  name: 'mjml-as-compiled',
  setup(build) {
    const absent: Record<string, string> = {
      htmlnano: 'module.exports = { process: () => Promise.reject(new Error(`MJML\'s minify option is not in this bundle (lib/bundle.ts)`)) };',
      'cssnano-preset-lite': 'module.exports = {};',
      'js-beautify': 'module.exports = { html: () => { throw new Error(`MJML\'s beautify option is not in this bundle (lib/bundle.ts)`); } };',
      'web-resource-inliner': 'module.exports = { html: (options, callback) => callback(new Error(`juice\'s inlining of remote resources is not in this bundle (lib/bundle.ts)`)) };',
    };
    build.onResolve({ filter: /^(htmlnano|cssnano-preset-lite|js-beautify|web-resource-inliner)$/ }, ({ path }) => ({ path, namespace: 'mjml-as-compiled' }));
    build.onLoad({ filter: /.*/, namespace: 'mjml-as-compiled' }, ({ path }) => ({ contents: absent[path], loader: 'js' }));
    // Its ES module whoever imports it, so its htmlparser2 is the one html-to-text imports, not a CommonJS twin.
    build.onResolve({ filter: /^cheerio$/ }, async ({ path, importer, resolveDir, pluginData }) => {
      if (pluginData === 'mjml-as-compiled') return undefined;
      const index = await build.resolve(path, { importer, resolveDir, kind: 'import-statement', pluginData: 'mjml-as-compiled' });
      return index.errors.length || !index.path.endsWith(`${sep}index.js`) ? undefined : { path: join(dirname(index.path), 'load-parse.js') };
    });
    // lodash/fp wraps the minified copy of lodash: the same code as the copy mjml imports, twice.
    build.onResolve({ filter: /^\.\/lodash\.min$/ }, ({ importer }) =>
      importer.endsWith(`${sep}lodash${sep}fp.js`) ? { path: join(dirname(importer), 'lodash.js') } : undefined,
    );
  },
};

/**
 * The function that invokes MJML's (`permissions.invoke`: the studio's) calls
 * `mjml` through functions/adapters/mjml-function.ts, which invokes that function.
 */
const mjmlInItsFunction: esbuild.Plugin = {
  name: 'mjml-in-its-function',
  setup(build) {
    build.onResolve({ filter: /^mjml$/ }, () => ({ path: join(projectRoot, 'functions', 'adapters', 'mjml-function.ts') }));
  },
};

/** MJML's own function: the one that holds MJML. */
const holdsMjml = (handler: string) => handler === wiring.mjml.handler;

/** The permissions of a handler's function in the wiring table (of every function it serves, should two share one). */
const permissionsOf = (handler: string): FunctionWiring['permissions'][] =>
  Object.values(wiring as Record<string, FunctionWiring>).filter((fn) => fn.handler === handler).map((fn) => fn.permissions);

/**
 * The modules functions/runtime.ts imports on demand, each with the permission
 * without which the runtime never imports it (it stands in for the client).
 */
const runtimeImports: Record<string, (permissions: FunctionWiring['permissions']) => boolean> = {
  './adapters/ses': (permissions) => !!permissions.sendEmail,
  './adapters/eventbridge': (permissions) => !!permissions.putEvents,
  './adapters/sqs': (permissions) => !!permissions.enqueue,
  './adapters/secrets-manager': (permissions) => !!(permissions.signingSecret || permissions.webhookSecret),
};

/**
 * A function's bundle holds the SDK clients its wiring permits and no others:
 * the runtime's import of another client's module, never made, is bundled as
 * a module that says so.
 */
const permittedClientsOnly = (handler: string): esbuild.Plugin => ({
  name: 'permitted-clients-only',
  setup(build) {
    const permissions = permissionsOf(handler);
    build.onResolve({ filter: /^\.\/adapters\// }, ({ path, importer, kind }) => {
      const permits = runtimeImports[path];
      if (kind !== 'dynamic-import' || !permits || !importer.endsWith(`${sep}functions${sep}runtime.ts`)) return undefined;
      return permissions.some(permits) ? undefined : { path, namespace: 'unpermitted' };
    });
    build.onLoad({ filter: /.*/, namespace: 'unpermitted' }, ({ path }) => ({
      contents: `throw new Error(${JSON.stringify(`${path} is not in this bundle: the function's wiring (functions/wiring.ts) does not permit it`)});`,
      loader: 'js',
    }));
  },
});

/**
 * The SDK's default credential chain, as Lambda runs it: from the environment
 * (Lambda sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * for the function's role), then from a container or instance endpoint. The
 * links between, for developer machines (SSO, the shared config files, a
 * credential process, a web identity token file), are never reached there:
 * left out, with the clients they import (STS, SSO, sign-in: 80 KB); each
 * passes to the next link, as it does when it finds nothing to use.
 */
const lambdaCredentialChain: esbuild.Plugin = {
  name: 'lambda-credential-chain',
  setup(build) {
    const absent: Record<string, string[]> = {
      '@aws-sdk/credential-provider-sso': ['fromSSO'],
      '@aws-sdk/credential-provider-ini': ['fromIni'],
      '@aws-sdk/credential-provider-process': ['fromProcess'],
      '@aws-sdk/credential-provider-web-identity': ['fromTokenFile', 'fromWebToken'],
    };
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-(sso|ini|process|web-identity)$/ }, ({ path, importer, resolveDir }) =>
      importer.includes(`${sep}@aws-sdk${sep}credential-provider-node${sep}`) ? { path, namespace: 'lambda-credential-chain', pluginData: resolveDir } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lambda-credential-chain' }, ({ path, pluginData }) => ({
      contents: [
        "import { CredentialsProviderError } from '@smithy/core/config';",
        ...absent[path]!.map(
          (name) =>
            `export const ${name} = (init = {}) => async () => { throw new CredentialsProviderError(${JSON.stringify(`${path} is not in this Lambda bundle (lib/bundle.ts)`)}, { logger: init.logger, tryNextLink: true }); };`,
        ),
      ].join('\n'),
      loader: 'js',
      resolveDir: pluginData as string,
    }));
  },
};

/** The studio's function: it compiles templates (with MJML in MJML's function). */
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
  // The AWS SDK is bundled (see the top of this file); TypeScript is not: MJML's configuration loader (cosmiconfig) requires it only for a `.ts` configuration file.
  external: ['typescript'],
  define: { 'process.env.RETENTION_PRECOMPILED_TEMPLATES': compilesTemplates(handler) ? '"false"' : '"true"' },
  // The plugins that load a module in their own way first: the zod rewrite reads every other file.
  plugins: [
    sdkSchemaKeys,
    permittedClientsOnly(handler),
    lambdaCredentialChain,
    entitiesEscapeOnly,
    ...(holdsMjml(handler) ? [mjmlAsCompiled] : []),
    ...(permissionsOf(handler).some((permissions) => permissions.invoke === 'mjml') ? [mjmlInItsFunction] : []),
    zodNamespaceImports,
  ],
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
 * The outputs a bundle loads as it is imported: its entry (`index.mjs`) and the
 * chunks it imports, statically, in turn; not those imported on demand (an
 * on-demand chunk is an entry point to esbuild too, but only its importer names it).
 */
export const loadedOnImport = (metafile: esbuild.Metafile): string[] => {
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  for (const file of Object.keys(metafile.outputs)) if (file.endsWith('/index.mjs')) visit(file);
  return [...loaded];
};

/**
 * What a bundle imports from outside itself as it loads, from its entry and the
 * chunks that imports: Node.js built-ins, as the AWS SDK is bundled.
 */
export const importedOnLoad = (metafile: esbuild.Metafile): string[] =>
  [
    ...new Set(
      loadedOnImport(metafile).flatMap((file) => (metafile.outputs[file]?.imports ?? []).filter((i) => i.kind === 'import-statement' && i.external).map((i) => i.path)),
    ),
  ].sort();

/**
 * Removes the chunks nothing imports. esbuild makes a chunk of every module
 * imported on demand, even when the code that imports it was shaken out (the
 * SDK's browser user-agent parser, 34 KB, in every bundle).
 */
async function pruneUnreachable(metafile: esbuild.Metafile, root: string): Promise<void> {
  const reachable = new Set<string>();
  const visit = (file: string) => {
    if (reachable.has(file)) return;
    reachable.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) if (!i.external) visit(i.path);
  };
  for (const file of Object.keys(metafile.outputs)) if (file.endsWith('/index.mjs')) visit(file);
  for (const file of Object.keys(metafile.outputs).filter((output) => output.endsWith('.mjs') && !reachable.has(output))) {
    for (const output of [file, `${file}.map`]) {
      await rm(resolve(root, output), { force: true });
      delete metafile.outputs[output];
    }
  }
}

/** Bundles a function into `outdir` (empty or new); returns esbuild's account of what went in. */
export async function bundleLambda(handler: string, outdir: string, root = projectRoot): Promise<esbuild.Metafile> {
  const { metafile } = await esbuild.build(lambdaBuildOptions(handler, outdir, root));
  await pruneUnreachable(metafile, root);
  for (const file of Object.keys(metafile.outputs).filter((output) => output.endsWith('.map'))) {
    const path = resolve(root, file);
    const map = JSON.parse(await readFile(path, 'utf8'));
    // The project's own code is a file of the project outside node_modules; a dependency's map may name its sources by URL.
    projectMappingsOnly(map, (source) => {
      const sourceFile = resolve(dirname(path), source);
      return !sourceFile.startsWith(resolve(root) + sep) || sourceFile.slice(resolve(root).length).split(sep).includes('node_modules');
    });
    if (map.sources.length) {
      await writeFile(path, JSON.stringify(map));
      continue;
    }
    // A chunk of dependencies only: no map, and no reference to one for Node.js to read and parse at load.
    const code = path.slice(0, -'.map'.length);
    const source = await readFile(code, 'utf8');
    await writeFile(code, source.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n'));
    await rm(path);
    delete metafile.outputs[file];
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
