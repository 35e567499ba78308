/**
 * `fleetRollout(spec)`: the parent.
 *
 *   validate ─▶ plan (read versions + inventory; reject before any change) ─▶ waves
 *   for each wave: [approval gate] ─▶ sliding window of clusterUpgrade children
 *                  (≤ maxParallel, paused = none start) ─▶ [soak] ─▶ [gate]
 *   budget exceeded (HALTED) or abort (ABORTED): no new clusters, in-flight children
 *   are cancelled and compensate (see cluster/workflow.ts), the rest are NOT_STARTED.
 *
 * This file is wiring: the state (state.ts, with the operators' updates in controls.ts,
 * wired by handlers.ts), its view, the inbox, and the loop (loop.ts, its effects in effects.ts).
 *
 * History stays small however large the fleet: children are started with
 * `ParentClosePolicy.ABANDON` and report back by signal, so the rollout can continue
 * as new (carrying `rollout.snapshot()`) while they run. Stopping cancels children
 * through their ids, whichever run started them.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ContinueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { INVALID_SPEC } from '../../domain/failure-types.js';
import type { RolloutReport } from '../../domain/report.js';
import type { RolloutSpec } from '../../domain/spec.js';
import { clusterDoneSignal, progressQuery } from '../messages.js';
import { requireSearchAttributes } from '../require-namespace.js';
import { rolloutSearchAttributes } from '../search-attributes.js';
import { Rollout, type RolloutCarry } from './state.js';
import { sdkEffects } from './effects.js';
import { runGate } from './gate.js';
import { wireControls } from './handlers.js';
import { releaseHeld } from './held-signals.js';
import { RolloutInbox } from './inbox.js';
import { RolloutLoop } from './loop.js';
import { markDryRun } from './memo.js';
import { RolloutDisplay } from './view/display.js';
import { RolloutNotices } from './view/notices.js';
import { progressOf } from './view/progress.js';

export type { RolloutCarry };
export { WAVE_STEPS_ON_RESUME_PATCH } from './loop.js';

export async function fleetRollout(spec: RolloutSpec, carry?: RolloutCarry): Promise<RolloutReport> {
  let rollout: Rollout | undefined;
  // Failed or cancelled, it lets the clusters it holds go too (held.ts); continue-as-new carries them.
  return runRollout(spec, carry, (opened) => (rollout = opened)).catch(async (error: unknown) => {
    if (rollout && !(error instanceof ContinueAsNew)) await releaseHeld(rollout.queues.held);
    throw error;
  });
}

async function runRollout(
  spec: RolloutSpec,
  carry: RolloutCarry | undefined,
  opened: (rollout: Rollout) => void,
): Promise<RolloutReport> {
  const rolloutId = workflowInfo().workflowId;
  // Loaded here, not imported at the top: the reusable V8 context evaluates a workflow's
  // modules afresh for every execution, so a top-level import would build the spec
  // schema (zod) for every cluster's child and claim too. It cost them more CPU and
  // memory than all their own code. Eager: in the bundle, resolved in this activation.
  const { validateRolloutSpec } = await import(/* webpackMode: "eager" */ '../../domain/spec.js');
  const validated = validateRolloutSpec(spec);
  const checked = validated.ok ? validated.plan : undefined;
  const rollout = carry
    ? Rollout.restore(rolloutId, checked, carry)
    : Rollout.start(rolloutId, checked, new Date().toISOString());
  opened(rollout);
  // The spec's as given; a per-minor spec without one shows its versions (`1.30.10, 1.31.6`).
  const progress = () =>
    progressOf(rollout, typeof spec?.targetVersion === 'string' ? spec.targetVersion : (checked?.targetVersion ?? ''));
  setHandler(progressQuery, progress);
  // The handlers refresh what the UI shows once `show` exists (a valid spec); until then there is nothing to show.
  let onChange = (): Promise<void> | undefined => undefined;
  // Operators' actions before the notices exist are told once they do (view/notices.ts).
  const actedBefore = rollout.actionCount;
  let onAct = (): void => undefined;
  wireControls(
    rollout,
    progress,
    () => onChange(),
    () => onAct(),
  );

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
  const inbox = RolloutInbox.open({
    record: (result) => rollout.record(result),
    notice: (result) => notices.clusterFailed(result),
    show: () => show(),
  });
  onChange = () => inbox.changed();
  const effects = sdkEffects(rollout, plan, spec, (index) =>
    runGate(rollout, index, { enter: (p) => loop.enter(p), show, notices }),
  );
  const loop = new RolloutLoop(rollout, plan, effects, { show, notices, inbox }, carry?.hopIndex);
  await loop.begin();
  // Only now: a resumed run gets the reports buffered for it as soon as the handler is set.
  setHandler(clusterDoneSignal, (result) => inbox.report(result));
  return loop.run();
}
