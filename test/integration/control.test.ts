/**
 * Steering a running rollout on a real dev server: pause and resume, an approval gate
 * (approved, and timed out), skip, retry and setMaxParallel, the failure budget
 * tripping at exactly its threshold, and an abort mid-wave whose compensation shows
 * in the simulator.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abortUpdate,
  approveUpdate,
  resumeUpdate,
  retryClusterUpdate,
  setMaxParallelUpdate,
  skipClusterUpdate,
} from '../../src/workflows/messages.js';
import { startRollout } from '../../src/cli/rollouts.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { eventually } from '../platforms/support/sim.js';
import { twoRolloutsOverOneCluster } from './shared-scenarios.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';
import { progressUntil } from './waits.js';

const FAST = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
} as const;

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message ?? '';
};

describe('steering an Aether rollout', () => {
  let h: Harness;
  let clusters: SimCluster[];
  let org: string;
  const requestsFor = async (ids: readonly string[]) =>
    (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether')).requests.filter(
      (r) => r.clusterId && ids.includes(r.clusterId),
    );

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 31, avisi: { clusters: 1 }, aether: { clusters: 40 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'steering',
    );
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    org = h.sim.organisations.aether[0]!;
  });
  afterAll(() => h?.close());
  const take = (() => {
    let next = 0;
    return (n: number) => {
      if (next + n > clusters.length)
        throw new Error(`the fleet has ${clusters.length} clusters; tests asked for ${next + n}`);
      return clusters.slice(next, (next += n)).map((c) => c.id);
    };
  })();

  it('pauses (nothing starts) and resumes; both land in the report', async () => {
    const ids = take(3);
    const handle = await h.startPaused({
      ...FAST,
      platform: 'aether',
      organisation: org,
      clusters: ids,
      waves: [{ name: 'all' }],
    });
    const paused = await progressUntil(handle, (p) => p.phase === 'upgrading', 'planned and paused');
    expect(paused).toMatchObject({ paused: true, running: [], pending: 3 });
    expect(await requestsFor(ids)).toEqual([]);
    expect(await rejection(handle.executeUpdate(abortUpdate, { args: [{ reason: '' }] }))).toMatch(/needs a reason/);

    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'alice', reason: 'window confirmed' }] });
    expect(await rejection(handle.executeUpdate(resumeUpdate, { args: [{}] }))).toMatch(/not paused/);
    const report = await handle.result();

    expect(report.status).toBe('SUCCEEDED');
    expect(report.actions.map((a) => [a.action, a.by])).toEqual([
      ['pause', 'test'],
      ['resume', 'alice'],
    ]);
    // Every upgrade request came after the resume.
    const resumedAt = Date.parse(report.actions[1]!.at);
    const requests = await requestsFor(ids);
    expect(requests).toHaveLength(3);
    for (const r of requests) expect(Date.parse((r as unknown as { at: string }).at)).toBeGreaterThanOrEqual(resumedAt);
  });

  it('attaches to a rollout that runs when started again with its id', async () => {
    const ids = take(2);
    const spec = { ...FAST, platform: 'aether' as const, organisation: org, clusters: ids };
    const first = await h.startPaused(spec, `attach-${ids[0]}`);
    const again = await startRollout(h.client, {
      taskQueue: h.taskQueue,
      spec,
      plan: parseRolloutSpec(spec),
      rolloutId: first.workflowId,
    });
    expect((await again.describe()).runId).toBe((await first.describe()).runId);
    await again.executeUpdate(resumeUpdate, { args: [{}] });
    expect((await first.result()).counts.SUCCEEDED).toBe(2);
    expect(await requestsFor(ids)).toHaveLength(2);
  });

  it('waits at an approval gate until the wave is approved', async () => {
    const ids = take(4);
    const handle = await h.startRollout({
      ...FAST,
      platform: 'aether',
      organisation: org,
      clusters: ids,
      waves: [
        { name: 'canary', size: 1 },
        { name: 'rest', approval: true },
      ],
    });
    const gated = await progressUntil(handle, (p) => p.phase === 'awaiting-approval', 'the gate');
    expect(gated.waves.map((w) => [w.name, w.state, w.counts.SUCCEEDED])).toEqual([
      ['canary', 'done', 1],
      ['rest', 'awaiting-approval', 0],
    ]);
    expect(await requestsFor(ids)).toHaveLength(1);
    expect(await rejection(handle.executeUpdate(approveUpdate, { args: [{ wave: 'canary' }] }))).toMatch(
      /no approval gate/,
    );
    expect(await rejection(handle.executeUpdate(approveUpdate, { args: [{ wave: 'nope' }] }))).toMatch(
      /no wave "nope"/,
    );

    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'rest', by: 'bob' }] });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 4 } });
    expect(report.actions).toEqual([expect.objectContaining({ action: 'approve', target: 'rest', by: 'bob' })]);
  });

  it('aborts when a gate times out, leaving the rest untouched', async () => {
    const ids = take(3);
    const report = await h.runRollout({
      ...FAST,
      platform: 'aether',
      organisation: org,
      clusters: ids,
      waves: [
        { name: 'canary', size: 1 },
        { name: 'rest', approval: { timeout: '1s', onTimeout: 'abort' } },
      ],
    });
    expect(report).toMatchObject({
      status: 'ABORTED',
      stopReason: 'approval of wave rest timed out',
      counts: { SUCCEEDED: 1, NOT_STARTED: 2 },
    });
    expect(report.actions).toEqual([expect.objectContaining({ action: 'approvalTimeout', target: 'rest' })]);
    expect(await requestsFor(ids)).toHaveLength(1);
  });

  it('skips a queued cluster, retries a failed one with the same inputs, and takes a new maxParallel', async () => {
    const [first, second, skipped] = take(3) as [string, string, string];
    await h.control(`/_sim/clusters/${first}/outcomes`, { outcomes: ['FAILED', 'SUCCEEDED'] });
    const handle = await h.startPaused({
      ...FAST,
      platform: 'aether',
      organisation: org,
      clusters: [first, second, skipped],
      maxParallel: 1,
      waves: [
        { name: 'one', clusters: [first] },
        { name: 'two', approval: true },
      ],
    });
    await progressUntil(handle, (p) => p.phase === 'upgrading', 'planned');
    expect(
      await rejection(
        handle.executeUpdate(skipClusterUpdate, { args: [{ clusterId: '00000000-0000-4000-8000-000000000000' }] }),
      ),
    ).toMatch(/not in this rollout/);
    await handle.executeUpdate(skipClusterUpdate, { args: [{ clusterId: skipped, reason: 'owned by another team' }] });
    expect(await rejection(handle.executeUpdate(setMaxParallelUpdate, { args: [{ maxParallel: 0 }] }))).toMatch(
      /from 1 to 1000/,
    );
    await handle.executeUpdate(setMaxParallelUpdate, { args: [{ maxParallel: 3 }] });
    expect(await rejection(handle.executeUpdate(retryClusterUpdate, { args: [{ clusterId: first }] }))).toMatch(
      /only a cluster that ended FAILED/,
    );
    await handle.executeUpdate(resumeUpdate, { args: [{}] });

    const failed = await progressUntil(handle, (p) => p.phase === 'awaiting-approval', 'wave one done');
    // The skipped cluster belongs to wave two: it is left out when that wave reads it.
    expect(failed.counts).toMatchObject({ FAILED: 1, SKIPPED: 0 });
    await handle.executeUpdate(retryClusterUpdate, { args: [{ clusterId: first, reason: 'node pool fixed' }] });
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'two' }] });
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 2, SKIPPED: 1, FAILED: 0 } });
    expect(report.actions.map((a) => a.action)).toEqual([
      'pause',
      'skipCluster',
      'setMaxParallel',
      'resume',
      'retryCluster',
      'approve',
    ]);
    expect(report.waves.map((w) => w.maxParallel)).toEqual([3, 3]);
    expect(await requestsFor([first])).toHaveLength(2);
    expect(await requestsFor([skipped])).toEqual([]);
  });

  it.each([
    [1, 'HALTED'],
    [2, 'PARTIAL'],
  ] as const)('with maxFailed %i and two failures the rollout ends %s', async (maxFailed, status) => {
    const ids = take(5);
    for (const id of [ids[1]!, ids[3]!]) await h.control(`/_sim/clusters/${id}/outcomes`, { outcomes: ['FAILED'] });
    const report = await h.runRollout({
      ...FAST,
      platform: 'aether',
      organisation: org,
      clusters: ids,
      maxParallel: 1,
      waves: [{ name: 'all' }],
      failureBudget: { maxFailed },
    });

    expect(report.status).toBe(status);
    if (status === 'HALTED') {
      // The second failure is one past the budget: the fifth cluster is never touched.
      expect(report.counts).toMatchObject({ SUCCEEDED: 2, FAILED: 2, NOT_STARTED: 1 });
      expect(report.stopReason).toMatch(/2 failed, 1 allowed/);
      expect(await requestsFor([ids[4]!])).toEqual([]);
      // The saga's undo for the failed clusters: their desired version goes back to what they run.
      for (const id of [ids[1]!, ids[3]!]) {
        expect(report.clusters.find((c) => c.clusterId === id)?.compensation).toBe('restored k8s_version');
        const cluster = await h.inspect<SimCluster & { desiredVersion: string }>(`/_sim/clusters/${id}`);
        expect(cluster).toMatchObject({ status: 'running', desiredVersion: cluster.version });
        expect(cluster.version).toMatch(/^1\.30\./);
      }
    } else {
      expect(report.counts).toMatchObject({ SUCCEEDED: 3, FAILED: 2, NOT_STARTED: 0 });
    }
  });
});

describe('aborting an Avisi rollout mid-wave', () => {
  let h: Harness;

  beforeAll(async () => {
    // An hour of simulated time per real minute: maintenance windows stay days away for the whole test.
    h = await startHarness(
      {
        generate: { seed: 41, avisi: { clusters: 6 }, aether: { clusters: 1 }, minors: ['1.30'] },
        timeScale: 60,
        rateLimitPerMinute: { aether: 0 },
      },
      'abort',
    );
  });
  afterAll(() => h?.close());

  it('withdraws the scheduled upgrades that have not begun and never starts the rest', async () => {
    const organisation = h.sim.organisations.avisi[0]!;
    const handle = await h.startRollout({
      ...FAST,
      platform: 'avisi',
      organisation,
      maxParallel: 4,
      waves: [{ name: 'all' }],
    });
    const waiting = await progressUntil(handle, (p) => p.running.length === 4, 'four clusters in flight');
    await eventually(
      async () => {
        const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi');
        return clusters.filter((c) =>
          c.upgrades.some((u) => u.status === 'SCHEDULED' || u.status === 'SCHEDULED_NOTIFIED'),
        ).length === 4
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, what: 'four upgrades scheduled' },
    );

    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'bad canary metrics', by: 'carol' }] });
    const report = await handle.result();

    expect(report).toMatchObject({
      status: 'ABORTED',
      stopReason: 'aborted by carol: bad canary metrics',
      counts: { CANCELLED: 4, NOT_STARTED: 2, SUCCEEDED: 0 },
    });
    const cancelled = report.clusters.filter((c) => c.outcome === 'CANCELLED');
    expect(cancelled.map((c) => c.clusterId).sort()).toEqual([...waiting.running].sort());
    for (const c of cancelled) expect(c.compensation).toBe('withdrawn');

    const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi');
    for (const cluster of clusters) {
      if (waiting.running.includes(cluster.id)) expect(cluster.upgrades.map((u) => u.status)).toEqual(['CANCELLED']);
      else expect(cluster.upgrades).toEqual([]);
      expect(cluster.version).toMatch(/^1\.30\./);
    }
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=avisi');
    expect(requests.filter((r) => r.method === 'DELETE')).toHaveLength(4);
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(4);
    // A closed rollout takes no more updates (the server answers for it).
    await expect(handle.executeUpdate(abortUpdate, { args: [{ reason: 'again' }] })).rejects.toThrow(
      /completed|not found/i,
    );
  });
});

describe('aborting an Aether rollout while clusters upgrade', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(43, 5, 3), 'abort-aether');
  });
  afterAll(() => h?.close());

  it('lets upgrades that have begun finish, never downgrading, and starts no more', async () => {
    const handle = await h.startRollout({
      ...FAST,
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      maxParallel: 3,
      waves: [{ name: 'all' }],
    });
    const moving = await progressUntil(handle, (p) => p.running.length === 3, 'three upgrading');
    await eventually(
      async () => {
        const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether');
        return clusters.filter((c) => c.status === 'upgrading').length === 3 ? true : undefined;
      },
      { what: 'three clusters upgrading on the platform' },
    );
    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'pager went off' }] });
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'ABORTED', counts: { SUCCEEDED: 3, NOT_STARTED: 2, CANCELLED: 0 } });
    const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether');
    for (const cluster of clusters)
      expect(cluster.version).toMatch(moving.running.includes(cluster.id) ? /^1\.31\./ : /^1\.30\./);
    // One PUT each for the three, no restoring PUT: nothing was downgraded.
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether');
    expect(requests).toHaveLength(3);
  });
});

describe('two rollouts over one cluster', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(44, 2, 3), 'claims');
  });
  afterAll(() => h?.close());

  it('lets only one upgrade a cluster at a time; the other asks nothing and reports it SUPERSEDED', () =>
    twoRolloutsOverOneCluster(h));
});
