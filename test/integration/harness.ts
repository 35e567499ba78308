/**
 * A rollout harness for one test file: the simulator on loopback, a worker on a task
 * queue of its own (workflows bundled once per file), and a client, all against the
 * dev server of global-setup.ts. Nothing is mocked.
 */
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { RolloutReport } from '../../src/domain/report.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { installSdkLogging } from '../../src/sdk-logging.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { pauseUpdate } from '../../src/workflows/messages.js';
import { recordHistories, recordingHistories } from './record-histories.js';
import { workerConfigFromEnv, type WorkerTuning } from '../../src/worker-config.js';
import { createFleetWorker, depsFromEnv, WORKFLOWS_PATH } from '../../src/worker.js';

export interface Harness {
  readonly client: Client;
  readonly sim: RunningSimulator;
  readonly taskQueue: string;
  /** The simulator's URLs and tokens, and the options' env: what a second worker process needs. */
  readonly env: Readonly<Record<string, string>>;
  startRollout(spec: RolloutSpec, id?: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof fleetRollout>>;
  runRollout(spec: RolloutSpec, id?: string): Promise<RolloutReport>;
  /** Starts a rollout already paused: the pause is applied in its first workflow task, before anything starts. */
  startPaused(spec: RolloutSpec, id?: string): Promise<WorkflowHandle<typeof fleetRollout>>;
  /** Records this workflow's history too, with the rollouts', when histories are recorded. */
  track(workflowId: string): void;
  /** GET a `/_sim/` inspection route. */
  inspect<T>(path: string): Promise<T>;
  /** PUT a `/_sim/` route. */
  control(path: string, body: unknown): Promise<void>;
  close(): Promise<void>;
}

// The SDK's own lines at ERROR only (expected workflow failures log at WARN): test output stays readable.
// Evaluated once per test process, before any connection, as Runtime.install requires.
installSdkLogging(createLogger({ level: 'error' }), 'ERROR');

let bundle: Promise<{ code: string }> | undefined;

/**
 * `scenario` names the test file's rollouts when their histories are recorded for the
 * replay tests (see record-histories.ts).
 */
/**
 * An Aether fleet (and one Avisi cluster) whose upgrades take `upgradeSeconds` real
 * seconds: an hour of simulated time per real minute, no rate limit. For tests that
 * act while clusters upgrade.
 */
export function slowAetherFleet(seed: number, clusters: number, upgradeSeconds: number): SimulatorOptions {
  return {
    generate: { seed, avisi: { clusters: 1 }, aether: { clusters }, minors: ['1.30'] },
    timeScale: 60,
    aether: { upgradeDurationMs: upgradeSeconds * 60_000 },
    rateLimitPerMinute: { aether: 0 },
  };
}

export interface HarnessOptions {
  /** Worker environment on top of the simulator's URLs and tokens, e.g. `AETHER_API_RATE_PER_MINUTE` (API budgets are off unless set here). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * `false`: no worker in the test's process, so every task goes to the worker
   * processes the test starts on `taskQueue` (test/support/worker-process.ts, with
   * `env`). @default true
   */
  readonly inProcessWorker?: boolean;
  /**
   * A Temporal server of the test's own instead of global-setup.ts's, e.g. one the
   * test stops and starts again (test/chaos/server-restart.test.ts). Pass the same to
   * the worker processes it starts.
   */
  readonly temporal?: { readonly address: string; readonly namespace: string };
  /** The in-process worker's tuning over the environment's, e.g. `{ maxCachedWorkflows: 0 }`: every workflow task replays its whole history. */
  readonly tuning?: WorkerTuning;
}

export async function startHarness(
  simulator: SimulatorOptions,
  scenario?: string,
  options: HarnessOptions = {},
): Promise<Harness> {
  const address = options.temporal?.address ?? inject('temporalAddress');
  const namespace = options.temporal?.namespace ?? inject('temporalNamespace');
  const sim = await startSimulator(simulator);
  const aetherOrg = sim.organisations.aether[0];
  const env = {
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
    AETHER_API_URL: `${sim.url}/api/v1`,
    ...(aetherOrg ? { AETHER_API_TOKEN: sim.tokens.aether[aetherOrg] } : {}),
    AVISI_API_RATE_PER_MINUTE: '0',
    AETHER_API_RATE_PER_MINUTE: '0',
    ...options.env,
  };
  const taskQueue = `test-${randomUUID()}`;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const inProcess =
    options.inProcessWorker === false
      ? undefined
      : await startInProcessWorker(address, namespace, taskQueue, env, client, options.tuning);

  const started: string[] = [];
  const startRollout = (spec: RolloutSpec, id = `rollout-${randomUUID()}`) => {
    started.push(id);
    return client.workflow.start<typeof fleetRollout>('fleetRollout', { workflowId: id, taskQueue, args: [spec] });
  };

  return {
    client,
    sim,
    taskQueue,
    env,
    startRollout,
    runRollout: async (spec, id) => (await startRollout(spec, id)).result(),
    startPaused: async (spec, id = `rollout-${randomUUID()}`) => {
      started.push(id);
      const operation = new WithStartWorkflowOperation<typeof fleetRollout>('fleetRollout', {
        workflowId: id,
        taskQueue,
        args: [spec],
        workflowIdConflictPolicy: 'FAIL',
      });
      await client.workflow.executeUpdateWithStart(pauseUpdate, {
        args: [{ by: 'test', reason: 'start paused' }],
        startWorkflowOperation: operation,
      });
      return operation.workflowHandle();
    },
    track: (workflowId) => {
      started.push(workflowId);
    },
    inspect: async <T>(path: string) => {
      const response = await fetch(`${sim.url}${path}`);
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    control: async (path, body) => {
      const response = await fetch(`${sim.url}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
    },
    close: async () => {
      if (scenario && recordingHistories()) await recordHistories(client, scenario, started);
      await inProcess?.stop();
      await connection.close();
      await sim.close();
    },
  };
}

async function startInProcessWorker(
  address: string,
  namespace: string,
  taskQueue: string,
  env: Record<string, string>,
  client: Client,
  tuning?: WorkerTuning,
): Promise<{ stop(): Promise<void> }> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createFleetWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    deps: depsFromEnv(silentLogger, env, { client, taskQueue }),
    workflowBundle: await bundle,
    shutdownGraceTime: '1s',
    // FLEET_WORKER_MAX_CACHED_WORKFLOWS=0 (npm run test:uncached) replays every workflow
    // task from its whole history: the suite then proves the workflows deterministic.
    tuning: { ...workerConfigFromEnv().tuning, ...tuning },
  });
  const running = worker.run();
  return {
    stop: async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
    },
  };
}

/** A simulated cluster as `/_sim/clusters` lists it. */
export interface SimCluster {
  platform: 'avisi' | 'aether';
  organisation: string;
  id: string;
  name: string;
  version: string;
  platformVersion: string;
  status: string;
  upgrades: {
    identity?: string;
    toVersion: string;
    status: string;
    windowStart?: string;
    windowEnd?: string;
    createdAt: string;
  }[];
}

export interface SimRequest {
  seq: number;
  platform: 'avisi' | 'aether';
  method: string;
  path: string;
  status: number;
  clusterId?: string;
  body?: unknown;
}
