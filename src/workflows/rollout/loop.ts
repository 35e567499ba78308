/**
 * `RolloutLoop`: the parent's loop, one method per step (hops, waves, approval, the
 * sliding window of children, a freeze's hold, the drain, a wave's end, continue-as-new,
 * the end). It decides; `LoopEffects` acts on Temporal (effects.ts calls the SDK), so the
 * loop's decisions are unit-tested with scripted effects (test/unit/rollout-loop.test.ts).
 * Pause, abort and approval interrupt every wait, because each wait is a condition on the state they change.
 */
import { formatDuration } from '../../domain/durations.js';
import type { RolloutPhase, RolloutReport } from '../../domain/report.js';
import type { ApprovalGate, RolloutPlan } from '../../domain/spec.js';
import { shapeWaves } from '../../domain/waves.js';
import type { Rollout } from './state.js';
import type { LoopEffects, LoopView } from './effects.js';
import type { Placed } from './wave-data.js';
import { reportOf } from './view/report.js';

/**
 * A wave whose last clusters ended while its run continued as new soaks and runs its gate
 * in the next run; runs from before this patch marked it done and went on to the next wave.
 */
export const WAVE_STEPS_ON_RESUME_PATCH = 'wave-steps-on-resume';

/**
 * A retry accepted after a hop's last wave ended (while its gate ran, or a soak) runs in that
 * wave before the hop is done; runs from before this patch finished without it.
 */
export const RETRY_AFTER_WAVE_PATCH = 'retry-after-wave';

export type { LoopEffects, LoopNotices, LoopView } from './effects.js';

export class RolloutLoop {
  constructor(
    private readonly rollout: Rollout,
    private readonly plan: RolloutPlan,
    private readonly fx: LoopEffects,
    private readonly view: LoopView,
    /** The hop a continued run resumes (its carry's), undefined for a first run. */
    private readonly resumeHop?: number,
  ) {}

  enter(next: RolloutPhase): void {
    this.rollout.enter(next);
    this.view.show(next === 'done');
  }

  /** A first run plans; a continued one shows itself (its current details start empty). */
  async begin(): Promise<void> {
    if (this.resumeHop !== undefined) return this.view.show();
    this.enter('planning');
    await this.fx.planRollout();
    this.view.notices.started();
  }

  /** The hops, then the end: never with a child still running (its outcome belongs in the report). */
  async run(): Promise<RolloutReport> {
    const r = this.rollout;
    while (r.hopIndex < r.hops.length && !r.stop) {
      if (!(await this.hop())) break;
      r.nextHop();
    }
    return this.end();
  }

  /** One hop's waves, then its soak before the next hop; false after a dry run (it reads, and that is all). */
  async hop(): Promise<boolean> {
    const { rollout: r, plan } = this;
    const resuming = r.hopIndex === this.resumeHop;
    // Waves that select were sized by planning; a dry run reads against the target, so takes the last hop's sizes.
    const sizes = (plan.dryRun ? r.hops.at(-1)! : r.hop).waves;
    const limits = { maxParallel: plan.maxParallel, soakMs: plan.soakMs };
    const clusters = plan.dryRun ? r.tally.upgradeTotal : r.hop.clusters;
    if (!resuming) r.beginHop(shapeWaves(clusters, r.hop.listed, plan.waves, limits, sizes));
    if (plan.dryRun) {
      await this.fx.listDryRun();
      return false;
    }
    for (let index = resuming ? (r.queues.currentWave ?? 0) : 0; index < r.waves.length && !r.stop; index++) {
      r.queues.beginWave(index);
      await this.wave(index);
    }
    if (!r.lastHop && !r.stop && plan.soakMs > 0) {
      this.enter('soaking');
      const summary = `soak ${formatDuration(plan.soakMs)} before hop ${r.hops[r.hopIndex + 1]!.version}`;
      await this.fx.waitFor(() => r.stop !== undefined, plan.soakMs, summary);
      await this.retriesLeft(r.waves.length - 1);
    }
    return true;
  }

