/**
 * What a rollout tells the channels its spec's `notify` names (docs/spec.md,
 * Notifications): started, an approval needed, a wave done, a gate failed (and the pause
 * it caused), a cluster blocked or failed, halted or aborted, finished. Fire and forget, in the order
 * they happened since `ordered-notices`; the old way replays for runs from before it
 * (docs/development.md, "Why the rollout's view is shaped so").
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import { notifyEvents } from '../../../domain/notify-builders.js';
import {
  notifyForRun,
  type EventSource,
  type NotifyEvent,
  type NotifyEventType,
  type OperatorEventType,
} from '../../../domain/notify-events.js';
import {
  isFailedOutcome,
  type ClusterResult,
  type OperatorAction,
  type RolloutReport,
} from '../../../domain/report.js';
import type { ApprovalGate, RolloutPlan } from '../../../domain/spec.js';
import { NoticeLanes } from '../../notify/lanes.js';
import { Notifier } from '../../notify/channel.js';
import type { Rollout, Stop } from '../state.js';

/** The patch that ordered notices (a queue per channel) and kept dry runs quiet. */
export const ORDERED_NOTICES = 'ordered-notices';
/** The patch that keeps a rollout with nothing to do quiet but for channels that name `rollout.finished`. */
export const QUIET_WHEN_CURRENT = 'quiet-when-current';

/** What both ways of sending offer the rollout. */
interface NoticeSink {
  readonly source: EventSource;
  hears(type: NotifyEventType): boolean;
  emit(event: NotifyEvent): void;
  flush(): Promise<void>;
  /** Since `ordered-notices`: whether a channel names `type` in its `events`, and a notice for those only. */
  names?(type: NotifyEventType): boolean;
  emitToNaming?(event: NotifyEvent): void;
}

/** The sink for this run, or none when nobody listens. The patch is asked only when `notify` lists channels. */
function sinkFor(rolloutId: string, plan: RolloutPlan): NoticeSink | undefined {
  if (!plan.notify || plan.notify.length === 0) return undefined;
  const info = workflowInfo();
  const source = { rolloutId, firstRunId: info.firstExecutionRunId, namespace: info.namespace };
  if (!patched(ORDERED_NOTICES)) return new Notifier(plan.notify, source);
  const notify = notifyForRun(plan.notify, plan.dryRun);
  return notify.length > 0
    ? new NoticeLanes(notify, source, info.continuedFromExecutionRunId !== undefined)
    : undefined;
}

/** The operator event of each logged action; actions not here (a gate's pause, a timeout) tell nobody this way. */
const OPERATOR_EVENTS: Partial<Record<OperatorAction['action'], OperatorEventType>> = {
  pause: 'operator.paused',
  resume: 'operator.resumed',
  freeze: 'operator.frozen',
  unfreeze: 'operator.unfrozen',
  skipCluster: 'operator.skipped',
  retryCluster: 'operator.retried',
  approve: 'operator.approved',
  abort: 'operator.aborted',
};

export class RolloutNotices {
  private readonly notifier: NoticeSink | undefined;
  /** The rollout's count of actions already told (or from before this run). */
  private told: number;
  /** A new rollout's operator notices until `rollout.started` went (one started paused says so after it). */
  private waiting: NotifyEvent[] | undefined;

  constructor(
    private readonly rollout: Rollout,
    private readonly plan: RolloutPlan,
    acted: { readonly before: number; readonly fresh: boolean } = { before: 0, fresh: false },
  ) {
    this.notifier = sinkFor(rollout.rolloutId, plan);
    this.told = acted.before;
    this.waiting = acted.fresh ? [] : undefined;
  }

  /** Whether any channel listens: only then is anything started or awaited. */
  get active(): boolean {
    return this.notifier !== undefined;
  }

  private get hop(): string | undefined {
    return this.rollout.hops.length > 1 ? this.rollout.hop.version : undefined;
  }

  started(): void {
    const n = this.notifier;
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    if (!n) return;
    if (n.hears('rollout.started') && !this.quiet())
      n.emit(
        notifyEvents.rolloutStarted(n.source, {
          targetVersion: this.plan.targetVersion,
          targets: this.plan.targets,
          waves: this.plan.waves.map((w) => w.name),
          dryRun: this.plan.dryRun,
          ...(this.rollout.notes.minors ? { minors: this.rollout.notes.minors } : {}),
        }),
      );
    for (const event of waiting) n.emit(event);
  }

  /**
   * Tells the operators' actions logged since the last call (`operator.paused`, ... with
   * who and why), to the channels that name them. The update handlers call it after acting.
   */
  operatorActed(): void {
    const n = this.notifier;
    const count = this.rollout.actionCount;
    const fresh = Math.min(count - this.told, this.rollout.actions.length);
    this.told = count;
    if (!n || fresh <= 0) return;
    this.rollout.actions.slice(-fresh).forEach((action, i) => {
      const type = OPERATOR_EVENTS[action.action];
      if (!type || !n.hears(type)) return;
      const said = {
        ...(action.by ? { by: action.by } : {}),
        ...(action.reason ? { reason: action.reason } : {}),
        ...(action.target ? { target: action.target } : {}),
      };
      const event = notifyEvents.operator(n.source, { type, seq: count - fresh + i + 1, ...said }, action.at);
      if (this.waiting) this.waiting.push(event);
      else n.emit(event);
    });
  }

