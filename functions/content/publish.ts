/**
 * Publishing the studio's content (docs/design.md §9): the workspace (the
 * published version with the drafts over it) checked as `retention templates
 * check` checks a folder and as the configuration schema checks the settings,
 * every template compiled once, then committed as the next version in one
 * transaction with the drafts it took in. A rollback republishes an earlier
 * version's files as the next version: history only grows.
 *
 * Safe to repeat: texts are stored by their hash, and the commit is
 * conditional on the version it read (a retry whose answer was lost finds its
 * own commit by `publishId`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPublisher } from '../campaigns/ports';
import { outgoing, stableEventId } from '../events/event';
import { contentPublished } from '../events/retention';
import { compiledManifest, localeFile } from '../templates/template-file';
import { experimentFile, experimentProblem } from './experiments';
import { changedFiles, hashOf, type ContentPath, type ContentStore, type ContentVersion, type Draft } from './content';
import { readFolder, versionFiles, writeFolder } from './files';
import { formatSettings, parseSettings, settingsFile, type CampaignSettings } from './settings';

/** What version 0 is: the deployment's templates folder and campaign settings. */
export interface ContentDefaults {
  templatesDir: string;
  settings: CampaignSettings;
}

export interface Workspace {
  /** The published version's number (0: the defaults). */
  version: number;
  /** Its files. */
  published: Record<ContentPath, string>;
  drafts: Draft[];
  /** The published files with the drafts over them. */
  files: Record<ContentPath, string>;
}

export const defaultFiles = (defaults: ContentDefaults): Record<ContentPath, string> => ({
  ...readFolder(defaults.templatesDir),
  [settingsFile]: formatSettings(defaults.settings),
});

export const filesOf = async (store: ContentStore, defaults: ContentDefaults, version: number | ContentVersion | undefined) => {
  if (version === undefined || version === 0) return defaultFiles(defaults);
  const stored = typeof version === 'number' ? await store.version(version) : version;
  if (!stored) throw new NoSuchVersion(version as number);
  return versionFiles(store, stored);
};

export class NoSuchVersion extends Error {
  constructor(readonly version: number) {
    super(`no version ${version}`);
  }
}

export const readWorkspace = async (store: ContentStore, defaults: ContentDefaults): Promise<Workspace> => {
  const [current, drafts] = await Promise.all([store.published(), store.drafts()]);
  const published = await filesOf(store, defaults, current);
  const files = { ...published };
  for (const draft of drafts) {
    if (draft.text === null) delete files[draft.path];
    else files[draft.path] = draft.text;
  }
  return { version: current?.version ?? 0, published, drafts, files };
};

/** The drafts that change something (one equal to its published file is left over from a publish a crash cut short). */
export const pendingDrafts = (workspace: Workspace) => workspace.drafts.filter((draft) => (workspace.published[draft.path] ?? null) !== draft.text);

export type PublishResult =
  | { ok: true; version: number; changed: ContentPath[] }
  | { ok: false; problems: string[] }
  | { ok: false; conflict: true };

interface PublishContext {
  store: ContentStore;
  defaults: ContentDefaults;
  events: EventPublisher;
  by: string;
  now: Date;
}

