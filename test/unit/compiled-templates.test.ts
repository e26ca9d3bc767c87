/**
 * Templates compiled once (MJML to HTML, keeping their Liquid) render the same
 * bytes as the MJML-at-send renderer (`renderSource`: Liquid, then MJML), for
 * every template, locale and variant and every sample customer; and the same
 * from the compiled templates a Lambda bundle carries.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert } from 'html-to-text';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compileTemplates } from '../../functions/templates/compile';
import { createRenderer, textOptions } from '../../functions/templates/render';
import { sampleCustomers, sampleFor, type SampleCustomer } from '../../functions/templates/samples';
import { localeFile } from '../../functions/templates/template-file';

const templatesDir = join(import.meta.dirname, '../../templates');

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'compiled-templates-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of templates/ with an A/B variant, so variants are compared too. */
const withVariant = () => {
  const dir = tempDir();
  cpSync(templatesDir, dir, { recursive: true });
  const english = readFileSync(join(dir, 'birthday', 'en.mjml'), 'utf8');
  writeFileSync(join(dir, 'birthday', 'en.b.mjml'), english.replace(/^subject: .*$/m, 'subject: A gift for you, {{ customer.firstName }} & co.'));
  return dir;
};

/** The sample customers, and some who test escaping, one-line subjects and wrapping of the text part. */
const customers: SampleCustomer[] = [
  ...sampleCustomers,
  { id: 'markup', label: 'markup', firstName: '<b>Ana</b> & "Bo" \'C\'', locale: 'en' },
  { id: 'newline', label: 'newline', firstName: 'Ai\r\nBcc: x@example.com', locale: 'ms' },
  { id: 'long', label: 'long', firstName: 'Wolfeschlegelsteinhausenbergerdorff-Maximiliana-Josephine-Karolina', locale: 'ar' },
];

const templateFiles = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'partials')
    .flatMap((set) =>
      readdirSync(join(dir, set.name)).flatMap((file) => {
        const m = localeFile.exec(file);
        return m ? [{ set: set.name, file, locale: m[1]!, variant: m[2] }] : [];
      }),
    );

const dir = withVariant();
const cases = templateFiles(dir).flatMap((t) => customers.map((customer) => ({ ...t, customer })));

/** The email as the MJML-at-send renderer makes it from the file, with html-to-text's own convert() for the text part. */
const reference = async (t: (typeof cases)[number], data: Record<string, unknown>) => {
  const email = await createRenderer(dir).renderSource(t.set, t.locale, readFileSync(join(dir, t.set, t.file), 'utf8'), data);
  return { ...email, text: convert(email.html, textOptions) };
};

describe('compiled once, rendered with Liquid only: the same bytes as MJML at every send', () => {
  const renderer = createRenderer(dir);

  it('covers every template, locale and variant', () => {
    expect(new Set(cases.map((c) => `${c.set}/${c.file}`)).size).toBe(28);
  });

  it.each(cases.map((c) => [`${c.set}/${c.file} ${c.customer.id}`, c] as const))('%s', async (_, t) => {
    const data = sampleFor(t.set, t.customer, t.locale);
    expect(await renderer.render(t.set, t.locale, data, t.variant)).toEqual(
      await reference(t, data),
    );
  });
});

