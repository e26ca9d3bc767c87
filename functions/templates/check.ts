/**
 * `retention templates check`: everything a marketer can get wrong in
 * `templates/`, each as `file:line:column message` (docs/design.md §5 "templates").
 *
 * - Variables, statically: liquidjs's static analysis lists every variable
 *   of every branch (body, subject, preheader) with its position, each
 *   checked against the set's sample data; a partial's variables against what
 *   each `{% render %}` of it passes. A misspelling is found where no sample
 *   customer goes (an `{% else %}` for a customer with no name).
 * - Liquid: every template and A/B variant is rendered with its set's sample
 *   data (./samples) for every sample customer, by the renderer itself
 *   (`renderSource`, strict variables and filters), so an unknown or misspelt
 *   variable, an unknown filter, a missing partial or a syntax error is
 *   reported where liquidjs says it is: in the body (padded by the renderer so
 *   its lines are the file's), in a front matter field (mapped to the field's
 *   line and column) or in a partial.
 * - MJML: strict validation, as the renderer does it, plus open/close tag
 *   balance of the mj-* elements (MJML itself silently swallows an unclosed
 *   <mj-text>). MJML reports a line of the MJML that Liquid produced; that
 *   output is lined up with the template (and its partials) to find the
 *   template's line: see `lineMap` for how, and for its limits.
 * - Compiled: the template compiles once to the HTML that is sent (./compile):
 *   no Liquid between MJML elements but layout tags, none in an attribute
 *   MJML checks the type of (a colour, a size).
 * - Files: every set has an `en`, `ms` and `ar` template; file names are
 *   `<locale>.mjml` or `<locale>.<variant>.mjml`.
 * - Links: a literal `href` must be https (or mailto:); Liquid values pass,
 *   the sample data being https.
 * - Unsubscribe: every template renders a footer partial (`footer` or
 *   `footer-<name>`), every footer partial outputs `{{ links.unsubscribe }}`,
 *   and the rendered email links to the sample's unsubscribe URL.
 * - Subject: at most 100 characters, rendered for every sample customer
 *   (so with the longest name).
 *
 * Limits:
 * - Liquid stops at its first error, so a template reports at most one Liquid
 *   problem per sample customer (the customers take different branches, so a
 *   few may show); and a template whose strict render fails on MJML has its
 *   subject length checked only once MJML passes. Fix and run again.
 * - The static check knows the data's shape from the samples: a field no
 *   sample customer has is reported as unknown. Fields of a `for` loop's item
 *   (`{{ s.url }}`) are checked only by rendering, as its items are data.
 * - liquidjs gives a line and column but not the file: an error is placed in
 *   a partial when the text there (and not in the template) is what the
 *   error names. A variable a partial uses that its `{% render %}` does not
 *   pass (or passes without the field) is reported on the render tag.
 * - MJML line mapping (`lineMap`) is exact when Liquid keeps lines one to
 *   one, and for output of a `{% render %}`; output of loops and of one-line
 *   `{% if %}...{% else %}` maps to the tag's line or the nearest like line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Liquid, type Variable } from 'liquidjs';
import mjml2html from 'mjml';
import { compileTemplate, CompileError } from './compile';
import { unquote } from './template-file';
import { createRenderer, type RenderedEmail } from './render';
import { hasSample, sampleCustomers, sampleFor, type SampleCustomer } from './samples';

export interface Problem {
  /** Relative to the project root, e.g. `templates/birthday/ms.mjml` (absolute when outside it). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters (UTF-16 code units, as editors count them). */
  column: number;
  message: string;
}

export interface CheckReport {
  problems: Problem[];
  /** Every template file checked (`<set>/<locale>[.<variant>].mjml`), relative like `Problem.file`. */
  templates: string[];
}

export const requiredLocales = ['en', 'ms', 'ar'] as const;
export const maxSubjectLength = 100;

/** `templates/birthday/ms.mjml:2:10 unknown variable "customer.fistName" ...`: the format editors and CI annotate. */
export const formatProblem = (p: Problem): string => `${p.file}:${p.line}:${p.column} ${p.message}`;

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The problems in a templates folder, sorted by file, line and column. */
export async function checkTemplates(templatesDir: string): Promise<Problem[]> {
  return (await inspectTemplates(templatesDir)).problems;
}

/**
 * One template's text as a marketer is editing it (not yet saved), e.g. for
 * the studio to show problems inline: the checks of a template file (Liquid,
 * MJML, links, footer, subject) and of the partials it may render, not those
 * of its set (missing locales). `fileName` is `<locale>.mjml` or `<locale>.<variant>.mjml`.
 */
export async function checkTemplateSource(templatesDir: string, set: string, fileName: string, content: string, options: { root?: string } = {}): Promise<Problem[]> {
  const { context, problems } = createContext(templatesDir, options.root);
  await checkPartials(context);
  await checkTemplate(context, set, fileName, fileName.split('.')[0]!, content);
  return sortProblems(problems);
}

