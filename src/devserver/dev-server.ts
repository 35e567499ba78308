/**
 * Starts a Temporal dev server (`temporal server start-dev`) for tests and the demo,
 * with fleetwave's search attributes registered, and waits until it answers.
 *
 * With a binary from `findTemporalCli` we spawn it ourselves; when only the SDK's
 * download is available we let `TestWorkflowEnvironment.createLocal` run it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../namespace-check.js';
import { FLEET_SEARCH_ATTRIBUTES, type FleetSearchAttributeKey } from '../workflows/search-attributes.js';
import { withDeathSignal } from './owned-process.js';
import { findTemporalCli, type TemporalCli } from './temporal-cli.js';

export interface DevServerOptions {
  /** Address to bind; loopback unless told otherwise. */
  readonly ip?: string;
  /** Frontend gRPC port; a free one when absent. */
  readonly port?: number;
  /** Run the Web UI (on `uiPort`, a free port when absent). */
  readonly ui?: boolean;
  readonly uiPort?: number;
  /** SQLite file to keep state across restarts; in memory when absent. */
  readonly dbFile?: string;
  readonly namespace?: string;
  /** The CLI to run; found (and installed into the project if needed) when absent. */
  readonly cli?: TemporalCli;
  /** Receives the server's own log lines (warnings and errors only). */
  readonly onLog?: (line: string) => void;
  /**
   * Serve the server's Prometheus metrics on this port (`/metrics`, bound to loopback: checked
   * with `ss`); the benchmarks read its persistence counters.
   */
  readonly metricsPort?: number;
  /**
   * The search attributes to register (default: fleetwave's); `[]` for a bare namespace, as a
   * plain `temporal server start-dev`.
   */
  readonly searchAttributes?: readonly FleetSearchAttributeKey[];
  /**
   * Run the server in a process group of its own, so a Ctrl-C in the terminal reaches
   * only us and we stop it after what uses it (the demo's worker); it still gets SIGTERM
   * when we die (`setpriv --pdeathsig`, see owned-process.ts). Not with the SDK's download.
   */
  readonly ownProcessGroup?: boolean;
}

export interface DevServer {
  /** `host:port` for `Connection.connect` / `NativeConnection.connect`. */
  readonly address: string;
  readonly namespace: string;
  /** The Web UI, when it runs. */
  readonly uiUrl?: string;
  /**
   * Stops the server: SIGTERM (SIGKILL after `killAfterMs`, 10 s by default); `'SIGKILL'`
   * kills it outright, as a crash would (the chaos drills restart a file-backed server so).
   * Resolves at once when it has exited already.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL', killAfterMs?: number): Promise<void>;
}

export { SEARCH_ATTRIBUTE_CLI_TYPES };

/** `--search-attribute Name=Type` flags for `keys` (default: everything fleetwave upserts). */
export function searchAttributeFlags(keys: readonly FleetSearchAttributeKey[] = FLEET_SEARCH_ATTRIBUTES): string[] {
  return keys.flatMap((key) => ['--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_CLI_TYPES[key.type]}`]);
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether the frontend answers, and the Web UI (when asked for) serves its settings: it starts
 * a moment after the frontend.
 */
async function serving(address: string, uiUrl: string | undefined): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
  if (uiUrl) {
    const response = await fetch(`${uiUrl}/api/v1/settings`, { signal: AbortSignal.timeout(1000) });
    if (!response.ok) throw new Error(`Web UI ${uiUrl} answered ${response.status}`);
  }
}

async function waitUntilServing(
  address: string,
  uiUrl: string | undefined,
  child: ChildProcess,
  stderrTail: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal dev server exited with code ${child.exitCode} before it served: ${stderrTail()}`);
    }
    try {
      await serving(address, uiUrl);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)} ${stderrTail()}`,
  );
}

/** Starts before giving up when a port chosen free was taken before the server bound it. */
const PORT_RACE_TRIES = 3;

/**
 * Starts the dev server. Ports it chose itself (none given) may be taken by another process
 * between the choice and the bind (two test projects start servers at once): it tries
 * again on fresh ports then.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  for (let tried = 1; ; tried++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const chosen = options.port === undefined && options.uiPort === undefined;
      if (!chosen || tried >= PORT_RACE_TRIES || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startOnce(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort(ip));
  const uiPort = options.ui ? (options.uiPort ?? (await freePort(ip))) : undefined;
  const cli =
    options.cli ??
    (await findTemporalCli({ install: true, allowSdkDownload: process.env.FLEET_ALLOW_SDK_DOWNLOAD === '1' }));
  if (options.dbFile) await mkdir(dirname(options.dbFile), { recursive: true });

  const address = `${ip}:${port}`;
  const uiUrl = uiPort ? `http://${ip}:${uiPort}` : undefined;
  // WAL and synchronous=OFF keep a file-backed SQLite from being the bottleneck.
  const sqliteFlags = options.dbFile
    ? ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF']
    : [];

  if (cli.kind === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', version: `v${cli.version}` },
        ip,
        port,
        namespace,
        ui: Boolean(uiPort),
        ...(uiPort ? { uiPort } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        searchAttributes: [...(options.searchAttributes ?? FLEET_SEARCH_ATTRIBUTES)],
        extraArgs: [...sqliteFlags, ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : [])],
      },
    });
    return { address, namespace, ...(uiUrl ? { uiUrl } : {}), stop: () => env.teardown() };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...(uiPort ? ['--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
    ...sqliteFlags,
    ...searchAttributeFlags(options.searchAttributes),
  ];
  const [file, argv] = options.ownProcessGroup ? withDeathSignal(cli.path, args, 'SIGTERM') : [cli.path, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup === true });
  let tail = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-2000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', killAfterMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(address, uiUrl, child, () => tail, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, namespace, ...(uiUrl ? { uiUrl } : {}), stop };
}
