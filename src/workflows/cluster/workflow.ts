/**
 * `clusterUpgrade`: one cluster's whole story, one workflow page in the UI
 * (id `<rolloutId>/<clusterId>`).
 *
 *   request ─▶ wait for the window (durable sleep) ─▶ poll until settled ─▶ outcome
 *      ▲                                                                    │
 *      └──────────── FAILED: retry (limit) · MISSED: reschedule (limit) ◀───┘
 *
 * SUCCEEDED is verified by reading the cluster back; SUPERSEDED re-reads the cluster
 * (someone else may have done the upgrade) and reports what it found.
 *
 * One rollout at a time per cluster: a lean child's own workflow id is the cluster's
 * lock (rollout-children.ts starts it; a second rollout's start fails while it runs).
 * Children started before that patch first hold the cluster's claim (cluster-claim.ts):
 * while another rollout holds it, such a child asks the platform for nothing and
 * reports SUPERSEDED. A lean child whose cluster ended FAILED, MISSED or SUPERSEDED stays
 * open, holding it, until its rollout retries it (this run goes again) or ends (cluster-hold.ts).
 *
 * Cancelled (the rollout aborts or halts), it compensates, saga-style: the one step
 * that changed the platform is the upgrade request, and its undo withdraws it (Avisi)
 * or restores `k8s_version` (Aether) while the upgrade has not begun (the platform's
 * descriptor names what undo did, `undo.withdrawnNote`). One that has
 * begun is left to finish and reported as it ends: never a downgrade. The request
 * itself runs to completion even when cancelled, so the undo always knows what to undo.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { CancellationScope, getExternalWorkflowHandle, isCancellation, proxyActivities, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { descriptorOf, type PlatformName } from '../../domain/platform.js';
import type { ClusterOutcome, ClusterPlanEntry, ClusterResult } from '../../domain/report.js';
import { endedWithoutSuccess, isTerminalUpgradeStatus } from '../../domain/upgrade-status.js';
import { formatVersion, mustParseVersion, parseVersion, satisfiesTarget } from '../../domain/versions.js';
import type { UpgradeState } from '../../platforms/types.js';
import type { HealthCheck } from '../../domain/health.js';
import { healthChecking, platformCall } from '../activity-options.js';
import { clusterClaim, clusterClaimWorkflowId, releaseClaimSignal } from '../cluster-claim.js';
import { heldMessage } from './holder.js';
import { ClusterHold, type HoldInput } from './hold.js';
import { recordClusterEnd } from './metrics.js';
import { pollerFor, settle } from './settle.js';
import { clusterDoneSignal } from '../messages.js';
import { requireSearchAttributes } from '../require-namespace.js';
import { CLUSTER_SEARCH_ATTRIBUTES, FleetClusterId, FleetPhase, FleetPlatform, FleetRolloutId, FleetTargetVersion } from '../search-attributes.js';

export interface ClusterUpgradeInput {
  readonly rolloutId: string;
  readonly platform: PlatformName;
  readonly organisation: string;
  readonly cluster: ClusterPlanEntry;
  /** The version in the platform's spelling (`v1.31.6-u-ame.1`, or `1.31` on Aether). */
  readonly requestVersion: string;
  readonly retryMaxAttempts: number;
  readonly rescheduleMaxAttempts: number;
  readonly pollIntervalMs: number;
  /** How long one attempt may take from request to settled, window wait included. */
  readonly attemptDeadlineMs: number;
  readonly ignoreMaintenanceSchedule: boolean;
  readonly scheduleRequestDate?: string;
  /** Checks to pass once the upgrade succeeded and the version read back (the spec's, then its wave's); absent: none. */
  readonly healthChecks?: readonly HealthCheck[];
  /**
   * 2: the lean child (rollout-children.ts): its workflow id is the cluster's lock and
   * the parent set its search attributes at start. Absent: children started before,
   * which claim the cluster with a `clusterClaim` child and set their own attributes;
   * they replay as they ran. (Not local activities for the request and reads: without a
   * workflow cache, FLEET_WORKER_MAX_CACHED_WORKFLOWS=0, each one cost a 10 s workflow
   * task timeout.)
   */
  readonly engine?: 2;
  /** A lean child whose rollout holds failed clusters (cluster-hold.ts): it waits after FAILED, MISSED or SUPERSEDED. */
  readonly hold?: HoldInput;
}

