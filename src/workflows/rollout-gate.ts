/**
 * A wave's gate (docs/spec.md "Wave gates"), run by the main loop after the wave and its
 * soak, before the next wave starts: the `runWaveGate` activity observes it (every
 * `interval` until it passed for `passFor`, or failed by its `timeout`), and the
 * `Rollout` records the verdict (`gateBegan`, `gateEnded`). Passing opens the next wave;
 * failing halts the rollout (the loop then compensates as for a blown budget) or, with
 * `onFail: "pause"`, pauses it until an operator resumes (the next wave starts) or aborts.
 *
 * A stop (abort, or a halt from elsewhere) while the gate runs cancels its activity: the
 * rollout stops at once, not after the gate's timeout.
 */
import { CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { MAX_GATE_CLUSTERS } from '../domain/gate.js';
import type { RolloutPhase } from '../domain/report.js';
import { healthChecking } from './activity-options.js';
import { messageOf } from './rollout-activities.js';
import type { RolloutNotices } from './rollout-notices.js';
import type { GateOutcome, Rollout } from './rollout.js';

export interface GateHooks {
  /** Enters a phase and shows it. */
  readonly enter: (phase: RolloutPhase) => void;
  /** Shows the rollout as it is now. */
  readonly show: () => void;
  readonly notices: RolloutNotices;
}

export async function runGate(rollout: Rollout, index: number, hooks: GateHooks): Promise<void> {
  const wave = rollout.waves[index]!;
  const gate = wave.plan.gate!;
  rollout.gateBegan(index);
  hooks.enter('checking-gate');
  const names = wave.gateNames ?? [];
  const outcome: GateOutcome | undefined =
    names.length > MAX_GATE_CLUSTERS
      ? { passed: false, observations: 0, reason: `gate ${JSON.stringify(gate.name)} cannot run: wave ${wave.plan.name} started more than ${MAX_GATE_CLUSTERS} clusters, too many for {waveClusters} (use a label the wave shares, such as {wave})` }
      : await observe(rollout, index, names);
  if (!outcome) return; // Stopped while it ran: the loop acts on the stop.
  rollout.gateEnded(index, outcome);
  hooks.show();
  hooks.notices.gateFailed(index);
  // Paused by the gate (or by an operator meanwhile): a person decides, with `resume` or `abort`.
  if (!outcome.passed && rollout.paused && !rollout.stop) await condition(() => !rollout.paused || rollout.stop !== undefined);
  rollout.setWaveState(index, 'done');
  hooks.show();
}

/** The gate's verdict, or undefined when the rollout stopped first (the activity is then cancelled). */
async function observe(rollout: Rollout, index: number, clusterNames: readonly string[]): Promise<GateOutcome | undefined> {
  const wave = rollout.waves[index]!;
  const gate = wave.plan.gate!;
  const { runWaveGate } = proxyActivities<Activities>(healthChecking([gate]));
  const scope = new CancellationScope();
  let outcome: GateOutcome | undefined;
  const run = scope
    .run(() => runWaveGate.executeWithOptions({ summary: `gate ${gate.name} of wave ${wave.plan.name}` }, [{ gate, wave: wave.plan.name, clusterNames: [...clusterNames] }]))
    .then(
      (result) => {
        outcome = result;
      },
      (error: unknown) => {
        // Retries spent (the worker cannot reach anything, say): the gate did not pass, and says why.
        outcome ??= { passed: false, observations: 0, reason: `gate ${JSON.stringify(gate.name)} could not run: ${messageOf(error)}` };
      },
    );
  await condition(() => outcome !== undefined || rollout.stop !== undefined);
  if (outcome) return outcome;
  scope.cancel();
  await run;
  return undefined;
}
