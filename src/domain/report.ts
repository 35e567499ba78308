/**
 * What a rollout returns and what `progress` answers (**contract**: scripts read the
 * report JSON). Sized for 10,000 clusters: counts for everything, a line per cluster
 * only for those that did not succeed.
 */
import type { PlatformName } from './platform.js';

/** How one cluster's part of a rollout ended. */
export type ClusterOutcome =
  /** Upgraded and verified at the target version. */
  | 'SUCCEEDED'
  /** Already at the target version: nothing to do. */
  | 'SKIPPED'
  /** Failed after every retry. */
  | 'FAILED'
  /** Missed its window after every reschedule (Aether: did not settle by the deadline). */
  | 'MISSED'
  /** The platform replaced the upgrade (a newer request, the cluster stopped, ...). */
  | 'SUPERSEDED'
  /** Withdrawn before it started. */
  | 'CANCELLED';

export const CLUSTER_OUTCOMES: readonly ClusterOutcome[] = ['SUCCEEDED', 'SKIPPED', 'FAILED', 'MISSED', 'SUPERSEDED', 'CANCELLED'];

export type OutcomeCounts = Record<ClusterOutcome, number>;

export const emptyCounts = (): OutcomeCounts => ({ SUCCEEDED: 0, SKIPPED: 0, FAILED: 0, MISSED: 0, SUPERSEDED: 0, CANCELLED: 0 });

/** A cluster as the plan sees it: what it runs now and what it needs. */
export interface ClusterPlanEntry {
  readonly id: string;
  readonly name: string;
  /** Kubernetes version now, e.g. `1.30.4`. */
  readonly version: string;
  readonly action: 'upgrade' | 'skip';
}

export interface ClusterResult {
  readonly clusterId: string;
  readonly name: string;
  readonly outcome: ClusterOutcome;
  readonly fromVersion: string;
  /** Version the cluster reported at the end. */
  readonly finalVersion?: string;
  /** Upgrade requests sent for this cluster (1 + retries + reschedules). */
  readonly requests: number;
  readonly retries: number;
  readonly reschedules: number;
  /** The platform's reason, for anything but SUCCEEDED. */
  readonly message?: string;
}

export type RolloutStatus = 'SUCCEEDED' | 'PARTIAL' | 'HALTED' | 'ABORTED';

export interface RolloutReport {
  readonly rolloutId: string;
  readonly status: RolloutStatus;
  readonly platform: PlatformName;
  readonly organisation: string;
  /** The target as asked (`1.31`) and as resolved on the platform (`1.31.6`). */
  readonly targetVersion: string;
  readonly resolvedVersion: string;
  readonly dryRun: boolean;
  readonly total: number;
  readonly counts: OutcomeCounts;
  /** One line per cluster that did not end SUCCEEDED or SKIPPED (and, in a dry run, the plan). */
  readonly clusters: readonly ClusterResult[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

export type RolloutPhase = 'validating' | 'planning' | 'upgrading' | 'done';

export interface RolloutProgress {
  readonly rolloutId: string;
  readonly phase: RolloutPhase;
  readonly targetVersion: string;
  readonly resolvedVersion?: string;
  readonly total: number;
  /** Clusters not started yet. */
  readonly pending: number;
  /** Clusters whose upgrade runs now (at most maxParallel). */
  readonly running: readonly string[];
  readonly counts: OutcomeCounts;
}

/** SUCCEEDED when every cluster ended SUCCEEDED or SKIPPED, PARTIAL otherwise. */
export function rolloutStatusOf(counts: OutcomeCounts): RolloutStatus {
  const bad = counts.FAILED + counts.MISSED + counts.SUPERSEDED + counts.CANCELLED;
  return bad === 0 ? 'SUCCEEDED' : 'PARTIAL';
}
