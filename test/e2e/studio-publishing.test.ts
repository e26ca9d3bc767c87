/**
 * Issue 14 (docs/design.md §9), as a marketer does it: in headless Chromium
 * against the studio over a local stack (as `npm start` serves it), a
 * publisher changes the Malay birthday subject, previews it, publishes it,
 * and the next birthday sweep sends it; rolls back, and the next one sends the
 * old subject again. An editor cannot publish; a template with a misspelt
 * variable cannot be published. Screenshots land in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/config';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { startStudio, type Studio } from '../../local/studio';
import { openChromium } from './chromium';

const artifacts = join(import.meta.dirname, '../../test-artifacts');
const newSubject = 'Hadiah hari jadi untuk {{ customer.firstName | default: "anda" }}: diskaun {{ offer.percentOff }}%';

let stack: LocalStack;
let studio: Studio;
let editorStudio: Studio;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  stack = await startLocalStack({ config: parseConfig({}), start: new Date('2026-03-01T00:00:00Z') });
  studio = await startStudio({ config: parseConfig({}), runtime: stack.runtime, port: 0, inboxUrl: stack.endpoints.inbox });
  editorStudio = await startStudio({ config: parseConfig({}), runtime: stack.runtime, port: 0, inboxUrl: stack.endpoints.inbox, user: { id: 'eddie@shop.example', role: 'editor' } });
  ({ browser, page, pageErrors } = await openChromium({ width: 1720, height: 1000 }));
  // Rolling back asks first.
  page.on('dialog', (dialog) => void dialog.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  await editorStudio?.close();
  await stack?.close();
});

const text = (selector: string) => page.locator(selector).innerText();
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** A Malay-speaking customer in Kuala Lumpur whose birthday is `day` (MM-DD); the bus then runs to 11:00 local that day. */
const birthdayOf = async (id: string, day: string) => {
  stack.bus.put({
    source: 'shop',
    detailType: 'Customer Upserted',
    time: stack.bus.now(),
    detail: { customerId: id, email: `${id}@example.com`, firstName: 'Nurul', marketingConsent: true, locale: 'ms-MY', timeZone: 'Asia/Kuala_Lumpur', birthday: `--${day}` },
  });
  await stack.bus.runUntil(new Date(`2026-${day}T03:00:00Z`));
  return stack.ses.accepted.find((email) => email.to.includes(`${id}@example.com`))?.subject;
};

describe('a publisher changes the Malay birthday subject and makes it live', () => {
  it('signs in (locally: the local publisher) and sees the defaults live', async () => {
    await page.goto(studio.url);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    await poll(() => text('#user-role')).toBe('Publisher');
    await poll(() => text('#live-version')).toBe('Live: defaults');
  });

  it('changes the subject in the visual mode, previews it, and saves it as a draft', async () => {
    await page.selectOption('#set', 'birthday');
    await page.selectOption('#locale', 'ms');
    await poll(() => text('#file-name')).toBe('templates/birthday/ms.mjml');
    await poll(() => page.inputValue('#sample')).toBe('malay');
    await poll(() => page.inputValue('#subject')).toMatch(/^Selamat hari jadi/);
    await page.click('#mode-visual');
    // GrapesJS's canvas, with the email in it.
    const canvas = page.frameLocator('#visual-editor iframe.gjs-frame');
    await expect.poll(() => canvas.locator('body').innerText(), { timeout: 60_000, interval: 200 }).toContain('HADIAH KECIL UNTUK HARI ISTIMEWA ANDA');
    await page.fill('#subject', newSubject);
    await poll(() => text('#inbox-subject')).toBe('Hadiah hari jadi untuk Nurul Aisyah: diskaun 15%');
    await page.screenshot({ path: join(artifacts, 'studio-visual.png') });
    await page.click('#save');
    await poll(() => text('#drafts-count')).toBe('1 unpublished change');
  });

  it('publishes it: version 1 is live, and the next birthday email has the new subject', async () => {
    await page.click('#publish');
    await page.fill('#publish-note', 'Shorter Malay birthday subject');
    await page.screenshot({ path: join(artifacts, 'studio-publish-dialog.png') });
    await page.click('#publish-confirm');
    await poll(() => text('#live-version')).toBe('Live: version 1');
    expect(await birthdayOf('aisyah', '03-03')).toBe('Hadiah hari jadi untuk Nurul: diskaun 15%');
  });

  it('rolls back to the defaults from the history: the next birthday email has the old subject', async () => {
    await page.click('#view-history-tab');
    await page.locator('#versions').getByText('Version 1').click();
    await poll(() => page.locator('#diff').innerText()).toContain('Hadiah hari jadi untuk');
    await page.screenshot({ path: join(artifacts, 'studio-history.png') });
    await page.locator('#versions').getByText('Defaults').click();
    await poll(() => page.locator('#rollback').isEnabled()).toBe(true);
    await page.click('#rollback');
    await poll(() => text('#live-version')).toBe('Live: version 2');
    expect(await birthdayOf('nurul', '03-05')).toBe('Selamat hari jadi, Nurul! Hadiah diskaun 15% untuk anda');
  });

  it('a template with a misspelt variable cannot be published: the problem names the file and line', async () => {
    // A draft that skipped the studio's own check (pushed from git, say).
    const body = (await (await fetch(`${studio.url}/api/template?set=birthday&locale=en`)).json()) as { preheader: string; body: string };
    const broken = `---\nsubject: "Happy birthday, {{ customer.fistName }}"\npreheader: "${body.preheader}"\n---\n${body.body}`;
    await stack.runtime.dynamo.send(
      new PutCommand({ TableName: stack.runtime.tableName, Item: { pk: 'CONTENT#DRAFT', sk: 'birthday/en.mjml', text: broken, savedAt: stack.bus.now().toISOString(), by: 'git' } }),
    );
    await page.click('#view-templates-tab');
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    await poll(() => text('#drafts-count')).toBe('1 unpublished change');
    await page.click('#publish');
    await page.click('#publish-confirm');
    await poll(() => text('#problems')).toContain('customer.fistName');
    expect(await text('#problems')).toContain('birthday/en.mjml');
    expect(await text('#live-version')).toBe('Live: version 2');
    await page.screenshot({ path: join(artifacts, 'studio-publish-refused.png') });
  });
});

describe('the page', () => {
  it('logged no error but the refusals the tests asked for (a 4xx shows in the console)', () => {
    expect(pageErrors.filter((error) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(error))).toEqual([]);
  });
});

describe('an editor', () => {
  it('drafts but cannot publish: the button says so, and the API refuses', async () => {
    const editorPage = await browser.newPage({ viewport: { width: 1720, height: 1000 } });
    await editorPage.goto(editorStudio.url);
    await editorPage.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => editorPage.locator('#user-role').innerText()).toBe('Editor');
    expect(await editorPage.locator('#publish').isDisabled()).toBe(true);
    expect(await editorPage.getAttribute('#publish', 'title')).toMatch(/publishers/i);
    const refused = await fetch(`${editorStudio.url}/api/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
    await editorPage.close();
  });
});
