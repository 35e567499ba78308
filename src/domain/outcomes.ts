/**
 * How one cluster's part of a rollout ended (**contract**, part of the report: see
 * report.ts, which re-exports all of it), its counts, and which outcomes are failures.
 */

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
  /** A pre-upgrade check did not pass (`onFail: "block"`): never asked for its upgrade; no failure. */
  | 'BLOCKED'
  /** Its upgrade was requested, then withdrawn (abort or halt) before it began. */
  | 'CANCELLED'
  /** The rollout stopped (abort or halt) before it reached this cluster: nothing was sent. */
  | 'NOT_STARTED';

export const CLUSTER_OUTCOMES: readonly ClusterOutcome[] = [
  'SUCCEEDED',
  'SKIPPED',
  'FAILED',
  'MISSED',
  'SUPERSEDED',
  'BLOCKED',
  'CANCELLED',
  'NOT_STARTED',
];

/**
 * Outcomes that ended without success and that `retryCluster` takes again; what
 * FleetFailedClusters counts and the UI lists as the latest failures.
 */
export const FAILED_OUTCOMES: ReadonlySet<ClusterOutcome> = new Set<ClusterOutcome>(['FAILED', 'MISSED', 'SUPERSEDED']);
export const isFailedOutcome = (outcome: ClusterOutcome): boolean => FAILED_OUTCOMES.has(outcome);

/** What `retryCluster` takes (and a child holds until its rollout decides): the failed, and BLOCKED (checks again). */
export const isRetriableOutcome = (outcome: ClusterOutcome): boolean =>
  outcome === 'BLOCKED' || isFailedOutcome(outcome);

export type OutcomeCounts = Record<ClusterOutcome, number>;

export const emptyCounts = (): OutcomeCounts => ({
  SUCCEEDED: 0,
  SKIPPED: 0,
  FAILED: 0,
  MISSED: 0,
  SUPERSEDED: 0,
  BLOCKED: 0,
  CANCELLED: 0,
  NOT_STARTED: 0,
});
