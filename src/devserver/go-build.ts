/**
 * The one way the project builds a Go program into .fleetwave/ (the Temporal server and
 * its UI server; install-server.ts and install-ui-server.ts say what and from where,
 * go-install.ts finds, installs and reports them):
 * with Go's state where go-env.ts puts it, the pinned toolchain, and a staging
 * directory renamed into place at the end, so an interrupted build leaves nothing
 * half-written and a complete install is left alone.
 */
import { execFile, spawn } from 'node:child_process';
import { access, chmod, constants, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeGoEnvironment, goEnvironment, toolchainDirs, type GoEnvironment } from './go-env.js';

const run = promisify(execFile);

/**
 * The Go toolchain the builds run with (`GOTOOLCHAIN`; the go command fetches it from
 * the proxy into the module cache). The server's module asks for go >= 1.26.10; this is
 * the one the builds were verified with.
 */
export const GO_TOOLCHAIN = 'go1.27.3';

/** Roughly what fetching the toolchain costs: the zip downloaded, and what it unpacks to next to it. */
export const GO_TOOLCHAIN_SIZE = { download: '~75 MB', disk: '~255 MB' };

export class TemporalServerInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalServerInstallError';
  }
}

export async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** The local `go version`; `what` and `script` name the build in the error when there is no Go. */
export async function goVersion(env: NodeJS.ProcessEnv, what: string, script: string): Promise<string> {
  try {
    return (await run('go', ['version'], { env })).stdout.trim();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'go is not on PATH' : String((error as { stderr?: string }).stderr ?? error).trim();
    throw new TemporalServerInstallError(
      `cannot build ${what}: ${why}. Install Go (https://go.dev/dl/, or \`apt-get install -y golang\`; any go >= 1.21 fetches ${GO_TOOLCHAIN} itself) and run \`npm run ${script}\` again.`,
    );
  }
}

/**
 * `go install` of `packages` (`path@version`) with a progress line every 30 s, so a build of
 * minutes does not look hung.
 */