/** Checks and compiles a folder of content files; problems name their file and line. */
const checkAndCompile = async (files: Record<ContentPath, string>) => {
  const dir = await mkdtemp(join(tmpdir(), 'retention-publish-'));
  try {
    writeFolder(dir, files);
    // MJML and the checker only in the function that publishes.
    const [{ inspectTemplates, formatProblem }, { compileTemplates }] = await Promise.all([import('../templates/check'), import('../templates/compile')]);
    const problems = (await inspectTemplates(dir, { root: dir })).problems.map(formatProblem);
    const settings = files[settingsFile] === undefined ? { problem: `${settingsFile} is missing` } : parseSettings(files[settingsFile]);
    if ('problem' in settings) problems.push(settings.problem);
    problems.push(...experimentProblems(files));
    if (problems.length) return { problems };
    const out = join(dir, '.compiled');
    await compileTemplates(dir, out);
    const manifest = JSON.parse(await readFile(join(out, compiledManifest), 'utf8')) as Record<string, unknown>;
    return { compiled: Object.fromEntries(Object.entries(manifest).map(([key, template]) => [key, JSON.stringify(template)])) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** Each step's A/B test, checked as the sender will read it. */
const experimentProblems = (files: Record<ContentPath, string>) =>
  Object.entries(files).flatMap(([path, text]) => {
    const set = path.endsWith(`/${experimentFile}`) ? path.slice(0, -experimentFile.length - 1) : undefined;
    if (!set) return [];
    const variants = Object.keys(files).flatMap((file) => (file.startsWith(`${set}/`) ? (localeFile.exec(file.slice(set.length + 1))?.[2] ?? []) : []));
    let experiment: unknown;
    try {
      experiment = JSON.parse(text);
    } catch (error) {
      return [`${path} is not JSON: ${(error as Error).message}`];
    }
    const problem = experimentProblem(experiment, variants);
    return problem ? [`${path}: ${problem}`] : [];
  });

const commitVersion = async (
  context: PublishContext,
  previous: { version: number; files: Record<ContentPath, string> },
  files: Record<ContentPath, string>,
  compiled: Record<string, string>,
  drafts: Draft[],
  extra: { note?: string; rollbackOf?: number },
): Promise<PublishResult> => {
  const { store, by, now } = context;
  await store.putTexts([...Object.values(files), ...Object.values(compiled)]);
  const hashes = (texts: Record<string, string>) => Object.fromEntries(Object.entries(texts).map(([path, text]) => [path, hashOf(text)]));
  const fileHashes = hashes(files);
  const version: ContentVersion = {
    version: previous.version + 1,
    publishedAt: now.toISOString(),
    by,
    ...extra,
    files: fileHashes,
    compiled: hashes(compiled),
    changed: changedFiles(hashes(previous.files), fileHashes),
    publishId: randomUUID(),
  };
  const action = extra.rollbackOf !== undefined ? 'rollback' : 'publish';
  const outcome = await store.commit(version, previous.version, drafts, { at: version.publishedAt, by, action, version: version.version, note: extra.note });
  if (outcome === 'conflict') return { ok: false, conflict: true };
  await context.events.publish([
    outgoing(
      contentPublished,
      version.publishedAt,
      { version: version.version, by, changed: version.changed, ...(extra.rollbackOf !== undefined && { rollbackOf: extra.rollbackOf }) },
      stableEventId(contentPublished.detailType, String(version.version)),
    ),
  ]);
  return { ok: true, version: version.version, changed: version.changed };
};

/** The workspace, checked and compiled, as the next version. Nothing changes when a template or the settings have a problem. */
export const publish = async (context: PublishContext, note?: string): Promise<PublishResult> => {
  const workspace = await readWorkspace(context.store, context.defaults);
  const result = await checkAndCompile(workspace.files);
  if (!result.compiled) return { ok: false, problems: result.problems };
  return commitVersion(context, { version: workspace.version, files: workspace.published }, workspace.files, result.compiled, workspace.drafts, { note });
};

/** An earlier version (0: the defaults) published again as the next version; drafts stay drafts. */
export const rollback = async (context: PublishContext, to: number): Promise<PublishResult> => {
  const current = await context.store.published();
  const [previous, files] = await Promise.all([filesOf(context.store, context.defaults, current), filesOf(context.store, context.defaults, to)]);
  // Compiled again rather than copied: version 0 has no stored compilation, and the result is the same.
  const result = await checkAndCompile(files);
  if (!result.compiled) return { ok: false, problems: result.problems };
  return commitVersion(context, { version: current?.version ?? 0, files: previous }, files, result.compiled, [], { rollbackOf: to });
};
