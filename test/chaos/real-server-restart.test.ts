/**
 * Chaos drill on the production topology: the real Temporal server on PostgreSQL
 * (src/devserver/temporal-server.ts, `npm run server`'s) goes away mid-rollout, twice
 * over: the server process is SIGKILLed (a crash), stays down a few seconds and is
 * started again on the same ports and database; later PostgreSQL itself is restarted
 * under the running server. An Aether and an Avisi rollout run on two worker processes
 * that nobody restarts. Then the same proof as the dev-server drills, read from the
 * simulator: every cluster at the target, exactly one upgrade request per cluster, and
 * both worker processes alive.
 *
 * Skipped, saying why, when the server is not installed or PostgreSQL is missing and
 * CI is unset; in CI that fails instead. Sizes from the environment (drill-size.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  findTemporalServer,
  SERVER_INSTALL_HINT,
  TEMPORAL_SERVER_VERSION,
} from '../../src/devserver/install-server.js';
import { findPostgres, POSTGRES_MISSING } from '../../src/devserver/postgres.js';
import { startTemporalServer, type RealTemporalServer } from '../../src/devserver/temporal-server.js';
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
const missing = [
  ...((await findTemporalServer())
    ? []
    : [`Temporal server ${TEMPORAL_SERVER_VERSION} is not installed: ${SERVER_INSTALL_HINT}`]),
  ...(findPostgres() ? [] : [POSTGRES_MISSING]),
];
const CI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
if (missing.length > 0 && !CI) console.warn(`[real-server chaos] skipped (CI is unset): ${missing.join('; ')}`);

describe.skipIf(missing.length > 0 && !CI)(
  `Temporal server ${TEMPORAL_SERVER_VERSION} SIGKILLed and PostgreSQL restarted during two ${size.clusters}-cluster rollouts`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-chaos-real-'));
    const bundleFile = join(dir, 'workflows.bundle.js');
    let server: RealTemporalServer | undefined;
    let h: Harness;
    let pool: WorkerPool | undefined;
    beforeAll(async () => {
      if (missing.length > 0) throw new Error(`CI is set and the real server cannot run: ${missing.join('; ')}`);
      await writeWorkflowBundle(bundleFile);
      // Error lines are routine while the services find each other (and after the kill): only a crash is news here.
      server = await startTemporalServer({
        onLog: (line) => /"level":"(dpanic|panic|fatal)"/.test(line) && console.error(`[temporal-server] ${line}`),
      });
      const temporal = { address: server.address, namespace: server.namespace };
      h = await startHarness(chaosFleet(size), undefined, { inProcessWorker: false, temporal });
      pool = await startWorkerPool(2, {
        taskQueue: h.taskQueue,
        env: { ...h.env, FLEET_WORKFLOW_BUNDLE: bundleFile },
        temporal,
        seed: size.seed,
      });
    }, 240_000);
    afterAll(async () => {
      await pool?.stop();
      await h?.close();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it(
      'completes both rollouts: every cluster at the target, none asked twice, the workers never restarted',
      { timeout: drillTimeoutMs(size) + 120_000 },
      async ({ task }) => {
        const workers = pool!;
        const started = performance.now();
        const handles = await startRollouts(h, size);
        const faults: string[] = [];
        let midRollout = 0;
        let upgraded = 0;
        const fault = async (name: string, act: () => Promise<void>) => {
          // While clusters are in flight: after more clusters were upgraded (since the start or the last fault, which proves the rollouts resumed).
          await vi.waitFor(async () => expect(await upgradedSoFar(handles)).toBeGreaterThan(upgraded), {
            timeout: 120_000,
            interval: 250,
          });
          upgraded = await upgradedSoFar(handles);
          if (!(await anyRunning(handles))) return;
          await act();
          faults.push(name);
          if (await anyRunning(handles)) midRollout++;
        };

        const before = server!.pids;
        await fault('server SIGKILL', async () => {
          await server!.kill();
          // The outage itself (a fault's duration, not a wait for a condition).
          await sleep(size.outageSeconds * 1000);
          await server!.restart();
        });
        await fault('PostgreSQL restart', () => server!.postgres.restart());

        const { facts, workersExited, summary } = await endServerDrill(h, handles, workers, {
          drill: 'real-server-restart',
          size,
          started,
          faults: faults,
          midRollout,
        });
        task.meta.chaos = summary;

        expect(faults).toEqual(['server SIGKILL', 'PostgreSQL restart']);
        expect(midRollout).toBe(2);
        expect(server!.pids.server).not.toBe(before.server);
        expect(server!.pids.postgres).not.toBe(before.postgres);
        expect(workersExited).toBe(0);
        for (const f of facts) expectEveryClusterUpgradedOnce(f, size.clusters);
      },
    );
  },
);