/** `checkTemplates`, and which templates were checked (for a summary line). */
export async function inspectTemplates(templatesDir: string, options: { root?: string } = {}): Promise<CheckReport> {
  const { context, problems } = createContext(templatesDir, options.root);
  const { dir, rel, report } = context;
  const templates: string[] = [];

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    report({ file: rel(dir), line: 1, column: 1, message: 'no such templates folder' });
    return { problems: sortProblems(problems), templates };
  }
  await checkPartials(context);

  const sets = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'partials' && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  for (const set of sets) {
    const setDir = join(dir, set);
    let locales: string[];
    try {
      locales = context.renderer.locales(set);
    } catch (error) {
      report({ file: rel(setDir), line: 1, column: 1, message: `not a template set: ${(error as Error).message}` });
      continue;
    }
    const files = readdirSync(setDir).filter((name) => name.endsWith('.mjml')).sort();
    const known = new Map<string, { locale: string; variant?: string }>();
    for (const locale of locales) {
      known.set(`${locale}.mjml`, { locale });
      for (const variant of context.renderer.variants(set, locale)) known.set(`${locale}.${variant}.mjml`, { locale, variant });
    }
    for (const locale of requiredLocales) {
      if (!files.includes(`${locale}.mjml`)) {
        report({
          file: rel(join(setDir, `${locale}.mjml`)),
          line: 1,
          column: 1,
          message: `missing locale "${locale}" for ${set} (every set needs ${requiredLocales.join(', ')})`,
        });
      }
    }
    if (!hasSample(set) && files.length) {
      report({
        file: rel(join(setDir, files[0]!)),
        line: 1,
        column: 1,
        message: `no sample data for template set "${set}": add it to functions/templates/samples.ts so its templates can be rendered and checked`,
      });
    }
    for (const name of files) {
      const file = known.get(name);
      if (!file) {
        report({ file: rel(join(setDir, name)), line: 1, column: 1, message: 'file name must be <locale>.mjml or <locale>.<variant>.mjml, e.g. ms.mjml or ms.b.mjml' });
        continue;
      }
      if (file.variant && !files.includes(`${file.locale}.mjml`)) {
        report({ file: rel(join(setDir, name)), line: 1, column: 1, message: `variant "${file.variant}" has no base template ${file.locale}.mjml` });
      }
      templates.push(rel(join(setDir, name)));
      await checkTemplate(context, set, name, file.locale, await readFile(join(setDir, name), 'utf8'));
    }
  }

  return { problems: sortProblems(problems), templates };
}

function createContext(templatesDir: string, root = projectRoot): { context: Context; problems: Map<string, Problem> } {
  const dir = resolve(templatesDir);
  const rel = (path: string) => {
    const r = relative(resolve(root), path);
    return r && !r.startsWith('..') && !isAbsolute(r) ? r.split(sep).join('/') : path;
  };
  // One problem found from several templates (a partial's, say) is reported once.
  const problems = new Map<string, Problem>();
  const report = (p: Problem) => {
    const key = formatProblem(p);
    if (!problems.has(key)) problems.set(key, p);
  };
  const context: Context = {
    dir,
    rel,
    report,
    renderer: createRenderer(dir),
    // Only for lining up Liquid's output with the template (and for MJML checks when strict rendering failed):
    // the renderer's settings, but lenient, so it gets as far as it can.
    lenient: new Liquid({
      partials: join(dir, 'partials'),
      extname: '.liquid',
      relativeReference: false,
      outputEscape: 'escape',
      strictVariables: false,
      strictFilters: false,
    }),
    partials: new Map(),
  };
  return { context, problems };
}

const sortProblems = (problems: Map<string, Problem>) =>
  [...problems.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column);

interface PartialFile {
  name: string;
  path: string;
  lines: string[];
  /** Lines with Liquid comments and HTML comments blanked out (same length, same columns). */
  code: string[];
  /** Its variables not defined inside it, by static analysis: found once, checked for each render of it. */
  unknown?: Variable[];
}

interface Context {
  dir: string;
  rel: (path: string) => string;
  report: (p: Problem) => void;
  renderer: ReturnType<typeof createRenderer>;
  lenient: Liquid;
  partials: Map<string, PartialFile>;
}

const isFooter = (name: string) => name === 'footer' || name.startsWith('footer-');

/** Each partial on its own: Liquid syntax, links and, for a footer, the unsubscribe link. */
async function checkPartials(ctx: Context) {
  const partialsDir = join(ctx.dir, 'partials');
  if (!existsSync(partialsDir)) return;
  for (const entry of readdirSync(partialsDir).filter((f) => f.endsWith('.liquid')).sort()) {
    const path = join(partialsDir, entry);
    const source = await readFile(path, 'utf8');
    const lines = source.split(/\r?\n/);
    const partial: PartialFile = { name: entry.slice(0, -'.liquid'.length), path, lines, code: blankComments(lines) };
    ctx.partials.set(partial.name, partial);
    const file = ctx.rel(path);
    try {
      ctx.lenient.parse(source);
    } catch (error) {
      const { message, line, column } = liquidError((error as Error).message);
      ctx.report({ file, line: line ?? 1, column: column ?? 1, message: describeLiquid(message, {}, ctx, '') });
    }
    for (const p of linkProblems(partial.code)) ctx.report({ file, ...p });
    if (isFooter(partial.name) && !outputsUnsubscribe(partial.code)) {
      ctx.report({
        file,
        line: 1,
        column: 1,
        message: `footer partial "${partial.name}" does not output {{ links.unsubscribe }}: every email must carry the unsubscribe link`,
      });
    }
  }
}

