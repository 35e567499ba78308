/**
 * A program the project builds with Go into `.fleetwave/<name>/v<version>/` (go-build.ts
 * builds it): where its install is, when one is complete, the hint every "not installed"
 * error ends with, the install, the start's "found, or built when asked", and the `npm
 * run` script that reports it. The Temporal server (install-server.ts) and its UI server
 * (install-ui-server.ts) each say only what differs.
 */
import { constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildWithGo, exists, TemporalServerInstallError, type GoBuild, type GoBuildOptions } from './go-build.js';
import { STATE_DIR } from './state-dir.js';

/** What every install has: its directory and the release in it. */
export interface GoInstalled {
  readonly dir: string;
  readonly version: string;
}

/** What one program's install says of its own; the rest of its `GoBuild` is derived. */
export interface GoInstallSpec<T extends GoInstalled> extends Omit<GoBuild, 'what' | 'dir' | 'complete'> {
  /** For messages: `Temporal server`. */
  readonly name: string;
  /** What the build says it builds; default: the name and version. */
  readonly what?: string;
  /** Its directory under .fleetwave/: `temporal-server`. */
  readonly stateName: string;
  /** The install's paths in `dir`. */
  readonly layout: (dir: string) => T;
  /** What a complete install has besides install.json, in the order checked: executables, then other paths. */
  readonly executables: (install: T) => readonly string[];
  readonly paths?: (install: T) => readonly string[];
  /** The script's report lines after the directory line (its paths; what install.json says). */
  readonly details: (install: T, manifest: Record<string, unknown> | undefined) => string[];
}

export interface GoInstall<T extends GoInstalled> {
  readonly dir: string;
  /** `run \`npm run <script>\` (builds …)`: the end of every "not installed" error. */
  readonly hint: string;
  /** The project's install of the pinned release, when complete; undefined otherwise. */
  find(): Promise<T | undefined>;
  /** Builds and installs the pinned release unless a complete install is there. */
  install(options?: GoBuildOptions): Promise<T & { readonly built: boolean }>;
  /** The install found; else, when `install` is asked, one built now; else an error ending with the hint. */
  foundOrBuilt(options: { readonly install?: boolean; readonly onProgress?: (line: string) => void }): Promise<T>;
  /**
   * `npm run <script>` when `moduleUrl` (the caller's `import.meta.url`) is the script node
   * runs; nothing otherwise.
   */
  runIfScript(moduleUrl: string): Promise<void>;
}

export function goInstall<T extends GoInstalled>(spec: GoInstallSpec<T>): GoInstall<T> {
  const dir = join(STATE_DIR, spec.stateName, `v${spec.version}`);
  const find = async (): Promise<T | undefined> => {
    const install = spec.layout(dir);
    if (!(await exists(join(dir, 'install.json')))) return undefined;
    for (const path of spec.executables(install)) if (!(await exists(path, constants.X_OK))) return undefined;
    for (const path of spec.paths?.(install) ?? []) if (!(await exists(path))) return undefined;
    return install;
  };
  const { name, layout, details } = spec;
  const goBuild: GoBuild = {
    what: spec.what ?? `${name} ${spec.version}`,
    script: spec.script,
    version: spec.version,
    dir,
    packages: spec.packages,
    binaries: spec.binaries,
    downloads: spec.downloads,
    duration: spec.duration,
    complete: find,
    prepare: spec.prepare,
    finish: spec.finish,
  };
  const install = async (options: GoBuildOptions = {}): Promise<T & { readonly built: boolean }> => {
    const found = await find();
    if (found) return { ...found, built: false };
    return { ...layout(dir), built: await buildWithGo(goBuild, options) };
  };
  const hint = `run \`npm run ${spec.script}\` (builds ${name} ${spec.version} with Go into ${dir}; needs Go >= 1.21 on PATH and the Go module proxy)`;
  return {
    dir,
    hint,
    find,
    install,
    async foundOrBuilt(options) {
      const found = await find();
      if (found) return found;
      if (options.install) return install(options.onProgress ? { onProgress: options.onProgress } : {});
      throw new TemporalServerInstallError(`the ${name} is not installed: ${hint}`);
    },
    async runIfScript(moduleUrl) {
      if (process.argv[1] && moduleUrl === pathToFileURL(process.argv[1]).href)
        await runInstallScript(name, install, details);
    },
  };
}

/** Reads install.json of an install (for the install scripts' reports). */
export async function readInstallManifest(dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'install.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * `npm run <script>`: runs an install and reports it (its directory, `details` of it,
 * how it was built), or prints the error with exit code 1.
 */
async function runInstallScript<T extends GoInstalled & { readonly built: boolean }>(
  name: string,
  install: (options: GoBuildOptions) => Promise<T>,
  details: (installed: T, manifest: Record<string, unknown> | undefined) => string[],
): Promise<void> {
  try {
    const installed = await install({ onProgress: (line) => console.error(line) });
    const manifest = await readInstallManifest(installed.dir);
    console.log(`${installed.dir}: ${name} ${installed.version}${installed.built ? '' : ' (already installed)'}`);
    for (const line of details(installed, manifest)) console.log(`  ${line}`);
    if (manifest)
      console.log(
        `  built ${String(manifest.builtAt)} with ${String(manifest.toolchain)} in ${String(manifest.buildSeconds)} s`,
      );
  } catch (error) {
    console.error(error instanceof TemporalServerInstallError ? error.message : error);
    process.exitCode = 1;
  }
}
