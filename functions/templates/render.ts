/**
 * Renders campaign emails from `templates/<campaign>/<locale>.mjml`
 * (docs/design.md §5 "locales" and "templates").
 *
 * A template file is a front matter block, then MJML with Liquid:
 *
 *     ---
 *     subject: Happy birthday, {{ customer.firstName }}!
 *     preheader: A little gift from {{ shop.name }}
 *     ---
 *     <mjml> ... <mj-title>{{ email.subject }}</mj-title> ... </mjml>
 *
 * Each template file is compiled once (./compile): MJML to HTML, keeping its
 * Liquid. A send renders only Liquid: over the front matter fields, then over
 * the compiled body (which also sees the rendered `email.subject` and
 * `email.preheader`), then the plain-text part from that HTML. Locally a
 * template compiles on first use and again once its file (or a partial it
 * renders) changes; the Lambda bundles carry templates compiled at build time
 * and no MJML at all (lib/bundle.ts). A draft (`renderSource`: the studio's
 * preview, the checker) is rendered as it always was, Liquid then MJML; the
 * two give the same bytes (test/unit/compiled-templates.test.ts). Nothing here
 * reads the clock or draws random numbers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compile as compileText, type HtmlToTextOptions } from 'html-to-text';
import { Hash, Liquid, Tag, TypeGuards, type Context, type Emitter, type Parser, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { resolveLocale } from './locale';
import { compiledManifest, frontMatterFields, inlineTag, liquidOptions, localeFile, mergeOutlookComments, splitTemplate, type CompiledTemplate, type FrontMatterField } from './template-file';

export { resolveLocale };

export type { BirthdayTemplateData, LinksTemplateData, NpsSurveyTemplateData, ShopTemplateData, WinbackOfferTemplateData, WinbackReminderTemplateData } from './data';

export interface RenderedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** The template locale actually used, e.g. "ms" for a customer in "ms-MY". */
  locale: string;
}

export interface TemplateSource {
  campaign: string;
  locale: string;
  file: string;
}

/**
 * `RETENTION_PRECOMPILED_TEMPLATES` is set in the Lambda bundles (lib/bundle.ts,
 * esbuild `define`): a renderer reads the templates compiled in
 * `compiledManifest`, and the MJML toolchain is not bundled. The condition is
 * written out at each use: esbuild drops the import (and MJML) only for a
 * condition it reads as a constant.
 */
const mjmlTools = (): Promise<typeof import('./compile')> =>
  process.env.RETENTION_PRECOMPILED_TEMPLATES === 'true'
    ? Promise.reject(new Error('MJML is not part of this bundle: templates are compiled at build time'))
    : import('./compile');

/** A template file as compiled, and the files it was compiled from with their modification times. */
interface Compiled {
  files: string[];
  stamp: string;
  template: Promise<ParsedTemplate>;
}

interface ParsedTemplate {
  source: TemplateSource;
  fields: Record<FrontMatterField, Template[]>;
  body: Template[];
  /** What the body was compiled from; without it, the body renders to MJML (a draft). */
  compiled?: CompiledTemplate;
}

// Campaign names become a directory name: keep them to plain slugs so a name can never walk out of templatesDir.
const campaignName = /^[a-z0-9][a-z0-9-]*$/;

/** Unicode's FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: what `<bdi>` is in plain text. */
const firstStrongIsolate = '\u2068';
const popDirectionalIsolate = '\u2069';
/** Embeddings, overrides and isolates a value could carry: a stray POP DIRECTIONAL ISOLATE would end the isolate early. */
const bidiControls = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * The `isolate` filter of subjects and preheaders (plain text): the value
 * between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, so a Latin name in
 * an Arabic subject keeps its order and punctuation ("J. Smith Jr." stays so),
 * and an Arabic name in a left-to-right one too. Nothing for an empty value;
 * the value's own bidi controls are dropped. The body isolates with `<bdi>`,
 * which the text part writes the same way (`textOptions`).
 */
