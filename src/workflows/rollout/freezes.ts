/**
 * `Freezes`: the spec's freezes, those operators added while the rollout runs (`freeze`)
 * and the spans they lifted (`unfreeze`). Owned by the rollout's state (state.ts); the
 * added ones and the lifts are what continue-as-new carries (`freezes`, `lifts`).
 */
import { freezeAt, freezeWindows, type FixedFreeze, type FreezeLift, type FreezePeriod } from '../../domain/freeze.js';

export class Freezes {
  private readonly added: FixedFreeze[];
  private readonly lifted: FreezeLift[];
  /** Freezes added or lifted in this run: a wait on a freeze wakes when it changes. */
  changes = 0;

  constructor(
    private readonly spec: readonly FreezePeriod[],
    carried?: { readonly freezes?: readonly FixedFreeze[]; readonly lifts?: readonly FreezeLift[] },
  ) {
    this.added = [...(carried?.freezes ?? [])];
    this.lifted = [...(carried?.lifts ?? [])];
  }

  /** The spec's freezes and those operators added. */
  get periods(): readonly FreezePeriod[] {
    return [...this.spec, ...this.added];
  }

  /** The spans operators lifted from `periods`. */
  get lifts(): readonly FreezeLift[] {
    return this.lifted;
  }

  /** The freeze in force at `now` (workflow time), if any: no cluster starts until it lifts. */
  frozenAt(now: number): { readonly reason: string; readonly until: number } | undefined {
    return freezeAt(this.periods, now, this.lifted);
  }

  /** The next freeze to begin within 30 days of `now`. */
  nextAfter(now: number): { readonly reason: string; readonly start: number } | undefined {
    return freezeWindows(this.periods, now, 30, this.lifted)[0];
  }

  /** An operator's freeze, from `from` to `until`. */
  add(freeze: FixedFreeze): void {
    this.added.push(freeze);
    this.changes++;
  }

  /** Lifts the freezes there are now (one asked for later holds in full) until the one in force would have ended. */
  lift(now: number): FreezeLift | undefined {
    const freeze = this.frozenAt(now);
    if (!freeze) return undefined;
    const lifted = {
      from: new Date(now).toISOString(),
      to: new Date(freeze.until).toISOString(),
      periods: this.periods.length,
    };
    this.lifted.push(lifted);
    this.changes++;
    return lifted;
  }

  /** The snapshot's part: only what operators changed, and only when they did. */
  snapshot(): { freezes?: FixedFreeze[]; lifts?: FreezeLift[] } {
    return {
      ...(this.added.length > 0 ? { freezes: this.added } : {}),
      ...(this.lifted.length > 0 ? { lifts: this.lifted } : {}),
    };
  }
}
