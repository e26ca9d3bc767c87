/**
 * The content as files: which paths it holds, read from and written to a
 * templates folder (the renderer, the checker and the compiler all read
 * folders), and a version's files fetched by their hashes.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compiledManifest } from '../templates/template-file';
import type { ContentPath, ContentStore, ContentVersion } from './content';
import { settingsFile } from './settings';

/** What the content holds: templates, each set's A/B test, the shared partials, the campaign settings. Nothing that can walk out of a folder. */
export const contentPath = /^(?:[a-z0-9][a-z0-9-]{0,63}\/(?:[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8}){0,3}(?:\.[a-z0-9][a-z0-9-]{0,31})?\.mjml|experiment\.json)|partials\/[a-z0-9][a-z0-9-]{0,63}\.liquid|settings\.json)$/;

export const isTemplatePath = (path: ContentPath) => path.endsWith('.mjml');

/** The content files of a templates folder (its `settings.json` too, if it has one). */
export const readFolder = (dir: string): Record<ContentPath, string> => {
  const files: Record<ContentPath, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === settingsFile) files[settingsFile] = readFileSync(join(dir, entry.name), 'utf8');
    if (!entry.isDirectory()) continue;
    for (const name of readdirSync(join(dir, entry.name))) {
      const path = `${entry.name}/${name}`;
      if (contentPath.test(path)) files[path] = readFileSync(join(dir, path), 'utf8');
    }
  }
  return files;
};

export const writeFolder = (dir: string, files: Record<ContentPath, string>) => {
  for (const [path, text] of Object.entries(files)) {
    if (!contentPath.test(path)) throw new Error(`${path} is not a content file`);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
};

/** A version's file texts. */
export const versionFiles = async (store: Pick<ContentStore, 'texts'>, version: ContentVersion) => {
  const texts = await store.texts(Object.values(version.files));
  return Object.fromEntries(Object.entries(version.files).map(([path, hash]) => [path, textOf(texts, hash, path)]));
};

/** A version as a folder the sending functions render from: its files and its compiled templates (no MJML needed). Returns its files. */
export const writeVersionFolder = async (store: Pick<ContentStore, 'texts'>, version: ContentVersion, dir: string) => {
  const texts = await store.texts([...Object.values(version.files), ...Object.values(version.compiled)]);
  const files = Object.fromEntries(Object.entries(version.files).map(([path, hash]) => [path, textOf(texts, hash, path)]));
  writeFolder(dir, files);
  const manifest = Object.fromEntries(Object.entries(version.compiled).map(([key, hash]) => [key, JSON.parse(textOf(texts, hash, key)) as unknown]));
  writeFileSync(join(dir, compiledManifest), JSON.stringify(manifest));
  return files;
};

const textOf = (texts: Map<string, string>, hash: string, path: string) => {
  const text = texts.get(hash);
  if (text === undefined) throw new Error(`content: the text of ${path} (${hash.slice(0, 12)}) is missing from the store`);
  return text;
};
