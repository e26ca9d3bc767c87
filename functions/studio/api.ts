/**
 * The studio's API (docs/design.md §9), one implementation for the local
 * server (local/studio.ts) and the Lambda behind Cognito
 * (functions/handlers/studio.ts): catalog, template, preview, save, test send
 * for every signed-in user; campaign settings, history, diffs and the audit
 * for versioned content; publish and roll back for publishers only.
 * Request shapes are the schemas of studio/api.ts.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { z } from 'zod';
import type { sesMailer } from '../adapters/ses';
import type { Config } from '../config';
import { NoSuchVersion, type PublishResult } from '../content/publish';
import { formatSettings, parseSettings, settingsFile } from '../content/settings';
import type { Keyring } from '../links/signed-token';
import { unsubscribeLinks } from '../links/unsubscribe';
import { createRenderer } from '../templates/render';
import { hasSample, sampleCustomers, sampleFor } from '../templates/samples';
import {
  copyRequest,
  experimentRef,
  experimentRequest,
  promoteRequest,
  diffQuery,
  partialDraft,
  partialRef,
  draft as draftSchema,
  previewRequest,
  publishRequest,
  rollbackRequest,
  sendRequest,
  settingsRequest,
  templateRef,
  type AuditResponse,
  type CopyRequest,
  type ExperimentFile,
  type ExperimentRequest,
  type ExperimentSaveResponse,
  type PromoteResponse,
  type CopyResponse,
  type PartialDraft,
  type PartialFile,
  type PartialSaveResponse,
  type VariablesResponse,
  type Catalog,
  type DiffQuery,
  type DiffResponse,
  type Draft,
  type PreviewResponse,
  type Problem,
  type PublishRequest,
  type PublishResponse,
  type RollbackRequest,
  type RollbackResponse,
  type SaveResponse,
  type SendResponse,
  type SettingsFile,
  type SettingsRequest,
  type SettingsSaveResponse,
  type StudioUser,
  type TemplateFile,
  type TemplateRef,
  type VersionsResponse,
} from '../../studio/api';
import type { StudioContent } from './content';
import { experimentFile, experimentProblem } from '../content/experiments';

type Mailer = ReturnType<typeof sesMailer>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const publishAnswer = (result: PublishResult): PublishResponse => {
  if (result.ok) return result;
  if ('conflict' in result) throw new HttpError(409, 'Someone published in the meantime: look at the history, then publish again.');
  return { ok: false, problems: result.problems.map((message) => ({ field: 'file', message })) };
};

export interface StudioContext {
  content: StudioContent;
  config: Config;
  /** Where test emails can be seen ("" on AWS: the tester's own inbox). */
  inboxUrl: string;
  /** The test email's default recipient ("": the signed-in user's address). */
  testAddress: string;
  mailer: Mailer;
  keyring: () => Promise<Keyring>;
}

