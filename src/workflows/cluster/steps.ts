/**
 * The steps of a cluster's upgrade (clusterUpgrade): request, settle, verify, health,
 * and compensate after a cancellation. Each changes the attempt's state (attempt.ts)
 * only through its transitions, and writes `FleetPhase` only when the phase changes
 * (each write is an event).
 *
 * Compensation, saga-style: the one step that changed the platform is the upgrade
 * request, and its undo withdraws it (Avisi) or restores `k8s_version` (Aether) while the
 * upgrade has not begun (the platform's descriptor names what undo did,
 * `undo.withdrawnNote`). One that has begun is left to finish and reported as it ends:
 * never a downgrade. The request itself runs to completion even when cancelled, so the
 * undo always knows what to undo.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { CancellationScope, isCancellation, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities, ClusterCall } from '../../activities/index.js';
import { descriptorOf } from '../../domain/platform.js';
import { preCheckDecision } from '../../domain/pre-check.js';
import type { ClusterOutcome, ClusterResult } from '../../domain/report.js';
import { endedWithoutSuccess, isTerminalUpgradeStatus } from '../../domain/upgrade-status.js';
import {
  formatVersion,
  mustParseVersion,
  parseVersion,
  satisfiesTarget,
  type KubeVersion,
} from '../../domain/versions.js';
import type { UpgradeState } from '../../platforms/types.js';
import { healthChecking, platformCall, preChecking } from '../activity-options.js';
import { FleetPhase } from '../search-attributes.js';
import { ClusterAttempt } from './attempt.js';
import type { ClusterUpgradeInput } from './input.js';
import { pollerFor, settle } from './settle.js';

/** Reads and writes: short, retried with backoff, bounded. */
const api = proxyActivities<Activities>(platformCall);

export const failureMessage = (error: unknown): string => {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
};

const isTimeout = (error: unknown): boolean =>
  error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;

export class ClusterSteps {
  readonly attempt: ClusterAttempt;
  /** A child's id names no rollout: its activities say which, for their log lines. */
  private readonly call: ClusterCall;
  private readonly target: KubeVersion;

  constructor(private readonly input: ClusterUpgradeInput) {
    this.attempt = new ClusterAttempt(input);
    this.call = {
      platform: input.platform,
      organisation: input.organisation,
      clusterId: input.cluster.id,
      rolloutId: input.rolloutId,
    };
    this.target = parseVersion(input.requestVersion) ?? mustParseVersion(input.requestVersion);
  }

  private get name(): string {
    return this.input.cluster.name;
  }

  /** Shows `phase` in `FleetPhase`; nothing when it is shown already. */
  readonly phase = (value: string): void => {
    if (this.attempt.show(value)) upsertSearchAttributes([{ key: FleetPhase, value }]);
  };

  /** The cluster's result, its outcome shown as its phase. */
  end(outcome: ClusterOutcome, finalVersion?: string, message?: string, compensation?: string): ClusterResult {
    this.phase(outcome.toLowerCase());
    return this.attempt.result(outcome, finalVersion, message, compensation);
  }

  /** Requests and settles until the cluster has an outcome, retrying and rescheduling within the spec's limits. */
  async attempts(): Promise<ClusterResult> {
    const blocked = await this.preChecked();
    if (blocked) return blocked;
    for (;;) {
      const settled = await this.settled(await this.request());
      const done = 'outcome' in settled ? settled : await this.judge(settled);
      if (done) return done;
    }
  }

  /**
   * The pre-upgrade checks, when the spec has any (none: no command, so histories without them replay as
   * they ran): undefined to go on, else the cluster ends BLOCKED or FAILED (domain/pre-check.ts), never requested.
   */
  private async preChecked(): Promise<ClusterResult | undefined> {
    const checks = this.input.preChecks ?? [];
    if (checks.length === 0) return undefined;
    this.phase('pre-checking');
    const checking = proxyActivities<Activities>(preChecking(checks));
    const result = await checking.runPreChecks.executeWithOptions({ summary: `pre-checks of ${this.name}` }, [
      { ...this.call, checks, requestVersion: this.input.requestVersion },
    ]);
    const decision = preCheckDecision(result);
    return decision && this.end(decision.outcome, undefined, decision.message);
  }

  /** Not cancellable: a request in flight either lands or not, and compensation must know which. */
  private async request(): Promise<UpgradeState> {
    this.phase('requesting');
    const date = this.attempt.begin(Date.now());
    const args = {
      ...this.call,
      version: this.input.requestVersion,
      ignoreMaintenanceSchedule: this.input.ignoreMaintenanceSchedule,
      pollIntervalMs: this.input.pollIntervalMs,
      ...date,
    };
    const summary = `request ${this.name} -> ${this.input.requestVersion}`;
    const { upgrade, sent } = await CancellationScope.nonCancellable(() =>
      api.requestUpgrade.executeWithOptions({ summary }, [args]),
    );
    this.attempt.requested(upgrade, sent);
    return upgrade;
  }