describe('from the compiled templates a Lambda bundle carries', () => {
  it('renders every template the same, without MJML', async () => {
    const compiled = tempDir();
    await compileTemplates(dir, compiled);
    const expected = await Promise.all(cases.map((t) => reference(t, sampleFor(t.set, t.customer, t.locale))));
    vi.stubEnv('RETENTION_PRECOMPILED_TEMPLATES', 'true');
    try {
      const bundled = createRenderer(compiled);
      for (const [i, t] of cases.entries()) {
        expect(await bundled.render(t.set, t.locale, sampleFor(t.set, t.customer, t.locale), t.variant)).toEqual(expected[i]);
      }
      expect(bundled.locales('birthday')).toEqual(['ar', 'en', 'ms']);
      expect(bundled.variants('birthday', 'en')).toEqual(['b']);
      await expect(bundled.renderSource('birthday', 'en', readFileSync(join(dir, 'birthday', 'en.mjml'), 'utf8'), sampleFor('birthday'))).rejects.toThrow(
        /MJML is not part of this bundle/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('a template edited while the stack runs is compiled again', () => {
  it('after its file or a partial it renders changes', async () => {
    const edited = tempDir();
    cpSync(templatesDir, edited, { recursive: true });
    const renderer = createRenderer(edited);
    const data = sampleFor('nps', sampleCustomers[0], 'en');
    expect((await renderer.render('nps', 'en', data)).html).not.toContain('Edited');

    const touch = (file: string, replace: [string, string]) => {
      writeFileSync(file, readFileSync(file, 'utf8').replace(...replace));
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    };
    touch(join(edited, 'nps', 'en.mjml'), ['How did we do', 'Edited: how did we do']);
    expect((await renderer.render('nps', 'en', data)).html).toContain('Edited: how did we do');
    touch(join(edited, 'partials', 'footer.liquid'), ['{{ reason }}', 'Edited footer. {{ reason }}']);
    expect((await renderer.render('nps', 'en', data)).html).toContain('Edited footer.');
  });
});

describe('Liquid MJML would not keep in place', () => {
  const minimal = (body: string) =>
    `---\nsubject: Hello {{ customer.firstName }}\npreheader: A preheader\n---\n<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        ${body}\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n`;
  /** A templates folder holding the birthday set and the partials, with `en.mjml` replaced. */
  const folderWith = (content: string) => {
    const dir = tempDir();
    cpSync(join(templatesDir, 'partials'), join(dir, 'partials'), { recursive: true });
    cpSync(join(templatesDir, 'birthday'), join(dir, 'birthday'), { recursive: true });
    writeFileSync(join(dir, 'birthday', 'en.mjml'), content);
    return dir;
  };

  const section = (text: string) => `<mj-section><mj-column><mj-text>${text}</mj-text></mj-column></mj-section>`;
  const sections = (body: string) => `---\nsubject: Hi\npreheader: P\n---\n<mjml>\n  <mj-body>\n${body}\n  </mj-body>\n</mjml>\n`;

  it.each([
    ['in a column', minimal('{% if customer.firstName != blank %}<mj-text>Hi {{ customer.firstName }}</mj-text>{% else %}<mj-text>Hello</mj-text>{% endif %}')],
    ['around a section', sections(`${section('A')}\n{% if customer.firstName != blank %}\n${section('Hi {{ customer.firstName }}')}\n{% endif %}\n${section('B')}`)],
    ['around sections in a wrapper', sections(`<mj-wrapper>${section('A')}{% for i in (1..2) %}${section('{{ i }}')}{% endfor %}</mj-wrapper>`)],
  ])('a layout tag %s goes in an <mj-raw>, and renders as MJML at send would', async (_, content) => {
    const renderer = createRenderer(folderWith(content));
    for (const firstName of ['Ana', '']) {
      const data = sampleFor('birthday', { firstName });
      expect(await renderer.render('birthday', 'en', data)).toEqual(await renderer.renderSource('birthday', 'en', content, data));
    }
  });

  it('a layout tag between the columns of a section is an error: MJML sizes columns by their number', async () => {
    const dir = folderWith(minimal('<mj-text>A</mj-text></mj-column>{% if customer.firstName != blank %}<mj-column><mj-text>B</mj-text>{% endif %}'));
    await expect(createRenderer(dir).render('birthday', 'en', sampleFor('birthday'))).rejects.toThrow(/stands between the children of <mj-section>/);
  });

  it('an output between elements is an error naming it and its line', async () => {
    const dir = folderWith(minimal('{{ shop.name }}<mj-text>Hi</mj-text>'));
    await expect(createRenderer(dir).render('birthday', 'en', sampleFor('birthday'))).rejects.toThrow(
      'birthday/en.mjml:9:9: {{ shop.name }} stands between MJML elements',
    );
  });

  it('an error in a partial names the partial and the line there', async () => {
    const dir = folderWith(minimal("{% render 'sig', shop: shop %}"));
    writeFileSync(join(dir, 'partials', 'sig.liquid'), '<mj-text>\n  {{ shop.nmae }}</mj-text>');
    await expect(createRenderer(dir).render('birthday', 'en', sampleFor('birthday'))).rejects.toThrow(
      'undefined variable: shop.nmae, file:partials/sig.liquid, line:2, col:6',
    );
  });
});
