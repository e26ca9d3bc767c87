/**
 * Where the CPU time of a simulation goes: `retention simulate` over half a
 * year of 300 customers (bench/year.ts's input) under `node --cpu-prof`, its
 * samples' self time summed by the part of the stack they ran in.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeYearInput, year } from './year';

const parts: [string, RegExp][] = [
  ['AWS SDK (`@smithy/*`, `@aws-sdk/*`)', /node_modules\/@(smithy|aws-sdk)\//],
  ['dynalite and its level store', /node_modules\/(dynalite|[a-z-]*level[a-z-]*|lazy|big\.js|async|lock)\//],
  ['MJML, html-to-text, liquidjs', /node_modules\/(mjml[a-z-]*|html-to-text|htmlparser2|juice|cheerio[a-z-]*|liquidjs|js-beautify|html-minifier[a-z-]*)\//],
  ['Powertools and middy', /node_modules\/@(aws-lambda-powertools|middy)\//],
  ['the project: functions/', /\/functions\//],
  ['the project: local/ (the emulation)', /\/local\//],
  ['other packages', /node_modules\//],
  ['Node.js core', /^node:/],
];

interface Profile {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by part, in seconds, and the whole. */
export const shares = (profile: Profile) => {
  const urls = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byPart = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = urls.get(id)!;
    const seconds = (profile.timeDeltas[i] ?? 0) / 1e6;
    total += seconds;
    const part = frame.url
      ? (parts.find(([, pattern]) => pattern.test(frame.url))?.[0] ?? 'other')
      : frame.functionName === '(garbage collector)'
        ? 'V8: garbage collection'
        : frame.functionName === '(idle)'
          ? 'V8: idle (waiting)'
          : 'V8: other native';
    byPart.set(part, (byPart.get(part) ?? 0) + seconds);
  });
  return { total, byPart };
};

export const measureProfile = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'retention-profile-'));
  try {
    const input = join(dir, 'input.ndjson');
    await writeYearInput(input, 300);
    const bin = fileURLToPath(new URL('../bin/retention.js', import.meta.url));
    const half = '2026-07-01T00:00:00Z';
    await promisify(execFile)(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'prof')}`, bin, 'simulate', '--input', input, '--from', year.from, '--to', half, '--out', join(dir, 'out')], {
      maxBuffer: 64 * 2 ** 20,
    });
    const [file] = await readdir(join(dir, 'prof'));
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8')) as { emails: { total: number } };
    return { ...shares(JSON.parse(await readFile(join(dir, 'prof', file!), 'utf8')) as Profile), emails: summary.emails.total };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/**
 * The same measurement at a6045a2, before issue 12 (the SDK over HTTP to dynalite and through a
 * pass-through to aws-ses-v2-local, MJML at every send, every email and event kept in memory):
 * 713 emails, CPU seconds by part. Kept here because that code is gone.
 */
const before: Record<string, number> = {
  'AWS SDK (`@smithy/*`, `@aws-sdk/*`)': 53.9,
  'Node.js core': 46.9,
  'dynalite and its level store': 31.6,
  'V8: other native': 21.5,
  'V8: garbage collection': 13.5,
  'V8: idle (waiting)': 7.7,
  'other packages': 7.3,
  'the project: local/ (the emulation)': 6.3,
  'MJML, html-to-text, liquidjs': 5.5,
  'the project: functions/': 4.7,
  'Powertools and middy': 3.9,
};

export const profileTable = ({ total, byPart }: ReturnType<typeof shares>) => {
  const totalBefore = Object.values(before).reduce((sum, seconds) => sum + seconds, 0);
  const cell = (seconds: number | undefined, all: number) => (seconds === undefined ? '–' : `${seconds.toFixed(1)} s (${((100 * seconds) / all).toFixed(1)} %)`);
  return [
    '| where | before (a6045a2) | now |',
    '|---|---:|---:|',
    ...[...new Set([...Object.keys(before), ...byPart.keys()])]
      .sort((a, b) => (byPart.get(b) ?? 0) - (byPart.get(a) ?? 0))
      .map((part) => `| ${part} | ${cell(before[part], totalBefore)} | ${cell(byPart.get(part), total)} |`),
    `| in all | ${totalBefore.toFixed(1)} s | ${total.toFixed(1)} s |`,
  ].join('\n');
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measureProfile();
  console.log(`${result.emails} emails\n${profileTable(result)}`);
}
