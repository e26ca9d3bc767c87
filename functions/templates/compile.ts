/**
 * Compiles a template file once: MJML to HTML, keeping its Liquid, so that a
 * send renders Liquid only (./render). The Lambda bundles carry templates
 * compiled at build time (`compileTemplates`, run by lib/bundle.ts) and no MJML.
 *
 * MJML must see the template's layout, not its Liquid, so:
 * - the body is tokenized as liquidjs tokenizes it (whitespace control applied
 *   to the text around each tag, as a render would), and every Liquid
 *   construct becomes a placeholder that MJML passes through untouched, in a
 *   text, a table or an attribute; after MJML each placeholder becomes its
 *   Liquid again (without its `-`: the whitespace it trimmed is gone already);
 * - `{% render 'partial', key: value %}` is replaced by the partial itself,
 *   its Liquid wrapped in `{% inline %}` (./render), which renders it in the
 *   partial's own scope as `render` would; Liquid comments are dropped;
 * - a tag between MJML elements (an `{% if %}` around sections), where MJML
 *   would drop a placeholder, goes in an `<mj-raw>`, between sections or in a
 *   column only; once rendered, the Outlook-only comments the tag kept apart
 *   are merged as MJML merges them.
 * The compiled HTML must hold every tag once, in the template's order (so
 * blocks and scopes are intact), and every output within the blocks it was
 * written in (MJML may repeat one: the title is an aria-label too); anything
 * else is an error naming the construct, reported by `retention templates
 * check` too. Known difference: MJML leaves out what an empty value makes
 * empty (an aria-label for an empty title, the preview for an empty
 * preheader, the link of a button whose href is empty); compiled, the value is
 * not known yet, so they stay, empty.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Liquid, Tokenizer, TypeGuards, type TagToken, type TopLevelToken } from 'liquidjs';
import mjml2html from 'mjml';
import { compiledManifest, inlineTag, liquidOptions, localeFile, splitTemplate, type CompiledTemplate } from './template-file';

/** A construct that cannot be compiled in place, where it was written (`partial`: a path in the templates folder, or "" for the template). */
export class CompileError extends Error {
  constructor(
    readonly detail: string,
    readonly at: { partial: string; line: number; column: number },
    where: string,
    message = `${at.partial || where}:${at.line}:${at.column}: ${detail}`,
  ) {
    super(message);
  }
}

interface Construct {
  /** The Liquid as it goes in the compiled HTML. */
  text: string;
  /** Liquid that opens (`{% inline %}`) or closes partial scopes around it. */
  prefix: string;
  suffix: string;
  origin: [line: number, column: number, partial: string];
  /** Where the prefix's `{% inline %}` was written: the `{% render %}` tag. */
  prefixOrigin?: [line: number, column: number, partial: string];
  tag?: string;
}

/** Tags that may stand between MJML elements: they output nothing of their own. */
const layoutTags = new Set(['if', 'elsif', 'else', 'endif', 'unless', 'endunless', 'case', 'when', 'endcase', 'for', 'endfor', 'break', 'continue', 'assign', 'capture', 'endcapture']);
/**
 * Where they may: between sections, or the contents of a column. Not between
 * the columns of a section, which MJML sizes by how many there are.
 */
const layoutParents = new Set(['mj-body', 'mj-wrapper', 'mj-column']);

const maxPartialDepth = 10;

/** `{{-`, `-}}`, `{%-`, `-%}` lose their `-`: the compiler applied the trimming already. */
const withoutTrim = (text: string) => text.replace(/^(\{\{|\{%)-/, '$1').replace(/-(\}\}|%\})$/, '$1');

