/**
 * A real Temporal server (the release install-server.ts builds) on a throwaway
 * PostgreSQL, in the topology of docker-compose.yml: the schema tool creates and
 * migrates `temporal` and `temporal_visibility` (as the `temporal-schema` service does),
 * the server runs frontend, history, matching and worker on loopback, and the namespace
 * and fleetwave's search attributes are registered (as `temporal-setup` does). Nothing
 * is downloaded at run time.
 *
 * For chaos drills the handle can SIGKILL the server and start it again on the same
 * ports and database, and stop, start or restart PostgreSQL under it.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { resolveTemporalServer, type TemporalServerInstall } from './install-server.js';
import { lastLines, startOwnedProcess, waitFor, type OwnedProcess } from './owned-process.js';
import { startPostgres, type RunningPostgres } from './postgres.js';
import { dynamicConfigYaml, serverConfigYaml, TEMPORAL_DATABASES } from './temporal-server-config.js';
import { choosePorts, ensurePortFree } from './server-ports.js';
import { setUpNamespace } from './temporal-namespace.js';

export { ensurePortFree } from './server-ports.js';

const run = promisify(execFile);

export interface TemporalServerOptions {
  /** @default '127.0.0.1' */
  readonly ip?: string;
  /** The frontend's gRPC port; a free one when absent. */
  readonly port?: number;
  /** @default 'default' */
  readonly namespace?: string;
  /** Where config, logs and the database go (created); a temp directory when absent. Removed by `stop()`. */
  readonly dir?: string;
  /** Build the server when it is not installed (3-4 minutes) instead of failing. */
  readonly install?: boolean;
  readonly onProgress?: (line: string) => void;
  /** The server's own log lines (JSON, at `logLevel`). */
  readonly onLog?: (line: string) => void;
  /** @default 'warn' */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Serve the server's Prometheus metrics on this port (`/metrics`, loopback). */
  readonly metricsPort?: number;
  /** The server process ended without `stop()`, `kill()` or `restart()` asking it to (a crash). */
  readonly onUnexpectedExit?: (how: string, logTail: string) => void;
}

export interface RealTemporalServer {
  /** `host:port` of the frontend, for `Connection.connect` / `NativeConnection.connect`. */
  readonly address: string;
  readonly namespace: string;
  readonly version: string;
  readonly dir: string;
  /** The processes' PIDs while they run (they change on every restart). */
  readonly pids: { readonly server: number | undefined; readonly postgres: number | undefined };
  /** Stops the server (SIGTERM), then PostgreSQL, and deletes `dir`. */
  stop(): Promise<void>;
  /** SIGKILLs the server, as a crash would, and waits until it is gone. PostgreSQL keeps running. */
  kill(): Promise<void>;
  /**
   * Stops the server (SIGTERM) if it runs, and starts it again on the same ports and database;
   * resolves once it serves.
   */
  restart(): Promise<void>;
  readonly postgres: { readonly port: number; start(): Promise<void>; stop(): Promise<void>; restart(): Promise<void> };
}

/**
 * `create`, `setup-schema -v 0.0`, `update-schema -d <versioned>` for both databases, as
 * docker-compose.yml's temporal-schema.
 */
async function migrate(install: TemporalServerInstall, pg: RunningPostgres): Promise<void> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SQL_PASSWORD: pg.password };
  for (const [database, schema] of [
    [TEMPORAL_DATABASES.default, 'temporal'],
    [TEMPORAL_DATABASES.visibility, 'visibility'],
  ] as const) {
    const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database];
    for (const command of [
      ['create'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '-d', join(install.schemaDir, schema, 'versioned')],
    ]) {
      try {
        await run(install.sqlTool, [...base, ...command], { env, maxBuffer: 16 * 1024 * 1024 });
      } catch (error) {
        const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
        throw new Error(
          `temporal-sql-tool --db ${database} ${command.join(' ')} failed:\n${lastLines(output || String(error))}`,
        );
      }
    }
  }
}

/** The frontend's gRPC health check says SERVING (what `temporal operator cluster health` asks). */
async function healthy(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const { status } = await connection.healthService.check({
      service: 'temporal.api.workflowservice.v1.WorkflowService',
    });
    return status === 1; // SERVING
  } finally {
    await connection.close();
  }
}

