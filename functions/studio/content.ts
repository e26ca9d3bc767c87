/**
 * What the studio edits: a plain templates folder (`retention studio --dir`,
 * where saving writes the file and git is the history), or the stack's
 * versioned content (docs/design.md §9: `npm start` and AWS), where saving
 * writes a draft and publishers publish and roll back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { EventPublisher } from '../campaigns/ports';
import { hashOf, type ContentStore } from '../content/content';
import { contentPath, writeFolder } from '../content/files';
import { filesOf, pendingDrafts, publish, readWorkspace, rollback, type ContentDefaults, type PublishResult } from '../content/publish';
import { settingsFile } from '../content/settings';
import type { AuditResponse, DiffResponse, PublishingState, StudioUser, VersionsResponse } from '../../studio/api';

export interface StudioContent {
  /** A templates folder holding what the studio shows: the renderer and the checker read folders. */
  folder(): Promise<string>;
  /** `path` is a content path, e.g. `birthday/ms.mjml`; `null` removes the file. */
  save(path: string, text: string | null, user: StudioUser): Promise<void>;
  /** Versioned content only. */
  publishing?: Publishing;
}

export interface Publishing {
  state(): Promise<PublishingState>;
  settings(): Promise<string>;
  publish(user: StudioUser, note?: string): Promise<PublishResult>;
  rollback(user: StudioUser, version: number): Promise<PublishResult>;
  versions(): Promise<VersionsResponse>;
  /** `to` undefined: the workspace, drafts included. */
  diff(from: number, to?: number): Promise<DiffResponse>;
  audit(): Promise<AuditResponse>;
}

/** A templates folder: saving writes the file, beside and then renamed, so a reader (the engine, git, an editor) never sees half a template. */
export const folderContent = (dir: string): StudioContent => ({
  folder: async () => dir,
  async save(path, text) {
    const target = resolve(dir, path);
    if (!contentPath.test(path) || !target.startsWith(dir + sep)) throw new Error(`${path} is not a content file`);
    if (text === null) return rm(target, { force: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  },
});

export interface StoreContentOptions {
  store: ContentStore;
  defaults: ContentDefaults;
  events: EventPublisher;
  now: () => Date;
  /** Told of each new published version (the local runtime reads it at once). */
  onPublished?: () => void;
}

/** Versions shown in the history. */
const historyLength = 50;

export const storeContent = (options: StoreContentOptions): StudioContent => {
  const { store, defaults } = options;
  // The workspace as a folder, written again only when a file changed.
  let materialized: { key: string; dir: Promise<string> } | undefined;
  const context = (user: StudioUser) => ({ store, defaults, events: options.events, by: user.id, now: options.now() });
  const published = (result: PublishResult) => {
    if (result.ok) options.onPublished?.();
    return result;
  };

  return {
    async folder() {
      const { files } = await readWorkspace(store, defaults);
      const key = hashOf(JSON.stringify(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))));
      if (materialized?.key !== key) {
        const previous = materialized?.dir;
        const dir = mkdtemp(join(tmpdir(), 'retention-workspace-')).then((path) => {
          writeFolder(path, files);
          return path;
        });
        materialized = { key, dir };
        void previous?.then((path) => rm(path, { recursive: true, force: true })).catch(() => undefined);
      }
      return materialized.dir;
    },

    save: (path, text, user) => store.saveDraft({ path, text, savedAt: options.now().toISOString(), by: user.id }),

    publishing: {
      async state() {
        const workspace = await readWorkspace(store, defaults);
        return { version: workspace.version, drafts: pendingDrafts(workspace).map((draft) => draft.path).sort() };
      },
      async settings() {
        return (await readWorkspace(store, defaults)).files[settingsFile]!;
      },
      publish: async (user, note) => published(await publish(context(user), note)),
      rollback: async (user, version) => published(await rollback(context(user), version)),
      async versions() {
        const [current, versions] = await Promise.all([store.published(), store.versions(historyLength)]);
        return {
          published: current?.version ?? 0,
          versions: versions.map(({ version, publishedAt, by, note, rollbackOf, changed }) => ({ version, publishedAt, by, note, rollbackOf, changed })),
        };
      },
      async diff(from, to) {
        const [before, after] = await Promise.all([
          filesOf(store, defaults, from),
          to === undefined ? readWorkspace(store, defaults).then((workspace) => workspace.files) : filesOf(store, defaults, to),
        ]);
        const label = (version?: number) => (version === undefined ? 'drafts' : version === 0 ? 'defaults' : `version ${version}`);
        const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((path) => before[path] !== after[path]).sort();
        return { files: paths.map((path) => ({ path, patch: createTwoFilesPatch(path, path, before[path] ?? '', after[path] ?? '', label(from), label(to)) })) };
      },
      async audit() {
        return { entries: await store.audit(historyLength) };
      },
    },
  };
};
