/**
 * `Steering`: what operators set on a running rollout that the loop obeys: paused or not,
 * a `maxParallel` that replaces every wave's own, and the waves approved. Owned by the
 * rollout's state (state.ts), which asks for these transitions after controls.ts has
 * validated the update; `snapshot()` is its part of what continue-as-new carries.
 */
import type { WaveRun } from './waves.js';

interface SteeringCarry {
  readonly paused: boolean;
  readonly maxParallelOverride?: number;
  readonly approvals: readonly string[];
}

export class Steering {
  private pausedNow: boolean;
  private parallelOverride: number | undefined;
  private readonly approved: Set<string>;

  constructor(carried?: SteeringCarry) {
    this.pausedNow = carried?.paused ?? false;
    this.parallelOverride = carried?.maxParallelOverride;
    this.approved = new Set(carried?.approvals ?? []);
  }

  /** The waves approved in this hop (a new hop asks again). */
  get approvals(): ReadonlySet<string> {
    return this.approved;
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** An operator's `setMaxParallel`: it replaces every wave's own. */
  get maxParallelOverride(): number | undefined {
    return this.parallelOverride;
  }

  limitFor(wave: WaveRun): number {
    return this.parallelOverride ?? wave.plan.maxParallel;
  }

  pause(): void {
    this.pausedNow = true;
  }

  resume(): void {
    this.pausedNow = false;
  }

  approve(wave: string): void {
    this.approved.add(wave);
  }

  /** A new hop: its waves are approved afresh. */
  newHop(): void {
    this.approved.clear();
  }

  overrideMaxParallel(limit: number): void {
    this.parallelOverride = limit;
  }

  snapshot(): SteeringCarry {
    return {
      paused: this.pausedNow,
      ...(this.parallelOverride !== undefined ? { maxParallelOverride: this.parallelOverride } : {}),
      approvals: [...this.approved],
    };
  }
}
