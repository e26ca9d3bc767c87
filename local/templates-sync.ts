/**
 * `retention templates push|pull` (docs/design.md §9): for teams that keep
 * templates in git, the `templates/` folder and a stack's studio content kept
 * in step. Pull writes the published version's files into the folder; push
 * saves each file that differs from the studio's workspace as a draft, for a
 * publisher to review and publish in the studio (a push never publishes).
 */
import { userInfo } from 'node:os';
import type { ContentPath, ContentStore } from '../functions/content/content';
import { readFolder, writeFolder } from '../functions/content/files';
import { filesOf, readWorkspace, type ContentDefaults } from '../functions/content/publish';

export const pullTemplates = async (store: ContentStore, defaults: ContentDefaults, dir: string) => {
  const current = await store.published();
  const files = await filesOf(store, defaults, current);
  writeFolder(dir, files);
  return { version: current?.version ?? 0, written: Object.keys(files).sort() };
};

export const pushTemplates = async (store: ContentStore, defaults: ContentDefaults, dir: string, now: Date, by = `cli:${userInfo().username}`) => {
  const workspace = await readWorkspace(store, defaults);
  const local = readFolder(dir);
  const changed: ContentPath[] = Object.keys(local)
    .filter((path) => workspace.files[path] !== local[path])
    .sort();
  for (const path of changed) await store.saveDraft({ path, text: local[path]!, savedAt: now.toISOString(), by });
  return { saved: changed };
};
