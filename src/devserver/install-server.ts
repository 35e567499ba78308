/**
 * The real Temporal server, built by the project like the CLI is installed: `npm run
 * server:install` builds `temporal-server` and `temporal-sql-tool` (the schema tool) at
 * the pinned release from the Go module proxy, and copies the release's PostgreSQL
 * schema next to them, so nothing downloads a schema at run time:
 *
 *   .fleetwave/temporal-server/v<version>/
 *     bin/temporal-server, bin/temporal-sql-tool
 *     schema/postgresql/v12/{temporal,visibility}/versioned/...
 *     install.json            written last: an install without it is incomplete
 *
 * Idempotent: a complete install is left alone. The build goes to a staging directory
 * renamed into place at the end, so an interrupted build leaves nothing half-written.
 * Go's own caches (modules, build cache, the toolchain) stay where `go env` puts them.
 */
import { execFile, spawn } from 'node:child_process';
import { access, constants, cp, chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { STATE_DIR } from './temporal-cli.js';

const run = promisify(execFile);

/** **Pinned**: the Temporal server release the project builds and docker-compose.yml runs (test/unit/compose.test.ts checks both). */
export const TEMPORAL_SERVER_VERSION = '1.32.2';

/**
 * The Go toolchain the build runs with (`GOTOOLCHAIN`; the go command fetches it from
 * the proxy). The module asks for go >= 1.26.10; this is the one the build was verified with.
 */
export const TEMPORAL_SERVER_GO_TOOLCHAIN = 'go1.27.3';

const MODULE = 'go.temporal.io/server';
const PACKAGES = { 'temporal-server': `${MODULE}/cmd/server`, 'temporal-sql-tool': `${MODULE}/cmd/tools/sql` } as const;

export interface TemporalServerInstall {
  readonly dir: string;
  readonly version: string;
  readonly server: string;
  readonly sqlTool: string;
  /** `schema/postgresql/v12`: its `temporal/versioned` and `visibility/versioned` go to `update-schema -d`. */
  readonly schemaDir: string;
}

export class TemporalServerInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalServerInstallError';
  }
}

export function serverInstallDir(version = TEMPORAL_SERVER_VERSION): string {
  return join(STATE_DIR, 'temporal-server', `v${version}`);
}

