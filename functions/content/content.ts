/**
 * The studio's content (docs/design.md §9): the templates folder's files
 * (templates, partials, each set's `experiment.json`) and `settings.json`,
 * as drafts and as published versions.
 *
 * - A draft is one file as an editor saved it; the workspace is the published
 *   version with the drafts over it.
 * - A version is every file of the content at the moment it was published,
 *   each by the hash of its text, and every template compiled (MJML once, its
 *   Liquid kept). Texts are stored once by their hash, so a version costs a
 *   few hundred bytes and a rollback republishes an earlier version's hashes.
 * - Version 0 is the default set the deployment carries (`templates/` and the
 *   configuration's campaign settings): what runs until a first publish.
 */
import { createHash } from 'node:crypto';

/** A file of the content, by its path in a templates folder, e.g. `birthday/ms.mjml`, `settings.json`. */
export type ContentPath = string;

export interface ContentVersion {
  version: number;
  publishedAt: string;
  /** The studio user who published it. */
  by: string;
  note?: string;
  /** It republished this earlier version. */
  rollbackOf?: number;
  /** Every file, by the hash of its text. */
  files: Record<ContentPath, string>;
  /** Every template compiled, by `<set>/<file>` (the compiled manifest's keys), by the hash of its JSON. */
  compiled: Record<string, string>;
  /** The files that differ from the version before. */
  changed: ContentPath[];
  /** Names the publish request, so a retry whose first answer was lost finds its own commit. */
  publishId: string;
}

export interface Draft {
  path: ContentPath;
  /** null: the file is removed (an A/B test stopped, a promoted variant's files). */
  text: string | null;
  savedAt: string;
  by: string;
}

export interface AuditEntry {
  at: string;
  by: string;
  action: 'save' | 'remove' | 'publish' | 'rollback';
  path?: ContentPath;
  version?: number;
  note?: string;
}

export interface ContentStore {
  /** The published version; undefined until a first publish (version 0, the defaults). */
  published(): Promise<ContentVersion | undefined>;
  version(version: number): Promise<ContentVersion | undefined>;
  /** The latest versions, newest first. */
  versions(limit: number): Promise<ContentVersion[]>;
  /** Texts by their hashes; a hash not stored is missing from the answer. */
  texts(hashes: string[]): Promise<Map<string, string>>;
  /** Stores texts by their hashes (a text stored again is the same item). */
  putTexts(texts: string[]): Promise<void>;
  drafts(): Promise<Draft[]>;
  /** A draft, and its audit entry. */
  saveDraft(draft: Draft): Promise<void>;
  /**
   * Publishes `version` if the published one is still `previous` (0: none),
   * then records it in the history and the audit and removes the drafts it
   * took in (unless saved again since). `conflict`: someone else published in
   * between. Safe to repeat: a retry of a commit whose answer was lost finds
   * it by its `publishId` and finishes it.
   */
  commit(version: ContentVersion, previous: number, published: Draft[], audit: AuditEntry): Promise<'committed' | 'conflict'>;
  /** The latest audit entries, newest first. */
  audit(limit: number): Promise<AuditEntry[]>;
}

export const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** The paths whose text differs between two versions' files (added and removed ones included), sorted. */
export const changedFiles = (before: Record<ContentPath, string>, after: Record<ContentPath, string>): ContentPath[] =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((path) => before[path] !== after[path]).sort();