export function isolate(value: unknown): string {
  const text = String(value ?? '').replace(bidiControls, '');
  return text.trim() ? `${firstStrongIsolate}${text}${popDirectionalIsolate}` : text;
}

/**
 * The plain-text part, made from the HTML: it reads as a screen reader reads
 * the email. What the HTML hides from one (`aria-hidden`) is left out, a link
 * with an `aria-label` is that label, and what `<bdi>` isolates is isolated.
 */
export const textOptions: HtmlToTextOptions = {
  wordwrap: 78,
  formatters: {
    /**
     * "label: url" on a line of its own, never wrapped: the survey's scores are
     * eleven such lines, "0 – not at all likely: https://…" to "10 – extremely likely: https://…".
     */
    labelledLink(elem, walk, builder) {
      const { 'aria-label': label, href } = elem.attribs ?? {};
      if (!href) return walk(elem.children ?? [], builder);
      builder.openBlock({ leadingLineBreaks: 1 });
      builder.startNoWrap();
      builder.addInline(`${label}: `);
      builder.addInline(href, { noWordTransform: true });
      builder.stopNoWrap();
      builder.closeBlock({ trailingLineBreaks: 1 });
    },
  },
  selectors: [
    // The preheader is a hidden <div> for the inbox preview only; the text part starts with the greeting.
    { selector: 'div[style*="display:none"]', format: 'skip' },
    // What a screen reader does not read (e.g. the survey's scale labels, which the score links carry).
    { selector: '[aria-hidden="true"]', format: 'skip' },
    { selector: 'img', format: 'skip' },
    // A link whose text is its URL is shown once, not "url [url]".
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'a[aria-label]', format: 'labelledLink' },
    { selector: 'bdi', format: 'inlineSurround', options: { prefix: firstStrongIsolate, suffix: popDirectionalIsolate } },
    { selector: 'h1', options: { uppercase: false, leadingLineBreaks: 2 } },
    { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 2 } },
  ],
};

// html-to-text's convert() builds its selector tree on every call, half of its cost: built once here.
let toText: ((html: string) => string) | undefined;

/** `{% inline %}` (./template-file): a `render` whose partial is in place, rendered in the scope `render` would give it. */
class InlinePartial extends Tag {
  private readonly hash: Hash;
  private readonly templates: Template[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    this.tokenizer.readValue(); // the partial's name, for the reader
    this.hash = new Hash(this.tokenizer, liquid.options.keyValueSeparator);
    while (remainTokens.length) {
      const next = remainTokens.shift()!;
      if (TypeGuards.isTagToken(next) && next.name === `end${inlineTag}`) return;
      this.templates.push(parser.parseToken(next, remainTokens));
    }
    throw new Error(`tag ${token.getText()} not closed`);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const child = ctx.spawn();
    Object.assign(child.bottom(), yield this.hash.render(ctx));
    yield this.liquid.renderer.renderTemplates(this.templates, child, emitter);
  }
}

/** The Liquid engines of a templates folder: HTML (escaping every output) and plain text. */
const engines = (templatesDir: string) => {
  const shared = liquidOptions(templatesDir);
  // The body is HTML: every {{ output }} is escaped, so a customer's name cannot inject markup.
  const html = new Liquid({ ...shared, outputEscape: 'escape' });
  html.registerTag(inlineTag, InlinePartial);
  // Subject and preheader are plain text (the mail header, the hidden preview): escaping would show "&amp;".
  const plain = new Liquid(shared);
  // Only there: the body isolates with <bdi>, and a filter the compiler (./compile) does not know could not be compiled.
  plain.registerFilter('isolate', isolate);
  return { html, plain };
};