async function checkTemplate(ctx: Context, set: string, name: string, locale: string, content: string) {
  const file = ctx.rel(join(ctx.dir, set, name));
  const doc = scanTemplate(content);
  const at = (line: number, column: number, message: string) => ctx.report({ file, line, column, message });

  // Static checks, on the file as written.
  for (const p of linkProblems(doc.code)) at(p.line, p.column, p.message);
  const used = partialRefs(doc.code);
  const footers = used.filter((ref) => isFooter(ref.name));
  if (!footers.length) {
    const end = findInLines(doc.code, '</mj-body>') ?? { line: lastLine(doc.lines), column: 1 };
    at(end.line, end.column, 'no footer: render the "footer" partial (shop address and unsubscribe link) before </mj-body>');
  }

  if (!hasSample(set)) return;
  const where = `${set}/${locale}.mjml`;
  const samples = sampleCustomers.map((customer) => sampleFor(set, customer, locale));
  const unknown = checkVariables(ctx, doc, used, set, samples, file);
  const rendered: { customer: SampleCustomer; email: RenderedEmail; data: Record<string, unknown> }[] = [];
  let mjmlMessage: string | undefined;
  let stop = false;
  for (const [index, customer] of sampleCustomers.entries()) {
    const data = samples[index]!;
    try {
      rendered.push({ customer, email: await ctx.renderer.renderSource(set, locale, content, data), data });
    } catch (error) {
      const message = (error as Error).message;
      const outcome = renderError(ctx, doc, used, set, where, message, data);
      // A variable the static check reported already, found again by rendering (at the output tag rather than the name).
      const undefinedName = /undefined variable: ([^,\s]+)/.exec(message)?.[1];
      if (outcome.kind === 'mjml') mjmlMessage = message;
      else if (outcome.problem && !(undefinedName && unknown.has(undefinedName))) ctx.report({ file: outcome.file ?? file, ...outcome.problem });
      // Front matter and syntax errors are the same for every customer; variable errors may differ by branch.
      if (outcome.kind === 'fatal') stop = true;
    }
    if (stop) break;
  }
  if (stop || !doc.frontMatter) return;

  // MJML, on the MJML that Liquid produced from this template.
  const data = sampleFor(set, sampleCustomers[0], locale);
  const email = rendered[0]?.email;
  let mjml: string;
  try {
    mjml = await ctx.lenient.render(ctx.lenient.parse(doc.body), { ...data, email: { subject: email?.subject ?? 'Subject', preheader: email?.preheader ?? '' } });
  } catch {
    return; // a Liquid error the strict render has reported already
  }
  const map = lineMap(doc.bodyLines, mjml.split('\n'), ctx.partials);
  const mjmlErrors: MjmlError[] = [];
  if (mjmlMessage) mjmlErrors.push(...parseMjmlMessage(mjmlMessage));
  else if (!rendered.length) mjmlErrors.push(...(await validateMjml(mjml))); // strict rendering never got as far as MJML
  mjmlErrors.push(...tagBalance(mjml));
  for (const error of mjmlErrors) {
    const source = error.line === undefined ? undefined : map(error.line - 1);
    if (!source) {
      at(doc.bodyStart, 1, `MJML: ${error.message}`);
      continue;
    }
    const lines = source.partial ? source.partial.code : doc.code;
    const column = mjmlColumn(lines[source.line] ?? '', error);
    const target = source.partial ? ctx.rel(source.partial.path) : file;
    ctx.report({ file: target, line: source.line + 1, column, message: `MJML${error.tagName ? ` <${error.tagName}>` : ''}: ${error.message}` });
  }

  // What is sent is the template compiled once (./compile), which must be possible: checked once it renders.
  if (rendered.length === sampleCustomers.length && !mjmlErrors.length) {
    await compileTemplate(content, { where, templatesDir: ctx.dir }).catch((error: Error) => {
      const at = error instanceof CompileError ? error.at : undefined;
      ctx.report({
        file: at?.partial ? ctx.rel(join(ctx.dir, at.partial)) : file,
        line: at?.line ?? doc.bodyStart,
        column: at?.column ?? 1,
        message: `cannot be compiled for sending: ${error instanceof CompileError ? error.detail : error.message}`,
      });
    });
  }

  // The rendered email must link to the unsubscribe URL (a footer partial could output it only in a dead branch).
  const sample = rendered[0];
  if (sample && footers.length && footers.every((ref) => !ctx.partials.get(ref.name) || outputsUnsubscribe(ctx.partials.get(ref.name)!.code))) {
    const url = (sample.data.links as { unsubscribe: string }).unsubscribe;
    if (!sample.email.html.includes(`href="${url}"`) && !sample.email.html.includes(`href="${escapeHtml(url)}"`)) {
      at(footers[0]!.line, footers[0]!.column, `the rendered email has no link to {{ links.unsubscribe }}: the footer must output it`);
    }
  }

  // Subject length, with every sample customer: the longest name is the worst case.
  const longest = rendered.reduce<(typeof rendered)[number] | undefined>(
    (a, b) => (!a || [...b.email.subject].length > [...a.email.subject].length ? b : a),
    undefined,
  );
  const subject = doc.frontMatter.fields.subject;
  if (longest && subject && [...longest.email.subject].length > maxSubjectLength) {
    const who = longest.customer.firstName ? `"${longest.customer.firstName}"` : 'with no first name';
    at(
      subject.line,
      subject.valueColumn,
      `subject is ${[...longest.email.subject].length} characters for the sample customer ${who} (at most ${maxSubjectLength})`,
    );
  }
}

