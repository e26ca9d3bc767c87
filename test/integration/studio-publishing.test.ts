/**
 * docs/design.md §9: templates and campaign settings published from the
 * studio reach the sending functions at their next sweep, without a deploy;
 * a rollback brings the earlier version back the same way. Editors draft,
 * only publishers publish; nothing with a problem is published. Through the
 * studio's API (functions/studio/api.ts, as the Lambda and the local studio
 * serve it) over the local stack's dynalite, SES and bus.
 */
// First, as the local stack imports it: the handlers' logger is created quiet.
import '../../local/environment';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoContentStore } from '../../functions/adapters/dynamodb/content';
import { parseConfig } from '../../functions/config';
import { catalogue, namespace, serviceDimension } from '../../functions/metrics';
import { settingsOf } from '../../functions/content/settings';
import { studioApiFor } from '../../functions/handlers/studio';
import { routeStudio } from '../../functions/studio/api';
import type { BusEvent } from '../../local/event-bus';
import { pullTemplates, pushTemplates } from '../../local/templates-sync';
import { localKeyring, startLocalStack, type LocalStack } from '../../local/stack';
import { unsubscribeLinks } from '../../functions/links/unsubscribe';
import type { StudioUser } from '../../studio/api';

const publisher: StudioUser = { id: 'pat@shop.example', role: 'publisher' };
const editor: StudioUser = { id: 'eddie@shop.example', role: 'editor' };
const start = new Date('2026-03-01T00:00:00Z');

let stack: LocalStack;
const busEvents: BusEvent[] = [];
let api: ReturnType<typeof studioApiFor>;

beforeAll(async () => {
  stack = await startLocalStack({ config: parseConfig({}), start, onEvent: (event) => busEvents.push(event) });
  api = studioApiFor(stack.runtime, 'marketer@shop.example');
});
afterAll(() => stack?.close());

const call = (user: StudioUser, method: string, path: string, body?: unknown, query: Record<string, string> = {}) =>
  routeStudio(api, user, { method, path, query, body }) as Promise<{ status: number; body: Record<string, any> }>;

const template = async (set: string, locale: string) => (await call(editor, 'GET', '/api/template', undefined, { set, locale })).body;

/** A Malay-speaking customer whose birthday is `day` (MM-DD), in Kuala Lumpur. */
const customer = (id: string, day: string) =>
  stack.bus.put({
    source: 'shop',
    detailType: 'Customer Upserted',
    time: stack.bus.now(),
    detail: { customerId: id, email: `${id}@example.com`, marketingConsent: true, locale: 'ms-MY', timeZone: 'Asia/Kuala_Lumpur', birthday: `--${day}` },
  });
const birthdayEmailTo = (id: string) => stack.ses.accepted.find((email) => email.to.includes(`${id}@example.com`));