export function goInstall(
  env: NodeJS.ProcessEnv,
  onProgress: (line: string) => void,
  packages: readonly string[],
): Promise<void> {
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
    const ticker = setInterval(
      () => onProgress(`  still building (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else
        reject(
          new TemporalServerInstallError(
            `go install ${packages.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail.trim().split('\n').slice(-15).join('\n')}`,
          ),
        );
    });
  });
}

/**
 * Adds the owner's write permission under `dir` (Go's module cache is read-only), so it can be
 * deleted without a chmod.
 */
export async function makeWritable(dir: string): Promise<void> {
  const { mode } = await lstat(dir);
  await chmod(dir, mode | 0o200);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, (await lstat(path)).mode | 0o200);
  }
}

/** What one install builds, and the steps of its own around the build. */
export interface GoBuild {
  /** For messages: `Temporal server 1.32.2`. */
  readonly what: string;
  /** The npm script that runs the install: `server:install`. */
  readonly script: string;
  /** The release; the built binary's `--version` must name it. */
  readonly version: string;
  /** Where the install goes: `.fleetwave/<name>/v<version>`. */
  readonly dir: string;
  /** `go install` arguments (`path@version`). */
  readonly packages: readonly string[];
  /**
   * The binaries `go install` writes, by their installed name (`temporal-server`) and Go's
   * (`server`); the first is checked.
   */
  readonly binaries: Readonly<Record<string, string>>;
  /** What it downloads besides the toolchain, and how long the build takes: the lines said before it starts. */
  readonly downloads: string;
  readonly duration: string;
  /** A complete install is there (another process may finish one meanwhile). */
  readonly complete: () => Promise<unknown>;
  /** Before the build, with Go's environment (the UI checks its module); what it returns goes into install.json. */
  readonly prepare?: (goEnv: GoEnvironment, onProgress: (line: string) => void) => Promise<Record<string, unknown>>;
  /**
   * After the build, into the staging directory (the server copies its schema); what it returns
   * goes into install.json.
   */
  readonly finish?: (staging: string, goEnv: GoEnvironment) => Promise<Record<string, unknown>>;
}

export interface GoBuildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (line: string) => void;
}

/** The lines said before a build starts: what it downloads, where to, and how long it takes. */
export function announceBuild(build: GoBuild, goEnv: GoEnvironment, localGo: string): string[] {
  const toolchain =
    localGo.includes(`${GO_TOOLCHAIN} `) || toolchainDirs(goEnv.modcache, GO_TOOLCHAIN).length > 0
      ? `the ${GO_TOOLCHAIN} toolchain is already there`
      : `the ${GO_TOOLCHAIN} toolchain (${GO_TOOLCHAIN_SIZE.download} download, ${GO_TOOLCHAIN_SIZE.disk} unpacked)`;
  return [
    `building ${build.what} with go install (${localGo}, running ${GO_TOOLCHAIN}) into ${build.dir}`,
    `  downloads from the Go module proxy: ${toolchain}; ${build.downloads} (modules already in the cache are not fetched again)`,
    ...describeGoEnvironment(goEnv),
    `  ${build.duration}`,
  ];
}

/** Builds `build` unless a complete install is there; true when it built. */
export async function buildWithGo(build: GoBuild, options: GoBuildOptions = {}): Promise<boolean> {
  const onProgress = options.onProgress ?? (() => {});
  const goEnv = goEnvironment({ ...(options.env ?? process.env), GOTOOLCHAIN: GO_TOOLCHAIN });
  const localGo = await goVersion({ ...goEnv.env, GOTOOLCHAIN: 'local' }, build.what, build.script);
  const staging = `${build.dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'bin'), { recursive: true });
  try {
    for (const line of announceBuild(build, goEnv, localGo)) onProgress(line);
    const prepared = (await build.prepare?.(goEnv, onProgress)) ?? {};
    const started = Date.now();
    // CGO off, as Temporal's own Makefile builds it: static binaries, no C compiler needed.
    await goInstall({ ...goEnv.env, GOBIN: join(staging, 'bin'), CGO_ENABLED: '0' }, onProgress, build.packages);
    const buildSeconds = Math.round((Date.now() - started) / 1000);
    for (const [name, goName] of Object.entries(build.binaries))
      await rename(join(staging, 'bin', goName), join(staging, 'bin', name));
    const finished = (await build.finish?.(staging, goEnv)) ?? {};
    const manifest = {
      version: build.version,
      toolchain: GO_TOOLCHAIN,
      packages: build.packages,
      ...prepared,
      ...finished,
      builtAt: new Date().toISOString(),
      buildSeconds,
    };
    const placed = await placeStagedInstall(staging, build, manifest);
    if (placed) onProgress(`built in ${buildSeconds} s`);
    return placed;
  } finally {
    await rm(staging, { recursive: true, force: true });
    // -modcacherw keeps fleetwave's module cache deletable, but not the toolchain Go unpacks before reading flags.
    if (goEnv.sources.GOMODCACHE === 'fleetwave')
      for (const dir of toolchainDirs(goEnv.modcache, GO_TOOLCHAIN)) await makeWritable(dir);
  }
}

/**
 * The end of a staged build: the binary must name the release it was built from,
 * install.json is written last, and the staging directory moves into place. An
 * incomplete install (no install.json) is replaced; a complete one another process
 * finished meanwhile wins, and ours is dropped (false).
 */
async function placeStagedInstall(staging: string, build: GoBuild, manifest: object): Promise<boolean> {
  const [name] = Object.keys(build.binaries);
  const { stdout } = await run(join(staging, 'bin', name!), ['--version']);
  if (!stdout.includes(build.version))
    throw new TemporalServerInstallError(`the built ${name} says "${stdout.trim()}", not ${build.version}`);
  await writeFile(join(staging, 'install.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (await build.complete()) return false;
  await rm(build.dir, { recursive: true, force: true });
  await rename(staging, build.dir);
  return true;
}
