/**
 * The rollout's search attributes move, on a real dev server: FleetPhase,
 * FleetProgressPercent and FleetFailedClusters follow the rollout and its end, with
 * few upserts, and they carry across continue-as-new. Visibility is eventually
 * consistent, so list queries are waited on.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type SimCluster } from './harness.js';
import { listed } from './waits.js';

const FAST = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
  ignoreMaintenanceSchedule: true,
} as const;

type Event = temporal.api.history.v1.IHistoryEvent;
type Fields = Record<string, temporal.api.common.v1.IPayload>;
const decode = (fields: Fields | null | undefined): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(fields ?? {}).map(([name, payload]) => [name, defaultPayloadConverter.fromPayload(payload)]),
  );

/** Every search attribute upsert of a run, decoded, in order; not the SDK's own marks of the patches a run took (TemporalChangeVersion). */
const upsertsIn = (events: readonly Event[]) =>
  events.flatMap((e) => {
    const { TemporalChangeVersion: _patches, ...fleet } = decode(
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields as Fields,
    );
    return Object.keys(fleet).length > 0 ? [fleet] : [];
  });

describe('rollout search attributes', () => {
  let h: Harness;
  let avisi: SimCluster[];
  let aether: SimCluster[];

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 57, avisi: { clusters: 8 }, aether: { clusters: 60 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'search-attributes',
    );
    avisi = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    aether = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(() => h?.close());

  it('moves percent, failed count and phase as clusters end, and lists the rollout by them at the end', async () => {
    const ids = avisi.slice(0, 4).map((c) => c.id);
    await h.control(`/_sim/clusters/${ids[2]}/outcomes`, { outcomes: ['FAILED'] });
    const handle = await h.startRollout({
      ...FAST,
      platform: 'avisi',
      organisation: avisi[0]!.organisation,
      clusters: ids,
      maxParallel: 1,
    });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: 3, FAILED: 1 } });

    const [execution] = await listed(
      h.client,
      `FleetRolloutId = "${handle.workflowId}" AND FleetProgressPercent = 100 AND FleetFailedClusters = 1 AND FleetPhase = "done"`,
      1,
    );
    expect(execution!.workflowId).toBe(handle.workflowId);
    await listed(h.client, `FleetRolloutId = "${handle.workflowId}" AND FleetFailedClusters = 0`, 0);

    const upserts = upsertsIn((await handle.fetchHistory()).events!);
    // One upsert says who the rollout is, where it stands and that nothing failed yet.
    expect(upserts[0]).toEqual({
      FleetRolloutId: handle.workflowId,
      FleetPlatform: 'avisi',
      FleetOrganisation: avisi[0]!.organisation,
      FleetTargetVersion: '1.31',
      FleetPhase: 'planning',
      FleetProgressPercent: 0,
      FleetFailedClusters: 0,
    });
    const phases = upserts.flatMap((u) => (u.FleetPhase ? [u.FleetPhase] : []));
    expect(phases).toEqual(['planning', 'upgrading', 'done']);
    const percents = upserts.flatMap((u) =>
      u.FleetProgressPercent !== undefined ? [u.FleetProgressPercent as number] : [],
    );
    expect(percents).toEqual([0, 25, 50, 75, 100]);
    expect(upserts.flatMap((u) => (u.FleetFailedClusters !== undefined ? [u.FleetFailedClusters] : []))).toEqual([
      0, 1,
    ]);
  });

  it('says halted when a failure budget stopped the rollout', async () => {
    const ids = avisi.slice(4, 7).map((c) => c.id);
    await h.control(`/_sim/clusters/${ids[0]}/outcomes`, { outcomes: ['FAILED'] });
    const handle = await h.startRollout({
      ...FAST,
      platform: 'avisi',
      organisation: avisi[0]!.organisation,
      clusters: ids,
      maxParallel: 1,
      failureBudget: { maxFailed: 0 },
      waves: [{ name: 'all' }],
    });
    expect((await handle.result()).status).toBe('HALTED');
    await listed(
      h.client,
      `FleetRolloutId = "${handle.workflowId}" AND FleetPhase = "halted" AND FleetFailedClusters = 1 AND FleetProgressPercent = 100`,
      1,
    );
  });

  it('carries them across continue-as-new, each later run starting with what the last one showed', async () => {
    const failing = aether[30]!.id;
    await h.control(`/_sim/clusters/${failing}/outcomes`, { outcomes: ['FAILED'] });
    const handle = await h.startRollout({
      ...FAST,
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      maxParallel: 4,
      historyEventsPerRun: 200,
    });
    expect(await handle.result()).toMatchObject({ status: 'PARTIAL', total: 60, counts: { SUCCEEDED: 59, FAILED: 1 } });

    const runs: Event[][] = [];
    for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
      const events: Event[] = (await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events!;
      runs.push(events);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(runs.length).toBeGreaterThan(1);
    let last: Record<string, unknown> = {};
    for (const [index, events] of runs.entries()) {
      const started = decode(
        events[0]!.workflowExecutionStartedEventAttributes!.searchAttributes?.indexedFields as Fields,
      );
      // A later run starts with every attribute the previous run showed last (the server carries them over).
      if (index > 0) expect(started).toMatchObject(last);
      for (const upsert of upsertsIn(events)) last = { ...last, ...upsert };
    }
    expect(last).toMatchObject({
      FleetRolloutId: handle.workflowId,
      FleetPhase: 'done',
      FleetProgressPercent: 100,
      FleetFailedClusters: 1,
    });
    // About one upsert per percent point at most, however many runs.
    expect(runs.flatMap(upsertsIn).length).toBeLessThanOrEqual(60 + 5);

    // Every run is listed under the rollout's id (its children carry the id too); the current one with its final numbers.
    await listed(h.client, `FleetRolloutId = "${handle.workflowId}" AND WorkflowType = "fleetRollout"`, runs.length);
    await listed(h.client, `FleetRolloutId = "${handle.workflowId}" AND WorkflowType = "clusterUpgrade"`, 60);
    await listed(
      h.client,
      `FleetRolloutId = "${handle.workflowId}" AND ExecutionStatus = "Completed" AND FleetProgressPercent = 100 AND FleetFailedClusters = 1`,
      1,
    );
  });
});
