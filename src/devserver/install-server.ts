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
 * Idempotent: a complete install is left alone; the build (go-build.ts) goes to a
 * staging directory renamed into place at the end. Go's state (the toolchain, modules,
 * build cache) goes under .fleetwave/go/ unless GOMODCACHE, GOPATH or GOCACHE say
 * otherwise (go-env.ts).
 */
import { cp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GO_TOOLCHAIN, makeWritable, TemporalServerInstallError, type GoBuildOptions } from './go-build.js';
import type { GoEnvironment } from './go-env.js';
import { goInstall } from './go-install.js';

export { TemporalServerInstallError } from './go-build.js';

/**
 * **Pinned**: the Temporal server release the project builds and docker-compose.yml runs
 * (test/unit/compose.test.ts checks both).
 */
export const TEMPORAL_SERVER_VERSION = '1.32.2';

/** The Go toolchain the builds run with (go-build.ts). */
export const TEMPORAL_SERVER_GO_TOOLCHAIN = GO_TOOLCHAIN;

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

/** The schema of exactly this release, from the module source the build just used, next to the binaries. */
async function copySchema(staging: string, goEnv: GoEnvironment): Promise<Record<string, unknown>> {
  const source = join(goEnv.modcache, `${MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!(await stat(source).catch(() => undefined))?.isDirectory())
    throw new TemporalServerInstallError(`the module source has no PostgreSQL schema at ${source}`);
  await cp(source, join(staging, 'schema', 'postgresql', 'v12'), {
    recursive: true,
    filter: (path) => !path.endsWith('.go'),
  });
  // The module cache keeps its files read-only; the copy must be removable like the rest of .fleetwave/.
  await makeWritable(join(staging, 'schema'));
  return { schemaFrom: source };
}

const SERVER = goInstall<TemporalServerInstall>({
  name: 'Temporal server',
  what: `Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool`,
  stateName: 'temporal-server',
  script: 'server:install',
  version: TEMPORAL_SERVER_VERSION,
  packages: Object.values(PACKAGES).map((pkg) => `${pkg}@v${TEMPORAL_SERVER_VERSION}`),
  binaries: Object.fromEntries(Object.entries(PACKAGES).map(([name, pkg]) => [name, pkg.split('/').at(-1)!])),
  downloads: "the server's modules (~230 MB download, ~1.2 GB unpacked)",
  duration:
    "this takes 4-8 minutes on 2 cores, more on a busy machine (~1.6 GB of build cache); later builds reuse Go's caches",
  finish: copySchema,
  layout: (dir) => ({
    dir,
    version: TEMPORAL_SERVER_VERSION,
    server: join(dir, 'bin', 'temporal-server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
  }),
  executables: (install) => [install.server, install.sqlTool],
  paths: (install) => [
    join(install.schemaDir, 'temporal', 'versioned'),
    join(install.schemaDir, 'visibility', 'versioned'),
  ],
  details: (install) => [install.server, install.sqlTool, install.schemaDir],
});

/** The project's install of the pinned release, when complete; undefined otherwise. */
export const findTemporalServer = (): Promise<TemporalServerInstall | undefined> => SERVER.find();

/** The hint every "not installed" error ends with. */
export const SERVER_INSTALL_HINT = SERVER.hint;

/** Builds and installs the pinned release unless a complete install is there. */
export const installTemporalServer = (
  options: GoBuildOptions = {},
): Promise<TemporalServerInstall & { readonly built: boolean }> => SERVER.install(options);

/** The install, or (`install: true`) one built now; else an error ending with the hint. */
export const resolveTemporalServer = SERVER.foundOrBuilt;

// `npm run server:install`: a module that also runs as a script, in the style of install-cli.ts.
await SERVER.runIfScript(import.meta.url);
