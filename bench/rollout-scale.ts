/**
 * One large rollout against the simulator on a real dev server, measured:
 * wall time, history events of the parent and of a sample of children, the largest
 * payload in those histories, and the report's size. Prints a JSON line and writes it
 * to bench/results/rollout-scale-<platform>-<clusters>.json.
 *
 *   npx tsx bench/rollout-scale.ts --clusters 1000 --platform aether --max-parallel 100
 *
 * The limits it checks against are Temporal's: a history warns at 10,240 events, a
 * payload at 256 KB (hard stop 2 MB).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer } from '../src/devserver/dev-server.js';
import { STATE_DIR } from '../src/devserver/temporal-cli.js';
import type { PlatformName } from '../src/domain/platform.js';
import type { RolloutReport } from '../src/domain/report.js';
import { createLogger } from '../src/logger.js';
import { installSdkLogging } from '../src/sdk-logging.js';
import { startSimulator } from '../src/simulator/index.js';
import { createFleetWorker, depsFromEnv } from '../src/worker.js';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000' },
    platform: { type: 'string', default: 'aether' },
    'max-parallel': { type: 'string', default: '100' },
    'child-sample': { type: 'string', default: '20' },
  },
});
const clusters = Number(values.clusters);
const platform = values.platform as PlatformName;
const maxParallel = Number(values['max-parallel']);
if (!Number.isInteger(clusters) || clusters < 1)
  throw new Error(`--clusters: a whole number >= 1, got ${values.clusters}`);
if (platform !== 'avisi' && platform !== 'aether')
  throw new Error(`--platform: avisi or aether, got ${values.platform}`);

const EVENT_WARNING = 10_240;
const PAYLOAD_WARNING = 256 * 1024;

const logger = createLogger({ level: 'warn' });
installSdkLogging(logger, 'WARN');
const dbFile = join(STATE_DIR, 'bench', `scale-${process.pid}.db`);
const server = await startDevServer({ dbFile });
const sim = await startSimulator({
  generate: {
    seed: 99,
    avisi: { clusters: platform === 'avisi' ? clusters : 1 },
    aether: { clusters: platform === 'aether' ? clusters : 1 },
    minors: ['1.30'],
  },
  timeScale: 86_400,
  rateLimitPerMinute: { avisi: 0, aether: 0 },
});
const organisation = sim.organisations[platform][0]!;
const env = {
  AVISI_API_URL: `${sim.url}/api/v1`,
  AVISI_API_TOKEN: sim.tokens.avisi,
  AETHER_API_URL: `${sim.url}/api/v1`,
  AETHER_API_TOKEN: sim.tokens.aether[sim.organisations.aether[0]!],
};
const native = await NativeConnection.connect({ address: server.address });
const taskQueue = 'bench-scale';
const worker = await createFleetWorker({
  connection: native,
  namespace: server.namespace,
  taskQueue,
  deps: depsFromEnv(logger, env),
  tuning: { maxConcurrentActivityTaskExecutions: 400 },
});
const running = worker.run();
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: server.namespace });

try {
  const workflowId = `scale-${platform}-${clusters}-${Date.now()}`;
  const started = Date.now();
  const handle = await client.workflow.start('fleetRollout', {
    workflowId,
    taskQueue,
    args: [
      {
        platform,
        organisation,
        targetVersion: '1.31',
        maxParallel,
        pollInterval: '500ms',
        clusterDeadline: '1h',
        ignoreMaintenanceSchedule: true,
        waves: [{ name: 'all' }],
      },
    ],
  });
  const report = (await handle.result()) as RolloutReport;
  const wallMs = Date.now() - started;

  // Every run of the parent (continue-as-new makes several) and a sample of children.
  const parentRuns: { runId: string; events: number; largestPayload: number }[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    parentRuns.push({
      runId: execution.runId,
      events: history.events?.length ?? 0,
      largestPayload: largestPayload(history),
    });
  }
  const childIds = report.clusters.length > 0 ? report.clusters.map((c) => `${workflowId}/${c.clusterId}`) : [];
  const sample: { events: number; largestPayload: number }[] = [];
  for await (const execution of client.workflow.list({
    query: `FleetRolloutId = '${workflowId}' AND WorkflowType = 'clusterUpgrade'`,
  })) {
    if (sample.length >= Number(values['child-sample'])) break;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    sample.push({ events: history.events?.length ?? 0, largestPayload: largestPayload(history) });
  }
  void childIds;
  const result = {
    bench: 'rollout-scale',
    platform,
    clusters,
    maxParallel,
    status: report.status,
    counts: report.counts,
    wallSeconds: wallMs / 1000,
    clustersPerSecond: Math.round((clusters / (wallMs / 1000)) * 100) / 100,
    parentRuns: parentRuns.length,
    parentEventsMax: Math.max(...parentRuns.map((r) => r.events)),
    childEventsMax: Math.max(0, ...sample.map((s) => s.events)),
    largestPayloadBytes: Math.max(
      0,
      ...parentRuns.map((r) => r.largestPayload),
      ...sample.map((s) => s.largestPayload),
    ),
    reportBytes: Buffer.byteLength(JSON.stringify(report)),
    limits: { events: EVENT_WARNING, payloadBytes: PAYLOAD_WARNING },
    at: new Date().toISOString(),
  };
  const ok =
    result.parentEventsMax < EVENT_WARNING &&
    result.childEventsMax < EVENT_WARNING &&
    result.largestPayloadBytes < PAYLOAD_WARNING &&
    report.status === 'SUCCEEDED';
  console.log(JSON.stringify({ ...result, withinLimits: ok }));
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `rollout-scale-${platform}-${clusters}.json`),
    `${JSON.stringify({ ...result, withinLimits: ok }, null, 2)}\n`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  worker.shutdown();
  await running;
  await native.close();
  await connection.close();
  await sim.close();
  await server.stop();
  await rm(dbFile, { force: true });
  await rm(`${dbFile}-wal`, { force: true });
  await rm(`${dbFile}-shm`, { force: true });
}

/** The largest payload (input, result, heartbeat, ...) anywhere in a history, in bytes. */
function largestPayload(history: { events?: unknown[] | null }): number {
  let largest = 0;
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object') return;
    if (value instanceof Uint8Array) {
      largest = Math.max(largest, value.byteLength);
      return;
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(history.events);
  return largest;
}
