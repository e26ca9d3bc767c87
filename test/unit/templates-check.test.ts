/**
 * `retention templates check` (issue 5): every problem class, each with its
 * file, line and column, on test/fixtures/broken-templates/ (one broken file
 * per class, the nps set clean), then the shipped templates, then the CLI.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTemplateSource, checkTemplates, formatProblem, type Problem } from '../../functions/templates/check';
import { sampleCustomers, sampleFor, templateSamples } from '../../functions/templates/samples';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = 'test/fixtures/broken-templates';

let problems: Problem[];
beforeAll(async () => {
  problems = await checkTemplates(join(root, fixtures));
});

/** The one problem reported on a fixture file. */
const problemIn = (file: string): Problem => {
  const found = problems.filter((p) => p.file === `${fixtures}/${file}`);
  expect(found, `problems in ${file}`).toHaveLength(1);
  return found[0]!;
};
const position = (p: Problem) => `${p.file.slice(fixtures.length + 1)}:${p.line}:${p.column}`;

/** Every problem in the fixture folder, as the CLI prints it. */
const expected = [
  'birthday/ar.mjml:26:54 MJML <mj-text>: Attribute colr is illegal',
  'birthday/en.long.mjml:2:10 subject is 115 characters for the sample customer "Maximiliana-Josephine" (at most 100)',
  'birthday/en.mjml:16:66 unknown variable "customer.fistName" (did you mean "customer.firstName"?)',
  'birthday/ms.mjml:3:14 unknown variable "customer.firstname" (did you mean "customer.firstName"?)',
  'partials/banner.liquid:8:10 unknown variable "shop.nme" (did you mean "shop.name"?)',
  'partials/footer-plain.liquid:1:1 footer partial "footer-plain" does not output {{ links.unsubscribe }}: every email must carry the unsubscribe link',
  'winback-1/ar.mjml:21:9 MJML: </mj-txt> should be </mj-text>',
  'winback-1/en.mjml:21:26 link is not https: "http://bunga.example/new-arrivals"',
  'winback-1/ms.mjml:1:1 missing locale "ms" for winback-1 (every set needs en, ms, ar)',
  'winback-2/ar.mjml:20:11 Liquid: tag {% if customer.firstName != blank %} not closed',
  'winback-2/en.mjml:26:3 no footer: render the "footer" partial (shop address and unsubscribe link) before </mj-body>',
  'winback-3/en.mjml:2:1 front matter: unknown field "subjet" (did you mean "subject"?)',
  'winback-3/ms.mjml:19:29 unknown filter "upcasse" (did you mean "upcase"?)',
].map((line) => `${fixtures}/${line}`);

describe('an unknown or misspelt variable is reported where it is written', () => {
  it('in the body: at the variable, with the name it probably meant', () => {
    const p = problemIn('birthday/en.mjml');
    expect(position(p)).toBe('birthday/en.mjml:16:66');
    expect(p.message).toBe('unknown variable "customer.fistName" (did you mean "customer.firstName"?)');
  });

  it('in the subject: on its front matter line, at its column (after the opening quote)', () => {
    const p = problemIn('birthday/ms.mjml');
    expect(position(p)).toBe('birthday/ms.mjml:3:14');
    expect(p.message).toContain('"customer.firstname"');
  });

  it('in a partial: on the partial, once, not on the template that renders it', () => {
    const p = problemIn('partials/banner.liquid');
    expect(position(p)).toBe('partials/banner.liquid:8:10');
    expect(p.message).toContain('"shop.nme"');
    expect(problems.filter((q) => q.file === `${fixtures}/winback-3/ar.mjml`)).toEqual([]);
  });

  it('a misspelt filter too (filters are strict as well)', () => {
    const p = problemIn('winback-3/ms.mjml');
    expect(position(p)).toBe('winback-3/ms.mjml:19:29');
    expect(p.message).toBe('unknown filter "upcasse" (did you mean "upcase"?)');
  });
});

describe('an MJML error is reported on the template line that produced it', () => {
  it('strict validation: at the attribute, though a partial above adds lines and a comment removes some', () => {
    const p = problemIn('birthday/ar.mjml');
    expect(position(p)).toBe('birthday/ar.mjml:26:54');
    expect(p.message).toBe('MJML <mj-text>: Attribute colr is illegal');
  });

  it('a misspelt closing tag, which MJML itself silently accepts', () => {
    const p = problemIn('winback-1/ar.mjml');
    expect(position(p)).toBe('winback-1/ar.mjml:21:9');
    expect(p.message).toBe('MJML: </mj-txt> should be </mj-text>');
  });
});

