/**
 * `Flights`: the clusters whose child runs now, by id (each reports back by signal), and
 * the child starts asked for and not confirmed yet (continue-as-new waits for those).
 * Owned by the rollout's state (state.ts); `snapshot()` is what continue-as-new carries.
 */
import type { Placed } from './wave-data.js';

export class Flights {
  private readonly byCluster = new Map<string, Placed>();
  private starting = 0;

  constructor(carried: readonly Placed[] = []) {
    for (const flight of carried) this.byCluster.set(flight.entry.id, flight);
  }

  get size(): number {
    return this.byCluster.size;
  }

  get(clusterId: string): Placed | undefined {
    return this.byCluster.get(clusterId);
  }

  keys(): IterableIterator<string> {
    return this.byCluster.keys();
  }

  values(): IterableIterator<Placed> {
    return this.byCluster.values();
  }

  /** A cluster taken from its wave: in flight from `now` (workflow time). */
  took(next: Placed, now: number): void {
    this.byCluster.set(next.entry.id, { ...next, startedAt: now });
  }

  /** The cluster's child reported its end: no longer in flight (undefined if it was not). */
  landed(clusterId: string): Placed | undefined {
    const flight = this.byCluster.get(clusterId);
    this.byCluster.delete(clusterId);
    return flight;
  }

  /** A child's start is asked for: continue-as-new waits for it to be confirmed. */
  childStarting(): void {
    this.starting++;
  }

  /** A child's start is confirmed, or failed: either way it no longer holds up continue-as-new. */
  childStartSettled(): void {
    this.starting--;
  }

  /** Every child start asked for has been confirmed (or failed). */
  get startsSettled(): boolean {
    return this.starting === 0;
  }

  /**
   * A lean child being started (its id), then started (its run): a stop cancels exactly it (a report may come first).
   */
  childStarted(clusterId: string, childId: string, childRunId?: string, holds?: true): void {
    const flight = this.byCluster.get(clusterId);
    if (!flight) return;
    this.byCluster.set(clusterId, {
      ...flight,
      childId,
      ...(childRunId ? { childRunId } : {}),
      ...(holds ? { holds } : {}),
    });
  }

  snapshot(): Placed[] {
    return [...this.byCluster.values()];
  }
}
