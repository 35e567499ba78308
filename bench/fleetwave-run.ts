/**
 * One scenario through fleetwave, measured: a fresh Temporal server, a fresh simulator,
 * one worker in its own process (so its memory and CPU are its own), one rollout.
 * Reports makespan, API calls and history events per cluster, the largest parent run,
 * and what each process and the server's database spent during the rollout.
 *
 * The server is one of:
 * - `dev`: `temporal server start-dev` (SQLite file in WAL mode), the targets' server;
 * - `real`: the Temporal server release `npm run server:install` builds, on a throwaway
 *   PostgreSQL (startTemporalServer), in docker-compose.yml's topology. Unavailable
 *   (ServerUnavailable, with the reason) when it is not installed or PostgreSQL is missing.
 *
 * CPU seconds and persistence requests are read right before the rollout starts and
 * right after it ends, so they are the rollout's (not the servers' start or the worker's
 * module loading, reported apart as `cpuSecondsBeforeRollout`). The server's CPU is its
 * process tree; the database's is the postmaster and every backend (proc-stats.ts).
 */
import { requestKindsPerCluster } from './request-kinds.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer } from '../src/devserver/dev-server.js';
import { findTemporalServer, SERVER_INSTALL_HINT } from '../src/devserver/install-server.js';
import { findPostgres, POSTGRES_MISSING } from '../src/devserver/postgres.js';
import { startTemporalServer } from '../src/devserver/temporal-server.js';
import type { RolloutReport } from '../src/domain/report.js';
import { startSimulator } from '../src/simulator/index.js';
import { API_BUDGET_WAIT_SECONDS } from '../src/domain/metrics.js';
import { parseExposition, scrapeMetrics } from '../test/support/metrics-scrape.js';
import { cpuSeconds, findProcess, peakRssBytes, treeCpuSeconds } from './proc-stats.js';
import type { Scenario } from './scenarios.js';
import { counterDelta, perCluster, persistenceCounters, type PersistenceCounters } from './server-metrics.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TASK_QUEUE = 'bench';
const CHILD_SAMPLE = 50;

export const SERVER_KINDS = ['dev', 'real'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** The server cannot run on this machine (not installed, no PostgreSQL): the bench skips it and says why. */
export class ServerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnavailable';
  }
}

interface BenchServer {
  readonly kind: ServerKind;
  readonly description: string;
  readonly address: string;
  readonly namespace: string;
  readonly metricsPort: number;
  serverPid(): Promise<number | undefined>;
  /** The postmaster, for the real server; none for the dev server (SQLite is inside it). */
  databasePid(): number | undefined;
  stop(): Promise<void>;
}

async function startBenchServer(kind: ServerKind, dir: string, log: (line: string) => void): Promise<BenchServer> {
  const metricsPort = await freePort();
  if (kind === 'dev') {
    const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), metricsPort });
    const port = server.address.split(':').at(-1)!;
    return {
      kind,
      description: 'temporal server start-dev (SQLite, WAL)',
      address: server.address,
      namespace: server.namespace,
      metricsPort,
      serverPid: () => findProcess('start-dev', `--port ${port}`),
      databasePid: () => undefined,
      stop: () => server.stop(),
    };
  }
  if (!(await findTemporalServer()))
    throw new ServerUnavailable(`the real Temporal server is not installed: ${SERVER_INSTALL_HINT}`);
  if (!findPostgres()) throw new ServerUnavailable(POSTGRES_MISSING);
  // Its own temp directory (PostgreSQL, run as another user when we are root, must reach it), removed by stop().
  const server = await startTemporalServer({
    metricsPort,
    logLevel: 'warn',
    onProgress: (line) => log(`  real server: ${line}`),
  });
  return {
    kind,
    description: `Temporal server ${server.version} on PostgreSQL (fsync off)`,
    address: server.address,
    namespace: server.namespace,
    metricsPort,
    serverPid: async () => server.pids.server,
    databasePid: () => server.pids.postgres,
    stop: () => server.stop(),
  };
}

