/**
 * The studio's HTTP API, in one place: the server validates every request
 * with these schemas, the page imports only the types (so no zod in the browser).
 *
 *   GET  /api/catalog                        campaign steps, languages, variants, sample customers
 *   GET  /api/template?set=&locale=&variant= one template file, split into subject, preheader and body
 *   POST /api/preview   Draft + sample       renders the unsaved text; problems instead of an email when it fails
 *   PUT  /api/template  Draft                checks, then writes the file atomically
 *   POST /api/send      Draft + sample + to  renders and sends a test email through SES v2 to the local inbox
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

export interface Catalog {
  sets: { name: string; label: string; group: string; locales: { locale: string; label: string; variants: string[] }[] }[];
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

/** Any non-2xx answer that is not a list of problems. */
export interface ErrorResponse {
  error: string;
}
