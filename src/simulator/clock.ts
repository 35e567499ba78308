/**
 * The simulator's two clocks. Maintenance windows live in a *simulated* calendar that
 * may run faster than real time (`timeScale` simulated seconds per real second), but
 * every timestamp the simulator returns is a *real* wall-clock instant, so a client can
 * sleep until `windowStart` with its own clock and arrive on time:
 *
 *   sim  = simStart + (real - realStart) * timeScale
 *   real = realStart + (sim - simStart) / timeScale
 *
 * With timeScale 86400 a window seven simulated days away opens seven real seconds
 * from now. Everything here is milliseconds since the epoch.
 */
export class SimClock {
  readonly timeScale: number;
  readonly simStart: number;
  readonly realStart: number;
  private readonly realNow: () => number;

  constructor(options: { timeScale?: number; simStart?: number; realNow?: () => number } = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.timeScale = options.timeScale ?? 1;
    if (!Number.isFinite(this.timeScale) || this.timeScale <= 0)
      throw new Error(`timeScale must be a positive number, got ${this.timeScale}`);
    this.realStart = this.realNow();
    this.simStart = options.simStart ?? this.realStart;
  }

  /** The current instant in the simulated calendar. */
  now(): number {
    return this.toSim(this.realNow());
  }

  toSim(real: number): number {
    return this.simStart + (real - this.realStart) * this.timeScale;
  }

  toReal(sim: number): number {
    return this.realStart + (sim - this.simStart) / this.timeScale;
  }

  /** A simulated instant as the RFC 3339 real instant clients see. */
  iso(sim: number): string {
    return new Date(Math.round(this.toReal(sim))).toISOString();
  }

  /** A real RFC 3339 instant a client sent, in the simulated calendar. */
  parseReal(text: string): number {
    return this.toSim(Date.parse(text));
  }
}