/** The API's handlers, each a plain function of validated input. */
export const studioApi = (context: StudioContext) => {
  const { content, config } = context;

  /** A fresh renderer per request: it caches file listings and partials, and the marketer may edit those outside the studio. */
  const renderer = (templatesDir: string) => createRenderer(templatesDir);
  const publishing = () => {
    if (!content.publishing) throw new HttpError(404, 'this studio edits a templates folder: settings, publishing and history come with `npm start` or a deployed stack');
    return content.publishing;
  };

  const setNames = async (templatesDir: string) => {
    const entries = await readdir(templatesDir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && entry.name !== 'partials' && /^[a-z0-9][a-z0-9-]*$/.test(entry.name))
      .map((entry) => entry.name)
      .sort(bySetOrder);
  };

  /** The file a reference names, only if it exists in the templates folder (no new files, no other folders). */
  const existingFile = async (ref: TemplateRef) => {
    const templatesDir = await content.folder();
    if (!(await setNames(templatesDir)).includes(ref.set)) throw new HttpError(404, `no campaign step "${ref.set}"`);
    const render = renderer(templatesDir);
    if (!render.locales(ref.set).includes(ref.locale)) throw new HttpError(404, `no "${ref.locale}" template for ${ref.set}`);
    if (ref.variant && !render.variants(ref.set, ref.locale).includes(ref.variant)) {
      throw new HttpError(404, `no variant "${ref.variant}" of ${ref.set}/${ref.locale}`);
    }
    const name = `${ref.set}/${ref.locale}${ref.variant ? `.${ref.variant}` : ''}.mjml`;
    const path = resolve(templatesDir, name);
    // Belt and braces: the schemas already keep names to slugs.
    if (!path.startsWith(templatesDir + sep)) throw new HttpError(400, 'outside the templates folder');
    return { name, path, templatesDir };
  };

  /** The sample customer's data for a set, in the template's language, from this shop (as a real send is). */
  const sampleData = (ref: TemplateRef, sample: string): Record<string, unknown> => {
    const customer = sampleCustomers.find((c) => c.id === sample);
    if (!customer) throw new HttpError(400, `no sample customer "${sample}"`);
    if (!hasSample(ref.set)) throw new HttpError(400, `no sample data for "${ref.set}": add it to functions/templates/samples.ts`);
    const data = sampleFor(ref.set, customer, ref.locale);
    const { name, address, siteUrl } = config.shop;
    return { ...data, shop: { name, address, siteUrl }, links: { ...(data.links as object), shop: siteUrl } };
  };

  /**
   * The draft as it would be saved, rendered for the preview and checked as
   * `retention templates check` would check the file. No email when it fails.
   */
  const renderDraft = async (input: Draft, sample: string, unsubscribeUrl?: string) => {
    const file = await existingFile(input);
    const sampled = sampleData(input, sample);
    const data = unsubscribeUrl ? { ...sampled, links: { ...(sampled.links as object), unsubscribe: unsubscribeUrl } } : sampled;
    const original = splitTemplate(await readFile(file.path, 'utf8'));
    const text = joinTemplate(original.head, input.subject, input.preheader, input.body);
    const layout = splitTemplate(text);
    const [email, problems] = await Promise.all([
      renderer(file.templatesDir)
        .renderSource(input.set, input.locale, text, data)
        .catch((error: Error) => error),
      checkDraft(file.templatesDir, file.name, text, layout),
    ]);
    if (!(email instanceof Error)) return { email, problems, text, file };
    return { problems: problems.length ? problems : renderProblems(email.message, layout), text, file };
  };

  return {
    async catalog(user: StudioUser): Promise<Catalog> {
      const templatesDir = await content.folder();
      const render = renderer(templatesDir);
      const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
      const sets = (await setNames(templatesDir)).map((name) => ({
        name,
        ...setLabel(name),
        locales: render.locales(name).map((locale) => ({
          locale,
          label: `${languageNames.of(locale) ?? locale} (${locale})`,
          variants: render.variants(name, locale),
        })),
      }));
      const partials = await readdir(join(templatesDir, 'partials')).catch(() => [] as string[]);
      return {
        user,
        ...(content.publishing && { publishing: await content.publishing.state() }),
        partials: partials.flatMap((file) => /^([a-z0-9][a-z0-9-]*)\.liquid$/.exec(file)?.[1] ?? []).sort(),
        sets: sets.filter((set) => set.locales.length > 0),
        samples: sampleCustomers.map((c) => ({ id: c.id, label: c.firstName ? `${c.firstName} · ${c.label}` : c.label, locale: c.locale })),
        testAddress: context.testAddress || (user.id.includes('@') ? user.id : ''),
        inboxUrl: context.inboxUrl,
        from: { name: config.shop.name, address: config.shop.fromAddress },
      };
    },

    async template(ref: TemplateRef): Promise<TemplateFile> {
      const file = await existingFile(ref);
      const { subject, preheader, body } = splitTemplate(await readFile(file.path, 'utf8'));
      return { ...ref, subject, preheader, body, file: file.name };
    },

    async preview(input: z.infer<typeof previewRequest>): Promise<PreviewResponse> {
      const result = await renderDraft(input, input.sample);
      if (!result.email) return { ok: false, problems: result.problems };
      const { subject, preheader, html, text } = result.email;
      return { ok: true, subject, preheader, html, text, problems: result.problems };
    },

    async save(input: Draft, user: StudioUser): Promise<SaveResponse> {
      // Saved templates must pass the check CI runs, so a broken one never reaches a customer.
      const result = await renderDraft(input, sampleCustomers[0]!.id);
      if (result.problems.length) return { ok: false, problems: result.problems };
      await content.save(result.file.name, result.text, user);
      return { ok: true, file: result.file.name };
    },

    async send(input: z.infer<typeof sendRequest>): Promise<SendResponse> {
      // Real unsubscribe links, signed with the local key, as a campaign send carries them.
      const links = unsubscribeLinks(await context.keyring(), config.shop, `studio-${input.sample}`, input.set, new Date());
      const result = await renderDraft(input, input.sample, links.url);
      if (!result.email) return { ok: false, problems: result.problems };
      try {
        const { messageId } = await context.mailer.send({
          to: input.to,
          // Marked, so nobody mistakes it for a campaign email; it is tagged as the studio's, never counted as a send.
          subject: `[TEST] ${result.email.subject}`,
          html: result.email.html,
          text: result.email.text,
          headers: links.headers,
          // No `campaign` tag: what SES reports of a test email (delivered, opened, bounced) never counts for a campaign.
          tags: { origin: 'studio-test', template: input.set },
        });
        return { ok: true, messageId, to: input.to, inboxUrl: context.inboxUrl };
      } catch (error) {
        const reason = (error as Error).message || (error as Error).name;
        throw new HttpError(502, context.inboxUrl ? `The local inbox did not take the email (${reason}). Is \`npm start\` running?` : `SES did not take the email (${reason}).`);
      }
    },

    async copy(input: CopyRequest, user: StudioUser): Promise<CopyResponse> {
      const source = await existingFile({ set: input.set, locale: input.from.locale, variant: input.from.variant });
      const name = `${input.set}/${input.locale}${input.variant ? `.${input.variant}` : ''}.mjml`;
      const render = renderer(source.templatesDir);
      const exists = render.locales(input.set).includes(input.locale) && (!input.variant || render.variants(input.set, input.locale).includes(input.variant));
      if (exists) throw new HttpError(409, `${name} exists already: open it instead`);
      if (input.variant && !render.locales(input.set).includes(input.locale)) throw new HttpError(404, `no "${input.locale}" template for ${input.set} to add a variant to`);
      await content.save(name, await readFile(source.path, 'utf8'), user);
      return { ok: true, file: name };
    },

    async partial(ref: z.infer<typeof partialRef>): Promise<PartialFile> {
      const file = `partials/${ref.name}.liquid`;
      const text = await readFile(join(await content.folder(), file), 'utf8').catch(() => undefined);
      if (text === undefined) throw new HttpError(404, `no partial "${ref.name}"`);
      return { name: ref.name, text, file };
    },

    /** A partial is in every email: saved only when every template still passes the check with it. */
    async savePartial(input: PartialDraft, user: StudioUser): Promise<PartialSaveResponse> {
      const { file } = await this.partial(input);
      const templatesDir = await content.folder();
      const scratch = await mkdtemp(join(tmpdir(), 'studio-partial-'));
      try {
        await cp(templatesDir, scratch, { recursive: true });
        await writeFile(join(scratch, file), input.text);
        const { formatProblem, inspectTemplates } = await import('../templates/check');
        const { problems } = await inspectTemplates(scratch, { root: scratch });
        if (problems.length) return { ok: false, problems: problems.map((problem) => ({ field: 'file', message: formatProblem(problem) })) };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      await content.save(file, input.text, user);
      return { ok: true, file };
    },

    /** What a template of the set can use, from the first sample customer's data in its language. */
    async variables(ref: TemplateRef): Promise<VariablesResponse> {
      await existingFile(ref);
      return { variables: leaves(sampleData(ref, sampleCustomers[0]!.id)) };
    },

    async experiment(ref: z.infer<typeof experimentRef>): Promise<ExperimentFile> {
      const templatesDir = await content.folder();
      if (!(await setNames(templatesDir)).includes(ref.set)) throw new HttpError(404, `no campaign step "${ref.set}"`);
      const render = renderer(templatesDir);
      const variantTemplates: Record<string, string[]> = {};
      for (const locale of render.locales(ref.set)) for (const variant of render.variants(ref.set, locale)) (variantTemplates[variant] ??= []).push(locale);
      const text = await readFile(join(templatesDir, ref.set, experimentFile), 'utf8').catch(() => undefined);
      return { set: ref.set, experiment: text === undefined ? null : (JSON.parse(text) as ExperimentFile['experiment']), variantTemplates };
    },

    async saveExperiment(input: ExperimentRequest, user: StudioUser): Promise<ExperimentSaveResponse> {
      const current = await this.experiment(input);
      if (input.experiment === null) {
        await content.save(`${input.set}/${experimentFile}`, null, user);
        return { ok: true };
      }
      const problem = experimentProblem(input.experiment, Object.keys(current.variantTemplates));
      if (problem) return { ok: false, problems: [{ field: 'file', message: `${input.set}/${experimentFile}: ${problem}` }] };
      await content.save(`${input.set}/${experimentFile}`, `${JSON.stringify(input.experiment, null, 2)}\n`, user);
      return { ok: true };
    },

    async promote(input: z.infer<typeof promoteRequest>, user: StudioUser): Promise<PromoteResponse> {
      const { variantTemplates } = await this.experiment(input);
      const locales = variantTemplates[input.variant];
      if (!locales?.length) throw new HttpError(404, `no templates of variant "${input.variant}" in ${input.set}`);
      const templatesDir = await content.folder();
      const files: string[] = [];
      for (const locale of locales) {
        const variantPath = `${input.set}/${locale}.${input.variant}.mjml`;
        await content.save(`${input.set}/${locale}.mjml`, await readFile(join(templatesDir, variantPath), 'utf8'), user);
        await content.save(variantPath, null, user);
        files.push(`${input.set}/${locale}.mjml`);
      }
      await content.save(`${input.set}/${experimentFile}`, null, user);
      return { ok: true, files };
    },

    async settings(): Promise<SettingsFile> {
      return { text: await publishing().settings() };
    },

    async saveSettings(input: SettingsRequest, user: StudioUser): Promise<SettingsSaveResponse> {
      const parsed = parseSettings(input.text);
      if ('problem' in parsed) return { ok: false, problems: [{ field: 'file', message: parsed.problem }] };
      await content.save(settingsFile, formatSettings(parsed.settings), user);
      return { ok: true };
    },

    async publish(input: PublishRequest, user: StudioUser): Promise<PublishResponse> {
      return publishAnswer(await publishing().publish(user, input.note));
    },

    async rollback(input: RollbackRequest, user: StudioUser): Promise<RollbackResponse | PublishResponse> {
      try {
        const result = publishAnswer(await publishing().rollback(user, input.version));
        return result.ok ? { ok: true, version: result.version, rollbackOf: input.version } : result;
      } catch (error) {
        if (error instanceof NoSuchVersion) throw new HttpError(404, error.message);
        throw error;
      }
    },

    versions: (): Promise<VersionsResponse> => publishing().versions(),

    async diff(query: DiffQuery): Promise<DiffResponse> {
      try {
        return await publishing().diff(query.from, query.to);
      } catch (error) {
        if (error instanceof NoSuchVersion) throw new HttpError(404, error.message);
        throw error;
      }
    },

    audit: (): Promise<AuditResponse> => publishing().audit(),
  };
};

type StudioApi = ReturnType<typeof studioApi>;

export interface StudioRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  /** The JSON body, parsed. */
  body?: unknown;
}

