/**
 * Where the CPU time of a simulation goes: `retention simulate` over half a
 * year of 300 customers (bench/year.ts's input) under `node --cpu-prof`, its
 * samples' self time summed by the part of the stack they ran in.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { yearInput, year } from './year';

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
    const { lines } = yearInput(300);
    await writeFile(input, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
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

export const profileTable = ({ total, byPart }: ReturnType<typeof shares>) =>
  [
    '| share | seconds | where |',
    '|---:|---:|---|',
    ...[...byPart].sort((a, b) => b[1] - a[1]).map(([part, seconds]) => `| ${((100 * seconds) / total).toFixed(1)} % | ${seconds.toFixed(1)} | ${part} |`),
    `| 100 % | ${total.toFixed(1)} | in all |`,
  ].join('\n');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measureProfile();
  console.log(`${result.emails} emails\n${profileTable(result)}`);
}
