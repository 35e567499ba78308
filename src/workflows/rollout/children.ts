/**
 * The rollout's cluster children: how each is started, and cancelled on a stop.
 *
 * A child is started with the id `fleet-cluster/<platform>/<clusterId>`: the id is the
 * cluster's lock, so a second rollout's start fails while one runs (the default conflict
 * policy) and that rollout reports the cluster SUPERSEDED, having asked the platform
 * nothing; no claim workflow, release signal or extra workflow task. Its search
 * attributes are set at start, not by upserts. (`lean-cluster-child` is at step 2,
 * docs/development.md: the `<rolloutId>/<clusterId>` children that claimed their cluster
 * with a `clusterClaim` workflow are gone; the marker is still written.)
 *
 * A child reports by signal just before it closes, so the same rollout's next child of
 * that cluster (a retry, the next hop) may find the id still held for a moment: such a
 * start is tried again a few times, a durable half second apart. Since the
 * `hold-failed-clusters` patch a child whose cluster failed stays open until the rollout
 * retries it or ends (held.ts): a retry is then a signal to it, not a start.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  deprecatePatch,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { healthChecksFor, type HealthCheck } from '../../domain/health.js';
import { preChecksFor, type PreCheck } from '../../domain/pre-check.js';
import { spacedPollInterval, statusPagesFor } from '../../domain/polling.js';
import { descriptorOf } from '../../domain/platform.js';
import type { ClusterResult } from '../../domain/report.js';
import type { RolloutPlan } from '../../domain/spec.js';
import { heldMessage } from '../cluster/holder.js';
import { clusterLockId, clusterSummary } from '../cluster/ids.js';
import { clusterUpgrade, type ClusterUpgradeInput } from '../cluster/workflow.js';
import { messageOf } from './activities.js';
import { HOLD_PATCH, retryHeld } from './held-signals.js';
import { hopOn, targetOf } from './targets.js';
import type { Placed, Rollout } from './state.js';
import { FleetClusterId, FleetPhase, FleetPlatform, FleetRolloutId, FleetTargetVersion } from '../search-attributes.js';

export const LEAN_CHILD_PATCH = 'lean-cluster-child';
const RESTART_TRIES = 20;
const RESTART_WAIT_MS = 500;

/** The child's id was held by another rollout's child: this rollout asked nothing for the cluster. */
class ClusterHeld extends Error {}

/**
 * Starts the child of `placed`; when it cannot be started, the cluster's outcome without
 * one (SUPERSEDED when another rollout holds it, else FAILED), for the caller to record.
 */
export async function startClusterChild(
  rollout: Rollout,
  plan: RolloutPlan,
  placed: Placed,
): Promise<ClusterResult | undefined> {
  const { entry } = placed;
  try {
    await start(rollout, plan, placed);
    return undefined;
  } catch (error) {
    const held = error instanceof ClusterHeld;
    const message = held
      ? await heldMessage(
          error.message,
          `another rollout is upgrading this cluster now (it runs ${error.message}); retry it once that rollout is done`,
        )
      : `could not start: ${messageOf(error)}`;
    return {
      clusterId: entry.id,
      name: entry.name,
      outcome: held ? 'SUPERSEDED' : 'FAILED',
      fromVersion: entry.version,
      requests: 0,
      retries: 0,
      reschedules: 0,
      message,
    };
  }
}

async function start(rollout: Rollout, plan: RolloutPlan, placed: Placed): Promise<void> {
  const { entry } = placed;
  deprecatePatch(LEAN_CHILD_PATCH);
  // A retry of a cluster whose child holds it (it failed in this rollout): that child upgrades it again.
  // (Asked only then: an await here would move every start after the commands that follow it in this task.)
  if (placed.again && rollout.queues.held.has(entry.id) && (await retryHeld(rollout, entry.id))) return;
  const holds = patched(HOLD_PATCH) ? (true as const) : undefined;
  const input = childInput(rollout, plan, placed, holds);
  const workflowId = clusterLockId(input.platform, entry.id);
  const options = childOptions(rollout, placed, input, workflowId);
  // A retry, or a later hop: this rollout's last child of the cluster may not have closed yet.
  const repeat = placed.again === true || rollout.hopIndex > 0;
  // Known before the start is confirmed, so a stop meanwhile cancels this child (by id; its run once known).
  rollout.inFlight.childStarted(entry.id, workflowId, undefined, holds);
  for (let tries = 1; ; tries++) {
    try {
      const child = await startChild(clusterUpgrade, options);
      rollout.inFlight.childStarted(entry.id, workflowId, child.firstExecutionRunId, holds);
      rollout.queues.held.started(entry.id, child.firstExecutionRunId);
      return;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      if (!repeat || tries >= RESTART_TRIES) throw new ClusterHeld(workflowId);
      await sleep(RESTART_WAIT_MS);
    }
  }
}

