/**
 * Where the project's Go builds (the Temporal server, its UI server, helm) keep Go's
 * state: under `.fleetwave/go/` unless the user chose a place, so an install writes
 * nothing outside the project unless asked.
 *
 *   GOPATH      the user's (environment, else `go env -w`), else .fleetwave/go
 *   GOMODCACHE  the user's, else <first GOPATH>/pkg/mod when the user set GOPATH,
 *               else .fleetwave/go/pkg/mod; the toolchain GOTOOLCHAIN fetches lands
 *               here too (golang.org/toolchain@v0.0.1-go<version>.<os>-<arch>)
 *   GOCACHE     the user's, else .fleetwave/go/cache
 *
 * The go command also writes telemetry counters to the user's config directory
 * (~/.config/go/telemetry); XDG_CONFIG_HOME moves them to .fleetwave/go/config, and
 * GOENV keeps the user's own `go env -w` settings (GOPROXY, GOFLAGS...) in force.
 *
 * Run as a script (`tsx src/devserver/go-env.ts`, as .ci/install-helm.sh does), it
 * prints the variables as `export` lines for a shell, and where things go to stderr.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STATE_DIR } from './state-dir.js';

/** Fleetwave's default home for Go's state. */
export const GO_STATE_DIR = join(STATE_DIR, 'go');

type CacheVar = 'GOPATH' | 'GOMODCACHE' | 'GOCACHE';

/** Who chose a location: fleetwave's default, the environment, the go env file (`go env -w`), or Go from GOPATH. */
export type GoLocationSource = 'fleetwave' | 'environment' | 'go env file' | 'GOPATH';

export interface GoEnvironment {
  /** The environment for `go` commands: the caller's, with the locations set. */
  readonly env: NodeJS.ProcessEnv;
  readonly gopath: string;
  readonly modcache: string;
  readonly cache: string;
  readonly sources: Readonly<Record<CacheVar, GoLocationSource>>;
}

/** The user's go env file (what `go env -w` writes), as Go finds it; undefined when there is none to find. */
export function goEnvFilePath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GOENV) return env.GOENV === 'off' ? undefined : env.GOENV;
  const config = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  return config ? join(config, 'go', 'env') : undefined;
}

/** `KEY=VALUE` lines of a go env file, read as Go reads them (lines not starting with A-Z are skipped). */
export function parseGoEnvFile(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (!/^[A-Z]/.test(line) || eq < 0) continue;
    settings[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return settings;
}

function readGoEnvFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  try {
    return parseGoEnvFile(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * The Go environment of an install: `base` (the caller's environment) with GOPATH,
 * GOMODCACHE and GOCACHE chosen as the module's comment says. `goEnvFile` is the user's
 * `go env -w` settings (read from their file when absent); `stateDir` is .fleetwave/go.
 */
export function goEnvironment(
  base: NodeJS.ProcessEnv,
  options: { readonly goEnvFile?: Record<string, string>; readonly stateDir?: string } = {},
): GoEnvironment {
  const stateDir = options.stateDir ?? GO_STATE_DIR;
  const envFilePath = goEnvFilePath(base);
  const file = options.goEnvFile ?? readGoEnvFile(envFilePath);
  const user = (name: CacheVar): { value: string; source: GoLocationSource } | undefined => {
    if (base[name]) return { value: base[name], source: 'environment' };
    if (file[name]) return { value: file[name], source: 'go env file' };
    return undefined;
  };
  const gopath = user('GOPATH');
  // Go's own default for the module cache: the first GOPATH entry's pkg/mod.
  const firstGopath = gopath?.value.split(delimiter).find(Boolean);
  const modcache =
    user('GOMODCACHE') ??
    (firstGopath ? { value: join(firstGopath, 'pkg', 'mod'), source: 'GOPATH' as const } : undefined);
  const cache = user('GOCACHE');
  const chosen = {
    GOPATH: gopath ?? { value: stateDir, source: 'fleetwave' as const },
    GOMODCACHE: modcache ?? { value: join(stateDir, 'pkg', 'mod'), source: 'fleetwave' as const },
    GOCACHE: cache ?? { value: join(stateDir, 'cache'), source: 'fleetwave' as const },
  };
  const env: NodeJS.ProcessEnv = {
    ...base,
    GOPATH: chosen.GOPATH.value,
    GOMODCACHE: chosen.GOMODCACHE.value,
    GOCACHE: chosen.GOCACHE.value,
    // The telemetry counters follow XDG_CONFIG_HOME; GOENV keeps the user's settings read.
    XDG_CONFIG_HOME: join(stateDir, 'config'),
    ...(envFilePath ? { GOENV: envFilePath } : {}),
  };
  // Fleetwave's module cache stays deletable (`rm -rf .fleetwave`) without a chmod; a user's is left as Go makes it.
  // GOFLAGS in the environment replaces the file's: the user's flags are kept either way.
  const flags = base.GOFLAGS || file.GOFLAGS || '';
  if (chosen.GOMODCACHE.source === 'fleetwave' && !/(^|\s)-modcacherw(\s|$)/.test(flags)) {
    env.GOFLAGS = [flags, '-modcacherw'].filter(Boolean).join(' ');
  }
  return {
    env,
    gopath: chosen.GOPATH.value,
    modcache: chosen.GOMODCACHE.value,
    cache: chosen.GOCACHE.value,
    sources: { GOPATH: chosen.GOPATH.source, GOMODCACHE: chosen.GOMODCACHE.source, GOCACHE: chosen.GOCACHE.source },
  };
}

/**
 * The module cache's copies of `toolchain` (`go1.27.3`), one a platform: when there is one,
 * GOTOOLCHAIN downloads nothing.
 */
export function toolchainDirs(modcache: string, toolchain: string): string[] {
  try {
    const names = readdirSync(join(modcache, 'golang.org')).filter((name) =>
      name.startsWith(`toolchain@v0.0.1-${toolchain}.`),
    );
    return names.map((name) => join(modcache, 'golang.org', name));
  } catch {
    return [];
  }
}

/** Who chose a location, in words; `override` names what changes fleetwave's default. */
const chosenBy = (source: GoLocationSource, override: string): string =>
  ({
    fleetwave: `fleetwave's default; set ${override} to use another`,
    environment: 'from your environment',
    'go env file': 'from your go env file',
    GOPATH: 'from your GOPATH',
  })[source];

/** The lines an install prints before it starts: where Go's state goes, and who chose it. */
export function describeGoEnvironment(goEnv: GoEnvironment): string[] {
  return [
    `  modules and the toolchain go to ${goEnv.modcache} (${chosenBy(goEnv.sources.GOMODCACHE, 'GOMODCACHE or GOPATH')})`,
    `  Go's build cache goes to ${goEnv.cache} (${chosenBy(goEnv.sources.GOCACHE, 'GOCACHE')})`,
  ];
}

/** The variables goEnvironment sets, as `export NAME='value'` lines for a POSIX shell. */
export function shellExports(goEnv: GoEnvironment): string {
  const names = ['GOPATH', 'GOMODCACHE', 'GOCACHE', 'XDG_CONFIG_HOME', 'GOENV', 'GOFLAGS'];
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  return names
    .flatMap((name) => (goEnv.env[name] === undefined ? [] : [`export ${name}=${quote(goEnv.env[name])}`]))
    .join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const goEnv = goEnvironment(process.env);
  for (const line of describeGoEnvironment(goEnv)) console.error(line);
  console.log(shellExports(goEnv));
}