function installOf(dir: string): TemporalServerInstall {
  return {
    dir,
    version: TEMPORAL_SERVER_VERSION,
    server: join(dir, 'bin', 'temporal-server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
  };
}

export async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** The project's install of the pinned release, when complete; undefined otherwise. */
export async function findTemporalServer(): Promise<TemporalServerInstall | undefined> {
  const install = installOf(serverInstallDir());
  const complete =
    (await exists(join(install.dir, 'install.json'))) &&
    (await exists(install.server, constants.X_OK)) &&
    (await exists(install.sqlTool, constants.X_OK)) &&
    (await exists(join(install.schemaDir, 'temporal', 'versioned'))) &&
    (await exists(join(install.schemaDir, 'visibility', 'versioned')));
  return complete ? install : undefined;
}

/** The hint every "not installed" error ends with. */
export const SERVER_INSTALL_HINT = `run \`npm run server:install\` (builds Temporal server ${TEMPORAL_SERVER_VERSION} with Go into ${serverInstallDir()}; needs Go >= 1.21 on PATH and the Go module proxy)`;

/** The local `go version`; `what` (the Temporal server of its version) and `script` (`server:install`) name the build in the error when there is no Go. */
export async function goVersion(env: NodeJS.ProcessEnv, what = `Temporal server ${TEMPORAL_SERVER_VERSION}`, script = 'server:install'): Promise<string> {
  try {
    return (await run('go', ['version'], { env })).stdout.trim();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'go is not on PATH' : String((error as { stderr?: string }).stderr ?? error).trim();
    throw new TemporalServerInstallError(
      `cannot build ${what}: ${why}. Install Go (https://go.dev/dl/, or \`apt-get install -y golang\`; any go >= 1.21 fetches ${TEMPORAL_SERVER_GO_TOOLCHAIN} itself) and run \`npm run ${script}\` again.`,
    );
  }
}

/** `go install` of `packages` (`path@version`) with a progress line every 30 s, so a 3-4 minute build does not look hung. */
export function goInstall(env: NodeJS.ProcessEnv, onProgress: (line: string) => void, packages: readonly string[] = Object.values(PACKAGES).map((pkg) => `${pkg}@v${TEMPORAL_SERVER_VERSION}`)): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', ...packages], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      // The toolchain download is the one slow fetch worth naming; module downloads are many.
      for (const line of text.split('\n')) if (/downloading go\d/.test(line)) onProgress(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const ticker = setInterval(() => onProgress(`  still building (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new TemporalServerInstallError(`go install ${packages.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

/** The module cache keeps its files read-only; the copy must be removable like the rest of .fleetwave/. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}

export interface InstallOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (line: string) => void;
}

/** Builds and installs the pinned release unless a complete install is there. */
export async function installTemporalServer(options: InstallOptions = {}): Promise<TemporalServerInstall & { readonly built: boolean }> {
  const found = await findTemporalServer();
  if (found) return { ...found, built: false };
  const onProgress = options.onProgress ?? (() => {});
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), GOTOOLCHAIN: TEMPORAL_SERVER_GO_TOOLCHAIN };
  const localGo = await goVersion({ ...env, GOTOOLCHAIN: 'local' });

  const dir = serverInstallDir();
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'bin'), { recursive: true });
  try {
    onProgress(`building Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool from the Go module proxy (${localGo}, running ${TEMPORAL_SERVER_GO_TOOLCHAIN}) into ${dir}`);
    onProgress("  this takes 4-8 minutes on 2 cores (the first time also downloads the go toolchain, ~250 MB, and the server's modules); later builds reuse Go's caches");
    const started = Date.now();
    // CGO off, as Temporal's own Makefile builds it: static binaries, no C compiler needed.
    await goInstall({ ...env, GOBIN: join(staging, 'bin'), CGO_ENABLED: '0' }, onProgress);
    const buildSeconds = Math.round((Date.now() - started) / 1000);
    for (const [name, pkg] of Object.entries(PACKAGES)) await rename(join(staging, 'bin', pkg.split('/').at(-1)!), join(staging, 'bin', name));

    // The schema of exactly this release, from the module source the build just used.
    const modCache = (await run('go', ['env', 'GOMODCACHE'], { env })).stdout.trim();
    const source = join(modCache, `${MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
    if (!(await stat(source).catch(() => undefined))?.isDirectory()) throw new TemporalServerInstallError(`the module source has no PostgreSQL schema at ${source}`);
    const schemaDir = join(staging, 'schema', 'postgresql', 'v12');
    await cp(source, schemaDir, { recursive: true, filter: (path) => !path.endsWith('.go') });
    await makeWritable(join(staging, 'schema'));

    const manifest = { version: TEMPORAL_SERVER_VERSION, toolchain: TEMPORAL_SERVER_GO_TOOLCHAIN, packages: PACKAGES, schemaFrom: source, builtAt: new Date().toISOString(), buildSeconds };
    const binary = { path: join(staging, 'bin', 'temporal-server'), name: 'temporal-server', version: TEMPORAL_SERVER_VERSION };
    if (!(await placeStagedInstall(staging, dir, binary, manifest, findTemporalServer))) return { ...installOf(dir), built: false };
    onProgress(`built in ${buildSeconds} s`);
    return { ...installOf(dir), built: true };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The end of a staged build: the binary must name the release it was built from,
 * install.json is written last, and the staging directory moves into place. An
 * incomplete install (no install.json) is replaced; a complete one another process
 * finished meanwhile wins, and ours is dropped (false).
 */
export async function placeStagedInstall(staging: string, dir: string, binary: { readonly path: string; readonly name: string; readonly version: string }, manifest: object, finishedElsewhere: () => Promise<unknown>): Promise<boolean> {
  const { stdout } = await run(binary.path, ['--version']);
  if (!stdout.includes(binary.version)) throw new TemporalServerInstallError(`the built ${binary.name} says "${stdout.trim()}", not ${binary.version}`);
  await writeFile(join(staging, 'install.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (await finishedElsewhere()) return false;
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return true;
}

/** Reads install.json of an install (for the install scripts' reports). */
export async function readInstallManifest(dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'install.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Reads install.json of the project's install (for `npm run server:install`'s report). */
export const installManifest = (): Promise<Record<string, unknown> | undefined> => readInstallManifest(serverInstallDir());

// `npm run server:install`: a module that also runs as a script, in the style of install-cli.ts.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const install = await installTemporalServer({ onProgress: (line) => console.error(line) });
    const manifest = await installManifest();
    console.log(`${install.dir}: Temporal server ${install.version}${install.built ? '' : ' (already installed)'}`);
    console.log(`  ${install.server}\n  ${install.sqlTool}\n  ${install.schemaDir}`);
    if (manifest) console.log(`  built ${String(manifest.builtAt)} with ${String(manifest.toolchain)} in ${String(manifest.buildSeconds)} s`);
  } catch (error) {
    console.error(error instanceof TemporalServerInstallError ? error.message : error);
    process.exitCode = 1;
  }
}
