/**
 * Chaos drill: worker processes killed outright (SIGKILL: no graceful shutdown, the
 * activities and workflow tasks they hold are lost) again and again while an Aether
 * and an Avisi rollout run. The test plays the supervisor: two worker processes, and
 * every few seconds it kills one at random and starts a fresh one, until both rollouts
 * have ended. Whatever was lost comes back through Temporal's timeouts and retries,
 * and the upgrade requests' idempotency keeps a retried request from asking twice: the
 * simulator's log must show exactly one upgrade request per cluster, and every cluster
 * at the target.
 *
 * Sizes from the environment (drill-size.ts); `npm run chaos` runs it at 200 clusters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkflowBundle } from '../../src/workflow-bundle.js';
import { startHarness, type Harness } from '../integration/harness.js';
import { startWorkerPool, type WorkerPool } from '../support/worker-pool.js';
import {
  anyRunning,
  chaosFleet,
  expectEveryClusterUpgradedOnce,
  PLATFORMS,
  rolloutFacts,
  startRollouts,
  summarise,
} from './drill.js';
import { drillSize, drillTimeoutMs } from './drill-size.js';
import { lostWork } from './lost-work.js';

const size = drillSize();

describe(`worker processes SIGKILLed every ${size.killEverySeconds}s during two ${size.clusters}-cluster rollouts`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-chaos-'));
  // Prebuilt once: a replacement worker starts in a second or two instead of bundling.
  const bundleFile = join(dir, 'workflows.bundle.js');
  let h: Harness;
  let pool: WorkerPool | undefined;
  beforeAll(async () => {
    await writeWorkflowBundle(bundleFile);
    h = await startHarness(chaosFleet(size), undefined, { inProcessWorker: false });
    pool = await startWorkerPool(2, {
      taskQueue: h.taskQueue,
      env: { ...h.env, FLEET_WORKFLOW_BUNDLE: bundleFile },
      seed: size.seed,
    });
  }, 180_000);
  afterAll(async () => {
    await pool?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'completes both rollouts: every cluster at the target, none asked twice',
    { timeout: drillTimeoutMs(size) },
    async ({ task }) => {
      const workers = pool!;
      const started = performance.now();
      const handles = await startRollouts(h, size);

      let midRollout = 0;
      for (;;) {
        // The chaos cadence (a fault schedule, not a wait for a condition).
        await sleep(size.killEverySeconds * 1000);
        if (!(await anyRunning(handles))) break;
        const kill = await workers.killOne();
        expect(kill.exit.signal).toBe('SIGKILL');
        // Still running after the process died: the kill landed mid-rollout.
        if (await anyRunning(handles)) midRollout++;
        await workers.startOne();
      }

      const reports = await Promise.all(PLATFORMS.map((platform) => handles.get(platform)!.result()));
      const wallSeconds = Math.round(performance.now() - started) / 1000;
      const facts = await Promise.all(PLATFORMS.map((platform, i) => rolloutFacts(h, platform, reports[i]!)));
      const lost = await lostWork(
        h.client,
        [...handles.values()].map((handle) => handle.workflowId),
      );
      task.meta.chaos = {
        drill: 'worker-kills',
        clustersPerRollout: size.clusters,
        maxParallel: size.maxParallel,
        wallSeconds,
        workerKills: {
          total: workers.kills.length,
          midRollout,
          ofWorkingWorkers: workers.kills.filter((k) => k.hadWorked).length,
          workersStarted: workers.started,
        },
        lostWork: lost,
        ...summarise(facts),
      };

      // Not vacuous: the kills happened while the rollouts ran, to workers that had been
      // running them, and cost work that Temporal then handed out again.
      expect(midRollout).toBeGreaterThanOrEqual(size.minKills);
      expect(workers.kills.filter((k) => k.hadWorked).length).toBeGreaterThan(0);
      expect(lost.activityAttempts + lost.workflowTasks, 'tasks lost with a killed worker and retried').toBeGreaterThan(
        0,
      );
      for (const f of facts) expectEveryClusterUpgradedOnce(f, size.clusters);
    },
  );
});