  approvalNeeded(index: number, gate: ApprovalGate): void {
    const n = this.notifier;
    if (!n?.hears('approval.needed')) return;
    const wave = this.rollout.waves[index]!.plan.name;
    const timeout =
      gate.timeoutMs !== undefined
        ? { timeoutAt: new Date(Date.now() + gate.timeoutMs).toISOString(), onTimeout: gate.onTimeout }
        : {};
    n.emit(notifyEvents.approvalNeeded(n.source, { wave, ...(this.hop ? { hop: this.hop } : {}), ...timeout }));
  }

  waveDone(index: number): void {
    const n = this.notifier;
    if (!n?.hears('wave.done')) return;
    const wave = this.rollout.waves[index]!;
    n.emit(
      notifyEvents.waveDone(n.source, {
        wave: wave.plan.name,
        ...(this.hop ? { hop: this.hop } : {}),
        total: wave.total,
        counts: { ...wave.counts },
      }),
    );
  }

  /**
   * A wave resumed after continue-as-new whose last clusters ended before the new run got
   * to it. Only on the ordered path: runs from before it replay without this notice.
   */
  waveDoneOnResume(index: number): void {
    if (this.notifier instanceof NoticeLanes) this.waveDone(index);
  }

  /**
   * A wave's gate failed (`recheck`: when run again by an operator); with `onFail: "pause"` the
   * rollout waits for a person (a second notice says so).
   */
  gateFailed(index: number, recheck = 0): void {
    const n = this.notifier;
    const wave = this.rollout.waves[index]!;
    const gate = wave.gate;
    if (!n || !gate || gate.verdict !== 'failed') return;
    const reason = gate.reason ?? `last value ${gate.value ?? 'none'}`;
    const at = {
      gate: gate.name,
      reason,
      wave: wave.plan.name,
      occurrence: this.rollout.hopIndex,
      ...(recheck ? { recheck } : {}),
    };
    if (n.hears('gate.failed'))
      n.emit(notifyEvents.gateFailed(n.source, { ...at, ...(this.hop ? { hop: this.hop } : {}) }));
    if (gate.onFail === 'pause' && n.hears('rollout.paused')) n.emit(notifyEvents.rolloutPaused(n.source, at));
  }

  /**
   * A cluster that ended FAILED, MISSED or SUPERSEDED (`cluster.failed`), or BLOCKED by a pre-upgrade
   * check (`cluster.blocked`); a retried one that ends so again is a new notice. No patch for
   * `cluster.blocked`: only a spec with `preChecks` ends a cluster BLOCKED, and no run recorded
   * before it had them, so no recorded history meets it.
   */
  clusterFailed(result: ClusterResult): void {
    const n = this.notifier;
    const type = result.outcome === 'BLOCKED' ? 'cluster.blocked' : 'cluster.failed';
    if (!n?.hears(type) || (type === 'cluster.failed' && !isFailedOutcome(result.outcome))) return;
    const line = this.rollout.tally.notSucceeded.get(result.clusterId);
    const occurrence = this.rollout.actions.filter(
      (a) => a.action === 'retryCluster' && a.target === result.clusterId,
    ).length;
    const about = {
      clusterId: result.clusterId,
      name: result.name,
      ...(line?.wave ? { wave: line.wave } : {}),
      ...(this.hop ? { hop: this.hop } : {}),
      ...(line?.platform ? { platform: line.platform, organisation: line.organisation! } : {}),
      ...(result.message ? { reason: result.message } : {}),
      occurrence,
    };
    n.emit(
      type === 'cluster.blocked'
        ? notifyEvents.clusterBlocked(n.source, about)
        : notifyEvents.clusterFailed(n.source, { ...about, outcome: result.outcome }),
    );
  }

  stopped(stop: Stop): void {
    const n = this.notifier;
    if (!n) return;
    if (stop.status === 'HALTED') n.emit(notifyEvents.rolloutHalted(n.source, { reason: stop.reason }));
    else n.emit(notifyEvents.rolloutAborted(n.source, { reason: stop.reason }));
  }

  finished(report: RolloutReport): void {
    const n = this.notifier;
    if (!n?.hears('rollout.finished')) return;
    const event = notifyEvents.rolloutFinished(n.source, report);
    if (this.quiet()) n.emitToNaming?.(event);
    else n.emit(event);
  }

  /**
   * Nothing to do (planning found every cluster at its target): only channels that name
   * `rollout.finished` hear of it, so a schedule that keeps a fleet current is not noise.
   * The patch is asked only then: earlier runs with nothing to do told every channel.
   */
  private quiet(): boolean {
    const last = this.rollout.hops.at(-1);
    if (!last || last.clusters > 0 || this.plan.dryRun || !this.notifier?.names) return false;
    return patched(QUIET_WHEN_CURRENT);
  }

  /** Waits until every notice started so far was taken by the server (before continue-as-new and the end). */
  async flush(): Promise<void> {
    await this.notifier?.flush();
  }
}
