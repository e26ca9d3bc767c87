/**
 * The template studio (issue 5): a local web page where a marketer edits a
 * campaign step's subject, preheader and MJML body, sees it rendered live with
 * a sample customer, sees the checker's problems inline, saves back to
 * `templates/`, and sends a test email to the local inbox.
 *
 * One HTTP server: `/api/...` is answered here (JSON in, JSON out, inputs
 * validated by the schemas in studio/api.ts); everything else is the front end
 * in studio/, served by Vite in middleware mode. It listens on the loopback
 * address only, and refuses writes from other origins, because it writes files.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ViteDevServer } from 'vite';
import type { z } from 'zod';
import { sesMailer } from '../functions/adapters/ses';
import type { Config } from '../functions/config';
import { unsubscribeLinks } from '../functions/links/unsubscribe';
import { formatProblem, inspectTemplates } from '../functions/templates/check';
import { createRenderer } from '../functions/templates/render';
import { hasSample, sampleCustomers, sampleFor } from '../functions/templates/samples';
import {
  draft as draftSchema,
  previewRequest,
  sendRequest,
  templateRef,
  type Catalog,
  type Draft,
  type PreviewResponse,
  type Problem,
  type SaveResponse,
  type SendResponse,
  type TemplateFile,
  type TemplateRef,
} from '../studio/api';
import { localCredentials, localRegion } from './dynamodb';
import { localPorts } from './ports';
import { localKeyring } from './stack';

export interface StudioOptions {
  config: Config;
  /** @default the project's `templates/` folder */
  templatesDir?: string;
  /** 0 picks a free port. @default localPorts.studio (4020) */
  port?: number;
  /** The SES v2 API test emails go to. @default http://127.0.0.1:${localPorts.ses} */
  sesEndpoint?: string;
  /** The inbox viewer named after a test send. @default http://127.0.0.1:${localPorts.inbox} */
  inboxUrl?: string;
  /** Pre-filled recipient of a test email. @default marketer@shop.example */
  testAddress?: string;
}

export interface Studio {
  url: string;
  close(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const frontEnd = join(projectRoot, 'studio');

/** Requests are a template's text and a few names: a quarter of a megabyte is plenty. */
const maxRequestBytes = 256 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const startStudio = async (options: StudioOptions): Promise<Studio> => {
  const templatesDir = resolve(options.templatesDir ?? join(projectRoot, 'templates'));
  // Loopback only: the studio writes files and has no login.
  const host = '127.0.0.1';
  const inboxUrl = options.inboxUrl ?? `http://127.0.0.1:${localPorts.inbox}`;
  const { shop } = options.config;
  const ses = new SESv2Client({
    region: localRegion,
    credentials: localCredentials,
    endpoint: options.sesEndpoint ?? `http://127.0.0.1:${localPorts.ses}`,
  });
  // The same adapter the campaigns send through: the test email is the bytes a customer would get.
  // One test email at a time: the pace is the account's, for a single sender.
  const mailer = sesMailer(ses, { name: shop.name, address: shop.fromAddress }, 'retention', { ...options.config.sending, concurrency: 1 });

  const api = studioApi({ templatesDir, config: options.config, inboxUrl, testAddress: options.testAddress ?? 'marketer@shop.example', mailer });

  let vite: ViteDevServer | undefined;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/api/')) {
      void serveApi(api, req, res);
      return;
    }
    vite!.middlewares(req, res, () => {
      res.writeHead(404).end('not found');
    });
  });

  const { createServer: createVite } = await import('vite');
  vite = await createVite({
    configFile: false,
    root: frontEnd,
    appType: 'spa',
    logLevel: 'warn',
    clearScreen: false,
    // HMR shares this server's port, so two studios (npm start and a test) never fight over Vite's default one.
    server: { middlewareMode: true, hmr: { server } },
    // Pre-bundled at start, so the first page load does not stop to optimise and reload.
    optimizeDeps: {
      include: ['codemirror', '@codemirror/lang-html', '@codemirror/lint', '@codemirror/state', '@codemirror/view'],
    },
  });

  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? localPorts.studio, host, () => resolvePort((server.address() as AddressInfo).port));
  }).catch(async (error: unknown) => {
    await vite!.close();
    ses.destroy();
    throw error;
  });

  return {
    url: `http://${host}:${port}`,
    async close() {
      await vite!.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      ses.destroy();
    },
  };
};

