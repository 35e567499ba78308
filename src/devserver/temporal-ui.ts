/**
 * The Temporal Web UI (the release install-ui-server.ts builds) in front of a real
 * Temporal server's frontend, as docker-compose.yml's `temporal-ui` service: a small
 * config file in a directory of its own, the UI server on a free loopback port, up when
 * it serves its health route, its embedded pages and the namespace through the
 * frontend. Nothing is downloaded at run time.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './dev-server.js';
import { resolveTemporalUi } from './install-ui-server.js';
import { lastLines, startOwnedProcess, waitFor, type OwnedProcess } from './owned-process.js';
import { ensurePortFree } from './temporal-server.js';

export interface TemporalUiOptions {
  /** @default '127.0.0.1' */
  readonly ip?: string;
  /** The UI's HTTP port; a free one when absent. */
  readonly port?: number;
  /** Where the config and the log go (created); a temp directory when absent. Removed by `stop()`. */
  readonly dir?: string;
  /** Build the UI server when it is not installed (a few minutes) instead of failing. */
  readonly install?: boolean;
  readonly onProgress?: (line: string) => void;
  /** The UI server ended without `stop()` asking it to (a crash). */
  readonly onUnexpectedExit?: (how: string, logTail: string) => void;
}

export interface RunningTemporalUi {
  /** `http://ip:port`, no trailing slash: `${url}/namespaces/<ns>/workflows`. */
  readonly url: string;
  readonly version: string;
  readonly dir: string;
  readonly pid: number | undefined;
  /** Stops the UI server (SIGTERM) and deletes `dir`. */
  stop(): Promise<void>;
}

/**
 * What the UI server reads (`<dir>/config/fleetwave.yaml`, `--env fleetwave`): the
 * frontend, the namespace it opens on, loopback only. Plain HTTP on loopback, so its
 * CSRF cookie must not be `Secure`, and only the UI's own origin may call its API.
 */
export function uiConfigYaml(input: {
  readonly frontend: string;
  readonly namespace: string;
  readonly ip: string;
  readonly port: number;
}): string {
  return stringify({
    temporalGrpcAddress: input.frontend,
    host: input.ip,
    port: input.port,
    enableUi: true,
    defaultNamespace: input.namespace,
    showTemporalSystemNamespace: false,
    cors: { cookieInsecure: true, allowOrigins: [`http://${input.ip}:${input.port}`] },
  });
}

export const UI_CONFIG_ENV = 'fleetwave';

/** GET `url`: its status, and the body when `body` is asked for. */
async function get(url: string, body = false): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (body) return { status: response.status, text: await response.text() };
  await response.body?.cancel();
  return { status: response.status, text: '' };
}

/** Starts the UI in front of `server`'s frontend (a `RealTemporalServer`, or any `{ address, namespace }`). */
export async function startTemporalUi(
  server: { readonly address: string; readonly namespace: string },
  options: TemporalUiOptions = {},
): Promise<RunningTemporalUi> {
  const ip = options.ip ?? '127.0.0.1';
  const install = await resolveTemporalUi(options);
  // A port the caller chose and cannot have is an error before anything starts.
  if (options.port !== undefined) await ensurePortFree(ip, options.port, ': choose another port for the Temporal UI');
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'fleet-temporal-ui-')));
  await mkdir(join(dir, 'config'), { recursive: true });

  let proc: OwnedProcess | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await proc?.stop('SIGTERM', 5_000);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // Chosen as late as possible, and again when it was taken before the UI bound it.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort(ip));
      const url = `http://${ip}:${port}`;
      await writeFile(
        join(dir, 'config', `${UI_CONFIG_ENV}.yaml`),
        uiConfigYaml({ frontend: server.address, namespace: server.namespace, ip, port }),
      );
      options.onProgress?.(`starting Temporal UI ${install.version} on ${url} (frontend ${server.address})`);
      const started = startOwnedProcess(
        install.server,
        ['--root', dir, '--config', 'config', '--env', UI_CONFIG_ENV, 'start'],
        {
          // Only what it needs: the config file says everything.
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
          cwd: dir,
          logFile: join(dir, 'temporal-ui.log'),
          deathSignal: 'SIGTERM',
        },
      );
      proc = started;
      try {
        // Up: its health route, then its embedded pages, then the namespace through the
        // frontend (the UI's API proxies gRPC).
        await waitFor(
          `Temporal UI ${install.version} at ${url}`,
          started,
          async () => {
            if ((await get(`${url}/healthz`)).status !== 200) return false;
            const index = await get(`${url}/`, true);
            if (index.status !== 200 || !index.text.includes('/_app/'))
              throw new Error(`GET / answered ${index.status} without the UI's pages`);
            return (await get(`${url}/api/v1/namespaces/${encodeURIComponent(server.namespace)}`)).status === 200;
          },
          60_000,
          200,
        );
      } catch (error) {
        await started.stop('SIGKILL', 5_000);
        if (attempt < 3 && options.port === undefined && /address already in use/.test(String(error))) {
          options.onProgress?.(`port ${port} was taken meanwhile; choosing another (attempt ${attempt + 1})`);
          continue;
        }
        throw error;
      }
      void started.exited.then(({ code, signal }) => {
        if (!stopping) options.onUnexpectedExit?.(signal ?? `exit code ${code}`, lastLines(started.tail()));
      });
      return {
        url,
        version: install.version,
        dir,
        get pid() {
          return started.running() ? started.pid : undefined;
        },
        stop,
      };
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
