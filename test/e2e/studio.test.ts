/**
 * Issue 5, "the studio": a marketer who never saw the code changes the Malay
 * birthday subject, previews it, gets a clear error for a misspelt variable,
 * saves, and sends themselves a test. Driven in headless Chromium (Debian's
 * `chromium`, through playwright-core) against a copy of templates/ and a
 * local SES; the screenshots land in test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { LocalEventBus } from '../../local/event-bus';
import { startLocalSes, type LocalSes } from '../../local/ses';
import { startStudio, type Studio } from '../../local/studio';
import { openChromium } from './chromium';

const projectRoot = join(import.meta.dirname, '../..');
const artifacts = join(projectRoot, 'test-artifacts');
const templates = mkdtempSync(join(tmpdir(), 'studio-templates-'));
const msFile = join(templates, 'birthday/ms.mjml');

const newSubject = 'Hari jadi yang manis, {{ customer.firstName }}! Diskaun {{ offer.percentOff }}% menanti anda';
const newSubjectForNurul = 'Hari jadi yang manis, Nurul Aisyah! Diskaun 15% menanti anda';
const kicker = 'HADIAH KECIL UNTUK HARI ISTIMEWA ANDA';

let bus: LocalEventBus;
let ses: LocalSes;
let studio: Studio;
let browser: Browser;
let page: Page;
/** What the page logged as errors: a working studio logs none. */
let pageErrors: string[] = [];

beforeAll(async () => {
  cpSync(join(projectRoot, 'templates'), templates, { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  bus = new LocalEventBus({ start: new Date() });
  ses = await startLocalSes(bus);
  studio = await startStudio({ config: parseConfig({}), templatesDir: templates, port: 0, sesEndpoint: ses.endpoint, inboxUrl: ses.inboxUrl });
  ({ browser, page, pageErrors } = await openChromium({ width: 1720, height: 1000 }));
});

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  await ses?.close();
  await bus?.close();
  rmSync(templates, { recursive: true, force: true });
});

const text = (selector: string) => page.locator(selector).innerText();
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });
/** The email in a preview frame, as the browser laid it out. */
const frameText = (id: string) => page.frameLocator(`#${id}`).locator('body').innerText();