type Mailer = ReturnType<typeof sesMailer>;

interface ApiContext {
  templatesDir: string;
  config: Config;
  inboxUrl: string;
  testAddress: string;
  mailer: Mailer;
}

/** The API's handlers, each a plain function of validated input. */
const studioApi = (context: ApiContext) => {
  const { templatesDir, config } = context;

  /** A fresh renderer per request: it caches file listings and partials, and the marketer may edit those outside the studio. */
  const renderer = () => createRenderer(templatesDir);

  const setNames = async () => {
    const entries = await readdir(templatesDir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && entry.name !== 'partials' && /^[a-z0-9][a-z0-9-]*$/.test(entry.name))
      .map((entry) => entry.name)
      .sort(bySetOrder);
  };

  /** The file a reference names, only if it exists in the templates folder (no new files, no other folders). */
  const existingFile = async (ref: TemplateRef) => {
    if (!(await setNames()).includes(ref.set)) throw new HttpError(404, `no campaign step "${ref.set}"`);
    const render = renderer();
    if (!render.locales(ref.set).includes(ref.locale)) throw new HttpError(404, `no "${ref.locale}" template for ${ref.set}`);
    if (ref.variant && !render.variants(ref.set, ref.locale).includes(ref.variant)) {
      throw new HttpError(404, `no variant "${ref.variant}" of ${ref.set}/${ref.locale}`);
    }
    const name = `${ref.set}/${ref.locale}${ref.variant ? `.${ref.variant}` : ''}.mjml`;
    const path = resolve(templatesDir, name);
    // Belt and braces: the schemas already keep names to slugs.
    if (!path.startsWith(templatesDir + sep)) throw new HttpError(400, 'outside the templates folder');
    return { name, path };
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
    const content = joinTemplate(original.head, input.subject, input.preheader, input.body);
    const layout = splitTemplate(content);
    const [email, problems] = await Promise.all([
      renderer()
        .renderSource(input.set, input.locale, content, data)
        .catch((error: Error) => error),
      checkDraft(templatesDir, file.name, content, layout),
    ]);
    if (!(email instanceof Error)) return { email, problems, content, file };
    return { problems: problems.length ? problems : renderProblems(email.message, layout), content, file };
  };

  return {
    async catalog(): Promise<Catalog> {
      const render = renderer();
      const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
      const sets = (await setNames()).map((name) => ({
        name,
        ...setLabel(name),
        locales: render.locales(name).map((locale) => ({
          locale,
          label: `${languageNames.of(locale) ?? locale} (${locale})`,
          variants: render.variants(name, locale),
        })),
      }));
      return {
        sets: sets.filter((set) => set.locales.length > 0),
        samples: sampleCustomers.map((c) => ({ id: c.id, label: c.firstName ? `${c.firstName} · ${c.label}` : c.label, locale: c.locale })),
        testAddress: context.testAddress,
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

    async save(input: Draft): Promise<SaveResponse> {
      // Saved templates must pass the check CI runs, so a broken one never reaches a customer.
      const result = await renderDraft(input, sampleCustomers[0]!.id);
      if (result.problems.length) return { ok: false, problems: result.problems };
      await writeAtomically(result.file.path, result.content);
      return { ok: true, file: result.file.name };
    },

    async send(input: z.infer<typeof sendRequest>): Promise<SendResponse> {
      // Real unsubscribe links, signed with the local key, as a campaign send carries them.
      const links = unsubscribeLinks(localKeyring, config.shop, `studio-${input.sample}`, input.set, new Date());
      const result = await renderDraft(input, input.sample, links.url);
      if (!result.email) return { ok: false, problems: result.problems };
      const { campaign, step } = campaignOf(input.set);
      try {
        const { messageId } = await context.mailer.send({
          to: input.to,
          subject: result.email.subject,
          html: result.email.html,
          text: result.email.text,
          headers: links.headers,
          tags: { campaign, ...(step && { step }), origin: 'studio' },
        });
        return { ok: true, messageId, to: input.to, inboxUrl: context.inboxUrl };
      } catch (error) {
        const reason = (error as Error).message || (error as Error).name;
        throw new HttpError(502, `The local inbox did not take the email (${reason}). Is \`npm start\` running?`);
      }
    },
  };
};

type StudioApi = ReturnType<typeof studioApi>;

const serveApi = async (api: StudioApi, req: IncomingMessage, res: ServerResponse) => {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  try {
    const url = new URL(req.url ?? '/', 'http://studio');
    const route = `${req.method} ${url.pathname}`;
    guardHost(req);
    if (req.method !== 'GET') guardWrite(req);
    switch (route) {
      case 'GET /api/catalog':
        return send(200, await api.catalog());
      case 'GET /api/template':
        return send(200, await api.template(parse(templateRef, Object.fromEntries(url.searchParams))));
      case 'POST /api/preview':
        return send(200, await api.preview(parse(previewRequest, await readJson(req))));
      case 'PUT /api/template': {
        const result = await api.save(parse(draftSchema, await readJson(req)));
        return send(result.ok ? 200 : 422, result);
      }
      case 'POST /api/send': {
        const result = await api.send(parse(sendRequest, await readJson(req)));
        return send(result.ok ? 200 : 422, result);
      }
      default:
        throw new HttpError(404, `no route ${route}`);
    }
  } catch (error) {
    if (error instanceof HttpError) return send(error.status, { error: error.message });
    console.error('studio:', error);
    return send(500, { error: (error as Error).message });
  }
};

/** A page on another site that rebinds its name to 127.0.0.1 still sends its own name as the Host. */
const guardHost = (req: IncomingMessage) => {
  const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) throw new HttpError(403, `host ${req.headers.host} is not this machine`);
};

/**
 * The studio writes files: a page on another site must not be able to make the
 * browser post to it. JSON bodies need a CORS preflight, which this server never
 * grants, and a browser always names the origin of a cross-site write.
 */
const guardWrite = (req: IncomingMessage) => {
  if (!req.headers['content-type']?.startsWith('application/json')) throw new HttpError(415, 'send JSON (content-type: application/json)');
  const origin = req.headers.origin;
  if (origin && origin !== `http://${req.headers.host}`) throw new HttpError(403, `requests from ${origin} are not allowed`);
};

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxRequestBytes) throw new HttpError(413, `request over ${maxRequestBytes / 1024} KB`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
};

