/**
 * The clusters a rollout holds: lean children started with `hold` (rollout-children.ts)
 * whose cluster ended FAILED, MISSED or SUPERSEDED stay open, holding the cluster's lock,
 * until the rollout decides (cluster-hold.ts). A retry of one is a signal to that child,
 * which upgrades the cluster again in the same run and reports as a fresh child would;
 * when the rollout ends, in any way, it signals every child it holds to close. The set
 * is part of the rollout's snapshot, so it survives continue-as-new.
 *
 * Nothing is held in runs from before the `hold-failed-clusters` patch, nor for children
 * started without `hold`: those runs send none of these signals.
 */
import { CancellationScope, getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { isFailedOutcome, type ClusterResult } from '../../domain/report.js';
import { HOLD_PATCH, releaseHeldSignal, retryHeldSignal } from '../cluster/hold.js';
import type { Placed } from './wave-data.js';
import type { Rollout } from './state.js';

export { HOLD_PATCH };

/** A child that holds its cluster for the rollout: the run to signal. */
export interface HeldChild {
  readonly clusterId: string;
  readonly childId: string;
  /**
   * Absent while the start is not confirmed (a report came first, or the start failed): such an entry is never
   * signalled.
   */
  readonly childRunId?: string;
}

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
    if (!flight.holds || !flight.childId || !isFailedOutcome(result.outcome)) return;
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

const handleOf = (held: HeldChild) => getExternalWorkflowHandle(held.childId, held.childRunId);

/**
 * A retry of a held cluster: its child upgrades it again, in flight as a started one would
 * be. False when the cluster is not held, or its child is gone (terminated by hand): the
 * caller then starts a new child.
 */
export async function retryHeld(rollout: Rollout, clusterId: string): Promise<boolean> {
  const held = rollout.queues.held;
  if (!held.has(clusterId) || !patched(HOLD_PATCH)) return false;
  const child = held.take(clusterId)!;
  if (!child.childRunId) return false;
  // In flight with its run before the signal goes: its next report may come at once.
  rollout.inFlight.childStarted(clusterId, child.childId, child.childRunId, true);
  return handleOf(child)
    .signal(retryHeldSignal)
    .then(
      () => true,
      () => false,
    );
}

/** The rollout ends (finished, halted, aborted, failed, cancelled): every child it holds closes as it is. */
export async function releaseHeld(held: HeldClusters): Promise<void> {
  if (held.size === 0 || !patched(HOLD_PATCH)) return;
  const children = held.takeAll().filter((child) => child.childRunId);
  // Not cancellable: a cancelled rollout lets its clusters go too. A child gone already needs nothing.
  await CancellationScope.nonCancellable(() =>
    Promise.all(
      children.map((child) =>
        handleOf(child)
          .signal(releaseHeldSignal)
          .catch(() => undefined),
      ),
    ),
  );
}
