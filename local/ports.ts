/**
 * Where `npm start` serves each part, so `retention publish` and a browser can find them;
 * each port moves with its environment variable (README, "Ports"). A variable that is not a
 * port number, or a port something else holds, is reported naming the part, the port and the
 * variable, as a usage error (`retention: <reason>`, exit 2).
 */
import { createServer, type Server } from 'node:net';

export interface PortSetting {
  variable: string;
  default: number;
  /** What listens there, as the messages and the README name it. */
  what: string;
}

export const portSettings = {
  bus: { variable: 'RETENTION_BUS_PORT', default: 4010, what: 'the event bus' },
  dynamo: { variable: 'RETENTION_DYNAMODB_PORT', default: 4011, what: 'DynamoDB' },
  ses: { variable: 'RETENTION_SES_PORT', default: 4012, what: 'the SES API' },
  inbox: { variable: 'RETENTION_INBOX_PORT', default: 8005, what: 'the SES inbox' },
  links: { variable: 'RETENTION_LINKS_PORT', default: 4014, what: 'the links server' },
  dashboard: { variable: 'RETENTION_DASHBOARD_PORT', default: 4015, what: 'the ops dashboard' },
  studio: { variable: 'RETENTION_STUDIO_PORT', default: 4020, what: 'the template studio' },
} satisfies Record<string, PortSetting>;

export type PortName = keyof typeof portSettings;

/**
 * A port the user has to change: printed by the CLI as `retention: <message>` without a stack,
 * exit 2, as its own usage errors (`code` is the shape local/cli.ts recognises).
 */
export class PortError extends Error {
  readonly code = 'RETENTION_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'PortError';
  }
}

/** The port of `name`: its variable if set (0 to 65535; 0 picks any free port), else its default. */
export const portOf = (name: PortName): number => {
  const { variable, default: fallback } = portSettings[name];
  const raw = process.env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || port > 65_535) {
    throw new PortError(`${variable}='${raw}' is not a port number (0-65535; 0 picks any free port); it sets the port of ${portSettings[name].what}, ${fallback} by default`);
  }
  return port;
};

/** Each port, read (and checked) when it is used, so a bad variable is reported by the command that needs it. */
export const localPorts: Record<PortName, number> = Object.defineProperties(
  {} as Record<PortName, number>,
  Object.fromEntries(Object.keys(portSettings).map((name) => [name, { get: () => portOf(name as PortName), enumerable: true }])),
);

/** The running local bus (`RETENTION_BUS_URL`, else the bus port); `localBusUrl` is its value at start, unchecked. */
export const localBus = () => process.env.RETENTION_BUS_URL || `http://127.0.0.1:${localPorts.bus}`;
export const localBusUrl = process.env.RETENTION_BUS_URL ?? `http://127.0.0.1:${process.env.RETENTION_BUS_PORT?.trim() || portSettings.bus.default}`;

const listenError = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' ? 'it is in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need root)' : (error as Error).message;
};

/** What to say when `name` cannot listen on `port`: the part, the port, why, and the variable that moves it. */
export const portError = (name: PortName, port: number, error: unknown): PortError => {
  const { variable, what } = portSettings[name];
  return new PortError(`${what} cannot listen on port ${port}: ${listenError(error)}; free it, or choose another port with ${variable}=<port> (0: any free port)`);
};

/**
 * `server.listen`, resolved once it listens, rejected with the listen error (a plain
 * `listen` emits it as an event nobody hears, and never calls back).
 */
export const listening = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });

/**
 * Checks, before anything starts, that each fixed port is free on `host` (0 needs no check):
 * one message naming every port in use, the part that wants it and its variable.
 */
export const checkPortsFree = async (ports: Partial<Record<PortName, number>>, host = '127.0.0.1') => {
  const taken: { name: PortName; port: number; error: unknown }[] = [];
  for (const [name, port] of Object.entries(ports) as [PortName, number][]) {
    if (!port) continue;
    const probe = createServer();
    try {
      await listening(probe, port, host);
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    } catch (error) {
      taken.push({ name, port, error });
    }
  }
  if (taken.length === 1) throw portError(taken[0]!.name, taken[0]!.port, taken[0]!.error);
  if (taken.length > 1) {
    const each = taken.map(({ name, port, error }) => {
      const why = listenError(error);
      return `${port} (${portSettings[name].what}, ${portSettings[name].variable}${why === 'it is in use' ? '' : `: ${why}`})`;
    });
    const all = taken.length === Object.values(ports).filter(Boolean).length;
    throw new PortError(
      `ports in use: ${each.join(', ')}. ${all ? 'Is `npm start` already running? ' : ''}Free them, or choose other ports with those variables (0: any free port)`,
    );
  }
};
