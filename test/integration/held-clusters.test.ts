/**
 * A cluster that failed stays held by its child (workflows/cluster-hold.ts) until its
 * rollout retries it or ends: the rollout's end closes the child whichever way it ends
 * (aborted, halted: nothing to compensate), a rollout terminated by hand is found gone by
 * the child's own check (`holdCheck`, shortened here), and meanwhile a second rollout
 * that wants the cluster reports it SUPERSEDED, naming the rollout that holds it and why.
 * The rollout's continue-as-new carries what it holds: its last run lets the cluster go.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterResult } from '../../src/domain/report.js';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';
import { abortUpdate } from '../../src/workflows/messages.js';
import { FleetPhase } from '../../src/workflows/search-attributes.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';
import { progressUntil } from './waits.js';

const FAST = { targetVersion: '1.31', pollInterval: '200ms', retry: { maxAttempts: 0 } } as const;

/** The child holding `cluster`, once it is open with the phase `phase` (or closed, `closed`). */
async function childOf(client: Client, cluster: SimCluster, want: { status: 'RUNNING' | 'COMPLETED'; phase?: string }) {
  const handle = client.workflow.getHandle<() => Promise<ClusterResult>>(clusterLockId('aether', cluster.id));
  return eventually(
    async () => {
      const d = await handle.describe();
      const phase = d.typedSearchAttributes.get(FleetPhase);
      return d.status.name === want.status && (!want.phase || phase === want.phase)
        ? { handle, description: d }
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${cluster.name}'s child ${want.status} ${want.phase ?? ''}` },
  );
}

describe('a failed cluster held for its rollout', () => {
  let h: Harness;
  let clusters: SimCluster[];
  let organisation: string;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 1931, avisi: { clusters: 1 }, aether: { clusters: 40 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'held-failed',
    );
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    organisation = h.sim.organisations.aether[0]!;
  });
  afterAll(() => h?.close());

  /** A rollout whose first wave's cluster fails, then waits for an approval: the failed cluster's child holds it. */
  async function failedAndWaiting(failing: SimCluster, next: SimCluster, extra: object = {}) {
    await h.control(`/_sim/clusters/${failing.id}/outcomes`, { outcomes: ['FAILED'] });
    const handle = await h.startRollout({
      ...FAST,
      platform: 'aether',
      organisation,
      clusters: [failing.id, next.id],
      waves: [
        { name: 'first', match: { name: [failing.name] } },
        { name: 'second', approval: true, match: { name: [next.name] } },
      ],
      ...extra,
    });
    await progressUntil(
      handle,
      (p) => p.phase === 'awaiting-approval' && p.counts.FAILED === 1,
      'the first wave failed',
    );
    await childOf(h.client, failing, { status: 'RUNNING', phase: 'failed' });
    return handle;
  }

  it('closes when its rollout is terminated; a second rollout meanwhile reports the cluster held', async () => {
    const [failing, next] = clusters;
    const first = await failedAndWaiting(failing!, next!, { holdCheck: '1s' });

    const second = await h.runRollout({ ...FAST, platform: 'aether', organisation, clusters: [failing!.id] });
    const held = `this cluster ended FAILED in rollout ${first.workflowId}, which holds it until it retries the cluster or ends (fleet rollout status ${first.workflowId}); retry it once that rollout is done`;
    expect(second.clusters).toEqual([
      expect.objectContaining({ clusterId: failing!.id, outcome: 'SUPERSEDED', requests: 0, message: held }),
    ]);

    await first.terminate('test: a rollout gone by hand');
    // The child's own check finds its rollout gone, and lets the cluster go with the phase it had.
    const { handle } = await childOf(h.client, failing!, { status: 'COMPLETED', phase: 'failed' });
    expect(await handle.result()).toMatchObject({ clusterId: failing!.id, outcome: 'FAILED' });
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'isRolloutRunning')).toBe(
      true,
    );
    expect(events.some((e) => e.workflowExecutionSignaledEventAttributes)).toBe(false);

    // The lock is free: a third rollout upgrades the cluster (its simulated failure was used up).
    const third = await h.runRollout({ ...FAST, platform: 'aether', organisation, clusters: [failing!.id] });
    expect(third).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 1 } });
  });

  it('closes when its rollout is aborted (it has nothing to compensate)', async () => {
    const [, , failing, next] = clusters;
    const rollout = await failedAndWaiting(failing!, next!);
    await rollout.executeUpdate(abortUpdate, { args: [{ reason: 'test: abort with a held cluster', by: 'test' }] });
    expect((await rollout.result()).status).toBe('ABORTED');
    const { handle } = await childOf(h.client, failing!, { status: 'COMPLETED', phase: 'failed' });
    expect(await handle.result()).toMatchObject({ outcome: 'FAILED' });
    // Closed by its rollout's signal (the default holdCheck, 10 minutes, never came), not by a compensation.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean)).toEqual([
      'releaseHeldCluster',
    ]);
    expect(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'compensateUpgrade')).toBe(
      false,
    );
  });

  it('closes when its rollout halts on its failure budget', async () => {
    const [, , , , failing, next] = clusters;
    await h.control(`/_sim/clusters/${failing!.id}/outcomes`, { outcomes: ['FAILED'] });
    const report = await h.runRollout({
      ...FAST,
      platform: 'aether',
      organisation,
      clusters: [failing!.id, next!.id],
      maxParallel: 1,
      failureBudget: { maxFailed: 0 },
      waves: [{ name: 'all' }],
    });
    expect(report.status).toBe('HALTED');
    const { handle } = await childOf(h.client, failing!, { status: 'COMPLETED', phase: 'failed' });
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean)).toEqual([
      'releaseHeldCluster',
    ]);
  });

  it('holds it across continue-as-new; the last run lets it go', async () => {
    const [failing, ...rest] = clusters.slice(6);
    await h.control(`/_sim/clusters/${failing!.id}/outcomes`, { outcomes: ['FAILED'] });
    const ids = [failing!.id, ...rest.map((c) => c.id)];
    const handle = await h.startRollout({
      ...FAST,
      platform: 'aether',
      organisation,
      clusters: ids,
      maxParallel: 4,
      historyEventsPerRun: 200,
      waves: [{ name: 'first', clusters: [failing!.id] }, { name: 'rest' }],
    });
    expect(await handle.result()).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: rest.length, FAILED: 1 } });

    const runs: temporal.api.history.v1.IHistoryEvent[][] = [];
    for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
      const events: temporal.api.history.v1.IHistoryEvent[] =
        (await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
      runs.push(events);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(runs.length).toBeGreaterThan(1);
    const lock = clusterLockId('aether', failing!.id);
    // Started (and failed) in the first run; let go by the last, which knew of it only from the snapshot.
    expect(
      runs[0]!.some((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId === lock),
    ).toBe(true);
    const released = (events: temporal.api.history.v1.IHistoryEvent[]) =>
      events.some(
        (e) =>
          e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'releaseHeldCluster' &&
          e.signalExternalWorkflowExecutionInitiatedEventAttributes.workflowExecution?.workflowId === lock,
      );
    expect(runs.map(released)).toEqual(runs.map((_, index) => index === runs.length - 1));
    await childOf(h.client, failing!, { status: 'COMPLETED', phase: 'failed' });
  });
});
