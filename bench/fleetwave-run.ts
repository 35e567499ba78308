/**
 * One scenario through fleetwave, measured: a fresh dev server (SQLite file in WAL
 * mode), a fresh simulator, one worker in its own process (so its memory and CPU are
 * its own), one rollout. Reports makespan, API calls and history events per cluster,
 * the largest parent run, and what each process spent.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer } from '../src/devserver/dev-server.js';
import type { RolloutReport } from '../src/domain/report.js';
import { startSimulator } from '../src/simulator/index.js';
import { parseExposition } from '../test/support/metrics-scrape.js';
import { cpuSeconds, findProcess, peakRssBytes } from './proc-stats.js';
import type { Scenario } from './scenarios.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TASK_QUEUE = 'bench';
const CHILD_SAMPLE = 50;

export interface FleetwaveResult {
  readonly status: string;
  readonly counts: RolloutReport['counts'];
  readonly makespanSeconds: number;
  readonly clustersPerSecond: number;
  readonly apiCallsPerCluster: number;
  readonly parentRuns: number;
  readonly parentEventsMax: number;
  /** Mean events of a cluster's history: its clusterUpgrade child and its clusterClaim (sampled). */
  readonly eventsPerCluster: { readonly child: number; readonly claim: number; readonly childMax: number };
  readonly workerPeakRssBytes: number | undefined;
  readonly cpuSeconds: { readonly worker?: number; readonly temporalServer?: number; readonly benchProcess: number };
  /**
   * Where the server's work goes: its persistence requests per cluster, in all and by
   * operation (the largest first), from the dev server's own metrics.
   */
  readonly serverPersistencePerCluster: { readonly total: number; readonly byOperation: Readonly<Record<string, number>> };
}

export async function simulatorFor(scenario: Scenario, seed: number) {
  return startSimulator({
    generate: { seed, avisi: { clusters: 1 }, aether: { clusters: scenario.clusters }, minors: ['1.30'] },
    // A simulated minute per real second: T real seconds are T minutes of simulated upgrade.
    timeScale: 60,
    aether: { upgradeDurationMs: scenario.upgradeSeconds * 60_000 },
    rateLimitPerMinute: { avisi: 0, aether: 0 },
  });
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

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10);

/**
 * `workflowBundle`: a prebuilt bundle (writeWorkflowBundle), as a production worker runs;
 * bundling at start would put webpack's memory into the worker's peak RSS.
 */
export async function runFleetwave(scenario: Scenario, seed: number, workflowBundle: string, log: (line: string) => void): Promise<FleetwaveResult> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  const metricsPort = await freePort();
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), metricsPort });
  const sim = await simulatorFor(scenario, seed);
  const benchCpuAtStart = process.cpuUsage();
  // FLEET_BENCH_CPU_PROF_DIR: where the worker writes V8 CPU profiles (one per thread), to see where its time goes.
  const profileDir = process.env.FLEET_BENCH_CPU_PROF_DIR;
  const worker = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', 'src/worker.ts'], {
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
      AETHER_API_RATE_PER_MINUTE: '0',
      FLEET_LOG_LEVEL: 'warn',
      FLEET_WORKFLOW_BUNDLE: workflowBundle,
      FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES: String(Math.max(200, scenario.maxParallel)),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  try {
    await waitForPoller(client, server.namespace);
    const workflowId = `bench-${scenario.name}`;
    const started = performance.now();
    const handle = await client.workflow.start('fleetRollout', {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [{ platform: 'aether', organisation: sim.organisations.aether[0]!, targetVersion: '1.31', maxParallel: scenario.maxParallel, pollInterval: scenario.pollInterval, clusterDeadline: '1h', waves: [{ name: 'all' }] }],
    });
    const progress = setInterval(() => {
      handle.query<{ counts: Record<string, number>; total: number }>('progress').then(
        (p) => log(`  fleetwave: ${p.counts.SUCCEEDED}/${p.total} upgraded after ${Math.round(performance.now() - started) / 1000}s`),
        () => undefined,
      );
    }, 15_000);
    const report = (await handle.result().finally(() => clearInterval(progress))) as RolloutReport;
    const makespanSeconds = (performance.now() - started) / 1000;

    const workerRss = await peakRssBytes(worker.pid!);
    const workerCpu = await cpuSeconds(worker.pid!);
    const serverPid = await findProcess('start-dev', `--port ${server.address.split(':').at(-1)}`);
    const serverCpu = serverPid ? await cpuSeconds(serverPid) : undefined;
    const benchCpu = process.cpuUsage(benchCpuAtStart);

    const parentEvents: number[] = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) parentEvents.push(await historyEvents(client, workflowId, run.runId));
    const child = await sampleEvents(client, `WorkflowType = 'clusterUpgrade'`);
    const claim = await sampleEvents(client, `WorkflowType = 'clusterClaim'`);
    const persistence = await persistencePerCluster(metricsPort, scenario.clusters);
    const traffic = (await (await fetch(`${sim.url}/_sim/traffic`)).json()) as { aether: { requests: number } };
    return {
      status: report.status,
      counts: report.counts,
      makespanSeconds: round(makespanSeconds),
      clustersPerSecond: round(scenario.clusters / makespanSeconds),
      apiCallsPerCluster: round(traffic.aether.requests / scenario.clusters),
      parentRuns: parentEvents.length,
      parentEventsMax: Math.max(...parentEvents),
      eventsPerCluster: { child: mean(child), claim: mean(claim), childMax: Math.max(0, ...child) },
      workerPeakRssBytes: workerRss,
      serverPersistencePerCluster: persistence,
      cpuSeconds: { ...(workerCpu !== undefined ? { worker: workerCpu } : {}), ...(serverCpu !== undefined ? { temporalServer: serverCpu } : {}), benchProcess: round((benchCpu.user + benchCpu.system) / 1e6) },
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

async function persistencePerCluster(metricsPort: number, clusters: number) {
  const samples = parseExposition(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
  const byOperation = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name !== 'persistence_requests') continue;
    const operation = sample.labels.operation ?? '?';
    byOperation.set(operation, (byOperation.get(operation) ?? 0) + sample.value);
  }
  const total = [...byOperation.values()].reduce((a, b) => a + b, 0);
  const top = [...byOperation].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return { total: round(total / clusters), byOperation: Object.fromEntries(top.map(([op, n]) => [op, round(n / clusters)])) };
}

async function waitForPoller(client: Client, namespace: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { pollers } = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: TASK_QUEUE }, taskQueueType: 1 });
    if ((pollers?.length ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the worker did not start polling within 60 s');
}
