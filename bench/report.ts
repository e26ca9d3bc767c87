/** BENCHMARKS.md is made of sections, each written by its bench between its markers; the others are kept. */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem, type } from 'node:os';

export const machine = () =>
  `${type()} ${process.arch}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`;

/** Replaces the section `name` of BENCHMARKS.md (or appends it), written by `command`. */
export const writeSection = async (name: string, command: string, body: string) => {
  const section = `<!-- ${name}:start (written by ${command}) -->\n${body.trim()}\n<!-- ${name}:end -->`;
  const existing = await readFile('BENCHMARKS.md', 'utf8').catch(() => '# Benchmarks\n');
  const markers = new RegExp(`<!-- ${name}:start[^]*?<!-- ${name}:end -->`);
  await writeFile('BENCHMARKS.md', markers.test(existing) ? existing.replace(markers, () => section) : `${existing.trimEnd()}\n\n${section}\n`);
  console.log(`wrote the ${name} section of BENCHMARKS.md`);
};