/** What the child of `placed` is told: the cluster, the version, the spec's limits and checks, and whether it holds. */
function childInput(rollout: Rollout, plan: RolloutPlan, placed: Placed, holds: true | undefined): ClusterUpgradeInput {
  const { entry, waveIndex } = placed;
  const { target, to, ...cluster } = entry;
  return {
    rolloutId: rollout.rolloutId,
    ...targetOf(plan, entry),
    cluster,
    // A per-minor pass: the cluster's own minor's target.
    requestVersion: to?.requestVersion ?? hopOn(rollout.hop, target).requestVersion,
    retryMaxAttempts: plan.retry.maxAttempts,
    rescheduleMaxAttempts: plan.reschedule.maxAttempts,
    // Within the platform's API budget however many clusters the wave has in flight.
    pollIntervalMs: spacedPollInterval(
      plan.pollIntervalMs,
      rollout.limitFor(rollout.waves[waveIndex]!),
      rollout.targets?.[target ?? 0]?.apiRatePerMinute ?? rollout.apiRatePerMinute,
      statusPagesFor(descriptorOf(targetOf(plan, entry).platform).statusPage?.clusters, rollout.total),
    ),
    attemptDeadlineMs: plan.clusterDeadlineMs,
    ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule,
    ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}),
    ...healthChecksOf(rollout, plan, waveIndex),
    ...preChecksOf(rollout, plan, waveIndex),
    engine: 2,
    ...(holds ? { hold: { checkMs: plan.holdCheckMs, rolloutRunId: workflowInfo().firstExecutionRunId } } : {}),
  };
}

/** How the child starts: its id (the cluster's lock), its label, and its search attributes (its phase `requesting`). */
function childOptions(rollout: Rollout, placed: Placed, input: ClusterUpgradeInput, workflowId: string) {
  return {
    workflowId,
    args: [input] as [ClusterUpgradeInput],
    staticSummary: `${clusterSummary(input)} · wave ${rollout.waves[placed.waveIndex]?.plan.name ?? '?'}`,
    // Children outlive a run of the rollout (continue-as-new); they report back by signal.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: FleetRolloutId, value: rollout.rolloutId },
      { key: FleetClusterId, value: placed.entry.id },
      { key: FleetPlatform, value: input.platform },
      { key: FleetTargetVersion, value: input.requestVersion },
      { key: FleetPhase, value: 'requesting' },
    ],
  };
}

/**
 * The checks a cluster of wave `index` runs after its upgrade: the spec's, then its wave's
 * (none for the last wave `rest`, which the spec does not name).
 */
function healthChecksOf(rollout: Rollout, plan: RolloutPlan, index: number): { healthChecks?: HealthCheck[] } {
  const name = rollout.waves[index]?.plan.name;
  const checks = healthChecksFor(
    plan,
    plan.waves.find((w) => w.name === name),
  );
  return checks.length > 0 ? { healthChecks: checks } : {};
}

/** The checks a cluster of wave `index` runs before its upgrade is asked for (as `healthChecksOf`); none: absent. */
function preChecksOf(rollout: Rollout, plan: RolloutPlan, index: number): { preChecks?: PreCheck[] } {
  const name = rollout.waves[index]?.plan.name;
  const checks = preChecksFor(
    plan,
    plan.waves.find((w) => w.name === name),
  );
  return checks.length > 0 ? { preChecks: checks } : {};
}

/**
 * Cancels every child in flight (they compensate), all at once. A child is named by its
 * run too: its id may already belong to another rollout's child once it closed. (Every
 * flight names its child before its start is sent: `childStarted` above, or `retryHeld`.)
 */
export function cancelInFlight(rollout: Rollout): Promise<unknown>[] {
  return [...rollout.inFlight.values()].flatMap(({ childId, childRunId }) =>
    childId
      ? [
          getExternalWorkflowHandle(childId, childRunId)
            .cancel()
            .catch(() => undefined),
        ]
      : [],
  );
}
