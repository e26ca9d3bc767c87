/**
 * What a template file is, for the renderer (./render) and the compiler
 * (./compile) alike: its name, its front matter, its Liquid settings, and its
 * compiled form.
 */
import { join } from 'node:path';

/** Template files are `<locale>.mjml`; an A/B variant of one is `<locale>.<variant>.mjml`. */
export const localeFile = /^([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*)(?:\.([a-z0-9-]+))?\.mjml$/;

/** Front matter fields a template must define, and nothing else (a typo is an error, not a silent default). */
export const frontMatterFields = ['subject', 'preheader'] as const;
export type FrontMatterField = (typeof frontMatterFields)[number];

/**
 * Splits a template file into its front matter fields and its body. The body
 * keeps blank lines in place of the front matter, so its line numbers are the file's.
 */
export function splitTemplate(content: string, where: string): { fields: Record<FrontMatterField, string>; body: string } {
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
  for (const name of frontMatterFields) if (raw[name] === undefined) throw new Error(`${where}: front matter has no "${name}"`);
  return { fields: raw as Record<FrontMatterField, string>, body: '\n'.repeat(end + 1) + lines.slice(end + 1).join('\n') };
}

/** YAML-like: a value may be wrapped in matching quotes, e.g. to start it with a "{". */
export const unquote = (value: string) =>
  value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0] ? value.slice(1, -1) : value;

/** The Liquid settings of the renderer, for the compiler to read templates exactly as a render does. */
export const liquidOptions = (templatesDir: string) => ({
  strictVariables: true, // a misspelt variable is an error naming it, never a blank
  strictFilters: true,
  partials: join(templatesDir, 'partials'),
  extname: '.liquid',
  relativeReference: false,
  cache: true, // partials are parsed once per renderer
});

/**
 * `{% inline 'footer', shop: shop %}...{% endinline %}`: a `{% render %}`
 * whose partial the compiler put in place (./compile). The body renders in
 * the partial's own scope, as `render` gives it: only the arguments and globals.
 */
export const inlineTag = 'inline';

/** A template file compiled: its front matter as written, its body as HTML with the template's Liquid in it. */
export interface CompiledTemplate {
  fields: Record<FrontMatterField, string>;
  html: string;
  /**
   * Where each Liquid construct of `html` was written, so an error names the
   * template's line: `[offset in html, line, column, partial file or ""]`.
   */
  origins: [number, number, number, string][];
  /**
   * Liquid stands between MJML sections (in an `<mj-raw>`), where MJML merges
   * the Outlook-only comments of one section's end and the next one's start:
   * merged again once the Liquid is rendered (`mergeOutlookComments`).
   */
  betweenSections?: true;
}

/** MJML's last step over its output (mjml-core's mergeOutlookConditionnals), for the sections Liquid separated. */
export const mergeOutlookComments = (html: string) => html.replace(/(<!\[endif]-->\s*?<!--\[if mso \| IE]>)/gm, '');

/** The compiled templates of a folder, as the Lambda bundles carry them: keyed `<campaign>/<file>`. */
export const compiledManifest = 'compiled.json';