  async wave(index: number): Promise<void> {
    const r = this.rollout;
    // Clusters in flight count: a run that continued as new may resume a wave whose last clusters are still upgrading.
    if (r.waveIsEmpty(index)) {
      // Resumed after continue-as-new with its last clusters ended meanwhile: it still owes its soak and gate.
      const resumedMidWave = r.waves[index]!.state === 'upgrading';
      if (resumedMidWave && this.fx.patched(WAVE_STEPS_ON_RESUME_PATCH)) return this.finishWave(index);
      if (resumedMidWave) this.view.notices.waveDoneOnResume(index);
      r.queues.waveDone(index);
      return;
    }
    const gate = r.awaitsApproval(index);
    if (gate && !(await this.approval(index, gate))) return;
    r.queues.waveUpgrading(index);
    this.enter('upgrading');
    await this.slidingWindow(index);
    await this.finishWave(index);
    if (index === r.waves.length - 1) await this.retriesLeft(index);
  }

  /** The hop's last wave is not done while a retry accepted after its clusters ended waits: it runs them first. */
  async retriesLeft(index: number): Promise<void> {
    const r = this.rollout;
    // Asked only when there is one, so runs without such a retry send what they did.
    while (!r.stop && r.queues.retryQueue.length > 0 && this.fx.patched(RETRY_AFTER_WAVE_PATCH)) {
      r.queues.waveUpgrading(index);
      this.enter('upgrading');
      await this.slidingWindow(index);
      await this.finishWave(index);
    }
  }

  /** The wave's approval gate, still closed: true when the wave may start (approved, or on when it timed out). */
  async approval(index: number, gate: ApprovalGate): Promise<boolean> {
    const r = this.rollout;
    const name = r.waves[index]!.plan.name;
    r.queues.waveAwaitingApproval(index);
    this.enter('awaiting-approval');
    this.view.notices.approvalNeeded(index, gate);
    const opened = () => r.steering.approvals.has(name) || r.stop !== undefined;
    const ms = gate.timeoutMs;
    const summary = () => `approval of wave ${name}: ${gate.onTimeout} after ${formatDuration(ms!)} without one`;
    const decided =
      ms === undefined ? (await this.fx.waitUntil(opened), true) : await this.fx.waitFor(opened, ms, summary());
    if (r.stop) return false;
    if (!decided) r.approvalTimedOut(index, gate);
    return !r.stop;
  }

  /** A wave's clusters have ended: it is done, then soaks and runs its gate before the next may start. */
  async finishWave(index: number): Promise<void> {
    const r = this.rollout;
    const wave = r.waves[index]!;
    if (r.stop) return;
    r.queues.waveDone(index);
    this.view.notices.waveDone(index);
    if (wave.plan.soakMs > 0 && index < r.waves.length - 1) {
      r.queues.waveSoaking(index);
      this.enter('soaking');
      const summary = `soak ${formatDuration(wave.plan.soakMs)} after wave ${wave.plan.name}`;
      await this.fx.waitFor(() => r.stop !== undefined, wave.plan.soakMs, summary);
      r.queues.waveDone(index);
    }
    if (wave.plan.gate && !r.stop) await this.fx.runGate(index);
  }

  /**
   * Keeps up to maxParallel children running. Each reports back by signal; on a stop,
   * the ones in flight are cancelled (they compensate) and waited for. Continues as new
   * when the history grows long, children and all.
   */
  async slidingWindow(index: number): Promise<void> {
    const r = this.rollout;
    const long = () => this.fx.historyIsLong();
    for (;;) {
      if (!r.queues.hasNext(index) && !r.stop) await this.fx.refill(index);
      // Also wakes when the history has grown long, so a full window of slow clusters does not hold up continue-as-new.
      const idle = () => r.inFlight.size === 0 && !r.queues.hasNext(index);
      await this.fx.waitUntil(() => r.stop !== undefined || idle() || r.canStart(index) || long());
      if (r.stop) break;
      if (long()) await this.carryOn();
      if (r.stop) break; // Stopped while waiting to continue as new: this run compensates.
      const freeze = r.queues.hasNext(index) ? r.freezes.frozenAt(Date.now()) : undefined;
      if (freeze) {
        await this.holdFor(freeze);
        continue;
      }
      const next = r.takeNext(index);
      if (!next) break;
      this.view.show();
      this.start(next);
    }
    await this.drainInFlight();
  }

