/**
 * `fleetRollout(spec)`: the parent.
 *
 *   validate ─▶ plan (read versions + inventory; reject before any change) ─▶ waves
 *   for each wave: [approval gate] ─▶ sliding window of clusterUpgrade children
 *                  (≤ maxParallel, paused = none start) ─▶ [soak] ─▶ [gate]
 *   budget exceeded (HALTED) or abort (ABORTED): no new clusters, in-flight children
 *   are cancelled and compensate (see cluster/workflow.ts), the rest are NOT_STARTED.
 *
 * This file is wiring and the hop/wave loop. What the rollout knows and every rule
 * that changes it live in the `Rollout` class (rollout.ts); operators' updates are its
 * methods (rollout-controls.ts wires them); its activities are in rollout-activities.ts.
 * Pause, abort and approval interrupt every wait (gates, soaks), because each wait is a
 * `condition` on the state they change.
 *
 * History stays small however large the fleet: children are started with
 * `ParentClosePolicy.ABANDON` and report back by signal, so the rollout can continue
 * as new (carrying `rollout.snapshot()`) while they run. Stopping cancels children
 * through their ids, whichever run started them.
 */
import { ApplicationFailure } from '@temporalio/common';
import { allHandlersFinished, condition, ContinueAsNew, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { formatDuration } from '../../domain/durations.js';
import { INVALID_SPEC } from '../../domain/failure-types.js';
import type { RolloutPhase, RolloutReport } from '../../domain/report.js';
import type { RolloutSpec } from '../../domain/spec.js';
import { shapeWaves } from '../../domain/waves.js';
import { clusterDoneSignal, progressQuery } from '../messages.js';
import { listDryRun, planRollout, refill, undoFailedDesiredVersions } from './activities.js';
import { wireControls } from './handlers.js';
import { RolloutInbox } from './inbox.js';
import { RolloutNotices } from './view/notices.js';
import { cancelInFlight, startClusterChild } from './children.js';
import { releaseHeld } from './held.js';
import { runGate } from './gate.js';
import { RolloutDisplay } from './view/display.js';
import { progressOf } from './view/progress.js';
import { reportOf } from './view/report.js';
import { requireSearchAttributes } from '../require-namespace.js';
import { markDryRun } from './memo.js';
import { rolloutSearchAttributes } from '../search-attributes.js';
import { Rollout, type RolloutCarry } from './controls.js';

export type { RolloutCarry };

/**
 * A wave whose last clusters ended while its run continued as new soaks and runs its gate
 * in the next run; runs from before this patch marked it done and went on to the next wave.
 */
export const WAVE_STEPS_ON_RESUME_PATCH = 'wave-steps-on-resume';

export async function fleetRollout(spec: RolloutSpec, carry?: RolloutCarry): Promise<RolloutReport> {
  let rollout: Rollout | undefined;
  // Failed or cancelled, it lets the clusters it holds go too (rollout-held.ts); continue-as-new carries them.
  return runRollout(spec, carry, (opened) => (rollout = opened)).catch(async (error: unknown) => {
    if (rollout && !(error instanceof ContinueAsNew)) await releaseHeld(rollout.queues.held);
    throw error;
  });
}

async function runRollout(spec: RolloutSpec, carry: RolloutCarry | undefined, opened: (rollout: Rollout) => void): Promise<RolloutReport> {
  const rolloutId = workflowInfo().workflowId;
  // Loaded here, not imported at the top: the reusable V8 context evaluates a workflow's
  // modules afresh for every execution, so a top-level import would build the spec
  // schema (zod) for every cluster's child and claim too. It cost them more CPU and
  // memory than all their own code. Eager: in the bundle, resolved in this activation.
  const { validateRolloutSpec } = await import(/* webpackMode: "eager" */ '../../domain/spec.js');
  const validated = validateRolloutSpec(spec);
  const checked = validated.ok ? validated.plan : undefined;
  const rollout = carry ? Rollout.restore(rolloutId, checked, carry) : Rollout.start(rolloutId, checked, new Date().toISOString());
  opened(rollout);
  const progress = () => progressOf(rollout, typeof spec?.targetVersion === 'string' ? spec.targetVersion : '');
  setHandler(progressQuery, progress);
  // The handlers refresh what the UI shows once `show` exists (a valid spec); until then there is nothing to show.
  let onChange = (): Promise<void> | undefined => undefined;
  // Operators' actions before the notices exist are told once they do (rollout-notices.ts).
  const actedBefore = rollout.actionCount;
  let onAct = (): void => undefined;
  wireControls(rollout, progress, () => onChange(), () => onAct());

  if (!validated.ok) {
    const problems = validated.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid rollout spec: ${problems}`, INVALID_SPEC, ...validated.problems);
  }
  const plan = validated.plan;
  // Before anything upserts (show, below): on a namespace without them the first task would fail for ever.
  if (!carry) await requireSearchAttributes(rolloutSearchAttributes(plan.targets.length));
  if (!carry) markDryRun(plan.dryRun);
  const display = new RolloutDisplay(rollout, plan);
  const show = (flush?: boolean) => display.show(flush);
  const notices = new RolloutNotices(rollout, plan, { before: actedBefore, fresh: !carry });
  onAct = () => notices.operatorActed();
  onAct();
  const inbox = RolloutInbox.open({ record: (result) => rollout.record(result), notice: (result) => notices.clusterFailed(result), show: () => show() });
  onChange = () => inbox.changed();
  const enter = (next: RolloutPhase) => {
    rollout.enter(next);
    show(next === 'done');
  };

  if (carry) {
    // A new run: its current details start empty, its search attributes as the last run left them.
    show();
  } else {
    enter('planning');
    await planRollout(rollout, plan);
    notices.started();
  }
  // Only now: a resumed run gets the reports buffered for it as soon as the handler is set.
  setHandler(clusterDoneSignal, (result) => inbox.report(result));

  for (; rollout.hopIndex < rollout.hops.length && !rollout.stop; rollout.hopIndex++) {
    const resuming = carry !== undefined && rollout.hopIndex === carry.hopIndex;
    const hop = rollout.hop;
    // Waves that select were sized by planning; a dry run reads against the target, so takes the last hop's sizes.
    const sizes = (plan.dryRun ? rollout.hops.at(-1)! : hop).waves;
    if (!resuming) rollout.beginHop(shapeWaves(plan.dryRun ? rollout.tally.upgradeTotal : hop.clusters, hop.listed, plan.waves, { maxParallel: plan.maxParallel, soakMs: plan.soakMs }, sizes));
    if (plan.dryRun) {
      await listDryRun(rollout, plan);
      break;
    }
    for (let index = resuming ? (rollout.queues.currentWave ?? 0) : 0; index < rollout.waves.length && !rollout.stop; index++) {
      rollout.beginWave(index);
      await runWave(index);
    }
    if (!rollout.lastHop && !rollout.stop && plan.soakMs > 0) {
      enter('soaking');
      await condition(() => rollout.stop !== undefined, plan.soakMs, { summary: `soak ${formatDuration(plan.soakMs)} before hop ${rollout.hops[rollout.hopIndex + 1]!.version}` });
    }
  }

  // Never report with a child still running: its outcome belongs in the report.
  await drainInFlight();
  if (rollout.stop) {
    rollout.stopActedOn = true;
    rollout.settleStop();
    await undoFailedDesiredVersions(rollout, plan);
    notices.stopped(rollout.stop);
  }
  rollout.finish();
  await condition(allHandlersFinished);
  // No update can retry a cluster now: the children that hold failed ones close.
  await releaseHeld(rollout.queues.held);
  enter('done');
  const report = reportOf(rollout);
  notices.finished(report);
  if (notices.active) await notices.flush();
  return report;

  async function runWave(index: number): Promise<void> {
    const wave = rollout.waves[index]!;
    // Clusters in flight count: a run that continued as new may resume a wave whose last clusters are still upgrading.
    if (rollout.waveIsEmpty(index)) {
      // Resumed after continue-as-new with its last clusters ended meanwhile: it still owes its soak and gate.
      const resumedMidWave = wave.state === 'upgrading';
      if (resumedMidWave && patched(WAVE_STEPS_ON_RESUME_PATCH)) return finishWave(index);
      if (resumedMidWave) notices.waveDoneOnResume(index);
      rollout.setWaveState(index, 'done');
      return;
    }
    const gate = rollout.awaitsApproval(index);
    if (gate) {
      rollout.setWaveState(index, 'awaiting-approval');
      enter('awaiting-approval');
      notices.approvalNeeded(index, gate);
      const opened = () => rollout.approvals.has(wave.plan.name) || rollout.stop !== undefined;
      const decided = gate.timeoutMs === undefined ? (await condition(opened), true) : await condition(opened, gate.timeoutMs, { summary: `approval of wave ${wave.plan.name}: ${gate.onTimeout} after ${formatDuration(gate.timeoutMs)} without one` });
      if (rollout.stop) return;
      if (!decided) {
        rollout.approvalTimedOut(index, gate);
        if (rollout.stop) return;
      }
    }
    rollout.setWaveState(index, 'upgrading');
    enter('upgrading');
    await slidingWindow(index);
    await finishWave(index);
  }

  /** A wave's clusters have ended: it is done, then soaks and runs its gate before the next may start. */
  async function finishWave(index: number): Promise<void> {
    const wave = rollout.waves[index]!;
    if (rollout.stop) return;
    rollout.setWaveState(index, 'done');
    notices.waveDone(index);
    if (wave.plan.soakMs > 0 && index < rollout.waves.length - 1) {
      rollout.setWaveState(index, 'soaking');
      enter('soaking');
      await condition(() => rollout.stop !== undefined, wave.plan.soakMs, { summary: `soak ${formatDuration(wave.plan.soakMs)} after wave ${wave.plan.name}` });
      rollout.setWaveState(index, 'done');
    }
    if (wave.plan.gate && !rollout.stop) await runGate(rollout, index, { enter, show, notices });
  }

  /**
   * Keeps up to maxParallel children running. Each reports back by signal; on a stop,
   * the ones in flight are cancelled (they compensate) and waited for. Continues as new
   * when the history grows long, children and all.
   */
  async function slidingWindow(index: number): Promise<void> {
    for (;;) {
      if (!rollout.hasNext(index) && !rollout.stop) await refill(rollout, plan, index);
      // Also wakes when the history has grown long, so a full window of slow clusters does not hold up continue-as-new.
      await condition(() => rollout.stop !== undefined || (rollout.inFlight.size === 0 && !rollout.hasNext(index)) || rollout.canStart(index) || historyIsLong());
      if (rollout.stop) break;
      if (historyIsLong()) await carryOn();
      if (rollout.stop) break; // Stopped while waiting to continue as new: this run compensates.
      const freeze = rollout.hasNext(index) ? rollout.frozenAt(Date.now()) : undefined;
      if (freeze) {
        await holdFor(freeze);
        continue;
      }
      const next = rollout.takeNext(index);
      if (!next) break;
      show();
      // Not awaited: many children start in one workflow task. Continue-as-new waits for them (see carryOn).
      rollout.starting++;
      void startClusterChild(rollout, plan, next)
        .then((unstarted) => {
          // Not started (another rollout holds the cluster, or the start failed): nothing was sent for it.
          if (!unstarted || !rollout.record(unstarted)) return;
          show();
          notices.clusterFailed(unstarted);
        })
        .finally(() => rollout.starting--);
    }
    await drainInFlight();
  }

  /**
   * A freeze is in force: no cluster starts until it lifts (a durable timer), a stop, a
   * freeze an operator adds (it may last longer) or lifts, or a long history (continue as new) wakes it.
   */
  async function holdFor(freeze: { readonly reason: string; readonly until: number }): Promise<void> {
    const changes = rollout.freezeChanges;
    enter('frozen');
    const summary = `frozen until ${new Date(freeze.until).toISOString()}: ${freeze.reason}`;
    await condition(() => rollout.stop !== undefined || rollout.freezeChanges !== changes || historyIsLong(), freeze.until - Date.now(), { summary });
    if (!rollout.stop && rollout.phase === 'frozen') enter('upgrading');
  }

  /** Waits for every child in flight to report; on a stop, cancels them first (they compensate). */
  async function drainInFlight(): Promise<void> {
    if (rollout.stop && rollout.inFlight.size > 0) {
      enter('compensating');
      // All at once, in one workflow task. A child that has just ended cannot be cancelled; its report is on the way.
      const cancels = cancelInFlight(rollout);
      rollout.stopActedOn = true;
      await Promise.all(cancels);
    }
    if (rollout.stop) rollout.stopActedOn = true;
    await condition(() => rollout.inFlight.size === 0);
  }

  function historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= plan.historyEventsPerRun;
  }

  /** Continues as new with everything this run knows, unless a stop arrives first (an abort's handler waits for this run to act on it). */
  async function carryOn(): Promise<void> {
    // A child whose start is not confirmed yet would be lost to the next run.
    await condition(() => (rollout.starting === 0 && allHandlersFinished()) || rollout.stop !== undefined);
    if (rollout.stop) return;
    // The server copies the search attributes to the next run: send what is still behind first.
    // Reports still queued belong in the snapshot (one may arrive while the notices flush).
    do {
      inbox.drain();
      show(true);
      if (notices.active) await notices.flush();
    } while (inbox.pending);
    await continueAsNew<typeof fleetRollout>(spec, rollout.snapshot());
  }
}
