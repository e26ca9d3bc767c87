/**
 * The studio's HTTP API, in one place: the server validates every request
 * with these schemas, the page imports only the types (so no zod in the browser).
 *
 *   GET  /api/catalog                        campaign steps, languages, variants, sample customers
 *   GET  /api/template?set=&locale=&variant= one template file, split into subject, preheader and body
 *   POST /api/preview   Draft + sample       renders the unsaved text; problems instead of an email when it fails
 *   PUT  /api/template  Draft                checks, then writes the file atomically (a draft when `publishing` is on)
 *   POST /api/send      Draft + sample + to  renders and sends a test email ([TEST] subject) through SES v2
 *   POST /api/copy      CopyRequest          a new language or A/B variant of a step, from an existing one
 *   GET  /api/partial?name=                  a shared partial (header, footer)
 *   PUT  /api/partial   PartialDraft         checks every template with it, then saves it
 *   GET  /api/variables?set=&locale=         the variables the set's templates can use, with sample values
 *   GET  /api/experiment?set=                the step's A/B test and which variants have templates
 *   PUT  /api/experiment ExperimentRequest   sets the weights, or stops the test (null)
 *   POST /api/experiment/promote PromoteRequest  the winner becomes the step's template; the test stops
 *
 * Publishing (only when the catalog has `publishing`; a plain `--dir` folder has none of these):
 *   GET  /api/settings                       the campaign settings JSON (draft), as text
 *   PUT  /api/settings  SettingsRequest      checks against the config schema, then saves the draft
 *   POST /api/publish   PublishRequest       publishers: makes every draft live as a new version
 *   POST /api/rollback  RollbackRequest      publishers: makes an earlier version live again (as a new version)
 *   GET  /api/versions                       published versions, newest first
 *   GET  /api/diff?from=N[&to=M]             unified diff per changed file (no `to`: the drafts; 0: the defaults)
 *   GET  /api/audit                          who saved, published and rolled back what, newest first
 */
import { z } from 'zod';

/** Names become file names under the templates folder: plain slugs and BCP 47 tags, nothing that can walk out of it. */
const setName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'is not a campaign step name');
const localeName = z.string().regex(/^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8}){0,3}$/, 'is not a language tag');
const variantName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'is not a variant name');
/** One line: subject and preheader become a mail header and front matter lines. */
const oneLine = (max: number) => z.string().max(max).regex(/^[^\r\n]*$/, 'must be one line');

/** Which file: `templates/<set>/<locale>[.<variant>].mjml`. */
export const templateRef = z.object({
  set: setName,
  locale: localeName,
  variant: variantName.optional(),
});
export type TemplateRef = z.infer<typeof templateRef>;

/** The marketer's unsaved text. */
export const draft = templateRef.extend({
  subject: oneLine(1_000),
  preheader: oneLine(1_000),
  body: z.string().max(200_000),
});
export type Draft = z.infer<typeof draft>;

export const previewRequest = draft.extend({ sample: z.string().max(100) });
export type PreviewRequest = z.infer<typeof previewRequest>;

export const sendRequest = previewRequest.extend({ to: z.email().max(254) });
export type SendRequest = z.infer<typeof sendRequest>;

/** Where in the marketer's view a problem is: a field, or a line and column of the body editor. */
export interface Problem {
  field: 'subject' | 'preheader' | 'body' | 'file';
  /** 1-based, in the body editor (body) or in the field (column only). */
  line?: number;
  column?: number;
  message: string;
}

/** Who is signed in: editors save drafts, publishers also publish and roll back. */
export interface StudioUser {
  id: string;
  role: 'editor' | 'publisher';
}

/** The published state, present when the studio edits versioned content (not a plain templates folder). */
export interface PublishingState {
  /** The live version; 0 = the defaults the deployment ships. */
  version: number;
  /** Content paths with unpublished saved changes, e.g. `birthday/ms.mjml`, `settings.json`. */
  drafts: string[];
}

export interface Catalog {
  user: StudioUser;
  publishing?: PublishingState;
  sets: { name: string; label: string; group: string; locales: { locale: string; label: string; variants: string[] }[] }[];
  /** The shared partials by name, e.g. `footer`, `header`. */
  partials: string[];
  /** `locale` is the customer's, e.g. `ms-MY`: the page picks a customer who reads the template's language. */
  samples: { id: string; label: string; locale: string }[];
  /** Default recipient of a test email. */
  testAddress: string;
  inboxUrl: string;
  /** Who the email is from, as an inbox shows it. */
  from: { name: string; address: string };
}

export interface TemplateFile extends Draft {
  /** Path relative to the templates folder, e.g. `birthday/ms.mjml`. */
  file: string;
}

