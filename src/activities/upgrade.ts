/**
 * The activities of one cluster's upgrade: ask for it (at most once per attempt, even
 * when the activity runs twice), and poll it. Polling is the activity's retry policy:
 * a state that has not arrived yet throws a benign retryable failure, so a wait of
 * days costs three history events however often it polls. Within one attempt the
 * activity also polls in process for up to `pollStretchMs` (heartbeating), because a
 * retry is a round trip through the server: at a 500 ms interval, retries took 15% of the
 * server's CPU in `npm run bench`.
 *
 * Reads go through the process's read boards (read-boards.ts): the upgrades of one
 * organisation in flight are polled together, by list pages where that is cheaper.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { PlatformName } from '../domain/platform.js';
import { endedWithoutSuccess, isTerminalUpgradeStatus, isUnscheduled } from '../domain/upgrade-status.js';
import type { ClusterSnapshot, UpgradeState } from '../platforms/types.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import { ReadBoards } from './read-boards.js';

export const NOT_SETTLED = 'NotSettled';

/**
 * How long one attempt of `pollUpgrade` keeps polling in process before it hands the
 * next poll to its retry policy. Below the poller's one-minute start-to-close timeout
 * with room for a slow last request, so a worker that dies mid-attempt is noticed as before.
 */
export const DEFAULT_POLL_STRETCH_MS = 20_000;

/**
 * The longest a read waits for a shared round when it could be read now (the first of a
 * poll attempt, the one before a request): far below the activities' one-minute
 * start-to-close, whatever the poll interval.
 */
const MAX_GATHER_MS = 10_000;

export interface ClusterCall {
  readonly platform: PlatformName;
  readonly organisation: string;
  readonly clusterId: string;
  /** The rollout the call is for, for log lines (a lean child's workflow id names no rollout). */
  readonly rolloutId?: string;
}

export interface RequestUpgradeInput extends ClusterCall {
  /** The child's poll interval: under an API budget, how long the read before the request may wait for a poll round. */
  readonly pollIntervalMs?: number;
  /** The version in the platform's spelling, from planRollout. */
  readonly version: string;
  readonly scheduleRequestDate?: string;
  readonly ignoreMaintenanceSchedule?: boolean;
}

export interface RequestUpgradeResult {
  readonly upgrade: UpgradeState;
  /** False when the platform already had this upgrade (a retried activity, or another rollout's request). */
  readonly sent: boolean;
}

export interface PollUpgradeInput extends ClusterCall {
  readonly upgrade: UpgradeState;
  /** `scheduled`: until a window is known (or it already runs or ended); `settled`: until terminal. */
  readonly until: 'scheduled' | 'settled';
  /**
   * The poll interval: the activity polls again after it, in process, while that fits in
   * its stretch. Absent (histories from before the stretch): one poll per attempt.
   */
  readonly pollIntervalMs?: number;
}

export interface CompensateUpgradeInput extends ClusterCall {
  readonly upgrade: UpgradeState;
  /** The version the cluster ran before: Aether's `k8s_version` goes back to it. */
  readonly previousVersion: string;
}

