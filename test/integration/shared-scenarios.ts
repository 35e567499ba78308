/**
 * Scenarios that run on the dev server and again on the real Temporal server on
 * PostgreSQL (real-server.test.ts): the same steps and the same proof, from the
 * simulator, on both. Each takes a harness whose simulator the caller sized as its
 * comment says.
 */
import { expect } from 'vitest';
import { sendAcrossRuns } from '../../src/cli/update-retry.js';
import { abortUpdate, pauseUpdate, resumeUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import type { Harness, SimCluster, SimRequest } from './harness.js';
import { progressUntil } from './waits.js';

const FAST = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
} as const;

/**
 * Twelve Avisi clusters whose windows stay days away (an hour of simulated time per
 * real minute): ten in flight, the run continues as new (updates push its history over
 * the threshold), and an abort in the later run cancels and compensates every child
 * the first run started; the two never started stay NOT_STARTED.
 */
export async function abortAfterContinueAsNew(h: Harness): Promise<void> {
  const handle = await h.startRollout({
    platform: 'avisi',
    organisation: h.sim.organisations.avisi[0]!,
    targetVersion: '1.31',
    maxParallel: 10,
    pollInterval: '200ms',
    waves: [{ name: 'all' }],
    historyEventsPerRun: 200,
  });
  await progressUntil(handle, (p) => p.running.length === 10, 'ten in flight', 120_000);
  // Queries and polls add no events: push the history over the threshold with updates, then let the run turn over.
  for (let i = 0; i < 40 && (await handle.describe()).runId === handle.firstExecutionRunId; i++) {
    // Sent again when one reaches the run just as it continues as new.
    await sendAcrossRuns(() => handle.executeUpdate(pauseUpdate, { args: [{ reason: `tick ${i}` }] }));
    await sendAcrossRuns(() => handle.executeUpdate(resumeUpdate, { args: [{}] }));
  }
  expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);

  await sendAcrossRuns(() => handle.executeUpdate(abortUpdate, { args: [{ reason: 'change freeze' }] }));
  const report = await handle.result();
  expect(report).toMatchObject({ status: 'ABORTED', counts: { CANCELLED: 10, NOT_STARTED: 2 } });
  const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi');
  expect(clusters.filter((c) => c.upgrades.map((u) => u.status).join() === 'CANCELLED')).toHaveLength(10);
}

/**
 * Two slow Aether clusters: while a first rollout upgrades one, a second rollout over
 * both asks nothing for it and reports it SUPERSEDED (the child's workflow id is the
 * cluster's lock); once the first is done, a third may take it (at the target: SKIPPED).
 */
export async function twoRolloutsOverOneCluster(h: Harness): Promise<void> {
  const [shared, other] = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters.map(
    (c) => c.id,
  );
  const organisation = h.sim.organisations.aether[0]!;
  const first = await h.startRollout({ ...FAST, platform: 'aether', organisation, clusters: [shared!] });
  await eventually(
    async () => {
      const cluster = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters.find(
        (c) => c.id === shared,
      );
      return cluster?.status === 'upgrading' ? true : undefined;
    },
    { what: 'the shared cluster upgrading for the first rollout' },
  );

  const second = await h.runRollout({
    ...FAST,
    platform: 'aether',
    organisation,
    clusters: [shared!, other!],
    waves: [{ name: 'all' }],
  });
  expect(second).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: 1, SUPERSEDED: 1 } });
  // The refusal names the rollout that holds the cluster, and how to see it.
  const holds = `rollout ${first.workflowId} holds this cluster now (fleet rollout status ${first.workflowId}); retry it once that rollout is done`;
  expect(second.clusters).toEqual([
    expect.objectContaining({ clusterId: shared, outcome: 'SUPERSEDED', requests: 0, message: holds }),
  ]);
  expect(await first.result()).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 1 } });
  const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether');
  expect(requests.filter((r) => r.clusterId === shared)).toHaveLength(1);

  // Released when the first rollout was done: a third one may upgrade it (it is at the target now: nothing to do).
  const third = await h.runRollout({ ...FAST, platform: 'aether', organisation, clusters: [shared!] });
  expect(third).toMatchObject({ status: 'SUCCEEDED', counts: { SKIPPED: 1 } });
}
