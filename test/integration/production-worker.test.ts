/**
 * The worker as the Docker image runs it: a process of its own that loads a workflow
 * bundle prebuilt by the build (FLEET_WORKFLOW_BUNDLE) instead of bundling at start,
 * runs a rollout from it, and answers the container healthcheck (worker-health.ts).
 * The harness's own worker polls another task queue, so only the prebuilt bundle can
 * run this file's rollout.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workerHealthProblem } from '../../src/worker-health.js';
import { writeWorkflowBundle } from '../../src/workflow-bundle.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('a worker process on a prebuilt workflow bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bundle-'));
  const bundleFile = join(dir, 'workflows.bundle.js');
  const taskQueue = `prebuilt-${randomUUID()}`;
  let h: Harness;
  let worker: WorkerProcess;

  beforeAll(async () => {
    await writeWorkflowBundle(bundleFile);
    h = await startHarness({
      generate: { seed: 47, avisi: { clusters: 3 }, aether: { clusters: 1 }, minors: ['1.30'] },
      timeScale: 86_400,
    });
    worker = await startWorkerProcess({ taskQueue, env: { ...h.env, FLEET_WORKFLOW_BUNDLE: bundleFile } });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says it uses the prebuilt bundle and runs a rollout from it', async () => {
    const line = await worker.waitForLine((l) => l.includes('using the prebuilt workflow bundle'));
    expect(JSON.parse(line)).toMatchObject({ workflowBundle: bundleFile });
    expect(worker.lines.some((l) => l.includes('bundling the workflows at start'))).toBe(false);

    const organisation = h.sim.organisations.avisi[0]!;
    const report = await h.client.workflow.execute<typeof fleetRollout>('fleetRollout', {
      workflowId: `rollout-${randomUUID()}`,
      taskQueue,
      args: [{ platform: 'avisi', organisation, targetVersion: '1.31', pollInterval: '250ms', clusterDeadline: '60s' }],
    });
    expect(report, JSON.stringify(report.clusters)).toMatchObject({ status: 'SUCCEEDED', total: 3 });
  });

  it('is healthy by the healthcheck while it polls, and only its own host counts', async () => {
    await expect.poll(() => workerHealthProblem({ client: h.client, taskQueue }), { timeout: 30_000 }).toBeUndefined();
    expect(await workerHealthProblem({ client: h.client, taskQueue, host: 'another-host' })).toBe(
      `no worker on another-host polls task queue ${taskQueue}`,
    );
  });

  it('runs as the container healthcheck: exit 0 when healthy, 1 and one line when not', async () => {
    const healthcheck = (queue: string) =>
      run(process.execPath, ['--import', 'tsx', 'src/worker-health.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_NAMESPACE: inject('temporalNamespace'),
          FLEET_TASK_QUEUE: queue,
        },
      });
    await expect(healthcheck(taskQueue)).resolves.toMatchObject({ stderr: '' });
    const idle = `idle-${randomUUID()}`;
    await expect(healthcheck(idle)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(new RegExp(`^unhealthy: no worker on \\S+ polls task queue ${idle}\\n$`)),
    });
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
