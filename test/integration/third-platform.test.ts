/**
 * The proof of docs/adding-a-platform.md: a throwaway third platform, Nimbus, written
 * only where the guide says (test/integration/nimbus/ stands for src/platforms/nimbus/
 * and src/simulator/nimbus-*.ts; its two `register*` calls for its lines in
 * src/platforms/registry.ts and src/simulator/dialect-list.ts), served by the simulator
 * and rolled out on the dev server through the code every platform uses: spec parsing,
 * the configuration from the environment, the activities, the workflows (bundled with
 * Nimbus registered) and the undo. If a shared file had to learn Nimbus, this fails.
 */
import './nimbus/register-platform.js';
import './nimbus/sim-dialect.js';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { specOptions } from '../../src/cli/commands/spec-options.js';
import { specFromInput } from '../../src/cli/spec-input.js';
import { chartFiles } from '../../src/platforms/chart-sync.js';
import { platformConfigFromEnv, PLATFORM_ENV_VARS } from '../../src/platforms/config.js';
import { PLATFORM_DESCRIPTORS, PLATFORM_NAMES } from '../../src/platforms/registry.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { installSdkLogging } from '../../src/sdk-logging.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { createFleetWorker, depsFromEnv } from '../../src/worker.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { NIMBUS_PROJECT, NIMBUS_TOKEN, nimbusClusterId } from './nimbus/sim-dialect.js';

const [nb1, nb2, nb3] = [1, 2, 3].map(nimbusClusterId) as [string, string, string];

// The SDK's own lines at ERROR only, as harness.ts does.
installSdkLogging(createLogger({ level: 'error' }), 'ERROR');

interface NimbusView {
  id: string;
  version: string;
  desiredVersion: string;
  status: string;
}

let sim: RunningSimulator;
let client: Client;
let connection: Connection;
let worker: { stop(): Promise<void> };
const taskQueue = `test-${randomUUID()}`;

beforeAll(async () => {
  // An hour of simulated time per real 6 s: a Nimbus upgrade (10 simulated minutes) takes a second.
  sim = await startSimulator({ generate: { avisi: { clusters: 1 }, aether: { clusters: 1 } }, timeScale: 600 });
  const env = { NIMBUS_API_URL: `${sim.url}/nimbus/v1`, NIMBUS_API_TOKEN: NIMBUS_TOKEN };
  const address = inject('temporalAddress');
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./nimbus/workflows.ts', import.meta.url)),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
  });
  const native = await NativeConnection.connect({ address });
  const w: Worker = await createFleetWorker({
    connection: native,
    namespace: inject('temporalNamespace'),
    taskQueue,
    deps: depsFromEnv(silentLogger, env, { client, taskQueue }),
    workflowBundle,
    shutdownGraceTime: '1s',
  });
  const running = w.run();
  worker = {
    stop: async () => {
      w.shutdown();
      await running;
      await native.close();
    },
  };
});

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await sim?.close();
});

const run = async (spec: RolloutSpec) =>
  (
    await client.workflow.start<typeof fleetRollout>('fleetRollout', {
      workflowId: `rollout-${randomUUID()}`,
      taskQueue,
      args: [spec],
    })
  ).result();
const view = async (id: string) => (await (await fetch(`${sim.url}/_sim/clusters/${id}`)).json()) as NimbusView;
const BASE = {
  platform: 'nimbus',
  organisation: NIMBUS_PROJECT,
  targetVersion: '1.31',
  pollInterval: '250ms',
  clusterDeadline: '60s',
} as unknown as RolloutSpec;

describe('a third platform, registered without touching a shared file', () => {
  it('is known where every platform is: names, configuration, the CLI, the chart', () => {
    expect(PLATFORM_NAMES).toEqual(['avisi', 'aether', 'nimbus']);
    expect(PLATFORM_ENV_VARS).toEqual(
      expect.arrayContaining(['NIMBUS_API_URL', 'NIMBUS_API_TOKEN', 'NIMBUS_API_RATE_PER_MINUTE', 'NIMBUS_API_BURST']),
    );
    const config = platformConfigFromEnv({ NIMBUS_API_TOKEN: 't' }) as unknown as Record<
      string,
      { apiUrl: string; token?: string }
    >;
    expect(config.nimbus).toEqual({ apiUrl: 'https://api.nimbus.example/nimbus/v1', token: 't' });
    const help = specOptions(new Command('start')).helpInformation();
    expect(help).toContain('avisi or aether or nimbus');
    expect(help).toContain('Nimbus project slug');
    // `npm run chart:sync` would give the chart its values and variables.
    expect(chartFiles(PLATFORM_DESCRIPTORS)['templates/_platforms.tpl']).toContain('NIMBUS_API_URL');
  });

  it("rolls out over Nimbus clusters on the dev server, from the CLI's flags", async () => {
    const flags = {
      platform: 'nimbus',
      organisation: NIMBUS_PROJECT,
      target: '1.31',
      clusters: `${nb1},${nb2}`,
      pollInterval: '250ms',
      clusterDeadline: '60s',
    };
    const { spec } = await specFromInput(flags);
    const report = await run(spec);

    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 2 } });
    for (const id of [nb1, nb2]) expect(await view(id)).toMatchObject({ version: '1.31.2', status: 'ready' });
    expect(await view(nb3)).toMatchObject({ version: '1.30.4', desiredVersion: '1.30.4' });
    // The simulator's shared routes know Nimbus through its dialect: traffic, calls, requests, metrics.
    const simJson = async <T>(path: string) => (await (await fetch(`${sim.url}${path}`)).json()) as T;
    expect((await simJson<Record<string, { requests: number }>>('/_sim/traffic')).nimbus?.requests).toBeGreaterThan(0);
    expect(
      (await simJson<{ calls: { client: string }[] }>('/_sim/calls?platform=nimbus')).calls.map((c) => c.client),
    ).toContain('nimbus:project');
    const puts = (
      await simJson<{ requests: { method: string; clusterId?: string }[] }>('/_sim/requests?platform=nimbus')
    ).requests;
    expect(
      puts
        .filter((r) => r.method === 'PUT')
        .map((r) => r.clusterId)
        .sort(),
    ).toEqual([nb1, nb2]);
    expect(await (await fetch(`${sim.url}/_sim/metrics`)).text()).toContain(
      `fleet_sim_cluster_healthy{cluster_id="${nb1}",cluster_name="nimbus-1",platform="nimbus",organisation="skyline"} 1`,
    );
  });

  it("rejects a spec in Nimbus's words, and undoes a failed desired version the descriptor's way", async () => {
    await expect(run({ ...BASE, organisation: 'Sky Line' })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/not a Nimbus project slug: "Sky Line"/) },
    });

    await fetch(`${sim.url}/_sim/clusters/${nb3}/outcomes`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcomes: ['FAILED', 'FAILED'] }),
    });
    const report = await run({ ...BASE, clusters: [nb3], retry: { maxAttempts: 1 }, failureBudget: { maxFailed: 0 } });

    expect(report.clusters).toEqual([
      expect.objectContaining({ clusterId: nb3, outcome: 'FAILED', compensation: 'restored desired version' }),
    ]);
    expect(await view(nb3)).toMatchObject({ version: '1.30.4', desiredVersion: '1.30.4' });
  });
});
