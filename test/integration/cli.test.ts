/**
 * The `retention` command (docs/design.md §6), run as a user runs it: `node bin/retention.js ...`
 * in a child process, judged by its exit code, stdout, stderr and the files it writes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const retention = (...args: string[]) => {
  const result = spawnSync(process.execPath, ['bin/retention.js', ...args], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', RETENTION_DEBUG: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

const dir = mkdtempSync(join(tmpdir(), 'retention-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, lines: (string | object)[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return path;
};

const upsert = (time: string, detail: Record<string, unknown>) => ({
  time,
  source: 'shop',
  'detail-type': 'Customer Upserted',
  detail: { marketingConsent: true, ...detail },
});

/** Exactly one non-empty line on stderr, starting `retention:`. */
const expectOneLineReason = (stderr: string, reason: RegExp) => {
  const lines = stderr.split('\n').filter((line) => line.trim());
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^retention: /);
  expect(lines[0]).toMatch(reason);
};

describe('bad command-line arguments exit non-zero with a one-line reason on stderr', () => {
  const input = file('valid.ndjson', [upsert('2026-03-01T00:00:00Z', { customerId: 'c-1', email: 'c-1@example.com' })]);
  const out = join(dir, 'never-written');
  const window = ['--from', '2026-03-01T00:00:00Z', '--to', '2026-03-02T00:00:00Z'];

  it.each([
    ['a missing --input', ['simulate', ...window, '--out', out], /--input/],
    ['a missing --out', ['simulate', '--input', input, ...window], /--out/],
    ['an unknown option', ['simulate', '--input', input, ...window, '--out', out, '--speed', 'fast'], /--speed/],
    ['a --from that is not ISO-8601', ['simulate', '--input', input, '--from', 'yesterday', '--to', '2026-03-02T00:00:00Z', '--out', out], /--from.*yesterday.*ISO-8601/],
    ['a --from that is no date at all', ['simulate', '--input', input, '--from', '2026-13-45', '--to', '2026-03-02T00:00:00Z', '--out', out], /--from.*2026-13-45/],
    ['a --from with trailing text', ['simulate', '--input', input, '--from', '2026-01-01junk', '--to', '2026-03-02T00:00:00Z', '--out', out], /--from.*2026-01-01junk.*ISO-8601/],
    ['a --from on a day that does not exist', ['simulate', '--input', input, '--from', '2026-02-30T00:00:00Z', '--to', '2026-03-02T00:00:00Z', '--out', out], /--from.*2026-02-30/],
    ['a missing --to', ['simulate', '--input', input, '--from', '2026-03-01T00:00:00Z', '--out', out], /--to/],
    ['--to before --from', ['simulate', '--input', input, '--from', '2026-03-02T00:00:00Z', '--to', '2026-03-01T00:00:00Z', '--out', out], /--to.*after.*--from/],
    ['--to equal to --from', ['simulate', '--input', input, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-01T00:00:00Z', '--out', out], /--to.*after.*--from/],
    ['an input file that does not exist', ['simulate', '--input', join(dir, 'no-such-file.ndjson'), ...window, '--out', out], /no-such-file\.ndjson.*no such file/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['publish without a FILE', ['publish', '--bus', 'http://127.0.0.1:1'], /FILE/],
  ])('rejects %s', (_, args, reason) => {
    const { status, stdout, stderr } = retention(...args);
    expect(status, stderr).not.toBe(0);
    expect(status).not.toBeNull();
    expectOneLineReason(stderr, reason);
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});

describe('retention help prints the usage and exits 0', () => {
  it.each([
    ['retention help', ['help']],
    ['retention --help', ['--help']],
    ['retention alone', []],
  ])('prints the usage for `%s`', (_, args) => {
    const { status, stdout, stderr } = retention(...args);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^usage:/);
    for (const command of ['retention start', 'retention simulate --input FILE --from ISO --to ISO --out DIR', 'retention publish FILE']) {
      expect(stdout).toContain(command);
    }
  });
});

describe('retention simulate runs the input on a virtual clock and writes its four files to --out', () => {
  const out = join(dir, 'out');
  const input = file('birthdays.ndjson', [
    upsert('2026-03-01T00:00:00Z', { customerId: 'ana', email: 'ana@example.com', firstName: 'Ana', birthday: '1990-03-03' }),
    '{"time": "2026-03-01T00:00:00Z", "source": "shop", "detail-type": "Customer Upserted", "detail": {',
    upsert('2026-03-01T00:00:00Z', { customerId: 'ben', email: 'ben@example.com', birthday: '--03-06' }),
  ]);
  let run: ReturnType<typeof retention>;
  const ndjson = (name: string) =>
    readFileSync(join(out, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(() => {
    run = retention('simulate', '--input', input, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-11T00:00:00Z', '--out', out);
  }, 180_000);

  it('exits 0 and prints a one-line summary on stdout', () => {
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^2 emails, 1 dead letters?\b/);
    expect(lines[0]).toContain(out);
  });

  it('writes emails.ndjson, bus.ndjson, dead-letters.ndjson, summary.json and the dashboard as dashboard.html', () => {
    expect(readdirSync(out).sort()).toEqual(['bus.ndjson', 'dashboard.html', 'dead-letters.ndjson', 'emails.ndjson', 'summary.json']);
  });

  it('sends one birthday email to each customer, on the birthday in their 09:00 hour', () => {
    const emails = ndjson('emails.ndjson');
    expect(emails.map((e) => [e.customerId, e.to, e.campaign, e.sentAt])).toEqual([
      ['ana', 'ana@example.com', 'birthday', '2026-03-03T09:00:00.000Z'],
      ['ben', 'ben@example.com', 'birthday', '2026-03-06T09:00:00.000Z'],
    ]);
    for (const email of emails) {
      expect(email).toMatchObject({ messageId: expect.any(String), subject: expect.any(String), html: expect.any(String), text: expect.any(String) });
    }
  });

  it('dead-letters the malformed line with a reason naming it', () => {
    const deadLetters = ndjson('dead-letters.ndjson');
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toMatch(/input line 2\b/);
  });

  it('records every event that crossed the bus, the two customers among them', () => {
    const bus = ndjson('bus.ndjson');
    const upserts = bus.filter((e) => e['detail-type'] === 'Customer Upserted');
    expect(upserts.map((e) => (e.detail as { customerId: string }).customerId)).toEqual(['ana', 'ben']);
    expect(bus.every((e) => e.version === '0' && typeof e.id === 'string' && typeof e.time === 'string')).toBe(true);
  });

  it('summarises the run in summary.json', () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-11T00:00:00.000Z',
      emails: { total: 2, byCampaign: { birthday: 2 } },
      deadLetters: 1,
      dynamodb: { readUnits: expect.any(Number), writeUnits: expect.any(Number) },
    });
    expect(summary.dynamodb.writeUnits).toBeGreaterThan(0);
  });
});

describe('retention publish needs the running local bus', () => {
  it('exits non-zero naming the file when FILE does not exist, without blaming the bus', () => {
    const { status, stderr } = retention('publish', '/no/such/events.ndjson', '--bus', 'http://127.0.0.1:1');
    expect(status).not.toBe(0);
    expectOneLineReason(stderr, /\/no\/such\/events\.ndjson: no such file/);
    expect(stderr).not.toMatch(/npm start/);
  });

  it('exits non-zero, saying the bus is not running, when nothing listens at --bus', () => {
    const events = file('publish.ndjson', [upsert('2026-03-01T00:00:00Z', { customerId: 'c-1', email: 'c-1@example.com' })]);
    const { status, stdout, stderr } = retention('publish', events, '--bus', 'http://127.0.0.1:1');
    expect(status).not.toBe(0);
    expect(stdout).toBe('');
    expectOneLineReason(stderr, /http:\/\/127\.0\.0\.1:1/);
    expect(stderr).toMatch(/npm start|not running|ECONNREFUSED/);
  });
});
