/**
 * Chaos drill: the Temporal server goes away mid-rollout and comes back. A dev server
 * of this test's own (the global one serves other test files), its state in a SQLite
 * file, is killed outright (SIGKILL, as a crash; later restarts alternate with
 * SIGTERM) while an Aether and an Avisi rollout run, stays down a few seconds, and is
 * started again on the same port and file. Nobody restarts the worker processes or the
 * client: they reconnect by themselves (the workers' NativeConnection retries its
 * polls, the client's calls retry UNAVAILABLE), and the test checks that both worker
 * processes lived through every outage. Then the same proof as the worker drill: every
 * cluster at the target, exactly one upgrade request per cluster.
 *
 * Sizes from the environment (drill-size.ts); `npm run chaos` runs it at 200 clusters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startDevServer, type DevServer } from '../../src/devserver/dev-server.js';
import { writeWorkflowBundle } from '../../src/workflow-bundle.js';
import { startHarness, type Harness } from '../integration/harness.js';
import { startWorkerPool, type WorkerPool } from '../support/worker-pool.js';
import {
  anyRunning,
  chaosFleet,
  endServerDrill,
  expectEveryClusterUpgradedOnce,
  startRollouts,
  upgradedSoFar,
} from './drill.js';
import { drillSize, drillTimeoutMs } from './drill-size.js';

const size = drillSize();
const SIGNALS = ['SIGKILL', 'SIGTERM'] as const;

describe(`the Temporal server restarted ${size.restarts}x during two ${size.clusters}-cluster rollouts`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-chaos-'));
  const dbFile = join(dir, 'temporal.db');
  const bundleFile = join(dir, 'workflows.bundle.js');
  let port: number;
  let server: DevServer | undefined;
  let h: Harness;
  let pool: WorkerPool | undefined;
  beforeAll(async () => {
    await writeWorkflowBundle(bundleFile);
    // A fixed port: the restarted server must come back where every connection expects it.
    port = await freePort();
    server = await startDevServer({ port, dbFile });
    const temporal = { address: server.address, namespace: server.namespace };
    h = await startHarness(chaosFleet(size), undefined, { inProcessWorker: false, temporal });
    pool = await startWorkerPool(2, {
      taskQueue: h.taskQueue,
      env: { ...h.env, FLEET_WORKFLOW_BUNDLE: bundleFile },
      temporal,
      seed: size.seed,
    });
  }, 180_000);
  afterAll(async () => {
    await pool?.stop();
    await h?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'completes both rollouts: every cluster at the target, none asked twice, the workers never restarted',
    { timeout: drillTimeoutMs(size) },
    async ({ task }) => {
      const workers = pool!;
      const started = performance.now();
      const handles = await startRollouts(h, size);

      const signals: string[] = [];
      let midRollout = 0;
      let upgraded = 0;
      for (let i = 0; i < size.restarts; i++) {
        // Down while clusters are in flight: after more clusters were upgraded (since the
        // start, or since the last restart, which proves the rollouts resumed after it).
        await vi.waitFor(async () => expect(await upgradedSoFar(handles)).toBeGreaterThan(upgraded), {
          timeout: 120_000,
          interval: 250,
        });
        upgraded = await upgradedSoFar(handles);
        if (!(await anyRunning(handles))) break;
        const signal = SIGNALS[i % SIGNALS.length]!;
        await server!.stop(signal);
        signals.push(signal);
        // The outage itself (a fault's duration, not a wait for a condition).
        await sleep(size.outageSeconds * 1000);
        server = await startDevServer({ port, dbFile });
        if (await anyRunning(handles)) midRollout++;
      }

      const { facts, workersExited, summary } = await endServerDrill(h, handles, workers, {
        drill: 'server-restart',
        size,
        started,
        faults: signals,
        midRollout,
      });
      task.meta.chaos = summary;

      expect(midRollout).toBe(size.restarts);
      // No supervisor was needed: both worker processes rode out every outage and still run.
      expect(workersExited).toBe(0);
      for (const f of facts) expectEveryClusterUpgradedOnce(f, size.clusters);
    },
  );
});