/** A request of a signed-in user to its answer: 4xx for what the user or the request got wrong, with a reason. */
export const routeStudio = async (api: StudioApi, user: StudioUser, request: StudioRequest): Promise<{ status: number; body: unknown }> => {
  const answer = (result: { ok: boolean }) => ({ status: result.ok ? 200 : 422, body: result });
  const publisherOnly = (what: string) => {
    if (user.role !== 'publisher') throw new HttpError(403, `Only publishers can ${what}: ask a publisher, or an admin to make you one.`);
  };
  try {
    switch (`${request.method} ${request.path}`) {
      case 'GET /api/catalog':
        return { status: 200, body: await api.catalog(user) };
      case 'GET /api/template':
        return { status: 200, body: await api.template(parse(templateRef, request.query)) };
      case 'POST /api/preview':
        return { status: 200, body: await api.preview(parse(previewRequest, request.body)) };
      case 'PUT /api/template':
        return answer(await api.save(parse(draftSchema, request.body), user));
      case 'POST /api/send':
        return answer(await api.send(parse(sendRequest, request.body)));
      case 'POST /api/copy':
        return { status: 200, body: await api.copy(parse(copyRequest, request.body), user) };
      case 'GET /api/partial':
        return { status: 200, body: await api.partial(parse(partialRef, request.query)) };
      case 'PUT /api/partial':
        return answer(await api.savePartial(parse(partialDraft, request.body), user));
      case 'GET /api/variables':
        return { status: 200, body: await api.variables(parse(templateRef, request.query)) };
      case 'GET /api/experiment':
        return { status: 200, body: await api.experiment(parse(experimentRef, request.query)) };
      case 'PUT /api/experiment':
        return answer(await api.saveExperiment(parse(experimentRequest, request.body), user));
      case 'POST /api/experiment/promote':
        return { status: 200, body: await api.promote(parse(promoteRequest, request.body), user) };
      case 'GET /api/settings':
        return { status: 200, body: await api.settings() };
      case 'PUT /api/settings':
        return answer(await api.saveSettings(parse(settingsRequest, request.body), user));
      case 'POST /api/publish':
        publisherOnly('publish');
        return answer(await api.publish(parse(publishRequest, request.body ?? {}), user));
      case 'POST /api/rollback':
        publisherOnly('roll back');
        return answer(await api.rollback(parse(rollbackRequest, request.body), user));
      case 'GET /api/versions':
        return { status: 200, body: await api.versions() };
      case 'GET /api/diff':
        return { status: 200, body: await api.diff(parse(diffQuery, request.query)) };
      case 'GET /api/audit':
        return { status: 200, body: await api.audit() };
      default:
        throw new HttpError(404, `no route ${request.method} ${request.path}`);
    }
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    throw error;
  }
};

