/**
 * The studio's visual mode (issue 14) loads a template's MJML into GrapesJS:
 * Liquid between elements must go through it as placeholders and come back
 * byte for byte. Over every template and partial in templates/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposedLiquid, placeholder, placeholderText, protect, restore, textIsUnsafe } from '../../studio/liquid-guard';
import { MjmlSyntaxError, parseMjml } from '../../studio/mjml-source';

const templatesDir = join(import.meta.dirname, '../../templates');
const files = readdirSync(templatesDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.(mjml|liquid)$/.test(file))
  .sort();
/** What the studio edits: the file without its front matter. */
const bodyOf = (file: string) => {
  const text = readFileSync(join(templatesDir, file), 'utf8');
  return file.endsWith('.mjml') ? text.replace(/^---\n[\s\S]*?\n---\n/, '') : text;
};

describe('every template in templates/ through the guard', () => {
  it('finds the templates and partials', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files).toContain('nps/en.mjml');
    expect(files).toContain('partials/footer.liquid');
  });

  it.each(files)('%s: protect, then restore, gives back every byte', (file) => {
    const body = bodyOf(file);
    const guarded = protect(body);
    expect(restore(guarded)).toBe(body);
    // And the placeholders carry the text themselves: a second pass changes nothing more.
    expect(restore(protect(guarded))).toBe(guarded);
  });

  it.each(files)('%s: no Liquid left outside a text, a button or an attribute value', (file) => {
    const body = bodyOf(file);
    expect(exposedLiquid(body).length).toBeGreaterThan(0);
    const guarded = protect(body);
    expect(exposedLiquid(guarded)).toEqual([]);
    // Every {{ }} and {% %} of the file is still there, in a placeholder or in the text around it.
    const liquid = (text: string) => text.match(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g) ?? [];
    const inPlaceholders = [...guarded.matchAll(/<mj-raw><!--liquid-guard:([^>]*?)-->/g)].map((m) => decodeURIComponent(m[1]!));
    const outside = guarded.replace(/<mj-raw><!--liquid-guard:[^>]*?-->[\s\S]*?<\/mj-raw>/g, '');
    expect([...liquid(outside), ...inPlaceholders.flatMap(liquid)].sort()).toEqual(liquid(body).sort());
  });

  it('keeps the texts editable: the greeting and the button stay, the footer and the score table become placeholders', () => {
    const withoutPlaceholders = (text: string) => text.replace(/<mj-raw><!--liquid-guard:[^>]*?-->[\s\S]*?<\/mj-raw>/g, '');
    const guarded = withoutPlaceholders(protect(bodyOf('nps/en.mjml')));
    expect(guarded).toContain('{% if customer.firstName != blank %}How did we do, {{ customer.firstName }}?{% else %}How did we do?{% endif %}');
    expect(guarded).not.toContain("{% render 'footer'");
    expect(guarded).not.toContain('{%- for s in survey.scores %}');
    expect(guarded).not.toContain('<mj-table');
    const birthday = protect(bodyOf('birthday/ms.mjml'));
    expect(birthday).toContain('<mj-button href="{{ links.shop }}"');
    expect(birthday).toContain('{{ offer.code }}');
    // The head (the visual mode shows only the body), the header and the footer.
    expect(birthday.match(/<mj-raw>/g)).toHaveLength(3);
  });
});

describe('the guard on its own', () => {
  it('protects Liquid around sections, and inside a start tag, and gives it back', () => {
    const body = [
      '<mjml><mj-body>',
      '  {% if offer %}',
      '  <mj-section {% if dark %}background-color="#000"{% endif %}><mj-column><mj-text>Hi {{ customer.firstName }}</mj-text></mj-column></mj-section>',
      '  {%- endif -%}',
      '  {% comment %}<mj-section>{{ not an element }}</mj-section>{% endcomment %}',
      '  {% raw %}{{ shown as is }}{% endraw %}',
      '</mj-body></mjml>',
    ].join('\n');
    const guarded = protect(body);
    expect(restore(guarded)).toBe(body);
    expect(exposedLiquid(guarded)).toEqual([]);
    expect(guarded.match(/<mj-raw>/g)).toHaveLength(5);
  });

  it('keeps a text as code when the HTML parser would change its Liquid', () => {
    expect(textIsUnsafe('Hello {{ customer.firstName }}')).toBe(false);
    expect(textIsUnsafe('<a href="{{ links.shop }}">Shop</a>')).toBe(false);
    expect(textIsUnsafe('{% if a > b %}big{% endif %}')).toBe(true);
    expect(textIsUnsafe('{{ "Fish & chips" }}')).toBe(true);
    expect(textIsUnsafe('<p {% if x %}class="x"{% endif %}>hi</p>')).toBe(true);
    expect(textIsUnsafe('<table><tr>{% for x in y %}<td>{{ x }}</td>{% endfor %}</tr></table>')).toBe(true);
    const body = '<mj-column><mj-text>{% if a > b %}big{% endif %}</mj-text><mj-text>Hi</mj-text></mj-column>';
    const guarded = protect(body);
    expect(guarded).toContain('<mj-text>Hi</mj-text>');
    expect(guarded).not.toContain('a > b');
    expect(restore(guarded)).toBe(body);
  });

  it('a placeholder carries any text, even one that closes a comment or an mj-raw', () => {
    const text = "{% render 'x', a: '-->', b: '</mj-raw>' %}";
    const raw = placeholder({ text, kind: 'liquid' }, () => '<div>label with </mj-raw> in it</div>');
    expect(placeholderText(raw)).toBe(text);
    expect(restore(`<mj-body>${raw}</mj-body>`)).toBe(`<mj-body>${text}</mj-body>`);
  });

  it('says where MJML cannot be read', () => {
    expect(() => parseMjml('<mjml><mj-body><mj-section></mj-body></mjml>')).toThrow(MjmlSyntaxError);
    expect(() => parseMjml('<mj-section>{{ open </mj-section>')).toThrow(MjmlSyntaxError);
    expect(() => protect('<mj-section>{% if x %}</mj-section>')).not.toThrow();
  });
});