  /** Waits for the window and polls until terminal; not settled by the deadline is MISSED (Aether's missed window). */
  private async settled(requested: UpgradeState): Promise<UpgradeState | ClusterResult> {
    const { pollIntervalMs, attemptDeadlineMs } = this.input;
    try {
      return await settle(requested, {
        call: this.call,
        name: this.name,
        pollIntervalMs,
        deadline: this.attempt.deadline,
        phase: this.phase,
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      if (!isTimeout(error)) return this.end('FAILED', undefined, failureMessage(error));
      return { ...requested, status: 'MISSED', reason: `did not settle within ${attemptDeadlineMs} ms` };
    }
  }

  /** What a settled upgrade means: an outcome, or undefined to go again (a retry, a reschedule). */
  private async judge(settled: UpgradeState): Promise<ClusterResult | undefined> {
    switch (settled.status) {
      case 'SUCCEEDED':
        return this.verify(settled);
      case 'FAILED':
        return this.attempt.retry() ? undefined : this.end('FAILED', undefined, settled.reason ?? 'upgrade failed');
      case 'MISSED':
        return this.attempt.reschedule()
          ? undefined
          : this.end('MISSED', undefined, settled.reason ?? 'upgrade missed its window');
      case 'SUPERSEDED':
        return this.superseded(settled);
      case 'CANCELLED':
        return this.end('CANCELLED', undefined, settled.reason ?? 'upgrade withdrawn');
      default:
        // pollUpgrade returns only terminal states; anything else is a bug worth failing loudly on.
        throw ApplicationFailure.nonRetryable(`unexpected upgrade status ${settled.status}`);
    }
  }

  /**
   * SUCCEEDED: the poll that saw it says what the cluster runs (Aether's upgrade is the cluster; on Avisi
   * the poll reads the cluster back). Read again only when that is not the target, or in histories from before.
   */
  private async verify(settled: UpgradeState): Promise<ClusterResult> {
    const observed = settled.observedVersion ? parseVersion(settled.observedVersion) : undefined;
    if (observed && satisfiesTarget(observed, this.target)) return this.healthy(formatVersion(observed));
    this.phase('verifying');
    const after = await api.readCluster.executeWithOptions({ summary: `verify ${this.name}` }, [this.call]);
    if (this.atTarget(after.version)) return this.healthy(after.version);
    return this.end('FAILED', after.version, `platform reported SUCCEEDED but the cluster runs ${after.version}`);
  }

  /** SUPERSEDED: someone else may have done the upgrade; re-read the cluster and report what it runs. */
  private async superseded(settled: UpgradeState): Promise<ClusterResult> {
    const after = await api.readCluster.executeWithOptions({ summary: `re-read ${this.name}` }, [this.call]);
    if (this.atTarget(after.version))
      return this.end('SUCCEEDED', after.version, 'superseded, but the cluster is at the target');
    return this.end('SUPERSEDED', after.version, settled.reason ?? 'upgrade superseded');
  }

  private atTarget(version: string): boolean {
    const running = parseVersion(version);
    return running !== undefined && satisfiesTarget(running, this.target);
  }

  /**
   * Upgraded and at the target: the health checks, if any, say whether it counts. A check
   * that does not pass makes the cluster FAILED with the check's reason, never retried
   * (that would request an upgrade that happened) and never undone (no downgrade).
   */
  private async healthy(version: string): Promise<ClusterResult> {
    const checks = this.input.healthChecks ?? [];
    if (checks.length === 0) return this.end('SUCCEEDED', version);
    this.phase('checking-health');
    const checking = proxyActivities<Activities>(healthChecking(checks));
    const health = await checking.runHealthChecks.executeWithOptions({ summary: `health checks of ${this.name}` }, [
      { ...this.call, checks },
    ]);
    if (health.passed) return this.end('SUCCEEDED', version);
    return this.end('FAILED', version, `${health.reason}; the upgrade stays (never downgraded)`);
  }

  /**
   * After a cancellation (run it non-cancellable): undo the request if the upgrade has not
   * begun, else see it through.
   */
  async compensate(): Promise<ClusterResult> {
    const latest = this.attempt.latest;
    if (!latest)
      return this.end(
        'NOT_STARTED',
        undefined,
        'the rollout stopped before an upgrade was requested',
        'nothing to undo',
      );
    this.phase('compensating');
    const undo = { ...this.call, upgrade: latest, previousVersion: this.input.cluster.version };
    const state = await api.compensateUpgrade.executeWithOptions({ summary: `undo the upgrade of ${this.name}` }, [
      undo,
    ]);
    if (state.status === 'CANCELLED') {
      return this.end(
        'CANCELLED',
        undefined,
        'the rollout stopped before the upgrade began',
        descriptorOf(this.input.platform).undo.withdrawnNote,
      );
    }
    const ended = isTerminalUpgradeStatus(state.status) ? state : await this.waitOut(state);
    const note = ended === state ? 'nothing to undo (it had ended)' : 'left to finish (it had begun); never downgraded';
    if (ended.status === 'SUCCEEDED') return this.end('SUCCEEDED', ended.observedVersion, undefined, note);
    const outcome = endedWithoutSuccess(ended.status) ? ended.status : 'FAILED';
    return this.end(outcome, undefined, ended.reason ?? `upgrade ${ended.rawStatus}`, note);
  }

  /** Polls an upgrade that has begun until it ends, within the attempt deadline. */
  private waitOut(state: UpgradeState): Promise<UpgradeState> {
    const { pollIntervalMs, attemptDeadlineMs } = this.input;
    const args = { ...this.call, upgrade: state, until: 'settled' as const, pollIntervalMs };
    return pollerFor(pollIntervalMs, attemptDeadlineMs)
      .pollUpgrade.executeWithOptions({ summary: `wait for ${this.name} to finish` }, [args])
      .catch((error: unknown) => ({
        ...state,
        status: 'FAILED' as const,
        reason: `did not finish after the rollout stopped: ${failureMessage(error)}`,
      }));
  }
}