type CpuSeconds = { readonly worker?: number; readonly temporalServer?: number; readonly database?: number };

export interface FleetwaveResult {
  readonly server: { readonly kind: ServerKind; readonly description: string };
  readonly status: string;
  readonly counts: RolloutReport['counts'];
  readonly makespanSeconds: number;
  readonly clustersPerSecond: number;
  readonly apiCallsPerCluster: number;
  /** Requests the simulator refused with 429 under the scenario's limit. */
  readonly rateLimited: number;
  /** Requests per cluster by kind (request-kinds.ts). */
  readonly requestKindsPerCluster: Record<string, number>;
  /** Under a limit: the calls that asked the API budget and their mean wait (the worker's `fleet_api_budget_wait_seconds`). */
  readonly apiBudgetWait?: { readonly calls: number; readonly meanMs: number };
  readonly parentRuns: number;
  readonly parentEventsMax: number;
  /** Mean events of a cluster's history: its clusterUpgrade child and its clusterClaim (sampled). */
  readonly eventsPerCluster: { readonly child: number; readonly claim: number; readonly childMax: number };
  readonly workerPeakRssBytes: number | undefined;
  /** Spent during the rollout (start to result); `database` for the real server only. */
  readonly cpuSeconds: CpuSeconds & { readonly benchProcess: number };
  /** Spent before the rollout started: the server's start, the worker's loading. */
  readonly cpuSecondsBeforeRollout: CpuSeconds;
  /**
   * Where the server's work goes: its persistence requests per cluster during the
   * rollout, in all and by operation (the largest first), from the server's own
   * metrics; null when they could not be read (`unread` says why).
   */
  readonly serverPersistencePerCluster: {
    readonly total: number;
    readonly byOperation: Readonly<Record<string, number>>;
  } | null;
  /** Milliseconds per cluster the server waited on its database, by operation (persistence_latency), when reported. */
  readonly serverPersistenceMsPerCluster?: {
    readonly total: number;
    readonly byOperation: Readonly<Record<string, number>>;
  };
  /** Figures that could not be read, and why. */
  readonly unread: readonly string[];
}

export async function simulatorFor(scenario: Scenario, seed: number) {
  return startSimulator({
    generate: { seed, avisi: { clusters: 1 }, aether: { clusters: scenario.clusters }, minors: ['1.30'] },
    // A simulated minute per real second: T real seconds are T minutes of simulated upgrade.
    timeScale: 60,
    aether: { upgradeDurationMs: scenario.upgradeSeconds * 60_000 },
    rateLimitPerMinute: { avisi: 0, aether: scenario.rateLimitPerMinute ?? 0 },
  });
}

/** The worker's API budget waits, from its metrics endpoint; unread (and said why) when it cannot be read. */
async function budgetWait(port: number, unread: string[]): Promise<Pick<FleetwaveResult, 'apiBudgetWait'>> {
  try {
    const scrape = await scrapeMetrics(`127.0.0.1:${port}`);
    const calls = scrape.count(API_BUDGET_WAIT_SECONDS);
    const meanMs = calls > 0 ? Math.round((scrape.sum(API_BUDGET_WAIT_SECONDS) / calls) * 1000) : 0;
    return { apiBudgetWait: { calls, meanMs } };
  } catch (error) {
    unread.push(`the API budget's waits: the worker's /metrics could not be read: ${String(error)}`);
    return {};
  }
}

async function historyEvents(client: Client, workflowId: string, runId?: string): Promise<number> {
  return (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events?.length ?? 0;
}

async function sampleEvents(client: Client, query: string): Promise<number[]> {
  const counts: number[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: CHILD_SAMPLE })) {
    counts.push(await historyEvents(client, execution.workflowId, execution.runId));
    if (counts.length >= CHILD_SAMPLE) break;
  }
  return counts;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? 0 : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;

