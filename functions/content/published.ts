/**
 * What the functions run by (docs/design.md §9): the published version's
 * templates and campaign settings, or the deployment's own (version 0) until
 * a first publish. The published version's number is read again once it is
 * `maxAgeMs` old, so a publish reaches every function within that time, and
 * never more than one read per invocation in between; a version's files are
 * fetched once and written to a folder in the function's scratch space.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config';
import type { ContentStore, ContentVersion } from './content';
import { writeVersionFolder } from './files';
import { parseSettings, settingsFile, withSettings } from './settings';

/** How old the published version's number may be on AWS: a publish reaches every function within half a minute. */
export const contentMaxAgeMs = 30_000;

export interface PublishedContent {
  version: number;
  config: Config;
  /** The folder its templates render from (the sending functions read it through templates/render.ts). */
  templatesDir: string;
}

export interface PublishedContentOptions {
  store: Pick<ContentStore, 'published' | 'texts'>;
  /** The deployment's configuration and default templates (version 0). */
  config: Config;
  templatesDir: string;
  maxAgeMs: number;
  /** Milliseconds, for the age of what was read. */
  clock?: () => number;
}

export const publishedContent = (options: PublishedContentOptions) => {
  const clock = options.clock ?? Date.now;
  const versions = new Map<number, Promise<PublishedContent>>();
  const defaults: PublishedContent = { version: 0, config: options.config, templatesDir: options.templatesDir };
  let current: { readAt: number; content: Promise<PublishedContent> } | undefined;

  const load = async (stored: ContentVersion): Promise<PublishedContent> => {
    const { version } = stored;
    const dir = mkdtempSync(join(tmpdir(), `retention-content-${version}-`));
    const files = await writeVersionFolder(options.store, stored, dir);
    const settings = files[settingsFile] === undefined ? undefined : parseSettings(files[settingsFile]);
    // Published settings were checked when published: one failing now is a bug, not a marketer's typo.
    if (settings && 'problem' in settings) throw new Error(`content: version ${version}: ${settings.problem}`);
    return { version, config: settings ? withSettings(options.config, settings.settings) : options.config, templatesDir: dir };
  };

  const byVersion = (stored: ContentVersion | undefined) => {
    if (!stored) return Promise.resolve(defaults);
    let content = versions.get(stored.version);
    if (!content) {
      content = load(stored);
      // A failed load is tried again by the next invocation, not remembered.
      content.catch(() => versions.delete(stored.version));
      versions.set(stored.version, content);
    }
    return content;
  };

  return {
    /** The content to run this invocation by. */
    current(): Promise<PublishedContent> {
      const now = clock();
      if (!current || now - current.readAt >= options.maxAgeMs) {
        const content = options.store.published().then(byVersion);
        content.catch(() => {
          if (current?.content === content) current = undefined;
        });
        current = { readAt: now, content };
      }
      return current.content;
    },
    /** Read the published version again at the next invocation (the local studio calls it when it publishes). */
    invalidate() {
      current = undefined;
    },
  };
};

export type PublishedContentSource = ReturnType<typeof publishedContent>;
