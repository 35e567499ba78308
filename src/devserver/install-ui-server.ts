/**
 * The Temporal Web UI server, built by the project like the Temporal server is
 * (install-server.ts): `npm run ui:install` builds `github.com/temporalio/ui-server/v2`'s
 * server command at the pinned release from the Go module proxy. The module ships the
 * UI already built (`ui/assets/local/`: index.html and the compiled app, committed to
 * the module by Temporal's release; the Temporal CLI embeds the same module for its dev
 * server's UI), and the binary embeds it (`//go:embed all:assets`): no Node build of
 * the UI, nothing downloaded at run time.
 *
 *   .fleetwave/temporal-ui-server/v<version>/
 *     bin/temporal-ui-server
 *     install.json            written last: an install without it is incomplete
 *
 * Idempotent: a complete install is left alone; the build (go-build.ts) goes to a
 * staging directory renamed into place at the end, with Go's state where go-env.ts
 * puts it (.fleetwave/go/ unless the user chose). Before building, the module source
 * is checked for the built UI: without it the binary would serve no UI, and the
 * install says so instead of building.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exists, TemporalServerInstallError, type GoBuildOptions } from './go-build.js';
import type { GoEnvironment } from './go-env.js';
import { goInstall } from './go-install.js';

const run = promisify(execFile);

/**
 * **Pinned**: the Temporal UI release the project builds and docker-compose.yml's
 * `temporal-ui` runs (`temporalio/ui:<this>`; test/unit/compose.test.ts checks both).
 */
export const TEMPORAL_UI_VERSION = '2.49.1';

const MODULE = 'github.com/temporalio/ui-server/v2';
const PACKAGE = `${MODULE}/cmd/server`;
/** Where the module keeps the built UI the binary embeds (`ui/embed.go`), and the file that must be there. */
const ASSETS = join('ui', 'assets', 'local');
const ASSETS_INDEX = join(ASSETS, 'index.html');

export interface TemporalUiInstall {
  readonly dir: string;
  readonly version: string;
  readonly server: string;
}

/** Files under `dir`, counted (the module's UI: tens of thousands). */
async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) count++;
  return count;
}

/**
 * Downloads the module (`go mod download`, into Go's module cache) and checks that it
 * carries the built UI; returns its source directory and how many asset files it has.
 */
async function moduleWithAssets(goEnv: GoEnvironment): Promise<{ dir: string; assetFiles: number }> {
  let dir: string;
  try {
    const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_UI_VERSION}`], {
      env: goEnv.env,
      maxBuffer: 4 * 1024 * 1024,
    });
    dir = (JSON.parse(stdout) as { Dir?: string }).Dir ?? '';
  } catch (error) {
    const output =
      `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`.trim();
    throw new TemporalServerInstallError(
      `go mod download ${MODULE}@v${TEMPORAL_UI_VERSION} failed: ${output || String(error)}`,
    );
  }
  if (!dir || !(await exists(join(dir, ASSETS_INDEX)))) {
    throw new TemporalServerInstallError(
      `${MODULE}@v${TEMPORAL_UI_VERSION} has no built UI (${ASSETS_INDEX} is missing in ${dir || 'the module'}): its server would serve the API but no pages. Pin a release whose module has ${ASSETS}/.`,
    );
  }
  return { dir, assetFiles: await countFiles(join(dir, ASSETS)) };
}

/** Checks the module for the built UI before building (`go mod download` of the module, into the module cache). */
async function checkAssets(goEnv: GoEnvironment, onProgress: (line: string) => void): Promise<Record<string, unknown>> {
  onProgress(`checking that ${MODULE}@v${TEMPORAL_UI_VERSION} carries the built UI`);
  const source = await moduleWithAssets(goEnv);
  onProgress(`  ${source.assetFiles} files in ${join(source.dir, ASSETS)}`);
  return { assetsFrom: join(source.dir, ASSETS), assetFiles: source.assetFiles };
}

const UI = goInstall<TemporalUiInstall>({
  name: 'Temporal UI server',
  stateName: 'temporal-ui-server',
  script: 'ui:install',
  // urfave/cli prints `Temporal UI version <UIVersion>`: the release the binary was built from.
  version: TEMPORAL_UI_VERSION,
  packages: [`${PACKAGE}@v${TEMPORAL_UI_VERSION}`],
  binaries: { 'temporal-ui-server': 'server' },
  downloads: 'the UI server module with the built UI (~170 MB download) and its dependencies (~30 MB)',
  duration: "about a minute on 2 cores (the binary embeds the whole UI, ~470 MB); later builds reuse Go's caches",
  prepare: checkAssets,
  layout: (dir) => ({ dir, version: TEMPORAL_UI_VERSION, server: join(dir, 'bin', 'temporal-ui-server') }),
  executables: (install) => [install.server],
  details: (install, manifest) => [
    install.server,
    ...(manifest ? [`${String(manifest.assetFiles)} UI files embedded`] : []),
  ],
});

/** The project's install of the pinned release, when complete; undefined otherwise. */
export const findTemporalUi = (): Promise<TemporalUiInstall | undefined> => UI.find();

/** The hint every "not installed" error ends with. */
export const UI_INSTALL_HINT = UI.hint;

/** Builds and installs the pinned release unless a complete install is there. */
export const installTemporalUi = (
  options: GoBuildOptions = {},
): Promise<TemporalUiInstall & { readonly built: boolean }> => UI.install(options);

/** The install, or (`install: true`) one built now; else an error ending with the hint. */
export const resolveTemporalUi = UI.foundOrBuilt;

// `npm run ui:install`: a module that also runs as a script, like install-server.ts.
await UI.runIfScript(import.meta.url);
