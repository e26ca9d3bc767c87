/**
 * Renders campaign emails from `templates/<campaign>/<locale>.mjml`
 * (DESIGN §5 "locales" and "templates").
 *
 * A template file is a front matter block, then MJML with Liquid:
 *
 *     ---
 *     subject: Happy birthday, {{ customer.firstName }}!
 *     preheader: A little gift from {{ shop.name }}
 *     ---
 *     <mjml> ... <mj-title>{{ email.subject }}</mj-title> ... </mjml>
 *
 * Order: Liquid over the front matter fields, Liquid over the body (which
 * also sees the rendered `email.subject` and `email.preheader`), MJML to
 * HTML, then the plain-text part from that HTML. The same code runs for a
 * preview, a local send and a send on AWS, so all three are the same bytes;
 * nothing here reads the clock or draws random numbers.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convert, type HtmlToTextOptions } from 'html-to-text';
import { Liquid, type Template } from 'liquidjs';
import mjml2html from 'mjml';
import { resolveLocale } from './locale';

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

/** Front matter fields a template must define, and nothing else (a typo is an error, not a silent default). */
const frontMatterFields = ['subject', 'preheader'] as const;
type FrontMatterField = (typeof frontMatterFields)[number];

interface ParsedTemplate {
  source: TemplateSource;
  fields: Record<FrontMatterField, Template[]>;
  body: Template[];
}

// Campaign names become a directory name: keep them to plain slugs so a name can never walk out of templatesDir.
const campaignName = /^[a-z0-9][a-z0-9-]*$/;

const textOptions: HtmlToTextOptions = {
  wordwrap: 78,
  selectors: [
    // The preheader is a hidden <div> for the inbox preview only; the text part starts with the greeting.
    { selector: 'div[style*="display:none"]', format: 'skip' },
    { selector: 'img', format: 'skip' },
    // A link whose text is its URL is shown once, not "url [url]".
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
  ],
};