  /** Not awaited: many children start in one workflow task. Continue-as-new waits for them (see carryOn). */
  start(next: Placed): void {
    const r = this.rollout;
    r.inFlight.childStarting();
    void this.fx
      .startChild(next)
      .then((unstarted) => {
        // Not started (another rollout holds the cluster, or the start failed): nothing was sent for it.
        if (!unstarted || !r.record(unstarted)) return;
        this.view.show();
        this.view.notices.clusterFailed(unstarted);
      })
      .finally(() => r.inFlight.childStartSettled());
  }

  /**
   * A freeze is in force: no cluster starts until it lifts (a durable timer), a stop, a
   * freeze an operator adds (it may last longer) or lifts, or a long history (continue as new) wakes it.
   */
  async holdFor(freeze: { readonly reason: string; readonly until: number }): Promise<void> {
    const r = this.rollout;
    const changes = r.freezes.changes;
    this.enter('frozen');
    const summary = `frozen until ${new Date(freeze.until).toISOString()}: ${freeze.reason}`;
    const woken = () => r.stop !== undefined || r.freezes.changes !== changes || this.fx.historyIsLong();
    await this.fx.waitFor(woken, freeze.until - Date.now(), summary);
    if (!r.stop && r.phase === 'frozen') this.enter('upgrading');
  }

  /** Waits for every child in flight to report; on a stop, cancels them first (they compensate). */
  async drainInFlight(): Promise<void> {
    const r = this.rollout;
    if (r.stop && r.inFlight.size > 0) {
      this.enter('compensating');
      // All at once, in one workflow task. A child that has just ended cannot be cancelled; its report is on the way.
      const cancels = this.fx.cancelInFlight();
      r.actedOnStop();
      await Promise.all(cancels);
    }
    if (r.stop) r.actedOnStop();
    await this.fx.waitUntil(() => r.inFlight.size === 0);
  }

  /**
   * Continues as new with everything this run knows, unless a stop arrives first (an abort's handler waits for this
   * run to act on it).
   */
  async carryOn(): Promise<void> {
    const r = this.rollout;
    // A child whose start is not confirmed yet would be lost to the next run.
    await this.fx.waitUntil(() => (r.inFlight.startsSettled && this.fx.allHandlersFinished()) || r.stop !== undefined);
    if (r.stop) return;
    // The server copies the search attributes to the next run: send what is still behind first.
    // Reports still queued belong in the snapshot (one may arrive while the notices flush).
    const { inbox, notices } = this.view;
    do {
      inbox.drain();
      this.view.show(true);
      if (notices.active) await notices.flush();
    } while (inbox.pending);
    await this.fx.continueAsNew(r.snapshot());
  }

  /** The end: children drained, a stop compensated, the held clusters let go, the report. */
  async end(): Promise<RolloutReport> {
    const r = this.rollout;
    const { notices } = this.view;
    await this.drainInFlight();
    if (r.stop) {
      r.actedOnStop();
      r.settleStop();
      await this.fx.undoFailedDesiredVersions();
      notices.stopped(r.stop);
    }
    r.finish();
    await this.fx.waitUntil(() => this.fx.allHandlersFinished());
    // No update can retry a cluster now: the children that hold failed ones close.
    await this.fx.releaseHeld();
    this.enter('done');
    const report = reportOf(r);
    notices.finished(report);
    if (notices.active) await notices.flush();
    return report;
  }
}