export function createRenderer(templatesDir: string): {
  render(campaign: string, locale: string | undefined, data: Record<string, unknown>, variant?: string): Promise<RenderedEmail>;
  /** Renders a template's text that is not (yet) in a file: a preview while a marketer edits it. */
  renderSource(campaign: string, locale: string, content: string, data: Record<string, unknown>): Promise<RenderedEmail>;
  locales(campaign: string): string[];
  variants(campaign: string, locale: string): string[];
} {
  const { html, plain } = engines(templatesDir);
  const localeLists = new Map<string, string[]>();
  const fileLists = new Map<string, string[]>();
  const compiledFiles = process.env.RETENTION_PRECOMPILED_TEMPLATES === 'true' ? readManifest(templatesDir) : undefined;

  const locales = (campaign: string): string[] => {
    if (!campaignName.test(campaign)) throw new Error(`invalid campaign name "${campaign}"`);
    let list = localeLists.get(campaign);
    if (!list) {
      let files: string[];
      try {
        files = compiledFiles ? compiledFiles.files(campaign) : readdirSync(join(templatesDir, campaign));
      } catch {
        throw new Error(`no templates for campaign "${campaign}" in ${templatesDir}`);
      }
      fileLists.set(campaign, files);
      list = [...new Set(files.flatMap((f) => localeFile.exec(f)?.[1] ?? []))].sort();
      localeLists.set(campaign, list);
    }
    return list;
  };
  const variants = (campaign: string, locale: string) => {
    locales(campaign);
    return (fileLists.get(campaign) ?? []).flatMap((f) => {
      const m = localeFile.exec(f);
      return m?.[1] === locale && m[2] ? [m[2]] : [];
    });
  };

  const parse = (source: TemplateSource, fields: Record<FrontMatterField, string>, body: string, compiled?: CompiledTemplate): ParsedTemplate => {
    const where = `${source.campaign}/${source.locale}.mjml`;
    const parsed = {} as Record<FrontMatterField, Template[]>;
    for (const name of frontMatterFields) parsed[name] = parseLiquid(plain, fields[name], `${where} (${name})`);
    return { source, fields: parsed, body: parseLiquid(html, body, where), compiled };
  };
  const fromCompiled = (source: TemplateSource, compiled: CompiledTemplate) => parse(source, compiled.fields, compiled.html, compiled);

  /**
   * Each template file compiled once, with the modification times of the files
   * it was compiled from (it and the partials it renders): a template or
   * partial saved from the studio is compiled again for the next send.
   */
  const compiled = new Map<string, Compiled>();
  const stampOf = (files: string[]) => files.map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0).join();

  const compileFile = async (source: TemplateSource, entry: Compiled): Promise<ParsedTemplate> => {
    const content = await readFile(source.file, 'utf8');
    const { compileTemplate } = await mjmlTools();
    const result = await compileTemplate(content, { where: `${source.campaign}/${source.locale}.mjml`, templatesDir });
    entry.files.push(...result.partials);
    entry.stamp = [entry.stamp, stampOf(result.partials)].filter(Boolean).join();
    return fromCompiled(source, result.template);
  };

  const load = (source: TemplateSource, name: string): Promise<ParsedTemplate> => {
    const cached = compiled.get(name);
    // A bundle's templates never change; a file changes when it or a partial it renders does.
    if (cached && (compiledFiles || cached.stamp === stampOf(cached.files))) return cached.template;
    const entry = { files: [source.file], stamp: compiledFiles ? '' : stampOf([source.file]) } as Compiled;
    entry.template = compiledFiles ? Promise.resolve().then(() => fromCompiled(source, compiledFiles.get(name))) : compileFile(source, entry);
    // Do not cache a failure: a fixed file (local dev) should load on the next call.
    entry.template.catch(() => compiled.get(name) === entry && compiled.delete(name));
    compiled.set(name, entry);
    return entry.template;
  };

  return {
    locales,

    variants,

    async render(campaign, locale, data, variant) {
      const resolved = resolveLocale(locales(campaign), locale);
      // A variant without a file of its own for this locale is the base template.
      const file = variant && variants(campaign, resolved).includes(variant) ? `${resolved}.${variant}.mjml` : `${resolved}.mjml`;
      const source = { campaign, locale: resolved, file: join(templatesDir, campaign, file) };
      return renderParsed(await load(source, `${campaign}/${file}`), data, `${campaign}/${file}`);
    },

    async renderSource(campaign, locale, content, data) {
      const source = { campaign, locale, file: join(templatesDir, campaign, `${locale}.mjml`) };
      const { fields, body } = splitTemplate(content, `${campaign}/${locale}.mjml`);
      return renderParsed(parse(source, fields, body), data, `${campaign}/${locale}.mjml`);
    },
  };

  async function renderParsed(template: ParsedTemplate, data: Record<string, unknown>, where: string): Promise<RenderedEmail> {
    const field = (name: FrontMatterField) => {
      const out = liquid(plain, template.fields[name], data, `${where} (${name})`);
      // One line, always: a newline in a customer's name must never reach a mail header.
      return out.replace(/\s+/g, ' ').trim();
    };
    const subject = field('subject');
    const preheader = field('preheader');

    const body = liquid(html, template.body, { ...data, email: { subject, preheader } }, where, template.compiled);
    const result = !template.compiled
      ? await (await mjmlTools()).mjmlToHtml(body, where)
      : template.compiled.betweenSections
        ? mergeOutlookComments(body)
        : body;
    const text = (toText ??= compileText(textOptions))(result);
    return { subject, preheader, html: result, text, locale: template.source.locale };
  }
}