/** Template files are `<locale>.mjml`; an A/B variant of one is `<locale>.<variant>.mjml`. */
const localeFile = /^([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*)(?:\.([a-z0-9-]+))?\.mjml$/;

export function createRenderer(templatesDir: string): {
  render(campaign: string, locale: string | undefined, data: Record<string, unknown>, variant?: string): Promise<RenderedEmail>;
  /** Renders a template's text that is not (yet) in a file: a preview while a marketer edits it. */
  renderSource(campaign: string, locale: string, content: string, data: Record<string, unknown>): Promise<RenderedEmail>;
  locales(campaign: string): string[];
  variants(campaign: string, locale: string): string[];
} {
  const shared = {
    strictVariables: true, // a misspelt variable is an error naming it, never a blank
    strictFilters: true,
    partials: join(templatesDir, 'partials'),
    extname: '.liquid',
    relativeReference: false,
    cache: true, // partials are parsed once per renderer
  };
  // The body is HTML: every {{ output }} is escaped, so a customer's name cannot inject markup.
  const html = new Liquid({ ...shared, outputEscape: 'escape' });
  // Subject and preheader are plain text (the mail header, the hidden preview): escaping would show "&amp;".
  const plain = new Liquid(shared);

  const parsed = new Map<string, Promise<ParsedTemplate>>();
  const localeLists = new Map<string, string[]>();

  const locales = (campaign: string): string[] => {
    if (!campaignName.test(campaign)) throw new Error(`invalid campaign name "${campaign}"`);
    let list = localeLists.get(campaign);
    if (!list) {
      let files: string[];
      try {
        files = readdirSync(join(templatesDir, campaign));
      } catch {
        throw new Error(`no templates for campaign "${campaign}" in ${templatesDir}`);
      }
      fileLists.set(campaign, files);
      list = [...new Set(files.flatMap((f) => localeFile.exec(f)?.[1] ?? []))].sort();
      localeLists.set(campaign, list);
    }
    return list;
  };
  const fileLists = new Map<string, string[]>();
  const variants = (campaign: string, locale: string) => {
    locales(campaign);
    return (fileLists.get(campaign) ?? []).flatMap((f) => {
      const m = localeFile.exec(f);
      return m?.[1] === locale && m[2] ? [m[2]] : [];
    });
  };

  const load = (source: TemplateSource): Promise<ParsedTemplate> => {
    // Keyed by modification time too: a template saved from the studio is used by the next send.
    const key = `${source.file}@${statSync(source.file, { throwIfNoEntry: false })?.mtimeMs ?? 0}`;
    let entry = parsed.get(key);
    if (!entry) {
      entry = readFile(source.file, 'utf8').then((content) => parseTemplate(source, content, html, plain));
      // Do not cache a failure: a fixed file (local dev) should load on the next call.
      entry.catch(() => parsed.delete(key));
      parsed.set(key, entry);
    }
    return entry;
  };

  return {
    locales,

    variants,

    async render(campaign, locale, data, variant) {
      const resolved = resolveLocale(locales(campaign), locale);
      // A variant without a file of its own for this locale is the base template.
      const file = variant && variants(campaign, resolved).includes(variant) ? `${resolved}.${variant}.mjml` : `${resolved}.mjml`;
      const source = { campaign, locale: resolved, file: join(templatesDir, campaign, file) };
      return renderParsed(await load(source), data, `${campaign}/${file}`);
    },

    async renderSource(campaign, locale, content, data) {
      const source = { campaign, locale, file: join(templatesDir, campaign, `${locale}.mjml`) };
      return renderParsed(parseTemplate(source, content, html, plain), data, `${campaign}/${locale}.mjml`);
    },
  };

  async function renderParsed(template: ParsedTemplate, data: Record<string, unknown>, where: string): Promise<RenderedEmail> {
    const field = async (name: FrontMatterField) => {
      const out = await liquid(plain, template.fields[name], data, `${where} (${name})`);
      // One line, always: a newline in a customer's name must never reach a mail header.
      return out.replace(/\s+/g, ' ').trim();
    };
    const subject = await field('subject');
    const preheader = await field('preheader');

    const mjml = await liquid(html, template.body, { ...data, email: { subject, preheader } }, where);
    const result = await toHtml(mjml, where);
    const text = convert(result, textOptions);
    return { subject, preheader, html: result, text, locale: template.source.locale };
  }
}

/** Splits and parses once; Liquid syntax errors surface here, naming the file. */
function parseTemplate(source: TemplateSource, content: string, html: Liquid, plain: Liquid): ParsedTemplate {
  const where = `${source.campaign}/${source.locale}.mjml`;
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') throw new Error(`${where}: must start with a front matter block ("---" line)`);
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  if (end < 0) throw new Error(`${where}: front matter has no closing "---" line`);

  const raw: Partial<Record<FrontMatterField, string>> = {};
  lines.slice(1, end).forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const m = /^([A-Za-z][\w-]*):\s?(.*)$/.exec(line);
    const key = m?.[1] as FrontMatterField | undefined;
    if (!m || !key || !frontMatterFields.includes(key)) {
      throw new Error(`${where}:${i + 2}: expected one of ${frontMatterFields.join(', ')} as "name: value", got "${line}"`);
    }
    raw[key] = unquote(m[2]!.trim());
  });

  const parse = (engine: Liquid, text: string, label: string) => {
    try {
      return engine.parse(text);
    } catch (error) {
      throw new Error(`${label}: ${(error as Error).message}`);
    }
  };
  const fields = {} as Record<FrontMatterField, Template[]>;
  for (const name of frontMatterFields) {
    const value = raw[name];
    if (value === undefined) throw new Error(`${where}: front matter has no "${name}"`);
    fields[name] = parse(plain, value, `${where} (${name})`);
  }
  // Blank lines stand in for the front matter so Liquid's line numbers match the file.
  const body = '\n'.repeat(end + 1) + lines.slice(end + 1).join('\n');
  return { source, fields, body: parse(html, body, where) };
}

/** YAML-like: a value may be wrapped in matching quotes, e.g. to start it with a "{". */
const unquote = (value: string) =>
  value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0] ? value.slice(1, -1) : value;

async function liquid(engine: Liquid, template: Template[], data: Record<string, unknown>, where: string): Promise<string> {
  try {
    return await engine.render(template, data);
  } catch (error) {
    // liquidjs says e.g. "undefined variable: customer.fistName, line:12, col:5"; add which file.
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

async function toHtml(mjml: string, where: string): Promise<string> {
  try {
    // No filePath/includes: partials are Liquid's job. Explicit fonts: {} so MJML never adds Google Fonts links.
    const { html } = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false, fonts: {} });
    return html;
  } catch (error) {
    // Strict validation throws a ValidationError carrying every problem; anything else (malformed XML) is one message.
    const errors = (error as { errors?: { line: number; tagName: string; message: string }[] }).errors;
    const detail = errors?.length
      ? errors.map((e) => `  - line ${e.line} <${e.tagName}>: ${e.message}`).join('\n')
      : `  - ${(error as Error).message}`;
    throw new Error(`${where}: MJML errors:\n${detail}`);
  }
}