/**
 * Every variable of every branch, by liquidjs's static analysis, checked
 * against the sample data (any sample customer's): in the body and the front
 * matter fields of the template, and in each partial it renders, against what
 * that `{% render %}` passes. Returns the names reported, so rendering does
 * not report them again.
 */
function checkVariables(ctx: Context, doc: ScannedTemplate, used: PartialRef[], set: string, samples: Record<string, unknown>[], file: string): Set<string> {
  const reported = new Set<string>();
  // What a template sees: the set's data, and its own subject and preheader as `email`.
  const all = samples.map((sample) => ({ ...sample, email: { subject: '', preheader: '' } }));
  const data = all[0]!;
  const report = (target: string, line: number, column: number, message: string) => ctx.report({ file: target, line, column, message });
  const unknownIn = (text: string) => {
    try {
      return Object.values(ctx.lenient.analyzeSync(ctx.lenient.parse(text), { partials: false }).globals).flat();
    } catch {
      return []; // a syntax error: rendering reports it
    }
  };
  // The body keeps the file's lines; a front matter field is one line, from the column Liquid starts at.
  const sources: { text: string; line: (row: number) => number; column: (row: number, col: number) => number }[] = [
    { text: doc.body, line: (row) => row, column: (_, col) => col },
  ];
  for (const name of ['subject', 'preheader'] as const) {
    const field = doc.frontMatter?.fields[name];
    const value = field && unquote(doc.lines[field.line - 1]!.slice(field.valueColumn - 1).trim());
    if (field && value !== undefined) sources.push({ text: value, line: () => field.line, column: (_, col) => field.liquidColumn + col - 1 });
  }
  for (const source of sources) {
    for (const variable of unknownIn(source.text)) {
      const path = namePath(variable.segments);
      if (!path || all.some((sample) => hasPath(sample, path))) continue;
      const name = path.join('.');
      reported.add(name);
      report(file, source.line(variable.location.row), source.column(variable.location.row, variable.location.col), describeLiquid(`undefined variable: ${name}`, data, ctx, set));
    }
  }
  // A partial sees only what its render passes: `shop: shop` gives it the email's shop, `reason: "..."` a text.
  for (const ref of used.filter((r) => r.tag === 'render')) {
    const partial = ctx.partials.get(ref.name);
    if (!partial) continue;
    const passed = renderArguments(ref.text);
    partial.unknown ??= unknownIn(partial.lines.join('\n'));
    for (const variable of partial.unknown) {
      const path = namePath(variable.segments);
      if (!path) continue;
      const [root, ...rest] = path;
      const name = path.join('.');
      const argument = passed.get(root!);
      if (argument === undefined) {
        reported.add(name);
        report(file, ref.line, ref.column, `partial "${ref.name}" uses "${name}", but this render does not pass ${root}: add "${root}: ..." to the {% render %} tag`);
      } else if (argument === null ? rest.length > 0 : !all.some((sample) => hasPath(sample, [...argument, ...rest]))) {
        reported.add(name);
        // Passed as itself (`shop: shop`): the partial's misspelling, reported on the partial; else what this render passes falls short.
        if (argument?.join('.') === root) report(ctx.rel(partial.path), variable.location.row, variable.location.col, describeLiquid(`undefined variable: ${name}`, data, ctx, set));
        else report(file, ref.line, ref.column, `partial "${ref.name}" uses "${name}", but the ${root} this render passes has no ${rest.join('.')}`);
      }
    }
  }
  return reported;
}

/** A variable's leading names (`customer.firstName` of `customer.firstName[0]`); undefined when it starts with an index. */
const namePath = (segments: readonly unknown[]): string[] | undefined => {
  const names: string[] = [];
  for (const segment of segments) {
    if (typeof segment !== 'string') break;
    names.push(segment);
  }
  return names.length ? names : undefined;
};

/** Whether the data has the path, as far as it is made of objects: past a text, a number or a list, Liquid's own properties (`size`, `first`) and indexes apply. */
const hasPath = (data: unknown, path: string[]): boolean => {
  let value = data;
  for (const name of path) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return true;
    if (!(name in value)) return false;
    value = (value as Record<string, unknown>)[name];
  }
  return true;
};

