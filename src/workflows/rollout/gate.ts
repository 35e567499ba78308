/**
 * A wave's gate (docs/spec.md "Wave gates"), run by the main loop after the wave and its
 * soak, before the next wave starts: the `runWaveGate` activity observes it (every
 * `interval` until it passed for `passFor`, or failed by its `timeout`), and the
 * `Rollout` records the verdict (`gateBegan`, `gateEnded`). Passing opens the next wave;
 * failing halts the rollout (the loop then compensates as for a blown budget) or, with
 * `onFail: "pause"`, pauses it until an operator runs it again (`recheckGate`: passing,
 * the rollout goes on), resumes without it (`resume` with `skipGate`) or aborts.
 *
 * A stop (abort, or a halt from elsewhere) while the gate runs cancels its activity: the
 * rollout stops at once, not after the gate's timeout.
 */
import { CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { MAX_GATE_CLUSTERS } from '../../domain/gate.js';
import type { RolloutPhase } from '../../domain/report.js';
import { healthChecking } from '../activity-options.js';
import { messageOf } from './activities.js';
import type { RolloutNotices } from './view/notices.js';
import type { GateOutcome, Rollout } from './state.js';

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
  rollout.gates.began(index);
  hooks.enter('checking-gate');
  const names = wave.gateNames ?? [];
  const outcome: GateOutcome | undefined =
    names.length > MAX_GATE_CLUSTERS
      ? {
          passed: false,
          observations: 0,
          reason: `gate ${JSON.stringify(gate.name)} cannot run: wave ${wave.plan.name} started more than ${MAX_GATE_CLUSTERS} clusters, too many for {waveClusters} (use a label the wave shares, such as {wave})`,
        }
      : await observe(rollout, index, names);
  if (!outcome) return; // Stopped while it ran: the loop acts on the stop.
  rollout.gates.ended(index, outcome);
  hooks.show();
  hooks.notices.gateFailed(index);
  if (!outcome.passed) await held(rollout, index, names, hooks);
  rollout.queues.waveDone(index);
  hooks.show();
}

/**
 * Paused by the gate (or by an operator meanwhile): a person decides, with `recheckGate`
 * (the gate runs again, as often as asked), `resume` or `abort`. Commands only for a
 * recheck, which runs before no recorded history had one.
 */
async function held(rollout: Rollout, index: number, names: readonly string[], hooks: GateHooks): Promise<void> {
  try {
    await rechecks(rollout, index, names, hooks);
  } finally {
    // A recheck asked just before a resume or a stop is dropped, and its update answers.
    rollout.gates.recheckTaken();
  }
}

async function rechecks(rollout: Rollout, index: number, names: readonly string[], hooks: GateHooks): Promise<void> {
  const wave = rollout.waves[index]!;
  for (let recheck = 1; rollout.paused && !rollout.stop; recheck++) {
    await condition(() => !rollout.paused || rollout.stop !== undefined || rollout.gates.recheckAsked);
    if (!rollout.gates.recheckAsked || !rollout.paused || rollout.stop) return;
    const before = wave.gate;
    rollout.gates.recheckTaken();
    rollout.gates.began(index);
    hooks.show();
    const outcome = await observe(rollout, index, names, () => !rollout.paused);
    if (!outcome) {
      // Resumed without it (`skipGate`) or stopped while it ran: the gate keeps its failed verdict.
      rollout.gates.kept(index, before);
      return hooks.show();
    }
    rollout.gates.ended(index, outcome);
    hooks.show();
    hooks.notices.gateFailed(index, recheck);
  }
}

/** The gate's verdict, or undefined when the rollout stopped first, or `given` up (the activity is then cancelled). */
async function observe(
  rollout: Rollout,
  index: number,
  clusterNames: readonly string[],
  given = () => false,
): Promise<GateOutcome | undefined> {
  const wave = rollout.waves[index]!;
  const gate = wave.plan.gate!;
  const { runWaveGate } = proxyActivities<Activities>(healthChecking([gate]));
  const scope = new CancellationScope();
  let outcome: GateOutcome | undefined;
  const run = scope
    .run(() =>
      runWaveGate.executeWithOptions({ summary: `gate ${gate.name} of wave ${wave.plan.name}` }, [
        { gate, wave: wave.plan.name, clusterNames: [...clusterNames] },
      ]),
    )
    .then(
      (result) => {
        outcome = result;
      },
      (error: unknown) => {
        // Retries spent (the worker cannot reach anything, say): the gate did not pass, and says why.
        outcome ??= {
          passed: false,
          observations: 0,
          reason: `gate ${JSON.stringify(gate.name)} could not run: ${messageOf(error)}`,
        };
      },
    );
  await condition(() => outcome !== undefined || rollout.stop !== undefined || given());
  if (outcome) return outcome;
  scope.cancel();
  await run;
  return undefined;
}
