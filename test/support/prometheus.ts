/**
 * A real Prometheus for tests: Debian's `prometheus` binary (`apt-get install -y
 * --no-install-recommends prometheus`; .ci/run installs it), started on a free loopback
 * port with a config and a TSDB of its own in a temp dir, scraping the simulator's
 * `/_sim/metrics` every second. No mock of its HTTP API: health checks query the real one.
 *
 * The system service the package ships is never used (its port, data and config are the
 * machine's): each test file starts its own server and stops it in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findExecutable } from './executables.js';

export const PROMETHEUS_MISSING =
  'prometheus not found: install it with `apt-get install -y --no-install-recommends prometheus` (as root; .ci/run does), or set PROMETHEUS_PATH';

export interface RunningPrometheus {
  /** `http://127.0.0.1:port`: the base URL a `prometheus` health check takes. */
  readonly url: string;
  /** Resolves once the scrape target answered (`up == 1`) and `query` has a sample. */
  waitForSeries(query: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** What to scrape, e.g. `${sim.url}/_sim/metrics`. */
  readonly scrapeUrl: string;
  /** @default '1s' */
  readonly scrapeInterval?: string;
}

/** `PROMETHEUS_PATH`, else `prometheus` on PATH; undefined when there is none. */
export const findPrometheus = (env: NodeJS.ProcessEnv = process.env): string | undefined =>
  findExecutable(['prometheus'], env.PROMETHEUS_PATH, env);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const configOf = (target: URL, interval: string) => `# Written by test/support/prometheus.ts for one test file.
global:
  scrape_interval: ${interval}
  scrape_timeout: ${interval}
  evaluation_interval: ${interval}
scrape_configs:
  - job_name: fleet-sim
    metrics_path: ${target.pathname}
    static_configs:
      - targets: ['${target.host}']
`;

/** Starts Prometheus and waits until it is ready; throws (with its last log lines) when it does not come up. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = findPrometheus();
  if (!binary) throw oneLine(PROMETHEUS_MISSING);
  const dir = await mkdtemp(join(tmpdir(), 'fleet-prometheus-'));
  await writeFile(join(dir, 'prometheus.yml'), configOf(new URL(options.scrapeUrl), options.scrapeInterval ?? '1s'));
  // A port taken between freePort() and Prometheus's bind makes it exit at once: try again.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const log: string[] = [];
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (text: string) => log.push(...text.split('\n').filter(Boolean).slice(-20)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child);
      return running(url, child, dir);
    } catch (error) {
      lastError = new Error(`${error instanceof Error ? error.message : String(error)}\n${log.slice(-10).join('\n')}`);
      await kill(child);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await delay(100);
  }
  throw new Error(`prometheus at ${url} was not ready within ${timeoutMs} ms`);
}

function running(url: string, child: ChildProcess, dir: string): RunningPrometheus {
  const query = async (text: string): Promise<unknown[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(text)}`);
    const body = (await response.json()) as { data?: { result?: unknown[] } };
    return body.data?.result ?? [];
  };
  return {
    url,
    async waitForSeries(text, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if ((await query('up{job="fleet-sim"} == 1')).length > 0 && (await query(text)).length > 0) return;
        await delay(200);
      }
      throw new Error(`prometheus at ${url} had no sample of ${text} within ${timeoutMs} ms`);
    },
    async stop() {
      await kill(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM (Prometheus shuts down cleanly within a second or two), SIGKILL after 10 s. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** An error that prints as its one line: what CI shows when Prometheus is missing. */
function oneLine(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** A Prometheus scraping a simulator's per-cluster health (`/_sim/metrics`), once its first series are in. */
export async function startSimPrometheus(simUrl: string): Promise<RunningPrometheus> {
  const prometheus = await startPrometheus({ scrapeUrl: `${simUrl}/_sim/metrics` });
  await prometheus.waitForSeries('fleet_sim_cluster_healthy');
  return prometheus;
}