describe('every set has en, ms and ar', () => {
  it('a missing locale is reported as the file that should exist, at 1:1', () => {
    const p = problemIn('winback-1/ms.mjml');
    expect(position(p)).toBe('winback-1/ms.mjml:1:1');
    expect(p.message).toMatch(/^missing locale "ms" for winback-1/);
  });
});

describe('every link is https', () => {
  it('a literal http:// href is reported where its value starts', () => {
    const p = problemIn('winback-1/en.mjml');
    expect(position(p)).toBe('winback-1/en.mjml:21:26');
    expect(p.message).toBe('link is not https: "http://bunga.example/new-arrivals"');
  });
});

describe('every email carries the unsubscribe link', () => {
  it('a template that does not render the footer: at </mj-body>', () => {
    const p = problemIn('winback-2/en.mjml');
    expect(position(p)).toBe('winback-2/en.mjml:26:3');
    expect(p.message).toMatch(/^no footer/);
  });

  it('a footer partial that lost the link: on the partial (a mention in a comment does not count)', () => {
    const p = problemIn('partials/footer-plain.liquid');
    expect(position(p)).toBe('partials/footer-plain.liquid:1:1');
    expect(p.message).toContain('does not output {{ links.unsubscribe }}');
    expect(problems.filter((q) => q.file === `${fixtures}/winback-2/ms.mjml`)).toEqual([]);
  });
});

describe('a subject is at most 100 characters, rendered with the longest sample name', () => {
  it('reported on the subject line, where the value starts (an A/B variant is checked too)', () => {
    const p = problemIn('birthday/en.long.mjml');
    expect(position(p)).toBe('birthday/en.long.mjml:2:10');
    expect(p.message).toBe('subject is 115 characters for the sample customer "Maximiliana-Josephine" (at most 100)');
  });
});

describe('a syntax error is a problem with its position, never a crash', () => {
  it('in the front matter: the line with the unknown field', () => {
    const p = problemIn('winback-3/en.mjml');
    expect(position(p)).toBe('winback-3/en.mjml:2:1');
    expect(p.message).toBe('front matter: unknown field "subjet" (did you mean "subject"?)');
  });

  it('in Liquid: the tag that is not closed', () => {
    const p = problemIn('winback-2/ar.mjml');
    expect(position(p)).toBe('winback-2/ar.mjml:20:11');
    expect(p.message).toBe('Liquid: tag {% if customer.firstName != blank %} not closed');
  });
});

describe('the report', () => {
  it('is every problem above and nothing else, sorted by file, line and column; the clean set has none', () => {
    expect(problems.map(formatProblem)).toEqual(expected);
    expect(problems.filter((p) => p.file.startsWith(`${fixtures}/nps/`))).toEqual([]);
  });

  it('finds no problem in the shipped templates/', async () => {
    expect((await checkTemplates(join(root, 'templates'))).map(formatProblem)).toEqual([]);
  });
});

describe('unsaved text is checked the same way (the studio shows it inline)', () => {
  it('a misspelt variable in an edited preheader, at its position in the edited text', async () => {
    const saved = readFileSync(join(root, 'templates/birthday/ms.mjml'), 'utf8');
    const edited = saved.replace('{{ shop.name }}', '{{ shop.nama }}');
    const found = await checkTemplateSource(join(root, 'templates'), 'birthday', 'ms.mjml', edited);
    expect(found.map(formatProblem)).toEqual(['templates/birthday/ms.mjml:3:41 unknown variable "shop.nama" (did you mean "shop.name"?)']);
    expect(await checkTemplateSource(join(root, 'templates'), 'birthday', 'ms.mjml', saved)).toEqual([]);
  });
});

