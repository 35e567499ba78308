/**
 * A rollout whose history grows long continues as new, children and all: they were
 * started with ParentClosePolicy.ABANDON and report to whichever run is current. Its
 * state (counts, failures, operator actions, pause) crosses runs; an abort in a later
 * run cancels and compensates children an earlier run started. `historyEventsPerRun`
 * is set low so this happens with a few dozen clusters.
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutProgress } from '../../src/domain/report.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { pauseUpdate, progressQuery, resumeUpdate } from '../../src/workflows/messages.js';
import { sendAcrossRuns } from '../../src/cli/update-retry.js';
import { eventually } from '../platforms/support/sim.js';
import { progressUntil as waitForProgress } from './waits.js';
import { abortAfterContinueAsNew } from './shared-scenarios.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

type Handle = WorkflowHandleWithFirstExecutionRunId<typeof fleetRollout>;

/** Event counts of every run of a rollout, following continue-as-new from the first run. */
async function runsOf(h: Harness, handle: Handle): Promise<number[]> {
  const counts: number[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const history = await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    counts.push(history.events!.length);
    runId = history.events!.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return counts;
}

const progressUntil = (handle: Handle, check: (p: RolloutProgress) => boolean, what: string) =>
  waitForProgress(handle, check, what, 120_000);

describe('continue-as-new', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 91, avisi: { clusters: 12 }, aether: { clusters: 120 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'continue-as-new',
    );
  });
  afterAll(() => h?.close());

  it('carries counts, failures, pause and actions across runs, each run small', async () => {
    const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    const failing = clusters[40]!.id;
    await h.control(`/_sim/clusters/${failing}/outcomes`, { outcomes: ['FAILED'] });
    const handle = await h.startRollout({
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      maxParallel: 4,
      pollInterval: '200ms',
      clusterDeadline: '60s',
      retry: { maxAttempts: 0 },
      historyEventsPerRun: 200,
    });
    // Steer a later run: wait until the rollout has moved on from its first run.
    await eventually(async () => ((await handle.describe()).runId !== handle.firstExecutionRunId ? true : undefined), {
      timeoutMs: 120_000,
      what: 'a second run',
    });
    // Sent again if it reaches a run as it continues as new (the next run takes it).
    await sendAcrossRuns(() => handle.executeUpdate(pauseUpdate, { args: [{ by: 'dave', reason: 'lunch' }] }));
    const paused = await progressUntil(handle, (p) => p.paused && p.running.length === 0, 'paused and drained');
    expect(paused.pending).toBeGreaterThan(0);
    await sendAcrossRuns(() => handle.executeUpdate(resumeUpdate, { args: [{ by: 'dave' }] }));
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'PARTIAL', total: 120, counts: { SUCCEEDED: 119, FAILED: 1 } });
    expect(report.clusters).toEqual([expect.objectContaining({ clusterId: failing, outcome: 'FAILED' })]);
    expect(report.actions.map((a) => a.action)).toEqual(['pause', 'resume']);
    // 120 clusters make three runs or more even when a busy worker batches many reports
    // into one task (a parent's events per cluster fall from ~4.5 to 3): 60 made two on CI.
    const runs = await runsOf(h, handle);
    expect(runs.length).toBeGreaterThan(2);
    // The threshold, plus what arrives while a run winds down.
    for (const events of runs) expect(events).toBeLessThan(400);
    // Nothing twice across runs: one upgrade request per cluster.
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether');
    expect(new Set(requests.map((r) => r.clusterId)).size).toBe(requests.length);
  });
});

describe('aborting after continue-as-new', () => {
  let h: Harness;
  beforeAll(async () => {
    // An hour of simulated time per real minute: maintenance windows stay days away.
    h = await startHarness(
      {
        generate: { seed: 92, avisi: { clusters: 12 }, aether: { clusters: 1 }, minors: ['1.30'] },
        timeScale: 60,
        rateLimitPerMinute: { aether: 0 },
      },
      'continue-as-new-abort',
    );
  });
  afterAll(() => h?.close());

  it('cancels and compensates children that an earlier run started', () => abortAfterContinueAsNew(h));
});

describe('continuing as new while the last clusters upgrade', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(93, 6, 2), 'continue-as-new-in-flight');
  });
  afterAll(() => h?.close());

  it('waits for them in the next run and reports their outcomes', async () => {
    const handle = await h.startRollout({
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      maxParallel: 6,
      pollInterval: '200ms',
      clusterDeadline: '120s',
      waves: [{ name: 'all' }],
      historyEventsPerRun: 200,
    });
    await progressUntil(handle, (p) => p.running.length === 6 && p.pending === 0, 'all six in flight');
    await eventually(
      async () => {
        const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether');
        return clusters.every((c) => c.status === 'upgrading') ? true : undefined;
      },
      { what: 'six clusters upgrading on the platform' },
    );
    // Hold every child in its poll loop (reads fail) while the run turns over.
    await h.control('/_sim/faults', { errorRate: 1, methods: ['GET'] });
    for (let i = 0; i < 60 && (await handle.describe()).runId === handle.firstExecutionRunId; i++) {
      await handle.executeUpdate(pauseUpdate, { args: [{ reason: `tick ${i}` }] });
      await handle.executeUpdate(resumeUpdate, { args: [{}] });
    }
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    expect((await handle.query(progressQuery)).running).toHaveLength(6);

    await h.control('/_sim/faults', {});
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: 6, counts: { SUCCEEDED: 6 } });
  });
});