/** The server's persistence counters now; a string saying why when they cannot be read. */
async function scrapePersistence(metricsPort: number): Promise<PersistenceCounters | string> {
  try {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return `GET /metrics answered ${response.status}`;
    return (
      persistenceCounters(parseExposition(await response.text())) ?? "the server's /metrics has no persistence_requests"
    );
  } catch (error) {
    return `the server's /metrics could not be read: ${String(error)}`;
  }
}

async function readCpu(server: BenchServer, workerPid: number): Promise<CpuSeconds> {
  const serverPid = await server.serverPid();
  const databasePid = server.databasePid();
  const [worker, temporalServer, database] = await Promise.all([
    cpuSeconds(workerPid),
    serverPid === undefined ? undefined : treeCpuSeconds(serverPid),
    databasePid === undefined ? undefined : treeCpuSeconds(databasePid),
  ]);
  return {
    ...(worker !== undefined ? { worker } : {}),
    ...(temporalServer !== undefined ? { temporalServer } : {}),
    ...(database !== undefined ? { database } : {}),
  };
}

const cpuDelta = (before: CpuSeconds, after: CpuSeconds): CpuSeconds =>
  Object.fromEntries(
    (['worker', 'temporalServer', 'database'] as const).flatMap((key) =>
      before[key] !== undefined && after[key] !== undefined ? [[key, round(after[key] - before[key])]] : [],
    ),
  );

/**
 * `workflowBundle`: a prebuilt bundle (writeWorkflowBundle), as a production worker runs;
 * bundling at start would put webpack's memory into the worker's peak RSS.
 */