describe('a marketer edits the Malay birthday email in the studio', () => {
  it('opens birthday in Malay, rendered for a Malay-speaking sample customer at desktop and mobile widths', async () => {
    await page.goto(studio.url);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    await page.selectOption('#set', 'birthday');
    await page.selectOption('#locale', 'ms');

    await poll(() => text('#file-name')).toBe('templates/birthday/ms.mjml');
    await poll(() => page.inputValue('#sample')).toBe('malay');
    await poll(() => text('#inbox-subject')).toContain('Selamat hari jadi, Nurul Aisyah!');
    await poll(() => frameText('desktop-frame')).toContain('Selamat hari jadi, Nurul Aisyah!');
    await poll(() => frameText('mobile-frame')).toContain('Selamat hari jadi');
    expect((await page.locator('#desktop-frame').boundingBox())?.width).toBe(640);
    expect((await page.locator('#mobile-frame').boundingBox())?.width).toBe(375);
  });

  it('changing the subject updates the inbox line and the email itself', async () => {
    await page.fill('#subject', newSubject);
    await poll(() => text('#inbox-subject')).toBe(newSubjectForNurul);
    await poll(() => page.frameLocator('#desktop-frame').locator('title').textContent()).toBe(newSubjectForNurul);
    expect(await text('#save-state')).toBe('Unsaved changes');
  });

  it('shows the plain-text part on its tab', async () => {
    await page.click('#tab-text');
    await poll(() => text('#text')).toContain('Selamat hari jadi, Nurul Aisyah!');
    await page.click('#tab-visual');
    expect(await page.isVisible('#desktop-frame')).toBe(true);
  });

  it('a misspelt variable is an error naming it, in the list and marked in the editor; fixing it clears it', async () => {
    // Type at the end of the kicker line above the greeting, as a marketer would.
    await page.locator('.cm-line', { hasText: kicker }).click();
    await page.keyboard.press('End');
    await page.keyboard.type(', {{ customer.fistName | upcase }}');

    await poll(() => text('#problems')).toContain('customer.fistName');
    expect(await text('#problems')).toContain('did you mean "customer.firstName"');
    expect(await text('#problems')).toMatch(/Line \d+:\d+/);
    expect(await page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    expect(await page.locator('.cm-lintRange-error').first().innerText()).toContain('fistName');
    await page.screenshot({ path: join(artifacts, 'studio-problem.png') });

    // The fix: back over " | upcase }}", then "fistName" becomes "firstName".
    for (let i = 0; i < ' | upcase }}'.length; i++) await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 'fistName'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('firstName');

    await poll(() => text('#problems')).toContain('No problems found');
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
    await poll(() => frameText('desktop-frame')).toContain(`${kicker}, NURUL AISYAH`);
  });

  it('saves the subject and the body to the template file, and nothing else', async () => {
    const before = readFileSync(join(templates, 'birthday/en.mjml'), 'utf8');
    await page.click('#save');
    await poll(() => text('#save-state')).toBe('Saved');
    expect(await text('#notice')).toContain('Saved to templates/birthday/ms.mjml');

    const saved = readFileSync(msFile, 'utf8');
    expect(saved).toContain(`\nsubject: ${newSubject}\n`);
    expect(saved).toContain(`${kicker}, {{ customer.firstName | upcase }}`);
    // The rest of the file is as it was: the preheader line, the front matter, the footer.
    const original = readFileSync(join(projectRoot, 'templates/birthday/ms.mjml'), 'utf8');
    expect(saved.split('\n').length).toBe(original.split('\n').length);
    expect(saved.split('\n')[2]).toBe(original.split('\n')[2]);
    expect(readFileSync(join(templates, 'birthday/en.mjml'), 'utf8')).toBe(before);
  });

  it('sends a test email to the local inbox, with the unsubscribe headers of a real send', async () => {
    await page.fill('#to', 'aisyah@shop.example');
    await page.click('#send');
    await poll(() => text('#notice')).toContain('Sent to aisyah@shop.example, see the inbox at');
    expect(await page.getAttribute('#notice a', 'href')).toBe(ses.inboxUrl);

    const sent = ses.accepted.filter((email) => email.to.includes('aisyah@shop.example'));
    expect(sent).toHaveLength(1);
    const [email] = sent;
    expect(email!.subject).toBe(`[TEST] ${newSubjectForNurul}`);
    expect(email!.from).toContain('hello@shop.example');
    expect(email!.html).toContain(`${kicker}, NURUL AISYAH`);
    expect(email!.text).toContain('Selamat hari jadi, Nurul Aisyah!');
    expect(email!.headers['List-Unsubscribe']).toMatch(/^<https:\/\/\S+\/unsubscribe\?token=[\w.-]+>, <mailto:\S+>$/);
    expect(email!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    // The link in the footer is the one in the header, as in a campaign send.
    const url = /^<([^>]+)>/.exec(email!.headers['List-Unsubscribe']!)![1]!;
    expect(email!.html).toContain(`href="${url}"`);

    await page.screenshot({ path: join(artifacts, 'studio.png') });
    expect(pageErrors).toEqual([]);
  });

  it('shows Arabic right to left, as the template says', async () => {
    await page.selectOption('#locale', 'ar');
    await poll(() => text('#file-name')).toBe('templates/birthday/ar.mjml');
    await poll(() => page.frameLocator('#mobile-frame').locator('html').getAttribute('dir')).toBe('rtl');
    await page.screenshot({ path: join(artifacts, 'studio-arabic.png') });
  });
});

describe('the studio API refuses what it must not do', () => {
  const put = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${studio.url}/api/template`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const draft = { set: 'birthday', locale: 'ms', subject: 'Hi', preheader: 'There', body: '<mjml></mjml>' };

  it('names outside the templates folder', async () => {
    expect((await put({ ...draft, set: '../etc' })).status).toBe(400);
    expect((await put({ ...draft, locale: '../../x' })).status).toBe(400);
    expect((await put({ ...draft, set: 'partials' })).status).toBe(404);
  });

  it('files that do not exist: a step or language is added in the templates folder, not by saving', async () => {
    expect((await put({ ...draft, set: 'no-such-step' })).status).toBe(404);
    expect((await put({ ...draft, locale: 'fr' })).status).toBe(404);
    expect((await put({ ...draft, variant: 'b' })).status).toBe(404);
  });

  it('a template that fails the check, with the problems', async () => {
    const response = await put({ ...draft, subject: 'Hi {{ customr.firstName }}' });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { problems: { field: string; message: string }[] };
    expect(body.problems).toContainEqual(expect.objectContaining({ field: 'subject', message: expect.stringContaining('customr') }));
    expect(readFileSync(msFile, 'utf8')).toContain(newSubject);
  });

  it('a write from another site, a body that is not JSON, and one over the size limit', async () => {
    expect((await put(draft, { origin: 'https://evil.example' })).status).toBe(403);
    const notJson = await fetch(`${studio.url}/api/template`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(notJson.status).toBe(415);
    expect((await put({ ...draft, body: 'x'.repeat(300_000) })).status).toBe(413);
  });

  it('a request for another host name (a DNS-rebinding page)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${studio.url}/api/catalog`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe("the studio's front end type-checks", () => {
  // studio/ runs in a browser (DOM types), so it has its own tsconfig, outside the root project's `tsc -p .`.
  it('tsc -p studio', () => {
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(projectRoot, 'studio')], {
      stdio: 'pipe',
    });
  }, 120_000);
});
