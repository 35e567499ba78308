/**
 * A throwaway PostgreSQL cluster for the real Temporal server: Debian's binaries
 * (`apt-get install -y postgresql`; only `initdb` and `postgres` are used, never the
 * package's system service, its port, data or config), `initdb` into a directory of its
 * own, listening on 127.0.0.1 on a free port with its unix socket inside that
 * directory. The superuser is `temporal` with a random password (scram on loopback), so
 * nobody else on the machine can reach the database. Removed on `remove()`.
 *
 * initdb and postgres refuse to run as root: as root, both run as the `postgres`
 * account the Debian package creates (else `nobody`), which owns the directory.
 *
 * Made for tests: fsync is off (only an operating-system crash loses data; a killed
 * postgres or Temporal server does not), which keeps a 2-core CI machine fast.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './dev-server.js';
import { findOnPath, lastLines, startOwnedProcess, waitFor, type OwnedProcess } from './owned-process.js';

export const POSTGRES_USER = 'temporal';

export const POSTGRES_MISSING =
  'PostgreSQL not found (initdb and postgres): install it with `apt-get install -y --no-install-recommends postgresql` (as root; fleetwave never uses the service the package ships), ' +
  'or set FLEET_POSTGRES_BIN to the directory holding initdb and postgres';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * `$FLEET_POSTGRES_BIN`, else Debian's `/usr/lib/postgresql/<major>/bin` (newest major
 * first: the package puts neither program on PATH), else PATH.
 */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const inDir = (dir: string) => {
    const initdb = findOnPath('initdb', { PATH: dir });
    const postgres = findOnPath('postgres', { PATH: dir });
    return initdb && postgres ? { initdb, postgres } : undefined;
  };
  if (env.FLEET_POSTGRES_BIN) return inDir(env.FLEET_POSTGRES_BIN);
  let majors: string[] = [];
  try {
    majors = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout
  }
  for (const major of majors) {
    const found = inDir(`/usr/lib/postgresql/${major}/bin`);
    if (found) return found;
  }
  const initdb = findOnPath('initdb', env);
  const postgres = findOnPath('postgres', env);
  return initdb && postgres ? { initdb, postgres } : undefined;
}

/** Who runs PostgreSQL when we are root: the first of these accounts in /etc/passwd. */
function unprivilegedUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const accounts = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = accounts.find((fields) => fields[0] === name);
    if (entry) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error(
    'running as root, and neither a `postgres` nor a `nobody` account exists to run PostgreSQL as (initdb and postgres refuse root)',
  );
}

export interface PostgresOptions {
  /** Where the cluster lives (created; must not exist yet). A new temp directory when absent. */
  readonly dir?: string;
  /** A free loopback port when absent. */
  readonly port?: number;
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  /** The postmaster's PID while it runs. */
  readonly pid: number | undefined;
  /** Starts it again after `stop()` (same port and data). */
  start(): Promise<void>;
  /** Fast shutdown: clients are disconnected, data is kept. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  remove(): Promise<void>;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<RunningPostgres> {
  const binaries = findPostgres();
  if (!binaries) throw new Error(POSTGRES_MISSING);
  const user = unprivilegedUser();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'fleet-postgres-')));
  if (options.dir) await mkdir(dir, { recursive: false });
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const password = randomBytes(18).toString('base64url');
  // Only the user PostgreSQL runs as (and root) may enter: the socket is in here.
  await mkdir(socketDir, { mode: 0o700 });
  await chmod(dir, 0o700);
  if (user) for (const path of [dir, socketDir]) await chown(path, user.uid, user.gid);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
  const spawnOptions = { env, cwd: dir, logFile: join(dir, 'postgres.log'), ...(user ? { user } : {}) };

  try {
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) await chown(pwfile, user.uid, user.gid);
    const initdb = startOwnedProcess(
      binaries.initdb,
      [
        '-D',
        data,
        '-U',
        POSTGRES_USER,
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { ...spawnOptions, deathSignal: 'SIGKILL' },
    );
    const result = await initdb.exited;
    await rm(pwfile, { force: true });
    if (result.code !== 0)
      throw new Error(`initdb failed (${result.signal ?? `exit ${result.code}`}):\n${lastLines(initdb.tail())}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const port = options.port ?? (await freePort());
  let proc: OwnedProcess | undefined;
  const start = async () => {
    if (proc?.running()) return;
    let ready = false;
    const started = startOwnedProcess(
      binaries.postgres,
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${socketDir}`,
        // Each of the server's four services opens up to 20 + 10 connections.
        '-c',
        'max_connections=200',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        // English log lines: readiness is read from one.
        '-c',
        'lc_messages=C',
      ],
      {
        ...spawnOptions,
        // Fast shutdown when we die: clients are disconnected, nothing waits for them.
        deathSignal: 'SIGINT',
        onLine: (line) => {
          if (line.includes('database system is ready to accept connections')) ready = true;
          options.onLog?.(line);
        },
      },
    );
    proc = started;
    try {
      await waitFor(`PostgreSQL on 127.0.0.1:${port}`, started, async () => ready, 60_000, 50);
    } catch (error) {
      await started.stop('SIGQUIT', 5_000);
      throw error;
    }
  };
  // SIGINT: fast shutdown. SIGKILL only when it takes more than 30 s.
  const stop = async () => {
    await proc?.stop('SIGINT', 30_000);
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    user: POSTGRES_USER,
    password,
    dir,
    get pid() {
      return proc?.running() ? proc.pid : undefined;
    },
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    remove: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