/** `{% render 'footer', shop: shop, reason: "..." %}`: each argument's name and the data path it passes (null: a literal). */
const renderArguments = (tag: string): Map<string, string[] | null> => {
  const passed = new Map<string, string[] | null>();
  for (const m of tag.matchAll(/[,\s](\w+)\s*:\s*("(?:[^"]*)"|'(?:[^']*)'|[-\d.]+|true|false|[\w.]+)/g)) {
    const value = m[2]!;
    passed.set(m[1]!, /^["'\d-]|^(true|false)$/.test(value) ? null : value.split('.'));
  }
  return passed;
};

// ---------------------------------------------------------------------------
// The template file, as the renderer reads it (see splitTemplate in ./template-file).

interface Field {
  /** 1-based line of `name: value`. */
  line: number;
  /** 1-based column of the value's first character (an opening quote included). */
  valueColumn: number;
  /** 1-based column of the first character Liquid sees (after an opening quote). */
  liquidColumn: number;
}

interface ScannedTemplate {
  lines: string[];
  /** `lines` with comments blanked out. */
  code: string[];
  frontMatter?: { end: number; fields: Partial<Record<'subject' | 'preheader', Field>> };
  /** The body as the renderer parses it: blank lines in place of the front matter. */
  body: string;
  bodyLines: string[];
  /** 1-based line of the body's first line. */
  bodyStart: number;
}

function scanTemplate(content: string): ScannedTemplate {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  const code = blankComments(lines);
  const end = lines[0]?.trim() === '---' ? lines.findIndex((line, i) => i > 0 && line.trim() === '---') : -1;
  if (end < 0) return { lines, code, body: content, bodyLines: lines, bodyStart: 1 };
  const fields: Partial<Record<'subject' | 'preheader', Field>> = {};
  lines.slice(1, end).forEach((line, i) => {
    const m = /^([A-Za-z][\w-]*):(\s?)(.*)$/.exec(line);
    if (!m || (m[1] !== 'subject' && m[1] !== 'preheader')) return;
    const raw = m[3]!;
    const lead = raw.length - raw.trimStart().length;
    const value = raw.trim();
    const quoted = value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0];
    const valueColumn = m[1].length + 1 + m[2]!.length + lead + 1;
    fields[m[1]] = { line: i + 2, valueColumn, liquidColumn: valueColumn + (quoted ? 1 : 0) };
  });
  const body = '\n'.repeat(end + 1) + lines.slice(end + 1).join('\n');
  return { lines, code, frontMatter: { end, fields }, body, bodyLines: body.split('\n'), bodyStart: end + 2 };
}

/** Liquid `{% comment %}` blocks and HTML comments replaced by spaces, keeping every line and column. */
function blankComments(lines: string[]): string[] {
  const text = lines.join('\n');
  const blank = (match: string) => match.replace(/[^\n]/g, ' ');
  return text
    .replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, blank)
    .replace(/\{%-?\s*#[\s\S]*?-?%\}/g, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .split('\n');
}

const lastLine = (lines: string[]) => {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim()) return i + 1;
  return 1;
};

function findInLines(lines: string[], needle: string): { line: number; column: number } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const column = lines[i]!.indexOf(needle);
    if (column >= 0) return { line: i + 1, column: column + 1 };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Links and partials, read from the source.

/** A literal href must be https or mailto:. A value that starts with Liquid is data (https in the samples). */
function linkProblems(code: string[]): { line: number; column: number; message: string }[] {
  const problems: { line: number; column: number; message: string }[] = [];
  code.forEach((line, i) => {
    for (const m of line.matchAll(/(?<![\w-])href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi)) {
      const value = m[1] ?? m[2] ?? m[3] ?? '';
      const column = m.index + m[0].length - value.length - (m[3] === undefined ? 1 : 0) + 1;
      const literal = value.split(/\{\{|\{%/)[0]!.trim();
      const followedByLiquid = literal.length < value.trim().length;
      const ok = (prefix: string) => literal.toLowerCase().startsWith(prefix) || (followedByLiquid && prefix.startsWith(literal.toLowerCase()));
      if (ok('https://') || ok('mailto:')) continue;
      problems.push({ line: i + 1, column, message: value.trim() ? `link is not https: "${value}"` : 'link is empty' });
    }
  });
  return problems;
}

interface PartialRef {
  name: string;
  tag: 'render' | 'include';
  /** The tag's text on its line, e.g. `{% render 'footer', shop: shop %}`. */
  text: string;
  line: number;
  column: number;
}

function partialRefs(code: string[]): PartialRef[] {
  const refs: PartialRef[] = [];
  code.forEach((line, i) => {
    for (const m of line.matchAll(/\{%-?\s*(render|include)\s+(["'])([\w./-]+)\2[^%]*(?:%\}|$)/g)) {
      refs.push({ name: m[3]!, tag: m[1] as 'render' | 'include', text: m[0], line: i + 1, column: m.index + 1 });
    }
  });
  return refs;
}

const outputsUnsubscribe = (code: string[]) => code.some((line) => /\{\{-?\s*links\.unsubscribe\s*(?:-?\}\}|\|)/.test(line));

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;');

// ---------------------------------------------------------------------------
// Errors from the renderer, mapped to the file.

type RenderOutcome =
  | { kind: 'mjml' }
  | { kind: 'fatal' | 'render'; file?: string; problem?: { line: number; column: number; message: string } };

/**
 * The renderer's messages: `<where>: <liquid message>, line:L, col:C` for the
 * body, `<where> (subject): ...` for a front matter field, `<where>:N: ...` and
 * `<where>: front matter ...` for the front matter block, `<where>: MJML errors:`.
 */
function renderError(
  ctx: Context,
  doc: ScannedTemplate,
  used: PartialRef[],
  set: string,
  where: string,
  message: string,
  data: Record<string, unknown>,
): RenderOutcome {
  const describe = (text: string) => describeLiquid(text, data, ctx, set);
  if (!message.startsWith(where)) return { kind: 'fatal', problem: { line: 1, column: 1, message } };
  const rest = message.slice(where.length);
  if (/^: MJML errors:/.test(rest)) return { kind: 'mjml' };

  const frontMatterLine = /^:(\d+): ([\s\S]*)$/.exec(rest);
  if (frontMatterLine) {
    const line = Number(frontMatterLine[1]);
    return { kind: 'fatal', problem: { line, column: 1, message: frontMatterProblem(doc.lines[line - 1] ?? '', frontMatterLine[2]!) } };
  }
  if (/^: (must start with a front matter|front matter has no closing)/.test(rest)) {
    return { kind: 'fatal', problem: { line: 1, column: 1, message: rest.slice(2) } };
  }
  const missingField = /^: front matter has no "(\w+)"/.exec(rest);
  if (missingField) {
    const end = doc.frontMatter ? doc.frontMatter.end + 1 : 1;
    return { kind: 'fatal', problem: { line: end, column: 1, message: `front matter has no "${missingField[1]}:" line` } };
  }

  const field = /^ \((subject|preheader)\): ([\s\S]*)$/.exec(rest);
  if (field) {
    const name = field[1] as 'subject' | 'preheader';
    const liquid = liquidError(field[2]!);
    const at = doc.frontMatter?.fields[name];
    const line = at?.line ?? 1;
    const column = at ? at.liquidColumn + (liquid.column ?? 1) - 1 : 1;
    return { kind: liquid.undefinedName ? 'render' : 'fatal', problem: { line, column, message: describe(liquid.message) } };
  }

  const body = /^: ([\s\S]*)$/.exec(rest);
  if (!body) return { kind: 'fatal', problem: { line: 1, column: 1, message } };
  const liquid = liquidError(body[1]!);
  const kind = liquid.undefinedName ? 'render' : 'fatal';
  if (liquid.line === undefined || liquid.column === undefined) return { kind, problem: { line: doc.bodyStart, column: 1, message: describe(liquid.message) } };
  // liquidjs gives the position in the file where the error is, but not which file: the template, or a partial it renders.
  const inPartial = !errorAt(doc.code, liquid) ? reachablePartials(ctx, used).find((p) => errorAt(p.code, liquid)) : undefined;
  if (!inPartial) return { kind, problem: { line: liquid.line, column: liquid.column, message: describe(liquid.message) } };
  // A variable the partial uses but this template's {% render %} does not pass: the template's mistake, not the partial's.
  const root = liquid.undefinedName?.split(/[.[]/)[0];
  const tag = used.find((ref) => ref.name === inPartial.name && ref.tag === 'render');
  const definedInside = (name: string) => inPartial.code.some((line) => new RegExp(`\\{%-?\\s*(?:assign|capture|for)\\s+${name}\\b`).test(line));
  if (root && tag && !new RegExp(`[,\\s]${root}\\s*:`).test(tag.text) && !definedInside(root)) {
    return {
      kind,
      problem: {
        line: tag.line,
        column: tag.column,
        message: `partial "${inPartial.name}" uses "${liquid.undefinedName}", but this render does not pass ${root}: add "${root}: ..." to the {% render %} tag`,
      },
    };
  }
  if (root && tag && liquid.undefinedName && dataPaths(data).includes(liquid.undefinedName)) {
    // The email's data has it, the partial did not get it: the render passes something else as `root`.
    return {
      kind,
      problem: {
        line: tag.line,
        column: tag.column,
        message: `partial "${inPartial.name}" uses "${liquid.undefinedName}", but the ${root} this render passes has no ${liquid.undefinedName.slice(root.length + 1)} (pass ${root}: ${root})`,
      },
    };
  }
  return { kind, file: ctx.rel(inPartial.path), problem: { line: liquid.line, column: liquid.column, message: describe(liquid.message) } };
}

/** A front matter line the renderer rejected: name the field when it is one. */
function frontMatterProblem(line: string, fallback: string): string {
  const key = /^\s*([A-Za-z][\w-]*)\s*:/.exec(line)?.[1];
  if (!key) return `front matter: ${fallback}`;
  const suggestion = closest(key, ['subject', 'preheader']);
  return `front matter: unknown field "${key}" (${suggestion ? `did you mean "${suggestion}"?` : 'the fields are subject and preheader'})`;
}

interface LiquidError {
  message: string;
  line?: number;
  column?: number;
  undefinedName?: string;
}

function liquidError(text: string): LiquidError {
  const m = /^([\s\S]*), line:(\d+), col:(\d+)$/.exec(text.trim());
  const message = m ? m[1]! : text.trim();
  const undefinedName = /^undefined variable: (.+)$/.exec(message)?.[1];
  return { message, line: m ? Number(m[2]) : undefined, column: m ? Number(m[3]) : undefined, undefinedName };
}

/** Whether the source at the error's position is what the error is about (so the error is in this file). */
function errorAt(code: string[], error: LiquidError): boolean {
  const text = code[(error.line ?? 0) - 1]?.slice((error.column ?? 0) - 1) ?? '';
  if (error.undefinedName) return text.startsWith(error.undefinedName.split(/[.[]/)[0]!);
  const filter = /^undefined filter: (\S+)/.exec(error.message)?.[1];
  if (filter) return /^\{[{%]/.test(text) && text.includes(filter);
  const tag = /^tag "([^"]+)" not found/.exec(error.message)?.[1];
  if (tag) return text.startsWith('{%') && text.includes(tag);
  return text.startsWith('{');
}

/** Partials a template renders, and the partials those render. */
function reachablePartials(ctx: Context, refs: PartialRef[]): PartialFile[] {
  const seen = new Map<string, PartialFile>();
  const visit = (names: string[]) => {
    for (const name of names) {
      const partial = ctx.partials.get(name);
      if (!partial || seen.has(name)) continue;
      seen.set(name, partial);
      visit(partialRefs(partial.code).map((ref) => ref.name));
    }
  };
  visit(refs.map((ref) => ref.name));
  return [...seen.values()];
}

/** A liquidjs message in a marketer's words, with a suggestion for a misspelling. */
function describeLiquid(message: string, data: Record<string, unknown>, ctx: Context, set: string): string {
  const variable = /^undefined variable: (.+)$/.exec(message)?.[1];
  if (variable) {
    const known = [...dataPaths(data), 'email.subject', 'email.preheader'];
    const suggestion = closest(variable, known);
    if (suggestion) return `unknown variable "${variable}" (did you mean "${suggestion}"?)`;
    const root = variable.split(/[.[]/)[0]!;
    if (!(root in data) && Object.keys(data).length) {
      return `unknown variable "${variable}" (${set} emails have ${[...Object.keys(data), 'email'].sort().join(', ')})`;
    }
    return `unknown variable "${variable}"`;
  }
  const filter = /^undefined filter: (\S+)$/.exec(message)?.[1];
  if (filter) {
    const suggestion = closest(filter, Object.keys(ctx.lenient.filters));
    return `unknown filter "${filter}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  }
  const partial = /^ENOENT: Failed to lookup "([^"]+)"/.exec(message)?.[1];
  if (partial) return `partial "${partial}" not found in ${ctx.rel(join(ctx.dir, 'partials'))}`;
  return `Liquid: ${message}`;
}

function dataPaths(value: unknown, prefix = ''): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...dataPaths(child, path).filter((p) => p !== path)];
  });
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase()) + (word === candidate ? 0 : word.toLowerCase() === candidate.toLowerCase() ? 0.5 : 0);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance > 0 && best.distance <= Math.max(2, Math.floor(word.length / 4)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

// ---------------------------------------------------------------------------
// MJML errors, and from the MJML that Liquid produced back to the template.

interface MjmlError {
  /** 1-based line in the MJML that Liquid produced; undefined when MJML could not parse it at all. */
  line?: number;
  tagName?: string;
  message: string;
  /** For tag balance: the exact text to find on the line. */
  needle?: string;
}

function parseMjmlMessage(message: string): MjmlError[] {
  return message
    .split('\n')
    .slice(1)
    .flatMap((line): MjmlError[] => {
      const m = /^\s*- line (\d+) <([^>]*)>: (.*)$/.exec(line);
      if (m) return [{ line: Number(m[1]), tagName: m[2], message: m[3]!.trim() }];
      const other = /^\s*- (.*)$/.exec(line);
      return other ? [{ message: other[1]!.trim() }] : [];
    });
}

/** The renderer's MJML settings, with errors returned instead of thrown. */
async function validateMjml(mjml: string): Promise<MjmlError[]> {
  try {
    const { errors } = await mjml2html(mjml, { validationLevel: 'soft', keepComments: false, fonts: {} });
    return errors.map((e) => ({ line: e.line, tagName: e.tagName, message: e.message.trim() }));
  } catch (error) {
    return [{ message: (error as Error).message }];
  }
}

/**
 * mj-* elements must open and close in order. MJML does not say when they do
 * not: an <mj-text> closed by a misspelt </mj-txt> silently swallows the rest
 * of the email.
 */
function tagBalance(mjml: string): MjmlError[] {
  const errors: MjmlError[] = [];
  const text = mjml.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const open: { name: string; index: number }[] = [];
  for (const m of text.matchAll(/<(\/?)(mjml|mj-[a-z-]+)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m as unknown as [string, string, string, string];
    if (!closing) {
      if (!selfClosing) open.push({ name, index: m.index });
      continue;
    }
    const top = open.at(-1);
    if (top?.name === name) {
      open.pop();
      continue;
    }
    const depth = open.findLastIndex((o) => o.name === name);
    if (top && depth < 0 && editDistance(top.name, name) <= 2) {
      errors.push({ line: lineOf(m.index), message: `</${name}> should be </${top.name}>`, needle: `</${name}` });
      open.pop();
    } else if (depth < 0) {
      errors.push({ line: lineOf(m.index), message: `</${name}> closes nothing: no <${name}> is open`, needle: `</${name}` });
    } else {
      for (const unclosed of open.splice(depth + 1)) {
        errors.push({ line: lineOf(unclosed.index), message: `<${unclosed.name}> is not closed before </${name}>`, needle: `<${unclosed.name}` });
      }
      open.pop();
    }
  }
  for (const unclosed of open) errors.push({ line: lineOf(unclosed.index), message: `<${unclosed.name}> is never closed`, needle: `<${unclosed.name}` });
  return errors;
}

/** The column of what an MJML error is about on its line: the attribute, else the tag, else the first character. */
function mjmlColumn(line: string, error: MjmlError): number {
  const attribute = /^Attributes? ([\w-]+)/.exec(error.message)?.[1];
  const candidates = [
    attribute && new RegExp(`(?<=[\\s"'])${attribute}\\s*=`),
    error.needle && new RegExp(`${error.needle.replace(/[/]/g, '\\/')}\\b`),
    error.tagName && new RegExp(`<${error.tagName}\\b`),
  ];
  for (const pattern of candidates) {
    const index = pattern ? line.search(pattern) : -1;
    if (index >= 0) return index + 1;
  }
  return line.length - line.trimStart().length + 1;
}

interface SourceLine {
  /** 0-based line in the template, or in `partial` when set. */
  line: number;
  partial?: PartialFile;
}

/**
 * Which template line (or partial line) produced each line of Liquid's output.
 *
 * Lines are lined up as a diff does (longest common subsequence), where a
 * template line matches an output line when its literal text around the
 * Liquid is there: `<p>Hi {{ name }}</p>` matches `<p>Hi Aisha</p>`. Between
 * two matched lines, the same number of lines on both sides pair up in order
 * (Liquid replaced values within lines, the common case); otherwise the
 * output came from a tag that adds or removes lines, and maps to that tag's
 * line, or into the partial a `{% render %}` there renders, where its line
 * is found the same way.
 *
 * Limits: a line whose text differs by branch (`{% if %}a{% else %}b{% endif %}`
 * on one line) or a loop's second and later iterations map to the nearest
 * tag line rather than the exact one; a line that appears twice in a partial
 * maps to its nearest occurrence.
 */
function lineMap(source: string[], output: string[], partials: Map<string, PartialFile>): (outputLine: number) => SourceLine | undefined {
  const patterns = source.map(linePattern);
  const anchors = lcs(patterns, output);
  const bySource = new Map(anchors.map(([s, o]) => [o, s]));
  const bounds = [[-1, -1] as const, ...anchors, [source.length, output.length] as const];

  return (o) => {
    if (o < 0 || o >= output.length) return undefined;
    const direct = bySource.get(o);
    if (direct !== undefined) return { line: direct };
    const after = bounds.findIndex(([, bo]) => bo > o);
    const [sa, oa] = bounds[after - 1]!;
    const [sb, ob] = bounds[after]!;
    const gap = Array.from({ length: sb - sa - 1 }, (_, i) => sa + 1 + i);
    if (gap.length === ob - oa - 1) return { line: sa + 1 + (o - oa - 1) };
    const matching = gap.find((s) => matches(patterns[s], output[o]!));
    if (matching !== undefined) return { line: matching };
    const tagLine = gap.find((s) => /\{%|\{\{/.test(source[s]!)) ?? gap.find((s) => source[s]!.trim()) ?? Math.max(sa, 0);
    // Output from a partial: find the line in the partial.
    const ref = partialRefs([source[tagLine] ?? ''])[0];
    const partial = ref && partials.get(ref.name);
    if (partial) {
      const offset = o - oa - 1;
      const candidates = partial.lines.map((_, i) => i).filter((i) => matches(linePattern(partial.code[i]!), output[o]!));
      const nearest = candidates.sort((a, b) => Math.abs(a - offset) - Math.abs(b - offset))[0];
      if (nearest !== undefined) return { line: nearest, partial };
    }
    return { line: tagLine };
  };
}

type Pattern = RegExp | string | undefined;

/** What Liquid makes of a line: the line itself when it has no Liquid, a regex when it has; undefined when unrecognisable. */
function linePattern(line: string): Pattern {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  if (!/\{\{|\{%/.test(trimmed)) return trimmed;
  const parts = trimmed.split(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/);
  if (parts.some((part) => /\{\{|\{%/.test(part))) return undefined; // a tag that continues on the next line
  if (parts.join('').replace(/\s/g, '').length < 3) return undefined; // mostly Liquid: nothing to recognise it by
  return new RegExp(`^${parts.map((part) => part.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?')}$`);
}

const matches = (pattern: Pattern, line: string) =>
  pattern === undefined ? false : typeof pattern === 'string' ? pattern === line.trim() : pattern.test(line.trim());

/** Longest common subsequence of source patterns and output lines, as [source, output] index pairs in order. */
function lcs(patterns: Pattern[], output: string[]): [number, number][] {
  const n = patterns.length;
  const m = output.length;
  const table = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = matches(patterns[i], output[j]!) ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (matches(patterns[i], output[j]!) && table[i]![j] === table[i + 1]![j + 1]! + 1) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}
