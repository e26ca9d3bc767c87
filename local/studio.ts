/**
 * The studio, served locally (docs/design.md §9): the page in studio/ (Vite in
 * middleware mode) and its API (functions/studio/api.ts, the same as the
 * Lambda's) on one HTTP server.
 * - Under `npm start` it edits the local stack's versioned content, signed in
 *   as a local publisher: saving writes drafts, publishing reaches the
 *   stack's functions at once.
 * - `retention studio --dir DIR` edits a plain templates folder: saving
 *   writes the file (git is the history); nothing to publish.
 * It listens on the loopback address only, and refuses writes from other
 * origins, because it writes files and has no sign-in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ViteDevServer } from 'vite';
import { sesMailer } from '../functions/adapters/ses';
import type { Config } from '../functions/config';
import { studioApiFor } from '../functions/handlers/studio';
import type { Runtime } from '../functions/runtime';
import { HttpError, routeStudio, studioApi } from '../functions/studio/api';
import { folderContent } from '../functions/studio/content';
import type { StudioUser } from '../studio/api';
import { localCredentials, localRegion } from './dynamodb';
import { localPorts } from './ports';
import { localKeyring } from './stack';

export interface StudioOptions {
  config: Config;
  /** The local stack whose content the studio edits and publishes; without it, a templates folder. */
  runtime?: Runtime;
  /** Without a runtime: the folder. @default the project's `templates/` folder */
  templatesDir?: string;
  /** 0 picks a free port. @default localPorts.studio (4020) */
  port?: number;
  /** The SES v2 API test emails go to (without a runtime). @default http://127.0.0.1:${localPorts.ses} */
  sesEndpoint?: string;
  /** The inbox viewer named after a test send. @default http://127.0.0.1:${localPorts.inbox} */
  inboxUrl?: string;
  /** Pre-filled recipient of a test email. @default marketer@shop.example */
  testAddress?: string;
  /** Who is signed in. @default a local publisher */
  user?: StudioUser;
}

export interface Studio {
  url: string;
  close(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const frontEnd = join(projectRoot, 'studio');

/** Requests are a template's text and a few names: a quarter of a megabyte is plenty. */
const maxRequestBytes = 256 * 1024;

export const localPublisher: StudioUser = { id: 'local publisher', role: 'publisher' };

export const startStudio = async (options: StudioOptions): Promise<Studio> => {
  const host = '127.0.0.1';
  const inboxUrl = options.inboxUrl ?? `http://127.0.0.1:${localPorts.inbox}`;
  const testAddress = options.testAddress ?? 'marketer@shop.example';
  const user = options.user ?? localPublisher;
  const { shop } = options.config;
  const ses = options.runtime
    ? undefined
    : new SESv2Client({ region: localRegion, credentials: localCredentials, endpoint: options.sesEndpoint ?? `http://127.0.0.1:${localPorts.ses}` });
  const api = options.runtime
    ? studioApiFor(options.runtime, testAddress, inboxUrl)
    : studioApi({
        content: folderContent(resolve(options.templatesDir ?? join(projectRoot, 'templates'))),
        config: options.config,
        inboxUrl,
        testAddress,
        // The same adapter the campaigns send through: the test email is the bytes a customer would get.
        mailer: sesMailer(ses!, { name: shop.name, address: shop.fromAddress }, 'retention', { ...options.config.sending, concurrency: 1 }),
        keyring: async () => localKeyring,
      });

  let vite: ViteDevServer | undefined;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/api/')) {
      void serveApi(api, user, req, res);
      return;
    }
    // On AWS the page's sign-in settings; here, no sign-in (studio/sign-in.ts reads "nothing" as local).
    if (req.url === '/config.json') {
      res.writeHead(204, { 'cache-control': 'no-store' }).end();
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
      include: [
        'codemirror',
        '@codemirror/autocomplete',
        '@codemirror/lang-html',
        '@codemirror/lint',
        '@codemirror/state',
        '@codemirror/view',
        'diff',
        'grapesjs',
        'grapesjs-mjml',
      ],
    },
  });

  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? localPorts.studio, host, () => resolvePort((server.address() as AddressInfo).port));
  }).catch(async (error: unknown) => {
    await vite!.close();
    ses?.destroy();
    throw error;
  });

  return {
    url: `http://${host}:${port}`,
    async close() {
      await vite!.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      ses?.destroy();
    },
  };
};

const serveApi = async (api: ReturnType<typeof studioApi>, user: StudioUser, req: IncomingMessage, res: ServerResponse) => {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  try {
    const url = new URL(req.url ?? '/', 'http://studio');
    guardHost(req);
    if (req.method !== 'GET') guardWrite(req);
    const body = req.method === 'GET' ? undefined : await readJson(req);
    const answer = await routeStudio(api, user, { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body });
    return send(answer.status, answer.body);
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