/** Every value of the sample data as a dotted path, with a short example. */
const leaves = (data: Record<string, unknown>, prefix = ''): VariablesResponse['variables'] =>
  Object.entries(data).flatMap(([key, value]) => {
    const path = `${prefix}${key}`;
    if (value && typeof value === 'object' && !Array.isArray(value)) return leaves(value as Record<string, unknown>, `${path}.`);
    const example = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
    return [{ path, example: example.length > 60 ? `${example.slice(0, 57)}...` : example }];
  });

const parse = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new HttpError(400, `${issue.path.join('.') || 'request'} ${issue.message}`);
  }
  return result.data;
};

// ---------------------------------------------------------------------------
// Template files: the front matter block and the body, split for the editor
// and joined back so that a save changes only what the marketer changed.

interface SplitTemplate {
  /** The front matter lines, both `---` included. */
  head: string[];
  subject: string;
  preheader: string;
  body: string;
}

const frontMatterLine = /^(subject|preheader):\s?(.*)$/;

/** As the renderer reads a value: one pair of matching quotes around it is not part of it. */
const unquote = (value: string) =>
  value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0] ? value.slice(1, -1) : value;
const quoteIfNeeded = (value: string) => (unquote(value) === value && !/^\s|\s$/.test(value) ? value : `"${value}"`);