export async function runFleetwave(
  scenario: Scenario,
  seed: number,
  workflowBundle: string,
  serverKind: ServerKind,
  log: (line: string) => void,
  workerHeapMiB?: number,
): Promise<FleetwaveResult> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  let server: BenchServer;
  try {
    server = await startBenchServer(serverKind, dir, log);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const sim = await simulatorFor(scenario, seed);
  // FLEET_BENCH_CPU_PROF_DIR: where the worker writes V8 CPU profiles (one per thread), to see where its time goes.
  const profileDir = process.env.FLEET_BENCH_CPU_PROF_DIR;
  // A capped heap also shrinks the SDK's default workflow cache, which it sizes from the heap.
  const heap = workerHeapMiB ? [`--max-old-space-size=${workerHeapMiB}`] : [];
  const workerMetricsPort = await freePort();
  const worker = spawn(
    process.execPath,
    [...heap, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', 'src/worker.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: server.namespace,
        FLEET_TASK_QUEUE: TASK_QUEUE,
        AETHER_API_URL: `${sim.url}/api/v1`,
        AETHER_API_TOKEN: sim.tokens.aether[sim.organisations.aether[0]!]!,
        AVISI_API_URL: `${sim.url}/api/v1`,
        AVISI_API_TOKEN: sim.tokens.avisi,
        AETHER_API_RATE_PER_MINUTE: String(scenario.rateLimitPerMinute ?? 0),
        FLEET_LOG_LEVEL: 'warn',
        FLEET_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
        FLEET_WORKFLOW_BUNDLE: workflowBundle,
        FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: String(Math.max(200, scenario.maxParallel)),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  try {
    await waitForPoller(client, server.namespace);
    const workflowId = `bench-${scenario.name}`;
    const cpuBefore = await readCpu(server, worker.pid!);
    const persistenceBefore = await scrapePersistence(server.metricsPort);
    const benchCpuAtStart = process.cpuUsage();
    const started = performance.now();
    const handle = await client.workflow.start('fleetRollout', {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [
        {
          platform: 'aether',
          organisation: sim.organisations.aether[0]!,
          targetVersion: '1.31',
          maxParallel: scenario.maxParallel,
          pollInterval: scenario.pollInterval,
          clusterDeadline: '1h',
          waves: [{ name: 'all' }],
        },
      ],
    });
    const progress = setInterval(() => {
      handle.query<{ counts: Record<string, number>; total: number }>('progress').then(
        (p) =>
          log(
            `  fleetwave (${serverKind}): ${p.counts.SUCCEEDED}/${p.total} upgraded after ${Math.round(performance.now() - started) / 1000}s`,
          ),
        () => undefined,
      );
    }, 15_000);
    const report = (await handle.result().finally(() => clearInterval(progress))) as RolloutReport;
    const makespanSeconds = (performance.now() - started) / 1000;
    const benchCpu = process.cpuUsage(benchCpuAtStart);
    const cpuAfter = await readCpu(server, worker.pid!);
    const persistenceAfter = await scrapePersistence(server.metricsPort);
    const workerRss = await peakRssBytes(worker.pid!);

    const unread: string[] = [];
    const measured: [string, keyof CpuSeconds][] = [
      ['worker', 'worker'],
      ['Temporal server', 'temporalServer'],
      ...(serverKind === 'real' ? [['PostgreSQL', 'database'] as [string, keyof CpuSeconds]] : []),
    ];
    for (const [what, key] of measured) {
      if (cpuBefore[key] === undefined || cpuAfter[key] === undefined)
        unread.push(`${what} CPU: its process was not found in /proc`);
    }
    let persistence: FleetwaveResult['serverPersistencePerCluster'] = null;
    let persistenceMs: FleetwaveResult['serverPersistenceMsPerCluster'];
    if (typeof persistenceBefore === 'string' || typeof persistenceAfter === 'string') {
      unread.push(
        `persistence requests: ${typeof persistenceBefore === 'string' ? persistenceBefore : persistenceAfter}`,
      );
    } else {
      persistence = perCluster(counterDelta(persistenceBefore.requests, persistenceAfter.requests), scenario.clusters);
      if (persistenceBefore.latencySeconds && persistenceAfter.latencySeconds) {
        const ms = new Map(
          [...counterDelta(persistenceBefore.latencySeconds, persistenceAfter.latencySeconds)].map(([op, seconds]) => [
            op,
            seconds * 1000,
          ]),
        );
        persistenceMs = perCluster(ms, scenario.clusters, 8);
      }
    }

    const parentEvents: number[] = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      parentEvents.push(await historyEvents(client, workflowId, run.runId));
    const child = await sampleEvents(client, `WorkflowType = 'clusterUpgrade'`);
    const claim = await sampleEvents(client, `WorkflowType = 'clusterClaim'`);
    const traffic = (await (await fetch(`${sim.url}/_sim/traffic`)).json()) as {
      aether: { requests: number; rateLimited: number };
    };
    return {
      server: { kind: serverKind, description: server.description },
      status: report.status,
      counts: report.counts,
      makespanSeconds: round(makespanSeconds),
      clustersPerSecond: round(scenario.clusters / makespanSeconds),
      apiCallsPerCluster: round(traffic.aether.requests / scenario.clusters),
      rateLimited: traffic.aether.rateLimited,
      requestKindsPerCluster: await requestKindsPerCluster(sim.url, scenario.clusters),
      ...(scenario.rateLimitPerMinute ? await budgetWait(workerMetricsPort, unread) : {}),
      parentRuns: parentEvents.length,
      parentEventsMax: Math.max(...parentEvents),
      eventsPerCluster: { child: mean(child), claim: mean(claim), childMax: Math.max(0, ...child) },
      workerPeakRssBytes: workerRss,
      cpuSeconds: { ...cpuDelta(cpuBefore, cpuAfter), benchProcess: round((benchCpu.user + benchCpu.system) / 1e6) },
      cpuSecondsBeforeRollout: Object.fromEntries(Object.entries(cpuBefore).map(([key, value]) => [key, round(value)])),
      serverPersistencePerCluster: persistence,
      ...(persistenceMs ? { serverPersistenceMsPerCluster: persistenceMs } : {}),
      unread,
    };
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await connection.close();
    await sim.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

async function waitForPoller(client: Client, namespace: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: TASK_QUEUE },
      taskQueueType: 1,
    });
    if ((pollers?.length ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the worker did not start polling within 60 s');
}
