/**
 * `WaveGates`: the waves' gates as the rollout's state keeps them (gate.ts runs them).
 * A gate shows `running` from `began` to `ended`; one that fails halts the rollout, or
 * (`onFail: "pause"`) pauses it and holds it (`held`) until it passes when run again
 * (`recheckGate`), an operator resumes without it, or the rollout stops. A gate never
 * spans a continue-as-new, so nothing here is carried.
 */
import { boundOf, type GateOutcome } from '../../domain/gate.js';
import type { ActionLog } from './action-log.js';
import type { StopStatus } from './snapshot.js';
import type { WaveRun } from './waves.js';

/** What the gates change in the rest of the state. */
export interface GateHost {
  readonly waves: readonly WaveRun[];
  readonly paused: boolean;
  pauseRun(): void;
  resumeRun(): void;
  halt(status: StopStatus, reason: string): void;
}

export class WaveGates {
  /** The wave whose failed gate paused the rollout, while it holds it. */
  private holding: number | undefined;
  private recheck = false;

  constructor(
    private readonly host: GateHost,
    private readonly log: ActionLog,
  ) {}

  /** The gate that failed and paused the rollout, while the rollout stays paused. */
  held(): { readonly wave: string; readonly name: string; readonly verdict: string } | undefined {
    const wave = this.holding !== undefined && this.host.paused ? this.host.waves[this.holding] : undefined;
    return wave?.gate && { wave: wave.plan.name, name: wave.gate.name, verdict: wave.gate.verdict };
  }

  /** `recheckGate` asked; the gate's loop (gate.ts) runs it again and takes it (`recheckTaken`). */
  get recheckAsked(): boolean {
    return this.recheck;
  }

  askRecheck(): void {
    this.recheck = true;
  }

  /** The gate's loop runs the recheck now, or drops it (a resume or a stop came first). */
  recheckTaken(): void {
    this.recheck = false;
  }

  /** The rollout goes on (an operator's resume): no gate holds it any more. */
  release(): void {
    this.holding = undefined;
  }

  /** The wave's gate began: it shows `running`, with its bound, from now. */
  began(index: number): void {
    const wave = this.host.waves[index]!;
    const gate = wave.plan.gate!;
    wave.state = 'gating';
    wave.gate = {
      name: gate.name,
      verdict: 'running',
      bound: boundOf(gate),
      startedAt: new Date().toISOString(),
      onFail: gate.onFail,
    };
  }

  /** A recheck given up (resumed without it, or stopped): the gate keeps the verdict it had. */
  kept(index: number, gate: WaveRun['gate']): void {
    this.host.waves[index]!.gate = gate;
  }

  /** The gate's verdict. A failed gate halts the rollout, or (`onFail: "pause"`) pauses it for a person to decide. */
  ended(index: number, result: GateOutcome): void {
    const wave = this.host.waves[index]!;
    const gate = wave.gate!;
    const value = result.value !== undefined ? { value: result.value } : {};
    const reason = result.reason !== undefined ? { reason: result.reason } : {};
    const verdict = result.passed ? ('passed' as const) : ('failed' as const);
    wave.gate = {
      ...gate,
      verdict,
      ...value,
      endedAt: new Date().toISOString(),
      observations: result.observations,
      ...reason,
    };
    if (result.passed) return this.passedAgain(index);
    const why = `gate of wave ${wave.plan.name} failed: ${result.reason ?? 'no reason given'}`;
    if (gate.onFail === 'halt') return this.host.halt('HALTED', why);
    this.host.pauseRun();
    this.holding = index;
    this.log.log({ action: 'gatePaused', target: wave.plan.name, reason: why.slice(0, 500) });
  }

  /** A gate run again (`recheckGate`) that passed: the rollout goes on, as the gate's pause ends. */
  private passedAgain(index: number): void {
    if (this.holding !== index) return;
    this.holding = undefined;
    this.host.resumeRun();
    const wave = this.host.waves[index]!;
    this.log.log({
      action: 'gatePassed',
      target: wave.plan.name,
      reason: `gate ${wave.gate!.name} passed when run again`,
    });
  }
}