describe('publishing from the studio', () => {
  const newSubject = 'Hadiah hari jadi untuk {{ customer.firstName | default: "anda" }}: diskaun {{ offer.percentOff }}%';

  it('an editor saves a draft of the Malay birthday subject; it is not live, and the editor cannot publish it', async () => {
    const current = await template('birthday', 'ms');
    const saved = await call(editor, 'PUT', '/api/template', { set: 'birthday', locale: 'ms', subject: newSubject, preheader: current.preheader, body: current.body });
    expect(saved.status).toBe(200);
    expect((await call(editor, 'GET', '/api/catalog')).body.publishing).toEqual({ version: 0, drafts: ['birthday/ms.mjml'] });
    const refused = await call(editor, 'POST', '/api/publish', { note: 'new subject' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/Only publishers can publish/);
    expect((await call(editor, 'GET', '/api/versions')).body).toEqual({ published: 0, versions: [] });
  });

  it('the campaign settings are a draft too, checked by the configuration schema with the field named', async () => {
    const { text } = (await call(editor, 'GET', '/api/settings')).body;
    const settings = JSON.parse(text);
    expect(settings.birthday.percentOff).toBe(15);
    const bad = await call(editor, 'PUT', '/api/settings', { text: JSON.stringify({ ...settings, birthday: { ...settings.birthday, percentOff: 150 } }) });
    expect(bad.status).toBe(422);
    expect(bad.body.problems[0].message).toMatch(/^settings\.json: birthday\.percentOff: /);
    const good = await call(editor, 'PUT', '/api/settings', { text: JSON.stringify({ ...settings, birthday: { ...settings.birthday, percentOff: 40 } }) });
    expect(good.status).toBe(200);
  });

  it('a publisher publishes: version 1, with both files, an audit trail and an event on the bus', async () => {
    const published = await call(publisher, 'POST', '/api/publish', { note: 'Raya subject, 40% off' });
    expect(published).toEqual({ status: 200, body: { ok: true, version: 1, changed: ['birthday/ms.mjml', 'settings.json'] } });
    expect((await call(editor, 'GET', '/api/catalog')).body.publishing).toEqual({ version: 1, drafts: [] });
    const { versions } = (await call(editor, 'GET', '/api/versions')).body;
    expect(versions).toEqual([expect.objectContaining({ version: 1, by: publisher.id, note: 'Raya subject, 40% off', changed: ['birthday/ms.mjml', 'settings.json'] })]);
    const { entries } = (await call(editor, 'GET', '/api/audit')).body;
    // The bus clock stood still: all three at one instant, so in no particular order.
    expect(entries.map((entry: { by: string; action: string; path?: string; version?: number }) => `${entry.by} ${entry.action} ${entry.path ?? entry.version}`).sort()).toEqual([
      'eddie@shop.example save birthday/ms.mjml',
      'eddie@shop.example save settings.json',
      'pat@shop.example publish 1',
    ]);
    const announced = busEvents.filter((event) => event['detail-type'] === 'Content Published');
    expect(announced.map((event) => event.detail)).toEqual([
      expect.objectContaining({ version: 1, by: publisher.id, changed: ['birthday/ms.mjml', 'settings.json'] }),
    ]);
    const diff = (await call(editor, 'GET', '/api/diff', undefined, { from: '0', to: '1' })).body.files;
    expect(diff.map((file: { path: string }) => file.path)).toEqual(['birthday/ms.mjml', 'settings.json']);
    expect(diff[0].patch).toContain(`+subject: ${newSubject}`);
    expect(diff[1].patch).toMatch(/-\s+"percentOff": 15,\n\+\s+"percentOff": 40,/);
  });

  it("the next birthday sweep sends the published subject and discount, without a deploy", async () => {
    customer('aisyah', '03-03');
    await stack.bus.runUntil(new Date('2026-03-03T03:00:00Z'));
    const email = birthdayEmailTo('aisyah');
    expect(email?.subject).toBe('Hadiah hari jadi untuk anda: diskaun 40%');
  });

  it('a publisher rolls back to the defaults: version 2, and the next birthday email is the old one again', async () => {
    const rolledBack = await call(publisher, 'POST', '/api/rollback', { version: 0 });
    expect(rolledBack).toEqual({ status: 200, body: { ok: true, version: 2, rollbackOf: 0 } });
    expect((await call(editor, 'POST', '/api/rollback', { version: 1 })).status).toBe(403);
    customer('nurul', '03-05');
    await stack.bus.runUntil(new Date('2026-03-05T03:00:00Z'));
    const email = birthdayEmailTo('nurul');
    expect(email?.subject).toMatch(/^Selamat hari jadi/);
    expect(email?.subject).not.toContain('40%');
    const { versions } = (await call(editor, 'GET', '/api/versions')).body;
    expect(versions[0]).toEqual(expect.objectContaining({ version: 2, rollbackOf: 0, changed: ['birthday/ms.mjml', 'settings.json'] }));
  });

  it('a draft with a misspelt variable (saved by an older studio, or pushed) cannot be published: the problem names file and line', async () => {
    const current = await template('birthday', 'en');
    const text = `---\nsubject: "Happy birthday, {{ customer.fistName }}"\npreheader: "${current.preheader}"\n---\n${current.body}`;
    await stack.runtime.dynamo.send(
      new PutCommand({ TableName: stack.runtime.tableName, Item: { pk: 'CONTENT#DRAFT', sk: 'birthday/en.mjml', text, savedAt: stack.bus.now().toISOString(), by: 'someone' } }),
    );
    const refused = await call(publisher, 'POST', '/api/publish', {});
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toContainEqual({ field: 'file', message: expect.stringMatching(/^birthday\/en\.mjml:2:\d+ .*customer\.fistName/) });
    expect((await call(editor, 'GET', '/api/versions')).body.published).toBe(2);
  });

  it('a version that does not exist is a 404, a malformed request a 400', async () => {
    expect((await call(publisher, 'POST', '/api/rollback', { version: 99 })).status).toBe(404);
    expect((await call(publisher, 'POST', '/api/rollback', { version: 'one' })).status).toBe(400);
    expect((await call(editor, 'GET', '/api/diff', undefined, { from: 'x' })).status).toBe(400);
  });
});

describe('templates push and pull (a team that keeps templates in git)', () => {
  const store = () => dynamoContentStore(stack.runtime.dynamo, stack.runtime.tableName);
  const defaults = () => ({ templatesDir: stack.runtime.templatesDir, settings: settingsOf(stack.runtime.config) });

  it('pull writes the published version into a folder; push saves what differs as drafts, and publishing them makes it live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retention-pull-'));
    try {
      const pulled = await pullTemplates(store(), defaults(), dir);
      expect(pulled.version).toBe(2);
      expect(pulled.written).toEqual(expect.arrayContaining(['birthday/ms.mjml', 'partials/footer.liquid', 'settings.json']));
      expect(readFileSync(join(dir, 'birthday/ms.mjml'), 'utf8')).toBe(readFileSync(join(stack.runtime.templatesDir, 'birthday/ms.mjml'), 'utf8'));

      // Clear the misspelt draft left by the test above, then change one file in git.
      await stack.runtime.dynamo.send(new DeleteCommand({ TableName: stack.runtime.tableName, Key: { pk: 'CONTENT#DRAFT', sk: 'birthday/en.mjml' } }));
      const file = join(dir, 'nps/ar.mjml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^subject: (.*)$/m, 'subject: $1 ✨'));
      const pushed = await pushTemplates(store(), defaults(), dir, stack.bus.now(), 'cli:ci');
      expect(pushed.saved).toEqual(['nps/ar.mjml']);
      // Pushed again: the workspace has it already.
      expect((await pushTemplates(store(), defaults(), dir, stack.bus.now(), 'cli:ci')).saved).toEqual([]);
      expect((await call(editor, 'GET', '/api/catalog')).body.publishing).toEqual({ version: 2, drafts: ['nps/ar.mjml'] });

      expect((await call(publisher, 'POST', '/api/publish', {})).body).toEqual({ ok: true, version: 3, changed: ['nps/ar.mjml'] });
      const again = mkdtempSync(join(tmpdir(), 'retention-pull-'));
      await pullTemplates(store(), defaults(), again);
      expect(readFileSync(join(again, 'nps/ar.mjml'), 'utf8')).toBe(readFileSync(file, 'utf8'));
      rmSync(again, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('test sends', () => {
  it('are marked [TEST] and never count for a campaign, whatever SES reports of them', async () => {
    const delivered = () =>
      ['birthday', 'winback', 'nps'].map((campaign) =>
        stack.metrics.datapoints({ namespace, name: catalogue.delivered.name, dimensions: { ...serviceDimension, campaign } }).reduce((sum, point) => sum + point.value, 0),
      );
    const before = delivered();
    const current = await template('birthday', 'ms');
    const sent = await call(editor, 'POST', '/api/send', { ...current, sample: 'malay', to: 'success@simulator.amazonses.com' });
    expect(sent.status).toBe(200);
    const email = stack.ses.accepted.find((message) => message.to.includes('success@simulator.amazonses.com'));
    expect(email?.subject).toMatch(/^\[TEST\] Selamat hari jadi/);
    await stack.bus.runUntil(new Date(stack.bus.now().getTime() + 60_000));
    // SES reported its delivery...
    expect(busEvents.some((event) => event['detail-type'] === 'Email Delivered' && (event.detail as { mail: { messageId: string } }).mail.messageId === sent.body.messageId)).toBe(true);
    // ...and no campaign counted it (the birthday emails above were counted).
    expect(before[0]).toBeGreaterThan(0);
    expect(delivered()).toEqual(before);
  });
});

describe('what else marketers edit', () => {
  it('a new A/B variant starts from an existing template; the test is set, checked, published, then its winner promoted', async () => {
    const copied = await call(editor, 'POST', '/api/copy', { set: 'winback-1', locale: 'en', variant: 'b', from: { locale: 'en' } });
    expect(copied).toEqual({ status: 200, body: { ok: true, file: 'winback-1/en.b.mjml' } });
    expect((await call(editor, 'POST', '/api/copy', { set: 'winback-1', locale: 'en', variant: 'b', from: { locale: 'en' } })).status).toBe(409);

    const noTemplate = await call(editor, 'PUT', '/api/experiment', { set: 'winback-1', experiment: { name: 'reminder-2026', variants: { a: 50, c: 50 } } });
    expect(noTemplate.status).toBe(422);
    expect(noTemplate.body.problems[0].message).toBe('winback-1/experiment.json: variant "c" has no template (<locale>.c.mjml)');
    expect((await call(editor, 'PUT', '/api/experiment', { set: 'winback-1', experiment: { name: 'reminder-2026', variants: { a: 70, b: 30 } } })).status).toBe(200);
    const published = await call(publisher, 'POST', '/api/publish', { note: 'A/B test of the reminder' });
    expect(published.body).toEqual({ ok: true, version: 4, changed: ['winback-1/en.b.mjml', 'winback-1/experiment.json'] });
    expect((await call(editor, 'GET', '/api/experiment', undefined, { set: 'winback-1' })).body).toEqual({
      set: 'winback-1',
      experiment: { name: 'reminder-2026', variants: { a: 70, b: 30 } },
      variantTemplates: { b: ['en'] },
    });

    const promoted = await call(editor, 'POST', '/api/experiment/promote', { set: 'winback-1', variant: 'b' });
    expect(promoted.body).toEqual({ ok: true, files: ['winback-1/en.mjml'] });
    // The variant's text was the control's: only the removals change anything.
    expect((await call(editor, 'GET', '/api/catalog')).body.publishing.drafts).toEqual(['winback-1/en.b.mjml', 'winback-1/experiment.json']);
    expect((await call(publisher, 'POST', '/api/publish', {})).body).toEqual({ ok: true, version: 5, changed: ['winback-1/en.b.mjml', 'winback-1/experiment.json'] });
    expect((await call(editor, 'GET', '/api/experiment', undefined, { set: 'winback-1' })).body.experiment).toBeNull();
    const { entries } = (await call(editor, 'GET', '/api/audit')).body;
    expect(entries).toContainEqual(expect.objectContaining({ action: 'remove', path: 'winback-1/experiment.json', by: editor.id }));
  });

  it('the footer partial is edited only while every template still passes with it', async () => {
    const footer = (await call(editor, 'GET', '/api/partial', undefined, { name: 'footer' })).body;
    expect(footer.file).toBe('partials/footer.liquid');
    const broken = await call(editor, 'PUT', '/api/partial', { name: 'footer', text: `${footer.text}\n{{ shop.nmae }}` });
    expect(broken.status).toBe(422);
    expect(broken.body.problems[0].message).toMatch(/shop\.nmae/);
    expect((await call(editor, 'PUT', '/api/partial', { name: 'footer', text: footer.text.replace('</mj-section>', '</mj-section>\n') })).status).toBe(200);
    expect((await call(editor, 'GET', '/api/catalog')).body.publishing.drafts).toEqual(['partials/footer.liquid']);
    expect((await call(editor, 'GET', '/api/partial', undefined, { name: 'nope' })).status).toBe(404);
  });

  it("the variables a step's templates can use, with the sample customer's values", async () => {
    const { variables } = (await call(editor, 'GET', '/api/variables', undefined, { set: 'birthday', locale: 'ms' })).body;
    expect(variables).toContainEqual({ path: 'customer.firstName', example: expect.any(String) });
    expect(variables).toContainEqual({ path: 'offer.percentOff', example: '15' });
  });
});

describe('the public links read the published settings too', () => {
  /** The unsubscribe page as the local links server serves it: the campaigns its preference form offers. */
  const offered = async () => {
    const url = new URL(unsubscribeLinks(localKeyring, stack.runtime.config.shop, 'siti', 'birthday', stack.bus.now()).url);
    const html = await (await fetch(`${stack.endpoints.links}${url.pathname}${url.search}`)).text();
    return [...html.matchAll(/name="keep" value="(\w+)"/g)].map(([, campaign]) => campaign);
  };

  it('NPS switched off in the studio leaves the preference form at once, without a deploy', async () => {
    customer('siti', '12-01');
    await stack.bus.flush();
    expect(await offered()).toEqual(['birthday', 'winback', 'nps']);
    const settings = JSON.parse((await call(editor, 'GET', '/api/settings')).body.text);
    expect((await call(editor, 'PUT', '/api/settings', { text: JSON.stringify({ ...settings, nps: { ...settings.nps, enabled: false } }) })).status).toBe(200);
    expect((await call(publisher, 'POST', '/api/publish', { note: 'no surveys' })).body).toMatchObject({ ok: true, changed: expect.arrayContaining(['settings.json']) });
    expect(await offered()).toEqual(['birthday', 'winback']);
  });
});