const splitTemplate = (content: string): SplitTemplate => {
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  const end = lines[0]?.trim() === '---' ? lines.findIndex((line, i) => i > 0 && line.trim() === '---') : -1;
  if (end < 0) return { head: ['---', '---'], subject: '', preheader: '', body: content };
  const head = lines.slice(0, end + 1);
  const value = (name: string) => {
    const match = head.map((line) => frontMatterLine.exec(line)).find((m) => m?.[1] === name);
    return match ? unquote(match[2]!.trim()) : '';
  };
  return { head, subject: value('subject'), preheader: value('preheader'), body: lines.slice(end + 1).join('\n') };
};

const joinTemplate = (head: string[], subject: string, preheader: string, body: string): string => {
  const lines = [...head];
  for (const [name, value] of [['subject', subject], ['preheader', preheader]] as const) {
    const index = lines.findIndex((line) => frontMatterLine.exec(line)?.[1] === name);
    const current = index >= 0 ? unquote(frontMatterLine.exec(lines[index]!)![2]!.trim()) : undefined;
    if (current === value) continue; // untouched: keep the line as it was written
    const line = `${name}: ${quoteIfNeeded(value)}`;
    if (index >= 0) lines[index] = line;
    else lines.splice(lines.length - 1, 0, line);
  }
  return [...lines, body].join('\n');
};

// ---------------------------------------------------------------------------
// Problems, placed where the marketer sees them: a field, or a line of the body editor.

