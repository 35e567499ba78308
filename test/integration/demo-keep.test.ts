/**
 * `fleet demo --keep` (issue 17): its worker keeps to a task queue of its own, so a
 * second worker started on the same server, on the default queue, gets every task of
 * the rollouts started there; and one SIGINT to the demo's process group (a Ctrl-C)
 * ends everything it started within the worker's shutdown grace, also when its dev
 * server was killed first.
 *
 * Each case runs a demo of its own (2 clusters per platform), one after the other: the
 * demo's database is one file under .fleetwave/demo/.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_QUEUE } from '../../src/temporal-config.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { fleet } from '../support/fleet-cli.js';
import { devServerPids, leftOf, startKeptDemo, type KeptDemo } from '../support/demo-process.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startHarness, type Harness } from './harness.js';

/** The demo worker's shutdown grace (createFleetWorker's default `shutdownGraceTime`): everything must be gone by then. */
const GRACE_MS = 10_000;
const DEMO_CLUSTERS = 2;

/** Polls `left` until it reports nothing left, or `withinMs` passes; returns the last report and when it emptied. */
async function waitUntilGone(
  demo: KeptDemo,
  withinMs: number,
): Promise<{ left: ReturnType<typeof leftOf>; afterMs: number }> {
  const since = Date.now();
  for (;;) {
    const left = leftOf(demo);
    const empty = left.group.length === 0 && left.devServer.length === 0 && left.listening.length === 0;
    if (empty || Date.now() - since > withinMs) {
      console.log(`[demo-keep] ${empty ? 'everything gone' : 'still there'} ${Date.now() - since} ms after the SIGINT`);
      return { left, afterMs: Date.now() - since };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every identity that took a workflow or activity task in this history. */
async function taskIdentities(client: Client, workflowId: string): Promise<Set<string>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const identities = new Set<string>();
  for (const event of history.events ?? []) {
    const started = event.workflowTaskStartedEventAttributes ?? event.activityTaskStartedEventAttributes;
    if (started?.identity) identities.add(started.identity);
  }
  return identities;
}

async function pollerIdentities(client: Client, taskQueue: string): Promise<string[]> {
  const identities: string[] = [];
  for (const taskQueueType of [1, 2]) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType,
    });
    identities.push(...(pollers ?? []).map((p) => p.identity ?? ''));
  }
  return identities;
}

describe('fleet demo --keep', () => {
  let demo: KeptDemo | undefined;
  let worker: WorkerProcess | undefined;
  let h: Harness | undefined;

  afterEach(async () => {
    await worker?.stop();
    await h?.close();
    // Whatever a failed case left: its group and its dev server (found by its port), by pid.
    if (demo) {
      for (const pid of [...leftOf(demo).group, ...devServerPids(demo.ports[0]!)]) process.kill(pid, 'SIGKILL');
      await demo.exited;
    }
    worker = h = demo = undefined;
  });

  it('leaves the default task queue to a second worker, then one SIGINT ends everything it started', async () => {
    demo = await startKeptDemo(DEMO_CLUSTERS);
    const temporal = { address: demo.address, namespace: 'default' };

    // "A first real rollout" against the demo's server: a worker of the user's on the default queue, their own platform.
    h = await startHarness(
      { generate: { seed: 175, avisi: { clusters: 1 }, aether: { clusters: 3 }, minors: ['1.30'] }, timeScale: 86_400 },
      undefined,
      { temporal, inProcessWorker: false },
    );
    worker = await startWorkerProcess({ taskQueue: DEFAULT_TASK_QUEUE, env: h.env, temporal });
    const identity = `${worker.child.pid}@${hostname()}`;
    const workflowId = `rollout-${randomUUID()}`;
    const organisation = h.sim.organisations.aether[0]!;
    const handle = await h.client.workflow.start<typeof fleetRollout>('fleetRollout', {
      workflowId,
      taskQueue: DEFAULT_TASK_QUEUE,
      args: [
        { platform: 'aether', organisation, targetVersion: '1.31', pollInterval: '250ms', clusterDeadline: '60s' },
      ],
    });
    const report = await handle.result().catch((error: unknown) => error);

    // Soft: the SIGINT below is the case's other half, and must run whatever these say.
    const pollers = [...new Set(await pollerIdentities(h.client, DEFAULT_TASK_QUEUE))];
    expect
      .soft({ pollers, tookTasks: [...(await taskIdentities(h.client, workflowId))] })
      .toEqual({ pollers: [identity], tookTasks: [identity] });
    expect.soft(report, JSON.stringify(report)).toMatchObject({ status: 'SUCCEEDED', total: 3 });
    // The demo's worker is on a queue of its own, and says how to reach it.
    expect.soft(await pollerIdentities(h.client, 'fleet-demo')).not.toEqual([]);
    expect.soft(demo.exports).toMatchObject({
      TEMPORAL_ADDRESS: demo.address,
      FLEET_TASK_QUEUE: 'fleet-demo',
      AVISI_API_URL: `${demo.simUrl}/api/v1`,
      AETHER_API_URL: `${demo.simUrl}/api/v1`,
    });
    expect.soft(Object.keys(demo.exports)).toEqual(expect.arrayContaining(['AVISI_API_TOKEN', 'AETHER_API_TOKEN']));
    // Those exports steer the demo on purpose: a plan of its Avisi organisation, answered by its worker from its simulator.
    const avisiOrg = /Avisi clusters in (\S+),/.exec(demo.lines.join('\n'))?.[1] ?? '?';
    const plan = await fleet(
      { ...demo.exports },
      'rollout',
      'plan',
      '--platform',
      'avisi',
      '--organisation',
      avisiOrg,
      '--target',
      '1.31',
      '--json',
    );
    expect.soft({ code: plan.code, stderr: plan.stderr }).toMatchObject({ code: 0 });
    if (plan.code === 0) expect.soft(JSON.parse(plan.stdout)).toMatchObject({ total: DEMO_CLUSTERS });

    await worker.stop();
    worker = undefined;
    process.kill(-demo.pgid, 'SIGINT');
    const { left, afterMs } = await waitUntilGone(demo, GRACE_MS);
    expect({ left, within: afterMs <= GRACE_MS }, demo.lines.slice(-15).join('\n')).toEqual({
      left: { group: [], devServer: [], listening: [] },
      within: true,
    });
  });

  it('one SIGINT as soon as it keeps running ends everything it started', async () => {
    // As a user's Ctrl-C: the dev server and the worker get it at once (on main they raced, and the worker hung).
    demo = await startKeptDemo(DEMO_CLUSTERS);
    process.kill(-demo.pgid, 'SIGINT');
    const { left, afterMs } = await waitUntilGone(demo, GRACE_MS);
    expect({ left, within: afterMs <= GRACE_MS }, demo.lines.slice(-15).join('\n')).toEqual({
      left: { group: [], devServer: [], listening: [] },
      within: true,
    });
  });

  it('one SIGINT ends everything it started when its dev server was killed first', async () => {
    demo = await startKeptDemo(DEMO_CLUSTERS);
    const [server] = devServerPids(demo.ports[0]!);
    expect(server).toBeDefined();
    process.kill(server!, 'SIGKILL');
    await expect.poll(() => devServerPids(demo!.ports[0]!), { timeout: 5_000 }).toEqual([]);

    process.kill(-demo.pgid, 'SIGINT');
    const { left, afterMs } = await waitUntilGone(demo, GRACE_MS);
    expect({ left, within: afterMs <= GRACE_MS }, demo.lines.slice(-15).join('\n')).toEqual({
      left: { group: [], devServer: [], listening: [] },
      within: true,
    });
  });
});