export type PreviewResponse =
  | { ok: true; subject: string; preheader: string; html: string; text: string; problems: Problem[] }
  | { ok: false; problems: Problem[] };

export type SaveResponse = { ok: true; file: string } | { ok: false; problems: Problem[] };

export type SendResponse = { ok: true; messageId: string; to: string; inboxUrl: string } | { ok: false; problems: Problem[] };

/** The campaign settings JSON (`{ birthday, winback, nps }`), as the marketer edits it. */
export const settingsRequest = z.object({ text: z.string().max(100_000) });
export type SettingsRequest = z.infer<typeof settingsRequest>;

export interface SettingsFile {
  text: string;
}

/** 422 problems have `field: 'file'` and a message naming the setting, e.g. `settings.json: winback.steps.1.percentOff: ...`. */
export type SettingsSaveResponse = { ok: true } | { ok: false; problems: Problem[] };

export const publishRequest = z.object({ note: z.string().max(500).optional() });
export type PublishRequest = z.infer<typeof publishRequest>;

/** 422: a template or the settings have problems (each message names its file); 403 editor; 409 someone published meanwhile. */
export type PublishResponse = { ok: true; version: number; changed: string[] } | { ok: false; problems: Problem[] };

export const rollbackRequest = z.object({ version: z.number().int().min(0) });
export type RollbackRequest = z.infer<typeof rollbackRequest>;

export interface RollbackResponse {
  ok: true;
  /** The new live version. */
  version: number;
  /** The version whose content it restores. */
  rollbackOf: number;
}

export interface VersionInfo {
  version: number;
  /** ISO 8601. */
  publishedAt: string;
  by: string;
  note?: string;
  rollbackOf?: number;
  /** Content paths that changed against the version before. */
  changed: string[];
}

export interface VersionsResponse {
  published: number;
  /** Newest first. */
  versions: VersionInfo[];
}

export const diffQuery = z.object({
  from: z.coerce.number().int().min(0),
  to: z.coerce.number().int().min(0).optional(),
});
export type DiffQuery = z.infer<typeof diffQuery>;

export interface DiffResponse {
  /** Unified diff text per changed file. */
  files: { path: string; patch: string }[];
}

export interface AuditEntry {
  /** ISO 8601. */
  at: string;
  by: string;
  action: 'save' | 'remove' | 'publish' | 'rollback';
  path?: string;
  version?: number;
  note?: string;
}

export interface AuditResponse {
  /** Newest first. */
  entries: AuditEntry[];
}

/** A new language or A/B variant of a campaign step, started from one that exists (`from`). */
export const copyRequest = templateRef.extend({ from: z.object({ locale: localeName, variant: variantName.optional() }) });
export type CopyRequest = z.infer<typeof copyRequest>;
export type CopyResponse = { ok: true; file: string };

/** A shared partial (`templates/partials/<name>.liquid`): the header and footer every email renders. */
export const partialRef = z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'is not a partial name') });
export const partialDraft = partialRef.extend({ text: z.string().max(100_000) });
export type PartialDraft = z.infer<typeof partialDraft>;
export interface PartialFile {
  name: string;
  text: string;
  /** e.g. `partials/footer.liquid`. */
  file: string;
}
export type PartialSaveResponse = { ok: true; file: string } | { ok: false; problems: Problem[] };

/** The variables a template of a set can use, as dotted paths (`customer.firstName`), from its sample data. */
export interface VariablesResponse {
  variables: { path: string; example: string }[];
}

/** A campaign step's A/B test (`<set>/experiment.json`): variant `a` is the step's own template. */
export const experimentRef = z.object({ set: setName });
export const experimentRequest = experimentRef.extend({
  /** null: stop the test (every customer gets `a`). */
  experiment: z.object({ name: z.string(), variants: z.record(z.string(), z.number()) }).nullable(),
});
export type ExperimentRequest = z.infer<typeof experimentRequest>;
export interface ExperimentFile {
  set: string;
  experiment: { name: string; variants: Record<string, number> } | null;
  /** The variants that have templates, by language, e.g. `{ b: ['en', 'ms'] }`. */
  variantTemplates: Record<string, string[]>;
}
export type ExperimentSaveResponse = { ok: true } | { ok: false; problems: Problem[] };
/** The winner's templates become the step's own, in every language that has it; the test stops. */
export const promoteRequest = experimentRef.extend({ variant: variantName });
export type PromoteResponse = { ok: true; files: string[] };

/** Any non-2xx answer that is not a list of problems. */
export interface ErrorResponse {
  error: string;
}