describe('every branch is checked, not only those the sample customers take', () => {
  const templates = join(root, 'templates');
  const saved = readFileSync(join(templates, 'birthday/en.mjml'), 'utf8');
  /** Where `needle` is in `text`, as file:line:column (1-based). */
  const at = (text: string, needle: string) => {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    return `${line + 1}:${lines[line]!.indexOf(needle) + 1}`;
  };
  // No sample customer gets a discount over 90%: rendering never goes in there.
  const unreached = (liquid: string) => `{% if offer.percentOff > 90 %}${liquid}{% endif %}`;

  it('a misspelling in the body, in a branch no sample reaches', async () => {
    const edited = saved.replace('</mj-text>', `${unreached('{{ offer.cod }}')}</mj-text>`);
    const found = await checkTemplateSource(templates, 'birthday', 'en.mjml', edited);
    expect(found.map(formatProblem)).toEqual([`templates/birthday/en.mjml:${at(edited, 'offer.cod }}')} unknown variable "offer.cod" (did you mean "offer.code"?)`]);
  });

  it('a misspelling in the subject, in a branch no sample reaches, at its column', async () => {
    const edited = saved.replace(/^subject: (.*)$/m, (_, subject: string) => `subject: ${subject}${unreached(' {{ customer.fistName }}')}`);
    const found = await checkTemplateSource(templates, 'birthday', 'en.mjml', edited);
    expect(found.map(formatProblem)).toEqual([`templates/birthday/en.mjml:${at(edited, 'customer.fistName')} unknown variable "customer.fistName" (did you mean "customer.firstName"?)`]);
  });

  it('a misspelling in a partial, in a branch no sample reaches: on the partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-partial-'));
    try {
      cpSync(templates, dir, { recursive: true });
      const header = join(dir, 'partials/header.liquid');
      const edited = readFileSync(header, 'utf8').replace('</mj-text>', '{% if shop.name == "never" %}{{ shop.nmae }}{% endif %}</mj-text>');
      writeFileSync(header, edited);
      const found = (await checkTemplates(dir)).map(formatProblem);
      // Reported once, on the partial, though every template renders it.
      expect(found).toEqual([`${header}:${at(edited, 'shop.nmae')} unknown variable "shop.nmae" (did you mean "shop.name"?)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a render that does not pass what the partial uses: on the render tag', async () => {
    const edited = saved.replace(/\{% render 'footer', shop: shop, links: links,/, "{% render 'footer', shop: shop,");
    const found = (await checkTemplateSource(templates, 'birthday', 'en.mjml', edited)).map(formatProblem);
    expect(found).toContainEqual(expect.stringMatching(/^templates\/birthday\/en\.mjml:\d+:\d+ partial "footer" uses "links\.unsubscribe", but this render does not pass links/));
  });
});

describe('sample data', () => {
  const strings = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];

  it('covers every shipped set, and every link in it is https', () => {
    expect(Object.keys(templateSamples).sort()).toEqual(['birthday', 'nps', 'points', 'referral-1', 'referral-2', 'tier', 'winback-1', 'winback-2', 'winback-3']);
    const links = Object.values(templateSamples).flatMap(strings).filter((s) => /^[a-z]+:\/\//i.test(s));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toMatch(/^https:\/\//);
  });

  it('nps has eleven score links, 0 to 10; winback-1 is a reminder with no offer', () => {
    const survey = sampleFor('nps').survey as { scores: { score: number; url: string }[] };
    expect(survey.scores.map((s) => s.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(survey.scores.map((s) => s.url)).size).toBe(11);
    expect(sampleFor('winback-1')).not.toHaveProperty('offer');
  });

  it('puts the chosen customer in, and writes dates in the template locale', () => {
    const malay = sampleCustomers.find((c) => c.id === 'malay')!;
    const data = sampleFor('birthday', malay, 'ms') as { customer: { firstName: string }; offer: { expiresOn: string } };
    expect(data.customer.firstName).toBe(malay.firstName);
    expect(data.offer.expiresOn).toBe('6 Disember 2026');
    expect(sampleCustomers.some((c) => c.firstName === '')).toBe(true);
    expect(() => sampleFor('no-such-set')).toThrow(/no sample data/);
  });
});

describe('retention templates check', () => {
  const check = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['bin/retention.js', 'templates', 'check', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw result.error;
    return result;
  };

  it('prints each problem as file:line:column message, then a summary, and exits 1', () => {
    const { status, stdout } = check('--dir', fixtures);
    expect(stdout.trimEnd().split('\n')).toEqual([...expected, '13 problems in 13 templates']);
    expect(status).toBe(1);
  });

  it('says all is well and exits 0 on the shipped templates', () => {
    const { status, stdout } = check();
    expect(stdout.trim()).toMatch(/^all \d+ templates ok$/);
    expect(status).toBe(0);
  });
});
