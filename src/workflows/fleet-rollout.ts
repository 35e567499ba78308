/**
 * `fleetRollout(spec)`: the parent. Validates the spec (before any API call), plans
 * (reads versions and inventory, rejects downgrades and skipped minors before any
 * change), then runs one `clusterUpgrade` child per cluster, at most `maxParallel` at
 * once, and returns a report that counts outcomes.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { INVALID_SPEC, PLANNING_FAILED } from '../domain/failure-types.js';
import { ParentClosePolicy, proxyActivities, setCurrentDetails, setHandler, startChild, upsertSearchAttributes, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { emptyCounts, rolloutStatusOf, type ClusterPlanEntry, type ClusterResult, type OutcomeCounts, type RolloutPhase, type RolloutReport } from '../domain/report.js';
import { validateRolloutSpec, type RolloutSpec } from '../domain/spec.js';
import { clusterSummary, clusterUpgrade, clusterWorkflowId, type ClusterUpgradeInput } from './cluster-upgrade.js';
import { progressQuery } from './messages.js';
import { FleetOrganisation, FleetPhase, FleetPlatform, FleetRolloutId, FleetTargetVersion } from './search-attributes.js';

const planner = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function fleetRollout(spec: RolloutSpec): Promise<RolloutReport> {
  const rolloutId = workflowInfo().workflowId;
  const startedAt = new Date().toISOString();
  let phase: RolloutPhase = 'validating';
  // Set once planning resolved the target on the platform; read by the query and the details.
  const resolved: { version?: string } = {};
  let total = 0;
  let pending = 0;
  const running = new Set<string>();
  const counts: OutcomeCounts = emptyCounts();
  const notSucceeded: ClusterResult[] = [];

  setHandler(progressQuery, () => ({
    rolloutId,
    phase,
    targetVersion: typeof spec?.targetVersion === 'string' ? spec.targetVersion : '',
    ...(resolved.version ? { resolvedVersion: resolved.version } : {}),
    total,
    pending,
    running: [...running],
    counts: { ...counts },
  }));

  const validated = validateRolloutSpec(spec);
  if (!validated.ok) {
    const problems = validated.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid rollout spec: ${problems}`, INVALID_SPEC, ...validated.problems);
  }
  const plan = validated.plan;
  const enter = (next: RolloutPhase) => {
    phase = next;
    upsertSearchAttributes([{ key: FleetPhase, value: next }]);
    setCurrentDetails(detailsTable());
  };
  const detailsTable = () =>
    [
      `**${plan.platform}/${plan.organisation} -> ${resolved.version ?? plan.targetVersion}** (${phase})`,
      '',
      '| total | pending | running | succeeded | skipped | failed | missed | superseded |',
      '|---|---|---|---|---|---|---|---|',
      `| ${total} | ${pending} | ${running.size} | ${counts.SUCCEEDED} | ${counts.SKIPPED} | ${counts.FAILED} | ${counts.MISSED} | ${counts.SUPERSEDED} |`,
    ].join('\n');

  upsertSearchAttributes([
    { key: FleetRolloutId, value: rolloutId },
    { key: FleetPlatform, value: plan.platform },
    { key: FleetOrganisation, value: plan.organisation },
    { key: FleetTargetVersion, value: plan.targetVersion },
  ]);
  enter('planning');
  const planned = await planner.planRollout
    .executeWithOptions({ summary: `plan ${plan.platform}/${plan.organisation} -> ${plan.targetVersion}` }, [
      { platform: plan.platform, organisation: plan.organisation, targetVersion: plan.targetVersion, ...(plan.clusters ? { clusters: plan.clusters } : {}) },
    ])
    .catch((error: unknown) => {
      throw planningFailure(error);
    });
  resolved.version = planned.resolvedVersion;
  total = planned.entries.length;

  const toUpgrade: ClusterPlanEntry[] = [];
  for (const entry of planned.entries) {
    if (entry.action === 'skip') counts.SKIPPED++;
    else toUpgrade.push(entry);
  }
  pending = toUpgrade.length;

  const report = (): RolloutReport => ({
    rolloutId,
    status: rolloutStatusOf(counts),
    platform: plan.platform,
    organisation: plan.organisation,
    targetVersion: plan.targetVersion,
    resolvedVersion: planned.resolvedVersion,
    dryRun: plan.dryRun,
    total,
    counts: { ...counts },
    clusters: notSucceeded,
    startedAt,
    finishedAt: new Date().toISOString(),
  });

  if (plan.dryRun) {
    // A dry run lists what it would do and changes nothing.
    for (const entry of toUpgrade) {
      notSucceeded.push({ clusterId: entry.id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message: `would upgrade to ${planned.resolvedVersion}` });
    }
    pending = 0;
    enter('done');
    return report();
  }

  enter('upgrading');
  const inFlight = new Map<string, Promise<void>>();
  const runOne = async (entry: ClusterPlanEntry) => {
    const input: ClusterUpgradeInput = {
      rolloutId,
      platform: plan.platform,
      organisation: plan.organisation,
      cluster: entry,
      requestVersion: planned.resolvedVersion,
      retryMaxAttempts: plan.retry.maxAttempts,
      rescheduleMaxAttempts: plan.reschedule.maxAttempts,
      pollIntervalMs: plan.pollIntervalMs,
      attemptDeadlineMs: plan.clusterDeadlineMs,
      ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule,
      ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}),
    };
    let result: ClusterResult;
    try {
      const child: ChildWorkflowHandle<typeof clusterUpgrade> = await startChild(clusterUpgrade, {
        workflowId: clusterWorkflowId(rolloutId, entry.id),
        args: [input],
        staticSummary: clusterSummary(input),
        // A rollout that is cancelled or terminated asks its clusters to stop too.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      result = await child.result();
    } catch (error) {
      const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      result = { clusterId: entry.id, name: entry.name, outcome: 'FAILED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message };
    }
    counts[result.outcome]++;
    if (result.outcome !== 'SUCCEEDED' && result.outcome !== 'SKIPPED') notSucceeded.push(result);
  };

  // Sliding window: keep maxParallel children running, start the next as one ends.
  for (const entry of toUpgrade) {
    if (inFlight.size >= plan.maxParallel) await Promise.race(inFlight.values());
    pending--;
    running.add(entry.id);
    const done = runOne(entry).finally(() => {
      inFlight.delete(entry.id);
      running.delete(entry.id);
      setCurrentDetails(detailsTable());
    });
    inFlight.set(entry.id, done);
    setCurrentDetails(detailsTable());
  }
  await Promise.all(inFlight.values());

  enter('done');
  return report();
}

/**
 * A planning activity that gave up fails the rollout with the activity's own reason
 * on top (`InvalidRollout: ... downgrade ...`), not wrapped in an ActivityFailure, so
 * whoever started it reads the reason first. Nothing was changed yet.
 */
function planningFailure(error: unknown): unknown {
  if (!(error instanceof ActivityFailure)) return error;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) return ApplicationFailure.nonRetryable(cause.message, cause.type ?? PLANNING_FAILED);
  return ApplicationFailure.nonRetryable(`planning failed: ${cause?.message ?? error.message}`, PLANNING_FAILED);
}
