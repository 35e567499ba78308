/**
 * The clusters a rollout holds: lean children started with `hold` (children.ts) whose
 * cluster ended FAILED, MISSED, SUPERSEDED or BLOCKED stay open, holding the cluster's lock, until
 * the rollout decides (../cluster/hold.ts). A retry of one is a signal to that child,
 * which upgrades the cluster again in the same run and reports as a fresh child would;
 * when the rollout ends, in any way, it signals every child it holds to close. This is
 * the set, plain data, part of the rollout's snapshot (it survives continue-as-new); the
 * signals are held-signals.ts's. Nothing is held in runs from before the
 * `hold-failed-clusters` patch, nor for children started without `hold`.
 */
import { isRetriableOutcome, type ClusterResult } from '../../domain/report.js';
import type { HeldChild, Placed } from './wave-data.js';

export type { HeldChild };

export class HeldClusters {
  private readonly byCluster = new Map<string, HeldChild>();

  static restore(held: readonly HeldChild[] | undefined): HeldClusters {
    const set = new HeldClusters();
    for (const child of held ?? []) set.byCluster.set(child.clusterId, child);
    return set;
  }

  /** For the snapshot: absent when nothing is held (runs recorded before carry none). */
  snapshot(): { held?: HeldChild[] } {
    return this.byCluster.size > 0 ? { held: [...this.byCluster.values()] } : {};
  }

  get size(): number {
    return this.byCluster.size;
  }

  has(clusterId: string): boolean {
    return this.byCluster.has(clusterId);
  }

  /** A child's report: one started with `hold` that ended so that a retry may take it now waits. */
  reported(flight: Placed, result: ClusterResult): void {
    if (!flight.holds || !flight.childId || !isRetriableOutcome(result.outcome)) return;
    this.byCluster.set(result.clusterId, {
      clusterId: result.clusterId,
      childId: flight.childId,
      ...(flight.childRunId ? { childRunId: flight.childRunId } : {}),
    });
  }

  /** A child's start confirmed after its report: its run, so that signals reach exactly it. */
  started(clusterId: string, childRunId: string): void {
    const held = this.byCluster.get(clusterId);
    if (held && !held.childRunId) this.byCluster.set(clusterId, { ...held, childRunId });
  }

  /** Takes the cluster out of the set (a retry); undefined when it is not held. */
  take(clusterId: string): HeldChild | undefined {
    const held = this.byCluster.get(clusterId);
    this.byCluster.delete(clusterId);
    return held;
  }

  /** Empties the set (the rollout ends). */
  takeAll(): HeldChild[] {
    const all = [...this.byCluster.values()];
    this.byCluster.clear();
    return all;
  }
}
