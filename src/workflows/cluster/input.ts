/** What a rollout hands its `clusterUpgrade` child (rollout/children.ts builds it). */
import type { HealthCheck } from '../../domain/health.js';
import type { PreCheck } from '../../domain/pre-check.js';
import type { PlatformName } from '../../domain/platform.js';
import type { ClusterPlanEntry } from '../../domain/report.js';
import type { HoldInput } from './hold.js';

export interface ClusterUpgradeInput {
  readonly rolloutId: string;
  readonly platform: PlatformName;
  readonly organisation: string;
  readonly cluster: ClusterPlanEntry;
  /** The version in the platform's spelling (`v1.31.6-u-ame.1`, or `1.31` on Aether). */
  readonly requestVersion: string;
  readonly retryMaxAttempts: number;
  readonly rescheduleMaxAttempts: number;
  readonly pollIntervalMs: number;
  /** How long one attempt may take from request to settled, window wait included. */
  readonly attemptDeadlineMs: number;
  readonly ignoreMaintenanceSchedule: boolean;
  readonly scheduleRequestDate?: string;
  /** Checks to pass once the upgrade succeeded and the version read back (the spec's, then its wave's). */
  readonly healthChecks?: readonly HealthCheck[];
  /** Checks to pass before the upgrade is asked for (the spec's, then its wave's); absent: none, nothing runs. */
  readonly preChecks?: readonly PreCheck[];
  /**
   * Always 2 (the parent sets it): every child is lean since `lean-cluster-child` reached
   * step 2. Its workflow id is the cluster's lock and the parent set its search attributes
   * at start. The child no longer reads it; it stays for the type of recorded inputs.
   */
  readonly engine?: 2;
  /** A child whose rollout holds failed clusters (hold.ts): it waits after FAILED, MISSED or SUPERSEDED. */
  readonly hold?: HoldInput;
}
