/**
 * Dead letters of a data folder (local/dead-letters.ts): a simulation's file (lines without
 * ids) read as `npm start`'s is, what a redrive could not send back named, the one-line
 * format safe for a terminal, and the dashboard page escaping everything it shows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deadLettersFile, formatDeadLetter, readLocalDeadLetters, redrivenFile, type ListedDeadLetter } from '../../local/dead-letters';
import { renderDeadLettersPage } from '../../local/dead-letters-page';

const dir = mkdtempSync(join(tmpdir(), 'retention-dead-letters-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shopEvent = { version: '0', id: 'e1', 'detail-type': 'Customer Upserted', source: 'shop', account: '0', time: '2026-03-01T08:00:00Z', region: 'local-1', resources: [], detail: { customerId: 'c-9', email: 'nur@example.com' } };
// As `retention simulate` writes them: no ids.
const simulated = [
  { at: '2026-03-01T00:00:00.000Z', reason: 'input line 3: not valid JSON', event: '{"time":' },
  { at: '2026-03-01T00:00:00.000Z', reason: 'input line 4: time: Invalid ISO datetime', event: { time: 'soon', source: 'shop', 'detail-type': 'Customer Upserted', detail: { customerId: 'c-4' } } },
  { at: '2026-03-01T08:00:00.000Z', reason: 'detail.email: Invalid email address', event: { ...shopEvent, detail: { customerId: 'c-5', email: 'no' } } },
  { at: '2026-03-01T08:00:00.000Z', reason: '(event): too large', event: { truncated: true, bytes: 300000, preview: '{' } },
  { at: '2026-03-01T09:00:00.000Z', reason: 'shopEvents: failed 20 times: boom', rule: 'ingest', event: shopEvent },
  { at: '2026-03-01T09:00:00.000Z', reason: 'sendJobs: failed 20 times: boom', rule: 'sender', event: { campaign: 'birthday', customerId: 'c-7', at: '2026-03-01T09:00:00Z' } },
  { at: '2026-03-01T10:00:00.000Z', reason: 'birthdaySweep failed after 3 attempts: boom', rule: 'birthdaySweep', event: { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } },
  { at: '2026-03-01T11:00:00.000Z', reason: 'input line 9: the links server did not answer', event: { time: '2026-03-01T11:00:00Z', recipient: { customerId: 'c-8', action: 'nps-score', score: 9 } } },
];
writeFileSync(join(dir, deadLettersFile), `${simulated.map((line) => JSON.stringify(line)).join('\n')}\n{"at":"2026-03-01T12:0`);

describe("a simulation's dead-letters.ndjson", () => {
  const letters = readLocalDeadLetters(dir);

  it('is read letter by letter, a line cut short skipped, each with where it failed', () => {
    expect(letters.map((letter) => [letter.kind, letter.where, letter.customerId])).toEqual([
      ['input', 'simulate input', undefined],
      ['input', 'simulate input', 'c-4'],
      ['rejected', 'RejectedEvents', 'c-5'],
      ['rejected', 'RejectedEvents', undefined],
      ['queue', 'shopEvents queue (ingest)', 'c-9'],
      ['queue', 'sendJobs queue (sender)', 'c-7'],
      ['schedule', 'birthdaySweep schedule', undefined],
      ['input', 'simulate input', 'c-8'],
    ]);
  });

  it('names what a redrive cannot send back, and why', () => {
    expect(letters.map((letter) => letter.notRedrivable)).toEqual([
      'it is not JSON',
      'its time is not an instant, which no bus carries',
      undefined,
      'only a preview of it was kept (it was 300000 bytes)',
      undefined,
      undefined,
      undefined,
      'a recipient action runs only in `retention simulate`',
    ]);
  });

  it('gives each letter a stable id from its line, which the redriven file refers to', () => {
    expect(new Set(letters.map((letter) => letter.id)).size).toBe(8);
    expect(readLocalDeadLetters(dir).map((letter) => letter.id)).toEqual(letters.map((letter) => letter.id));
    writeFileSync(join(dir, redrivenFile), `${JSON.stringify({ id: letters[4]!.id, redrivenAt: '2026-03-02T00:00:00.000Z', to: 'shopEvents queue' })}\n`);
    expect(readLocalDeadLetters(dir)).toHaveLength(7);
    expect(readLocalDeadLetters(dir, { all: true })[4]).toMatchObject({ where: 'shopEvents queue (ingest)', redrivenAt: '2026-03-02T00:00:00.000Z' });
    rmSync(join(dir, redrivenFile));
  });
});

describe('one line per dead letter', () => {
  const letter: ListedDeadLetter = {
    id: 'a1',
    at: '2026-03-01T09:00:00.000Z',
    kind: 'rejected',
    where: 'RejectedEvents',
    reason: 'detail.note\n\u001b[31mred\u001b[0m: siti@example.com is not allowed',
    customerId: 'c-1\r\u0007',
    event: { detail: { email: 'siti@example.com', firstName: 'Siti' } },
  };

  it('holds time, where, reason, customer and id, on one line, with no control character and no address', () => {
    const line = formatDeadLetter(letter);
    expect(line).toBe('2026-03-01T09:00:00.000Z  RejectedEvents  detail.note [31mred [0m: <address> is not allowed  customer c-1  id a1');
    expect(line).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('the dashboard page', () => {
  it('escapes everything it shows, runs no script, and keeps the event collapsed', () => {
    const hostile = '<script>alert(1)</script>"\'&';
    const html = renderDeadLettersPage(
      [
        { id: hostile, at: hostile, kind: 'rejected', where: hostile, reason: hostile, customerId: hostile, event: { detail: { firstName: hostile } }, notRedrivable: hostile },
        { id: 'b', at: '2026-03-01T00:00:00Z', kind: 'queue', where: 'shopEvents queue (ingest)', reason: 'boom', event: 'text', redrivenAt: '2026-03-02T00:00:00Z' },
      ],
      { source: `/data/${hostile}` },
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain(hostile);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;');
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<details><summary>event<\/summary><pre>/g)).toHaveLength(2);
    expect(html).toContain('1 pending, 1 redriven');
    // Newest first.
    expect(html.indexOf('data-id="b"')).toBeLessThan(html.indexOf('data-id="&#60;script'));
  });
});
