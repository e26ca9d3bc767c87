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
  // A new section goes before the others (the speed sections first), after the file's introduction.
  const first = existing.search(/^<!-- [a-z]+:start/m);
  const added = first < 0 ? `${existing.trimEnd()}\n\n${section}\n` : `${existing.slice(0, first)}${section}\n\n${existing.slice(first)}`;
  await writeFile('BENCHMARKS.md', markers.test(existing) ? existing.replace(markers, () => section) : added);
  console.log(`wrote the ${name} section of BENCHMARKS.md`);
};