/** Reads and writes: short, retried with backoff, bounded. */
const api = proxyActivities<Activities>(platformCall);

const failureMessage = (error: unknown): string => {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
};

const isTimeout = (error: unknown): boolean => error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;

export async function clusterUpgrade(input: ClusterUpgradeInput): Promise<ClusterResult> {
  const { cluster, platform, organisation } = input;
  const lean = input.engine === 2;
  // A lean child's id names no rollout: its activities say which, for their log lines.
  const call = { platform, organisation, clusterId: cluster.id, ...(lean ? { rolloutId: input.rolloutId } : {}) };
  const target = parseVersion(input.requestVersion) ?? mustParseVersion(input.requestVersion);
  const logRollout = lean ? input.rolloutId : undefined;
  // A lean child starts `requesting` (set by the parent) and writes a phase only when it changes: each write is an event.
  let shown: string | undefined = lean ? 'requesting' : undefined;
  const phase = (value: string) => {
    if (lean && value === shown) return;
    shown = value;
    upsertSearchAttributes([{ key: FleetPhase, value: value }]);
  };
  // Started without its attributes (not by a rollout, which checked): see they exist before the first upsert.
  if (CLUSTER_SEARCH_ATTRIBUTES.some((key) => workflowInfo().typedSearchAttributes.get(key) === undefined)) {
    await requireSearchAttributes(CLUSTER_SEARCH_ATTRIBUTES).catch(async (error: unknown) => {
      const failed: ClusterResult = { clusterId: cluster.id, name: cluster.name, outcome: 'FAILED', fromVersion: cluster.version, requests: 0, retries: 0, reschedules: 0, message: failureMessage(error) };
      await tellRollout(failed);
      throw error;
    });
  }
  if (!lean) {
    upsertSearchAttributes([
      { key: FleetRolloutId, value: input.rolloutId },
      { key: FleetClusterId, value: cluster.id },
      { key: FleetPlatform, value: platform },
      { key: FleetTargetVersion, value: input.requestVersion },
    ]);
  }

  let requests = 0;
  let retries = 0;
  let reschedules = 0;
  /** The upgrade last asked for: what compensation undoes. */
  let latest: UpgradeState | undefined;
  const result = (outcome: ClusterOutcome, finalVersion: string | undefined, message?: string, compensation?: string): ClusterResult => {
    phase(outcome.toLowerCase());
    return {
      clusterId: cluster.id,
      name: cluster.name,
      outcome,
      fromVersion: cluster.version,
      ...(finalVersion ? { finalVersion } : {}),
      requests,
      retries,
      reschedules,
      ...(message ? { message } : {}),
      ...(compensation ? { compensation } : {}),
    };
  };

  /** After a cancellation: undo the request if the upgrade has not begun, else see it through. */
  const compensate = async (): Promise<ClusterResult> => {
    if (!latest) return result('NOT_STARTED', undefined, 'the rollout stopped before an upgrade was requested', 'nothing to undo');
    phase('compensating');
    const state = await api.compensateUpgrade.executeWithOptions({ summary: `undo the upgrade of ${cluster.name}` }, [
      { ...call, upgrade: latest, previousVersion: cluster.version },
    ]);
    if (state.status === 'CANCELLED') {
      return result('CANCELLED', undefined, 'the rollout stopped before the upgrade began', descriptorOf(platform).undo.withdrawnNote);
    }
    const ended = isTerminalUpgradeStatus(state.status) ? state : await waitOut(state);
    const note = ended === state ? 'nothing to undo (it had ended)' : 'left to finish (it had begun); never downgraded';
    if (ended.status === 'SUCCEEDED') return result('SUCCEEDED', ended.observedVersion, undefined, note);
    return result(endedWithoutSuccess(ended.status) ? ended.status : 'FAILED', undefined, ended.reason ?? `upgrade ${ended.rawStatus}`, note);
  };

  /** Polls an upgrade that has begun until it ends, within the attempt deadline. */
  const waitOut = (state: UpgradeState): Promise<UpgradeState> =>
    pollerFor(input.pollIntervalMs, input.attemptDeadlineMs)
      .pollUpgrade.executeWithOptions({ summary: `wait for ${cluster.name} to finish` }, [{ ...call, upgrade: state, until: 'settled', pollIntervalMs: input.pollIntervalMs }])
      .catch((error: unknown) => ({ ...state, status: 'FAILED' as const, reason: `did not finish after the rollout stopped: ${failureMessage(error)}` }));

  // One rollout at a time per cluster: a lean child's own id is the lock (a second start fails while it runs);
  // a child started before holds the cluster's claim before asking the platform for anything.
  const claim = lean
    ? undefined
    : await CancellationScope.nonCancellable(() => claimCluster(input)).catch((error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
        throw error;
      });
  if (!lean && !claim) {
    const claimId = clusterClaimWorkflowId(platform, cluster.id);
    const held = result('SUPERSEDED', undefined, await heldMessage(claimId, `another rollout is upgrading this cluster now (it holds ${claimId}); retry it once that rollout is done`));
    recordClusterEnd(platform, held.outcome, logRollout);
    await tellRollout(held);
    return held;
  }

  // A cluster that failed is held for the rollout until it retries it (this run goes again) or ends (cluster-hold.ts).
  const hold = lean ? ClusterHold.of(input.rolloutId, input.hold) : undefined;
  for (;;) {
    let outcome: ClusterResult;
    try {
      outcome = await attempts();
    } catch (error) {
      if (isCancellation(error)) outcome = await CancellationScope.nonCancellable(compensate);
      else {
        // The rollout must hear of it either way: it waits for every child it started.
        await release();
        recordClusterEnd(platform, 'FAILED', logRollout);
        await tellRollout(result('FAILED', undefined, `cluster workflow failed: ${failureMessage(error)}`));
        throw error;
      }
    }
    // Released before the rollout hears of it, so a retry it starts finds the cluster free.
    await release();
    recordClusterEnd(platform, outcome.outcome, logRollout);
    await tellRollout(outcome);
    if (!(await hold?.again(outcome))) return outcome;
    [requests, retries, reschedules, latest] = [0, 0, 0, undefined];
  }

  async function release(): Promise<void> {
    if (!claim) return;
    await CancellationScope.nonCancellable(async () => {
      await claim!.signal(releaseClaimSignal);
      await claim!.result();
    });
  }

  /**
   * Upgraded and at the target: the health checks, if any, say whether it counts. A check
   * that does not pass makes the cluster FAILED with the check's reason, never retried
   * (that would request an upgrade that happened) and never undone (no downgrade).
   */
  async function healthy(version: string): Promise<ClusterResult> {
    const checks = input.healthChecks ?? [];
    if (checks.length === 0) return result('SUCCEEDED', version);
    phase('checking-health');
    const health = await proxyActivities<Activities>(healthChecking(checks)).runHealthChecks.executeWithOptions({ summary: `health checks of ${cluster.name}` }, [{ ...call, checks }]);
    return health.passed ? result('SUCCEEDED', version) : result('FAILED', version, `${health.reason}; the upgrade stays (never downgraded)`);
  }

  /** Reports to the rollout's current run; a rollout that has ended already does not need it. */
  async function tellRollout(done: ClusterResult): Promise<void> {
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(input.rolloutId).signal(clusterDoneSignal, done)).catch(() => undefined);
  }

  async function attempts(): Promise<ClusterResult> {
    for (;;) {
      phase('requesting');
      const attemptStartedAt = Date.now();
      // Not cancellable: a request in flight either lands or not, and compensation must know which.
      const { upgrade: requested, sent } = await CancellationScope.nonCancellable(() =>
        api.requestUpgrade.executeWithOptions({ summary: `request ${cluster.name} -> ${input.requestVersion}` }, [
          {
            ...call,
            version: input.requestVersion,
            ignoreMaintenanceSchedule: input.ignoreMaintenanceSchedule,
            // The spec's date applies to the first request; a reschedule takes the next window from now.
            ...(requests === 0 && input.scheduleRequestDate ? { scheduleRequestDate: input.scheduleRequestDate } : {}),
          },
        ]),
      );
      latest = requested;
      if (sent) requests++;

      let settled: UpgradeState;
      try {
        settled = await settle(requested, { call, name: cluster.name, pollIntervalMs: input.pollIntervalMs, deadline: attemptStartedAt + input.attemptDeadlineMs, phase });
      } catch (error) {
        if (isCancellation(error)) throw error;
        if (!isTimeout(error)) return result('FAILED', undefined, failureMessage(error));
        // Did not settle by its deadline: the Aether analogue of a missed window.
        settled = { ...requested, status: 'MISSED', reason: `did not settle within ${input.attemptDeadlineMs} ms` };
      }

      switch (settled.status) {
        case 'SUCCEEDED': {
          // The poll that saw it succeed says what the cluster runs (Aether's upgrade is the cluster; on Avisi the
          // poll reads the cluster back). Read again only when that is not the target, or in histories from before.
          const observed = settled.observedVersion ? parseVersion(settled.observedVersion) : undefined;
          if (observed && satisfiesTarget(observed, target)) return healthy(formatVersion(observed));
          phase('verifying');
          const after = await api.readCluster.executeWithOptions({ summary: `verify ${cluster.name}` }, [call]);
          const running = parseVersion(after.version);
          if (running && satisfiesTarget(running, target)) return healthy(after.version);
          return result('FAILED', after.version, `platform reported SUCCEEDED but the cluster runs ${after.version}`);
        }
        case 'FAILED':
          if (retries < input.retryMaxAttempts) {
            retries++;
            continue;
          }
          return result('FAILED', undefined, settled.reason ?? 'upgrade failed');
        case 'MISSED':
          if (reschedules < input.rescheduleMaxAttempts) {
            reschedules++;
            continue;
          }
          return result('MISSED', undefined, settled.reason ?? 'upgrade missed its window');
        case 'SUPERSEDED': {
          const after = await api.readCluster.executeWithOptions({ summary: `re-read ${cluster.name}` }, [call]);
          const running = parseVersion(after.version);
          if (running && satisfiesTarget(running, target)) return result('SUCCEEDED', after.version, 'superseded, but the cluster is at the target');
          return result('SUPERSEDED', after.version, settled.reason ?? 'upgrade superseded');
        }
        case 'CANCELLED':
          return result('CANCELLED', undefined, settled.reason ?? 'upgrade withdrawn');
        default:
          // pollUpgrade returns only terminal states; anything else is a bug worth failing loudly on.
          throw ApplicationFailure.nonRetryable(`unexpected upgrade status ${settled.status}`);
      }
    }
  }
}

/** Starts this cluster's claim; fails with WorkflowExecutionAlreadyStartedError while another rollout holds it. */
function claimCluster(input: ClusterUpgradeInput) {
  return startChild(clusterClaim, {
    workflowId: clusterClaimWorkflowId(input.platform, input.cluster.id),
    args: [{ rolloutId: input.rolloutId, platform: input.platform, clusterId: input.cluster.id }],
    staticSummary: `${input.cluster.name} held by rollout ${input.rolloutId}`,
  });
}

export { clusterLockId, clusterSummary, clusterWorkflowId } from './ids.js';
