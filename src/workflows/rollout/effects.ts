/**
 * The loop's effects in production: the SDK's waits, patches and continue-as-new, and the
 * activities and children the rollout runs (loop.ts says what each is for).
 */
import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { RolloutPlan, RolloutSpec } from '../../domain/spec.js';
import { listDryRun, planRollout, refill, undoFailedDesiredVersions } from './activities.js';
import { cancelInFlight, startClusterChild } from './children.js';
import type { Rollout } from './controls.js';
import { releaseHeld } from './held.js';
import type { LoopEffects } from './loop.js';
import type { fleetRollout } from './workflow.js';

/** `gate` runs a wave's gate (gate.ts), which shows through the loop: the workflow wires it. */
export function sdkEffects(rollout: Rollout, plan: RolloutPlan, spec: RolloutSpec, gate: (index: number) => Promise<void>): LoopEffects {
  return {
    // The SDK's promises as they are: an extra step would reorder this coroutine against handlers in an activation.
    waitUntil: (until) => condition(until),
    waitFor: (until, timeoutMs, summary) => condition(until, timeoutMs, { summary }),
    historyIsLong: () => {
      const info = workflowInfo();
      return info.continueAsNewSuggested || info.historyLength >= plan.historyEventsPerRun;
    },
    allHandlersFinished,
    patched,
    continueAsNew: (carry) => continueAsNew<typeof fleetRollout>(spec, carry),
    planRollout: () => planRollout(rollout, plan),
    listDryRun: () => listDryRun(rollout, plan),
    refill: (index) => refill(rollout, plan, index),
    startChild: (next) => startClusterChild(rollout, plan, next),
    cancelInFlight: () => cancelInFlight(rollout),
    undoFailedDesiredVersions: () => undoFailedDesiredVersions(rollout, plan),
    runGate: gate,
    releaseHeld: () => releaseHeld(rollout.queues.held),
  };
}