export async function compileTemplate(
  content: string,
  options: { where: string; templatesDir: string },
): Promise<{ template: CompiledTemplate; partials: string[] }> {
  const { where, templatesDir } = options;
  const { fields, body } = splitTemplate(content, where);
  const engine = new Liquid(liquidOptions(templatesDir));
  const partialsDir = resolve(engine.options.partials[0] ?? join(templatesDir, 'partials'));
  const constructs: Construct[] = [];
  /** The MJML with a placeholder (a construct's index) in place of each construct. */
  const pieces: (string | number)[] = [];
  /** Where each text piece starts in its file, for MJML's errors: `[line, partial]`. */
  const textOrigins = new Map<number, [number, string]>();
  const partials = new Set<string>();

  const tokenize = (text: string, file: string) => {
    try {
      return new Tokenizer(text, engine.options.operators, file).readTopLevelTokens(engine.options);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  };

  // Syntax errors as a render reports them: at the template's own lines.
  try {
    engine.parse(body);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }

  const expand = (tokens: TopLevelToken[], partial: string, depth: number) => {
    // A construct that lost its leading `-` starts a column later in the file than in the compiled HTML.
    const at = (token: TopLevelToken): Construct['origin'] => {
      const [line, column] = token.getPosition() as [number, number];
      return [line, column + (/^(\{\{|\{%)-/.test(token.getText()) ? 1 : 0), partial];
    };
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (TypeGuards.isHTMLToken(token)) {
        const trimmed = token.input.slice(token.begin, token.begin + token.trimLeft).split('\n').length - 1;
        textOrigins.set(pieces.push(token.getContent()) - 1, [token.getPosition()[0]! + trimmed, partial]);
        continue;
      }
      if (!TypeGuards.isTagToken(token)) {
        pieces.push(constructs.push({ text: withoutTrim(token.getText()), prefix: '', suffix: '', origin: at(token) }) - 1);
        continue;
      }
      if (token.name === 'comment') {
        while (i < tokens.length && !(TypeGuards.isTagToken(tokens[i]!) && (tokens[i] as TagToken).name === 'endcomment')) i++;
        continue;
      }
      if (token.name === '#') continue;
      if (token.name === 'raw') {
        // Kept whole, so what it protects stays text at send time too.
        let text = '{% raw %}';
        while (++i < tokens.length && !(TypeGuards.isTagToken(tokens[i]!) && (tokens[i] as TagToken).name === 'endraw')) text += tokens[i]!.getText();
        pieces.push(constructs.push({ text: `${text}{% endraw %}`, prefix: '', suffix: '', origin: at(token) }) - 1);
        continue;
      }
      const file = token.name === 'render' ? inlinablePartial(token, engine, partialsDir) : undefined;
      if (file) {
        if (depth >= maxPartialDepth) throw new Error(`${where}: partials render each other more than ${maxPartialDepth} deep`);
        if (!existsSync(file)) throw new Error(`${where}: ${token.getText()}: no partial ${relative(templatesDir, file)}`);
        partials.add(file);
        const first = constructs.length;
        const name = relative(templatesDir, file).split(sep).join('/');
        expand(tokenize(readFileSync(file, 'utf8'), file), name, depth + 1);
        // A partial with no Liquid needs no scope (its arguments are then not evaluated: the checker still renders them).
        if (constructs.length > first) {
          constructs[first]!.prefix = `{% ${inlineTag} ${token.args} %}${constructs[first]!.prefix}`;
          constructs[first]!.prefixOrigin ??= at(token);
          constructs.at(-1)!.suffix += `{% end${inlineTag} %}`;
        }
        continue;
      }
      pieces.push(constructs.push({ text: withoutTrim(token.getText()), prefix: '', suffix: '', origin: at(token), tag: token.name }) - 1);
    }
  };
  expand(tokenize(body, where), '', 0);

  // Placeholders are letters and digits: MJML keeps them as they are in text and attributes alike.
  const all = [body, ...[...partials].map((file) => readFileSync(file, 'utf8'))].join('\n');
  let marker = 'lqd';
  while (new RegExp(`${marker}\\d+x`).test(all)) marker += 'q';
  const placeholder = (i: number) => `${marker}${i}x`;
  const pattern = new RegExp(`${marker}(\\d+)x`, 'g');
  const show = (text: string) => text.replace(pattern, (_, i: string) => constructs[Number(i)]!.text);
  const fail = (c: Construct, problem: string) =>
    new CompileError(`${c.text} ${problem}`, { partial: c.origin[2], line: c.origin[0], column: c.origin[1] }, where);

  const raw = new Set<number>();
  const mjmlOf = () => pieces.map((p) => (typeof p === 'string' ? p : raw.has(p) ? `<mj-raw>${placeholder(p)}</mj-raw>` : placeholder(p))).join('');
  const found = (html: string) => [...html.matchAll(pattern)].map((m) => Number(m[1]));

  /** A line of the MJML given to MJML, as a line of the template or a partial. */
  const locate = (mjmlLine: number) => {
    let line = 1;
    let found: { partial: string; line: number } = { partial: '', line: mjmlLine };
    for (const [k, piece] of pieces.entries()) {
      if (line > mjmlLine) break;
      const origin = textOrigins.get(k);
      if (origin) found = { partial: origin[1], line: origin[0] + mjmlLine - line };
      if (typeof piece === 'string') line += piece.split('\n').length - 1;
    }
    return found;
  };

  let html = await mjmlToHtml(mjmlOf(), where, { show, locate });
  const seen = new Set(found(html));
  const dropped = constructs.flatMap((c, i) => (seen.has(i) ? [] : [i]));
  if (dropped.length) {
    const parent = parents(pieces);
    for (const i of dropped) {
      const c = constructs[i]!;
      if (!c.tag || !layoutTags.has(c.tag)) {
        throw fail(c, 'stands between MJML elements, where MJML drops it: put it in an <mj-text> (or an <mj-raw>)');
      }
      if (!layoutParents.has(parent.get(i)!)) {
        throw fail(c, `stands between the children of <${parent.get(i)}>, which MJML lays out by their number: put it around the whole element`);
      }
      raw.add(i);
    }
    html = await mjmlToHtml(mjmlOf(), where, { show, locate });
  }
  // Tags (and a partial's first and last construct, which open and close its scope) must be there once and in order;
  // an output may be repeated or moved (MJML writes the title in an aria-label too), within the blocks it was written in.
  const structural = (c: Construct) => Boolean(c.tag || c.prefix || c.suffix);
  const occurrences = found(html);
  const order = occurrences.filter((i) => structural(constructs[i]!));
  const expected = constructs.flatMap((c, i) => (structural(c) ? [i] : []));
  const wrong = expected.find((i, k) => order[k] !== i) ?? (order.length > expected.length ? order[expected.length] : undefined);
  const missing = constructs.findIndex((_, i) => !occurrences.includes(i));
  const misplaced = wrong ?? (missing >= 0 ? missing : occurrencesOutOfContext(constructs, occurrences));
  if (misplaced !== undefined) {
    const c = constructs[misplaced]!;
    throw fail(c, 'is dropped, moved or repeated by MJML: the template cannot be compiled once; keep Liquid in the texts, tables and links of the email');
  }

  const origins: CompiledTemplate['origins'] = [];
  let out = '';
  let last = 0;
  for (const m of html.matchAll(pattern)) {
    const c = constructs[Number(m[1])]!;
    out += html.slice(last, m.index);
    if (c.prefix) origins.push([out.length, ...(c.prefixOrigin ?? c.origin)]);
    out += c.prefix;
    origins.push([out.length, ...c.origin]);
    out += c.text + c.suffix;
    last = m.index + m[0].length;
  }
  out += html.slice(last);
  return { template: { fields, html: out, origins, ...(raw.size && { betweenSections: true as const }) }, partials: [...partials] };
}

/** The MJML element each construct stands in: the innermost `mj` tag open before it. */
function parents(pieces: (string | number)[]): Map<number, string> {
  const inside = new Map<number, string>();
  const stack: string[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'number') inside.set(piece, stack.at(-1) ?? '');
    else
      for (const [, closing, name, selfClosing] of piece.matchAll(/<(\/?)(mj[a-z-]*)\b[^>]*?(\/?)>/g)) {
        if (closing) stack.pop();
        else if (!selfClosing) stack.push(name!);
      }
  }
  return inside;
}

/** Liquid's block tags, and the tags that start another branch of one. */
const blockTags = new Set(['if', 'unless', 'case', 'for', 'tablerow', 'capture']);
const branchTags = new Set(['elsif', 'else', 'when']);

/** The blocks (and branches) around each construct, in the order given: the same for a construct wherever it occurs. */
function contexts(constructs: Construct[], order: number[]): string[] {
  const stack: string[] = [];
  return order.map((i) => {
    const c = constructs[i]!;
    if (c.prefix) stack.push(`p${i}`);
    if (c.tag && branchTags.has(c.tag)) stack.push(`${stack.pop()}.${i}`);
    if (c.tag?.startsWith('end')) stack.pop();
    const context = stack.join('/');
    if (c.tag && blockTags.has(c.tag)) stack.push(String(i));
    for (let k = c.suffix.split(`end${inlineTag}`).length - 1; k > 0; k--) stack.pop();
    return context;
  });
}

/** An output MJML put in another block than the one it was written in, if any. */
function occurrencesOutOfContext(constructs: Construct[], occurrences: number[]): number | undefined {
  const written = contexts(constructs, constructs.map((_, i) => i));
  const found = contexts(constructs, occurrences);
  const k = occurrences.findIndex((i, k) => found[k] !== written[i]);
  return k < 0 ? undefined : occurrences[k];
}

/** The partial file of a `{% render 'name', key: value %}` the compiler can put in place: a literal name, arguments only (no `with` or `for`). */
function inlinablePartial(token: TagToken, engine: Liquid, partialsDir: string): string | undefined {
  const tokenizer = new Tokenizer(token.args, engine.options.operators);
  const name = tokenizer.readValue();
  if (!name || !TypeGuards.isQuotedToken(name) || /\{\{|\{%/.test(name.content)) return undefined;
  tokenizer.skipBlank();
  if (tokenizer.peek() === ',') tokenizer.advance();
  tokenizer.skipBlank();
  const next = tokenizer.readIdentifier().content;
  tokenizer.skipBlank();
  // `with x` or `for xs`, not an argument named so (`with: x`).
  if ((next === 'with' || next === 'for') && tokenizer.peek() !== ':') return undefined;
  const file = resolve(partialsDir, extname(name.content) ? name.content : `${name.content}${engine.options.extname}`);
  return file.startsWith(partialsDir + sep) ? file : undefined;
}

/**
 * MJML to HTML as every email is made: strict validation, no comments, no web
 * fonts. Compiling, MJML's first problem is a `CompileError` in the template's
 * own terms (`show` puts the Liquid back, `locate` finds the line).
 */
export async function mjmlToHtml(
  mjml: string,
  where: string,
  compiling?: { show: (text: string) => string; locate: (line: number) => { partial: string; line: number } },
): Promise<string> {
  try {
    // No filePath/includes: partials are Liquid's job. Explicit fonts: {} so MJML never adds Google Fonts links.
    const { html } = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false, fonts: {} });
    return html;
  } catch (error) {
    // Strict validation throws a ValidationError carrying every problem; anything else (malformed XML) is one message.
    const errors = (error as { errors?: { line: number; tagName: string; message: string }[] }).errors;
    const show = compiling?.show ?? ((text: string) => text);
    const line = (n: number) => {
      const at = compiling?.locate(n);
      return at?.partial ? `${at.line} of ${at.partial}` : String(at?.line ?? n);
    };
    const detail = errors?.length
      ? errors.map((e) => `  - line ${line(e.line)} <${e.tagName}>: ${show(e.message)}`).join('\n')
      : `  - ${show((error as Error).message)}`;
    const message = `${where}: MJML errors:\n${detail}`;
    const first = errors?.[0];
    if (compiling && first) {
      throw new CompileError(`MJML <${first.tagName}>: ${show(first.message).trim()}`, { ...compiling.locate(first.line), column: 1 }, where, message);
    }
    throw new Error(message);
  }
}

/**
 * Every template of a folder compiled into `<outDir>/compiled.json`, with what
 * a render still reads from files: the partials (a `render` the compiler
 * leaves, e.g. `for`) and each set's `experiment.json`. Returns the templates.
 */
export async function compileTemplates(templatesDir: string, outDir: string): Promise<string[]> {
  const manifest: Record<string, CompiledTemplate> = {};
  mkdirSync(outDir, { recursive: true });
  const sets = readdirSync(templatesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  for (const set of sets) {
    if (set === 'partials') {
      cpSync(join(templatesDir, set), join(outDir, set), { recursive: true });
      continue;
    }
    for (const file of readdirSync(join(templatesDir, set)).sort()) {
      const locale = localeFile.exec(file)?.[1];
      if (file === 'experiment.json') cpSync(join(templatesDir, set, file), join(outDir, set, file));
      if (!locale) continue;
      const content = readFileSync(join(templatesDir, set, file), 'utf8');
      manifest[`${set}/${file}`] = (await compileTemplate(content, { where: `${set}/${locale}.mjml`, templatesDir })).template;
    }
  }
  writeFileSync(join(outDir, compiledManifest), JSON.stringify(manifest));
  return Object.keys(manifest);
}