export function createUpgradeActivities(deps: ActivityDeps) {
  const budgeted = (platform: PlatformName) => (deps.apiRatePerMinute?.(platform) ?? 0) > 0;
  const boards = deps.readBoards ?? new ReadBoards(deps.clientFor, budgeted);
  /**
   * The cluster as read by the next round of its organisation's board (read-board.ts). Under an
   * API budget a read before a request waits for the next poll round (up to `gatherMs`) instead of
   * listing pages of its own: the request waits for the budget anyway.
   */
  const readShared = async (call: ClusterCall, gatherMs = 0): Promise<ClusterSnapshot> => {
    const when = { at: Date.now() + gatherMs, earlyBy: gatherMs };
    const signal = Context.current().cancellationSignal;
    return (await boards.readCluster(call.platform, call.organisation, call.clusterId, when, signal)).value;
  };
  async function requestUpgrade(input: RequestUpgradeInput): Promise<RequestUpgradeResult> {
    return withPlatformFailures(async () => {
      const client = deps.clientFor(input.platform);
      // rolloutId, clusterId and workflowId come with the activity's log context (log-context.ts).
      const log = deps.logger.child({ platform: input.platform });
      const gatherMs = budgeted(input.platform) ? Math.min(input.pollIntervalMs ?? 0, MAX_GATHER_MS) : 0;
      const cluster = await readShared(input, gatherMs);
      // Idempotency by business key (cluster, version): a previous delivery of this
      // activity may have sent the request and lost the response.
      const existing = await client.findUpgrade(input.organisation, cluster, input.version);
      // One that ended without success is over: asking again is a new attempt, not a duplicate.
      if (existing && !endedWithoutSuccess(existing.status)) {
        log.info({ upgradeId: existing.upgradeId, status: existing.rawStatus }, 'upgrade already requested; attaching');
        return { upgrade: existing, sent: false };
      }
      const upgrade = await client.requestUpgrade(input.organisation, cluster, {
        version: input.version,
        ...(input.scheduleRequestDate ? { scheduleRequestDate: input.scheduleRequestDate } : {}),
        ...(input.ignoreMaintenanceSchedule !== undefined
          ? { ignoreMaintenanceSchedule: input.ignoreMaintenanceSchedule }
          : {}),
      });
      log.info(
        { upgradeId: upgrade.upgradeId, status: upgrade.rawStatus, windowStart: upgrade.windowStart },
        'upgrade requested',
      );
      return { upgrade, sent: true };
    });
  }

  async function pollUpgrade(input: PollUpgradeInput): Promise<UpgradeState> {
    const context = Context.current();
    const stretchMs = deps.pollStretchMs ?? DEFAULT_POLL_STRETCH_MS;
    const stretchEnds = Date.now() + stretchMs;
    const interval = input.pollIntervalMs;
    // Due an interval after the last read, and served by any round before that: rounds cost pages,
    // not asks, so the organisation's pollers share one round an interval.
    const after = (readAt: number) => ({ at: readAt + (interval ?? 0), earlyBy: interval ?? 0 });
    // An attempt's first read joins a round within the stretch, however long the interval (the
    // retry policy waited it out): the attempt must read before its start-to-close timeout.
    const first = Math.min(interval ?? 0, stretchMs / 2, MAX_GATHER_MS);
    let when = { at: Date.now() + first, earlyBy: first };
    for (;;) {
      const read = await withPlatformFailures(() =>
        boards.readUpgrade(input.platform, input.organisation, input.upgrade, when, context.cancellationSignal),
      );
      const state = read.value;
      // Either poll may see the end: a short upgrade can run and succeed while the first waits to be scheduled.
      if (state.status === 'SUCCEEDED' && state.observedVersion === undefined) return readBack(input, state);
      if (isTerminalUpgradeStatus(state.status)) return state;
      if (input.until === 'scheduled' && !isUnscheduled(state.status)) return state;
      if (interval === undefined || read.readAt + interval > stretchEnds) {
        // Not there yet: a benign failure (no error logs, no failure metrics) that the
        // retry policy turns into the next poll.
        throw ApplicationFailure.create({
          type: NOT_SETTLED,
          message: `upgrade ${state.upgradeId} is ${state.rawStatus}`,
          category: ApplicationFailureCategory.BENIGN,
          details: [{ status: state.status, rawStatus: state.rawStatus, windowStart: state.windowStart ?? null }],
        });
      }
      // Shows the last status on the pending activity in the UI, and hears of cancellation.
      context.heartbeat({ status: state.status, rawStatus: state.rawStatus });
      when = after(read.readAt);
    }
  }

  /**
   * A succeeded upgrade whose read did not say what the cluster runs (Avisi's upgrade
   * resource): the cluster is read here, in the same attempt, so the workflow verifies
   * the version without a `readCluster` activity of its own (three history events and
   * a workflow task fewer per cluster). A failed read is retried with the poll.
   */
  async function readBack(input: PollUpgradeInput, state: UpgradeState): Promise<UpgradeState> {
    const cluster = await withPlatformFailures(() => readShared(input));
    return { ...state, observedVersion: cluster.version };
  }

  /**
   * The undo of `requestUpgrade`, for a rollout that stops: withdraws an Avisi upgrade
   * that has not started, or puts Aether's `k8s_version` back while the cluster has not
   * begun to move. An upgrade that already runs or ran is left alone (never a
   * downgrade); its state comes back for the caller to report. Idempotent: a repeat
   * finds the upgrade already CANCELLED.
   */
  async function compensateUpgrade(input: CompensateUpgradeInput): Promise<UpgradeState> {
    return withPlatformFailures(async () => {
      const state = await deps
        .clientFor(input.platform)
        .cancelUpgrade(input.organisation, input.upgrade, input.previousVersion);
      deps.logger.info(
        { platform: input.platform, upgradeId: state.upgradeId, status: state.rawStatus },
        'compensated upgrade',
      );
      return state;
    });
  }

  async function readCluster(input: ClusterCall): Promise<ClusterSnapshot> {
    return withPlatformFailures(() => deps.clientFor(input.platform).getCluster(input.organisation, input.clusterId));
  }

  return { requestUpgrade, pollUpgrade, compensateUpgrade, readCluster };
}
