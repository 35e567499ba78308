/**
 * How `fleet demo` starts: the Temporal dev server with its UI, the simulator with a
 * generated fleet, a client and the worker, each registered with the DemoStop as soon as
 * it runs, so a Ctrl-C at any point stops what is up, in order (demo-stop.ts).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../devserver/dev-server.js';
import { STATE_DIR } from '../../devserver/temporal-cli.js';
import type { Logger } from '../../logger.js';
import { generateFleet, startSimulator, type FleetDefinition, type RunningSimulator } from '../../simulator/index.js';
import { createFleetWorker, depsFromEnv } from '../../worker.js';
import { DEMO_STOP_MS, DEMO_WORKER_GRACE_MS, type DemoStop } from './demo-stop.js';
import { markBlockedCluster, type BlockedCluster } from './demo-blocked.js';
import { demoChannel } from './demo-extras.js';

/**
 * The demo's worker polls this queue, not DEFAULT_TASK_QUEUE: a worker of the user's on
 * the same server never gets its tasks, nor it theirs.
 */
export const DEMO_TASK_QUEUE = 'fleet-demo';
const SECONDS_PER_SIMULATED_DAY = 2;

export type Say = (line: string) => void;

export interface Demo {
  readonly server: DevServer;
  readonly sim: RunningSimulator;
  readonly fleet: FleetDefinition;
  readonly client: Client;
  /** What the demo's worker reads: the simulator's URLs and tokens, the API budget, the `demo` channel. */
  readonly env: Readonly<Record<string, string>>;
  readonly say: (line: string) => void;
  /** The Aether cluster the pre-check blocks (demo-blocked.ts). */
  readonly blocked?: BlockedCluster;
}

/** The dev server, the simulator, a client and the worker, each registered with `stop` as soon as it runs. */
export async function startDemo(
  stop: DemoStop,
  options: { clusters: number; uiPort?: number; logger: Logger; say: Say },
): Promise<Demo> {
  const { clusters, logger, say } = options;
  const server = await startDemoServer(stop, say, options.uiPort);
  const { sim, fleet, env, blocked } = await startDemoSimulator(stop, say, clusters);
  const client = await connectDemoClient(stop, server);
  await startDemoWorker(stop, { server, client, env, logger });
  return { server, sim, fleet, client, env, say, ...(blocked ? { blocked } : {}) };
}

async function startDemoServer(stop: DemoStop, say: Say, uiPort: number | undefined): Promise<DevServer> {
  const dbFile = join(STATE_DIR, 'demo', 'temporal.db');
  await rm(dbFile, { force: true });
  say('starting the Temporal dev server (installs the pinned Temporal CLI into .fleetwave/ on first run)');
  // In a process group of its own: a Ctrl-C must not take it down under the draining worker.
  const server = await stop.race(
    startDevServer({ ui: true, dbFile, ownProcessGroup: true, ...(uiPort ? { uiPort } : {}) }),
  );
  const stopServer = (leftMs: number) => server.stop('SIGTERM', Math.max(0, leftMs - 200));
  stop.onStop('the dev server', stopServer, DEMO_STOP_MS, () => void server.stop('SIGKILL'));
  say(`Temporal at ${server.address}, Web UI at ${server.uiUrl}`);
  return server;
}

/** The simulator with a generated fleet, and the environment that points the demo's worker at it. */
async function startDemoSimulator(stop: DemoStop, say: Say, clusters: number) {
  // A simulated day passes in two seconds, so windows days away open within the demo.
  // Generated here (startSimulator would do the same) so the Avisi waves can be built from the fleet's environments.
  const fleet = generateFleet({ seed: 7, avisi: { clusters }, aether: { clusters }, minors: ['1.29', '1.30', '1.31'] });
  // One Aether cluster calls an API 1.32 removes: the pre-check blocks it (demo-blocked.ts).
  const blocked = markBlockedCluster(fleet);
  const channel = demoChannel();
  const sim = await startSimulator({
    fleet,
    notifySecrets: { demo: channel.secret },
    timeScale: 86_400 / SECONDS_PER_SIMULATED_DAY,
    rateLimitPerMinute: { aether: 6000 },
  });
  stop.onStop('the simulator', () => sim.close(), 1000);
  const aetherOrg = sim.organisations.aether[0]!;
  const avisiOrg = sim.organisations.avisi[0]!;
  say(
    `simulator at ${sim.url}: ${clusters} Avisi clusters in ${avisiOrg}, ${clusters} Aether clusters in ${aetherOrg}`,
  );
  const env = {
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
    AETHER_API_URL: `${sim.url}/api/v1`,
    AETHER_API_TOKEN: sim.tokens.aether[aetherOrg]!,
    // Half the simulator's limit: the budget workflow (fleet-api-budget/...) paces the calls, so none is refused.
    AETHER_API_RATE_PER_MINUTE: '3000',
    // Channel `demo`: the simulator's receiver, which checks each delivery's signature with the same secret.
    ...channel.env(sim.url),
  };
  return { sim, fleet, env, ...(blocked ? { blocked } : {}) };
}

async function connectDemoClient(stop: DemoStop, server: DevServer): Promise<Client> {
  const connection = await Connection.connect({ address: server.address });
  // Left open on a signal (the exit ends it): rollouts still followed would retry on a closed channel, which throws.
  stop.onStop('the client connection', async () => (stop.interrupted ? undefined : connection.close()), 500);
  return new Client({ connection, namespace: server.namespace });
}

async function startDemoWorker(
  stop: DemoStop,
  { server, client, env, logger }: { server: DevServer; client: Client; env: Record<string, string>; logger: Logger },
): Promise<void> {
  const connection = await NativeConnection.connect({ address: server.address });
  stop.onStop('the worker connection', () => connection.close(), 500);
  const deps = depsFromEnv(logger, env, { client, taskQueue: DEMO_TASK_QUEUE });
  const worker = await createFleetWorker({
    connection,
    namespace: server.namespace,
    taskQueue: DEMO_TASK_QUEUE,
    deps,
    shutdownGraceTime: DEMO_WORKER_GRACE_MS,
  });
  const workerRun = worker.run();
  const stopWorker = async () => {
    // The SDK's Runtime may have begun its shutdown on the same SIGINT (its shutdownSignals).
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
  };
  stop.onStop('the worker', stopWorker, DEMO_WORKER_GRACE_MS + 1000);
}