/** A file position as the page shows it: a column of the subject or preheader field, or a line of the body. */
const placeAt = (template: SplitTemplate, line: number, column: number, message: string): Problem => {
  const field = frontMatterLine.exec(template.head[line - 1] ?? '');
  if (field && line < template.head.length) {
    // The checker counts columns in the file's line; the field holds only the value.
    const value = field[2]!.trimStart();
    const valueStart = field[0].length - value.length + 1 + (unquote(value.trim()) !== value.trim() ? 1 : 0);
    return { field: field[1] as 'subject' | 'preheader', column: Math.max(1, column - valueStart + 1), message };
  }
  if (line > template.head.length) return { field: 'body', line: line - template.head.length, column, message };
  return { field: 'file', line, column, message };
};

/**
 * The draft checked by `checkTemplates` itself, which reads a folder: a scratch
 * folder holding the partials, the draft in its file's place and, for an A/B
 * variant, the base template it belongs to. Only that file's problems and the
 * partials' are reported (the checker also finds the set's other locales missing).
 */
const checkDraft = async (templatesDir: string, name: string, content: string, template: SplitTemplate): Promise<Problem[]> => {
  const scratch = await mkdtemp(join(tmpdir(), 'studio-check-'));
  try {
    const [set, file] = name.split('/') as [string, string];
    const base = file.replace(/^([^.]+)\..+\.mjml$/, '$1.mjml');
    await mkdir(join(scratch, set));
    await Promise.all([
      cp(join(templatesDir, 'partials'), join(scratch, 'partials'), { recursive: true }).catch(() => undefined),
      base !== file ? cp(join(templatesDir, set, base), join(scratch, set, base)) : undefined,
      writeFile(join(scratch, name), content),
    ]);
    // The checker (and MJML) loads on first use: the studio's function starts without it.
    const { formatProblem, inspectTemplates } = await import('../templates/check');
    const { problems } = await inspectTemplates(scratch, { root: scratch });
    return problems.flatMap((problem) => {
      if (problem.file === name) return [placeAt(template, problem.line, problem.column, problem.message)];
      if (problem.file.startsWith('partials/')) return [{ field: 'file' as const, message: `${formatProblem(problem)} (a shared partial)` }];
      return [];
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};

/**
 * Should the checker say nothing while the renderer failed, the renderer's own
 * words, e.g. `birthday/ms.mjml (subject): undefined variable: x, line:1, col:4`.
 */
const renderProblems = (error: string, template: SplitTemplate): Problem[] => {
  const [, field, rest = error] = /^[^\s:]+(?: \((subject|preheader)\))?:\s*([\s\S]*)$/.exec(error) ?? [];
  const liquid = /^([\s\S]*?), line:(\d+), col:(\d+)/.exec(rest);
  const message = liquid?.[1] ?? rest;
  if (field) return [{ field: field as 'subject' | 'preheader', column: liquid ? Number(liquid[3]) : undefined, message }];
  if (liquid) return [placeAt(template, Number(liquid[2]), Number(liquid[3]), message)];
  return [{ field: 'body', message }];
};

// ---------------------------------------------------------------------------
// Names a marketer reads.

const campaignOf = (set: string) => {
  const match = /^(.*)-(\d+)$/.exec(set);
  return match ? { campaign: match[1]!, step: match[2]! } : { campaign: set, step: undefined };
};

const campaignTitles: Record<string, string> = {
  birthday: 'Birthday',
  winback: 'Win-back',
  nps: 'Satisfaction survey (NPS)',
  tier: 'Loyalty tier',
  points: 'Points expiring',
  referral: 'Referral',
};
const stepTitles: Record<string, string> = {
  birthday: 'Birthday gift',
  'winback-1': 'Step 1 · We miss you (reminder)',
  'winback-2': 'Step 2 · Come back (offer)',
  'winback-3': 'Step 3 · Last chance (bigger offer)',
  nps: 'How did we do? (survey)',
  tier: 'New tier reached',
  points: 'Your points expire soon (reminder)',
  'referral-1': 'Step 1 · Invite friends (personal code)',
  'referral-2': 'Step 2 · Thank you (reward)',
};

const setLabel = (set: string) => {
  const { campaign, step } = campaignOf(set);
  return { group: campaignTitles[campaign] ?? campaign, label: stepTitles[set] ?? (step ? `Step ${step}` : set) };
};

const setOrder = ['birthday', 'winback-1', 'winback-2', 'winback-3', 'nps', 'tier', 'points', 'referral-1', 'referral-2'];
const bySetOrder = (a: string, b: string) =>
  (setOrder.indexOf(a) + 1 || Infinity) - (setOrder.indexOf(b) + 1 || Infinity) || a.localeCompare(b);
