/**
 * The `retention` command (docs/design.md §6), run as a user runs it: `node bin/retention.js ...`
 * in a child process, judged by its exit code, stdout, stderr and the files it writes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { clearStore } from 'aws-ses-v2-local/dist/store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { localCredentials, localRegion, startLocalDynamo } from '../../local/dynamodb';
import { LocalEventBus, type BusEvent } from '../../local/event-bus';
import { portSettings, type PortName } from '../../local/ports';
import { startLocalSes } from '../../local/ses';
import { openMetricStores } from '../../local/metrics';
import { startLocalStack } from '../../local/stack';

const root = fileURLToPath(new URL('../..', import.meta.url));

const environment = (env: Record<string, string> = {}) => ({ ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', RETENTION_DEBUG: '', ...env });

const retention = (...args: string[]) => {
  const result = spawnSync(process.execPath, ['bin/retention.js', ...args], {
    cwd: root,
    env: environment(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** The same with these environment variables, leaving this process free (to serve a local bus, to run others at once). */
const retentionAsync = (env: Record<string, string>, ...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/retention.js', ...args], { cwd: root, env: environment(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

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
    expect(readdirSync(out).sort()).toEqual(['bus.ndjson', 'dashboard.html', 'data', 'dead-letters.ndjson', 'emails.ndjson', 'summary.json']);
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

  it('keeps its data in --out: explain tells a customer\'s story from it, and export writes all of it', () => {
    const story = retention('explain', 'ana', '--data', out);
    expect(story.status, story.stderr).toBe(0);
    expect(story.stdout).toMatch(/^customer ana\n/);
    expect(story.stdout).toMatch(/2026-03-03T09:00:00.000Z {2}email {10}birthday email sent: "Happy birthday, Ana!/);
    expect(story.stdout).toMatch(/pending: birthday email due 2027-03-03T09:00:00.000Z/);
    const exported = join(dir, 'ana.json');
    const run = retention('customer', 'export', 'ana', '--data', out, '--out', exported);
    expect(run.status, run.stderr).toBe(0);
    const document = JSON.parse(readFileSync(exported, 'utf8'));
    expect(document).toMatchObject({ customerId: 'ana', profile: { email: 'ana@example.com' }, emails: [{ email: 'birthday', subject: expect.stringContaining('Ana') }] });
  });

  it('reads a deployed table as it reads a data folder (the AWS SDK pointed at a DynamoDB endpoint, as on AWS)', async () => {
    const dynamo = await startLocalDynamo({ path: join(out, 'data') });
    try {
      const run = await retentionAsync(
        { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'local-1' },
        'explain',
        'ana',
        '--table',
        'retention',
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/birthday email sent: "Happy birthday, Ana!/);
    } finally {
      await dynamo.close();
    }
  });

  it('lists its dead letters with their reasons', () => {
    const { status, stdout } = retention('dead-letters', 'list', '--data', out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^2026-03-01T00:00:00.000Z  simulate input  input line 2: .*\n1 dead letter, 1 that a redrive cannot send back\n$/);
  });

  it('says what is wrong with an explain or export of nothing, or from two places', () => {
    expect(retention('explain', '--data', out)).toMatchObject({ status: 2, stderr: 'retention: explain takes one CUSTOMER id\n' });
    expect(retention('explain', 'ana', '--data', out, '--table', 't')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--data and --table/) });
    expect(retention('explain', 'ana', '--data', dir)).toMatchObject({ status: 2, stderr: expect.stringMatching(/no data there/) });
    expect(retention('customer', 'export', 'nobody', '--data', out)).toMatchObject({ status: 0, stderr: 'retention: nothing is held about customer nobody\n' });
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

/** Every port variable at 0 (any free port), so a test never meets a developer's running `npm start`. */
const anyPorts = Object.fromEntries(Object.values(portSettings).map((setting) => [setting.variable, '0']));

/** A port something else listens on, while `use` runs. */
const withTakenPort = async <T>(use: (port: number) => Promise<T> | T) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  try {
    return await use((holder.address() as AddressInfo).port);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
};

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

// Concurrent: each test waits on its own child process.
describe.concurrent('retention start names a port it cannot have, what wanted it and the variable that moves it', () => {
  it.each(Object.entries(portSettings) as [PortName, (typeof portSettings)[PortName]][])(
    'a taken %s port: exit 2, one line naming the port and its variable, nothing started',
    async (_, setting) => {
      const data = join(dir, `taken-${setting.variable}`);
      const { status, stdout, stderr } = await withTakenPort((port) =>
        retentionAsync({ ...anyPorts, [setting.variable]: String(port) }, 'start', '--data', data).then((run) => {
          expectOneLineReason(run.stderr, new RegExp(`${setting.what}.*port ${port}\\b.*in use.*${setting.variable}=`, 'i'));
          return run;
        }),
      );
      expect(status, stderr).toBe(2);
      expect(stdout).toBe('');
      // Checked before anything started: not even the data folder.
      expect(existsSync(data)).toBe(false);
    },
  );

  it('names every port in use at once', async () => {
    await withTakenPort((bus) =>
      withTakenPort(async (inbox) => {
        const run = await retentionAsync({ ...anyPorts, RETENTION_BUS_PORT: String(bus), RETENTION_INBOX_PORT: String(inbox) }, 'start', '--data', join(dir, 'taken-two'));
        expect(run.status).toBe(2);
        expectOneLineReason(run.stderr, new RegExp(`ports in use: ${bus} \\(the event bus, RETENTION_BUS_PORT\\), ${inbox} \\(the SES inbox, RETENTION_INBOX_PORT\\)`));
      }),
    );
  });

  it.each([
    ['RETENTION_BUS_PORT', 'abc'],
    ['RETENTION_DYNAMODB_PORT', '70000'],
    ['RETENTION_INBOX_PORT', '80.5'],
  ])('refuses %s=%s, naming the variable', async (variable, value) => {
    const data = join(dir, `bad-${variable}`);
    const { status, stdout, stderr } = await retentionAsync({ ...anyPorts, [variable]: value }, 'start', '--data', data);
    expect(status, stderr).toBe(2);
    expect(stdout).toBe('');
    expectOneLineReason(stderr, new RegExp(`^retention: ${variable}='${value.replace('.', '\\.')}' is not a port number`));
    expect(existsSync(data)).toBe(false);
  });

  it('refuses a bad port variable in the commands that reach `npm start` too', async () => {
    const events = file('bad-port.ndjson', [upsert('2026-03-01T00:00:00Z', { customerId: 'c-1', email: 'c-1@example.com' })]);
    const { status, stderr } = await retentionAsync({ RETENTION_BUS_PORT: 'abc', RETENTION_BUS_URL: '' }, 'publish', events);
    expect(status).toBe(2);
    expectOneLineReason(stderr, /RETENTION_BUS_PORT='abc' is not a port number/);
  });

  it('a server of the stack that cannot listen closes those already started', async () => {
    const bus = await withTakenPort((port) => port); // a free port, now
    const stores = openMetricStores();
    await withTakenPort(async (taken) => {
      await expect(startLocalStack({ config: parseConfig({}), start: new Date(), ports: { bus, links: taken }, inbox: true })).rejects.toThrow(
        new RegExp(`the links server cannot listen on port ${taken}: it is in use; .*RETENTION_LINKS_PORT=`),
      );
    });
    expect(await isFree(bus)).toBe(true);
    // Its metrics store too (one left open slows every later stack of the process).
    expect(openMetricStores()).toBe(stores);
  });
});

describe('retention publish reports, per line, what the engine will reject and why', () => {
  const events = file('mixed.ndjson', [
    upsert('2026-03-01T00:00:00Z', { customerId: 'ok-1', email: 'ok-1@example.com' }),
    upsert('2026-03-01T00:00:00Z', { customerId: 'bad-email', email: 'not-an-email' }),
    '{"time": "2026-03-01T00:00:00Z", "source": "shop", "detail-type": "Customer Upserted", "detail": {',
    { time: '2026-03-01T00:00:00Z', source: 'shop', 'detail-type': 'Customer Updated', detail: { customerId: 'typo' } },
    { time: '2026-03-01T01:00:00Z', source: 'shop', 'detail-type': 'Order Placed', detail: { customerId: 'ok-1', orderId: 'o-1', total: -5 } },
    upsert('2026-03-01T02:00:00Z', { customerId: 'ok-2', email: 'ok-2@example.com' }),
  ]);
  let run: Awaited<ReturnType<typeof retentionAsync>>;
  const received: BusEvent[] = [];
  let busUrl: string;

  beforeAll(async () => {
    const bus = new LocalEventBus({ start: new Date(), onEvent: (event) => received.push(event) });
    busUrl = await bus.listen(0);
    run = await retentionAsync({}, 'publish', events, '--bus', busUrl);
    await bus.close();
  });

  it('names each rejected line with its field and reason, in file order, on stderr', () => {
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      `${events}:2: rejected: detail.email: Invalid email address`,
      `${events}:3: not published: not valid JSON`,
      expect.stringMatching(new RegExp(`^${events}:4: ignored: no rule takes source 'shop', detail-type 'Customer Updated' \\(the shop's are 'Customer Upserted', `)),
      expect.stringMatching(new RegExp(`^${events}:5: rejected: .*detail\\.total: must not be negative`)),
    ]);
  });

  it('publishes the rejected events all the same (they become dead letters, as on AWS), and says so', () => {
    expect(run.stdout.trim()).toBe(
      `published 5 events to ${busUrl}: 2 accepted, 2 rejected (published anyway, as on AWS: they are in the dead letters with the reason), 1 ignored (no function takes it); 1 line not published`,
    );
    expect(received.map((event) => (event.detail as { customerId: string }).customerId).sort()).toEqual(['bad-email', 'ok-1', 'ok-1', 'ok-2', 'typo']);
  });

  it('exits 1', () => {
    expect(run.status).toBe(1);
  });

  it('gives the very reasons ingest gives in its dead letters', () => {
    const out = join(dir, 'mixed-out');
    const simulated = retention('simulate', '--input', events, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-01T03:00:00Z', '--out', out);
    expect(simulated.status, simulated.stderr).toBe(0);
    const reasons = readFileSync(join(out, 'dead-letters.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.stringify(JSON.parse(line)));
    for (const problem of run.stderr.split('\n').filter((line) => line.includes(': rejected: '))) {
      const reason = problem.split(': rejected: ')[1]!;
      expect(reasons.some((deadLetter) => deadLetter.includes(JSON.stringify(reason).slice(1, -1))), `${reason} in ${reasons.join('\n')}`).toBe(true);
    }
  });

  it('exits 0 when every event is accepted', async () => {
    const good = file('good.ndjson', [upsert('2026-03-01T00:00:00Z', { customerId: 'g-1', email: 'g-1@example.com' })]);
    const bus = new LocalEventBus({ start: new Date() });
    const url = await bus.listen(0);
    const ok = await retentionAsync({}, 'publish', good, '--bus', url);
    await bus.close();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe(`published 1 event to ${url}: 1 accepted`);
  });
});

describe.concurrent('retention <command> --help prints that command\'s usage and exits 0', () => {
  const cases: [string[], string, string[]][] = [
    [['start'], 'retention start [--data DIR]', ['retention simulate', 'retention publish']],
    [['simulate'], 'retention simulate --input FILE --from ISO --to ISO --out DIR', ['retention start']],
    [['publish', 'events.ndjson'], 'retention publish FILE [--bus URL]', ['retention import']],
    [['import'], 'retention import --customers FILE --orders FILE', ['retention publish']],
    [['templates', 'check'], 'retention templates check [--dir DIR]', ['retention studio']],
    [['studio'], 'retention studio [--port N] [--dir DIR]', ['retention templates']],
    [['studio', 'invite'], 'retention studio invite EMAIL', ['retention studio [--port N]']],
  ];
  // --help for each command, -h (the same code) for two.
  const flags = (words: string[]) => (['start', 'invite'].includes(words.at(-1)!) ? ['--help', '-h'] : ['--help']);
  it.each(cases.flatMap(([words, usage, others]) => flags(words).map((flag) => [[...words, flag].join(' '), words, flag, usage, others] as const)))(
    '`retention %s`',
    async (_, words, flag, usage, others) => {
      const { status, stdout, stderr } = await retentionAsync({}, ...words, flag);
      expect(status, stderr).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^usage:\n/);
      expect(stdout).toContain(usage);
      expect(stdout).toContain('--config FILE');
      for (const other of others) expect(stdout).not.toContain(other);
    },
  );

  it('`retention studio --help` shows `studio invite` too; `retention templates --help` check and pull|push', async () => {
    expect((await retentionAsync({}, 'studio', '--help')).stdout).toContain('retention studio invite EMAIL');
    const templates = (await retentionAsync({}, 'templates', '--help')).stdout;
    expect(templates).toContain('retention templates check');
    expect(templates).toContain('retention templates pull|push');
  });

  it('`retention help publish` is `retention publish --help`', async () => {
    const [help, flag] = await Promise.all([retentionAsync({}, 'help', 'publish'), retentionAsync({}, 'publish', '--help')]);
    expect(help.stdout).toBe(flag.stdout);
  });
});

describe('the inbox of `npm start` outlives a restart with the same data folder', () => {
  it('keeps each accepted message in DATA/inbox.ndjson, loads it back at start, and empties it with the Clear button', async () => {
    const inboxFile = join(dir, 'inbox.ndjson');
    const bus = new LocalEventBus({ start: new Date() });
    const send = async (endpoint: string, subject: string) => {
      const client = new SESv2Client({ endpoint, region: localRegion, credentials: localCredentials });
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: ['ana@example.com'] },
          Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'hello' } } } },
        }),
      );
      client.destroy();
    };
    const subjects = async (inboxUrl: string) =>
      ((await (await fetch(`${inboxUrl}/store`)).json()) as { emails: { subject: string }[] }).emails.map((email) => email.subject);

    const first = await startLocalSes(bus, { inbox: true, inboxFile });
    await send(first.endpoint, 'before the restart');
    await first.close();
    // A new process: aws-ses-v2-local's store starts empty.
    clearStore();
    const second = await startLocalSes(bus, { inbox: true, inboxFile });
    try {
      expect(await subjects(second.inboxUrl!)).toEqual(['before the restart']);
      expect(second.acceptedCount()).toBe(1);
      await send(second.endpoint, 'after it');
      expect(await subjects(second.inboxUrl!)).toEqual(['before the restart', 'after it']);
      await fetch(`${second.inboxUrl}/clear-store`, { method: 'POST' });
      expect(readFileSync(inboxFile, 'utf8')).toBe('');
    } finally {
      await second.close();
      clearStore();
    }
  });
});