/** The compiled templates a Lambda bundle carries, read once. */
function readManifest(templatesDir: string) {
  let manifest: Record<string, CompiledTemplate> | undefined;
  const all = () => (manifest ??= JSON.parse(readFileSync(join(templatesDir, compiledManifest), 'utf8')) as Record<string, CompiledTemplate>);
  return {
    files: (campaign: string) => {
      const files = Object.keys(all()).flatMap((key) => (key.startsWith(`${campaign}/`) ? [key.slice(campaign.length + 1)] : []));
      if (!files.length) throw new Error(`no compiled templates for "${campaign}"`);
      return files;
    },
    get: (name: string) => {
      const template = all()[name];
      if (!template) throw new Error(`${name} is not among the compiled templates`);
      return template;
    },
  };
}

/** Parses once; Liquid syntax errors surface here, naming the file. */
function parseLiquid(engine: Liquid, text: string, label: string): Template[] {
  try {
    return engine.parse(text);
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`);
  }
}

/** Rendered synchronously: no tag or filter of a template waits on anything, and liquidjs's async path was a third of a render. */
function liquid(engine: Liquid, template: Template[], data: Record<string, unknown>, where: string, compiled?: CompiledTemplate): string {
  try {
    return engine.renderSync(template, data);
  } catch (error) {
    // liquidjs says e.g. "undefined variable: customer.fistName, line:12, col:5"; add which file.
    throw new Error(`${where}: ${compiled ? relocate(error as Error, compiled) : (error as Error).message}`);
  }
}

/** A compiled template's error, with the line and column (and partial) where its Liquid was written. */
function relocate(error: Error, compiled: CompiledTemplate): string {
  const offset = (error as { token?: { begin?: number } }).token?.begin;
  let origin: CompiledTemplate['origins'][number] | undefined;
  for (const o of compiled.origins) if (offset !== undefined && o[0] <= offset) origin = o;
  if (!origin) return error.message;
  const [start, line, column, partial] = origin;
  const before = compiled.html.slice(start, offset);
  const newlines = before.split('\n').length - 1;
  const col = newlines ? before.length - before.lastIndexOf('\n') : column + before.length;
  return error.message.replace(/(, file:[^,]*)?, line:\d+, col:\d+/, `${partial ? `, file:${partial}` : ''}, line:${line + newlines}, col:${col}`);
}