const parse = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new HttpError(400, `${issue.path.join('.') || 'request'} ${issue.message}`);
  }
  return result.data;
};

/** Write beside, then rename: a reader (the engine, git, an editor) never sees half a template. */
const writeAtomically = async (path: string, content: string) => {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, content, { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
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

export const splitTemplate = (content: string): SplitTemplate => {
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

export const joinTemplate = (head: string[], subject: string, preheader: string, body: string): string => {
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

const campaignTitles: Record<string, string> = { birthday: 'Birthday', winback: 'Win-back', nps: 'Satisfaction survey (NPS)' };
const stepTitles: Record<string, string> = {
  birthday: 'Birthday gift',
  'winback-1': 'Step 1 · We miss you (reminder)',
  'winback-2': 'Step 2 · Come back (offer)',
  'winback-3': 'Step 3 · Last chance (bigger offer)',
  nps: 'How did we do? (survey)',
};

const setLabel = (set: string) => {
  const { campaign, step } = campaignOf(set);
  return { group: campaignTitles[campaign] ?? campaign, label: stepTitles[set] ?? (step ? `Step ${step}` : set) };
};

const setOrder = ['birthday', 'winback-1', 'winback-2', 'winback-3', 'nps'];
const bySetOrder = (a: string, b: string) =>
  (setOrder.indexOf(a) + 1 || Infinity) - (setOrder.indexOf(b) + 1 || Infinity) || a.localeCompare(b);