export async function startTemporalServer(options: TemporalServerOptions = {}): Promise<RealTemporalServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const install = await resolveTemporalServer(options);
  // A port the caller chose and cannot have is an error before anything starts.
  if (options.port !== undefined) await ensurePortFree(ip, options.port);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'fleet-temporal-')));
  if (options.dir) await mkdir(dir, { recursive: true });
  // PostgreSQL may run as another user (when we are root): it must reach its directory in here.
  await chmod(dir, 0o711);
  // Chosen right before the first start (see below); fixed from then on, for restarts.
  let address = '';

  let pg: RunningPostgres | undefined;
  let server: OwnedProcess | undefined;
  /** Set while we stop or kill the server ourselves: its exit is then no news. */
  let stopping = false;
  const startServer = async () => {
    const proc = startOwnedProcess(
      install.server,
      ['--config-file', join(dir, 'config.yaml'), '--allow-no-auth', 'start'],
      {
        // Only what it needs: TEMPORAL_* variables of the caller (TEMPORAL_SERVICES...) would change what starts.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
        cwd: dir,
        logFile: join(dir, 'temporal.log'),
        deathSignal: 'SIGTERM',
        ...(options.onLog ? { onLine: options.onLog } : {}),
      },
    );
    server = proc;
    // Reported once it served: an exit during the start is the start's error.
    let up = false;
    void proc.exited.then(({ code, signal }) => {
      if (up && server === proc && !stopping)
        options.onUnexpectedExit?.(signal ?? `exit code ${code}`, lastLines(proc.tail()));
    });
    try {
      await waitFor(`Temporal server ${install.version} at ${address}`, proc, () => healthy(address), 120_000, 250);
      const connection = await Connection.connect({ address });
      try {
        await setUpNamespace(connection, namespace, 60_000);
      } finally {
        await connection.close();
      }
      up = true;
    } catch (error) {
      await proc.stop('SIGKILL', 5_000);
      throw error;
    }
  };
  // SIGTERM: the services leave membership and release their shards; SIGKILL after 20 s.
  const stopServer = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    stopping = true;
    try {
      await server?.stop(signal, signal === 'SIGKILL' ? 5_000 : 20_000);
    } finally {
      stopping = false;
    }
  };
  const stop = async () => {
    await stopServer();
    await pg?.remove();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    options.onProgress?.(`starting PostgreSQL in ${join(dir, 'postgres')}`);
    pg = await startPostgres({ dir: join(dir, 'postgres') });
    options.onProgress?.(
      `creating and migrating ${TEMPORAL_DATABASES.default} and ${TEMPORAL_DATABASES.visibility} with temporal-sql-tool`,
    );
    await migrate(install, pg);
    // Ports are chosen as late as possible, and again when one was taken before the
    // server bound it (a busy CI machine hands out ports fast).
    for (let attempt = 1; ; attempt++) {
      const ports = await choosePorts(ip, options.port);
      address = `${ip}:${ports.frontend}`;
      const configInput = {
        ip,
        ports,
        postgres: pg,
        dynamicConfigFile: join(dir, 'dynamicconfig.yaml'),
        ...(options.metricsPort ? { metricsPort: options.metricsPort } : {}),
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
      };
      // The config holds the database password: readable by us only.
      await writeFile(join(dir, 'config.yaml'), serverConfigYaml(configInput), { mode: 0o600 });
      await writeFile(join(dir, 'dynamicconfig.yaml'), dynamicConfigYaml(), { mode: 0o600 });
      options.onProgress?.(`starting Temporal server ${install.version} on ${address}`);
      try {
        await startServer();
        break;
      } catch (error) {
        if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
        options.onProgress?.(`a port was taken meanwhile; choosing others (attempt ${attempt + 1})`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const postgres = pg;

  return {
    address,
    namespace,
    version: install.version,
    dir,
    get pids() {
      return { server: server?.running() ? server.pid : undefined, postgres: postgres.pid };
    },
    stop,
    kill: () => stopServer('SIGKILL'),
    restart: async () => {
      await stopServer();
      await startServer();
    },
    postgres: {
      port: postgres.port,
      start: () => postgres.start(),
      stop: () => postgres.stop(),
      restart: () => postgres.restart(),
    },
  };
}
