/**
 * The rollout plan: the spec after validation (spec.ts), as the workflows, the CLI and
 * the activities read it. Types and the default waves only, no validation.
 */
import type { FreezePeriod } from './freeze.js';
import type { WaveGate } from './gate.js';
import type { HealthCheck } from './health.js';
import type { NotifySpec } from './notify-events.js';
import type { PlatformName } from './platform.js';
import type { PreCheck } from './pre-check.js';
import type { ClusterSelector } from './selectors.js';
import type { Exclusion } from './spec-selectors.js';
import type { RolloutTarget } from './spec-targets.js';

/** The spec after validation: defaults filled in, durations in milliseconds, ids normalised. */
export interface RolloutPlan {
  /** Where the rollout runs: one target, or the spec's `targets` in order. */
  readonly targets: readonly RolloutTarget[];
  /** The first target's (the only one's, unless the spec lists `targets`). */
  readonly platform: PlatformName;
  readonly organisation: string;
  /**
   * Normalised, e.g. `1.31` or `1.31.4`; or `latest-patch`, `stable`, `rapid`; with
   * `targetVersions`, their versions as views show them (`1.30.10, 1.31.6`).
   */
  readonly targetVersion: string;
  /** A version per minor (keys `1.31`), when the spec gives them instead of `targetVersion`. */
  readonly targetVersions?: Readonly<Record<string, string>>;
  readonly clusters?: readonly string[];
  readonly maxParallel: number;
  /** As written, or the default: a one-cluster canary, then the rest. */
  readonly waves: readonly WaveSpec[];
  readonly soakMs: number;
  readonly failureBudget?: FailureBudget;
  /** Clusters never touched (ids lower-cased, selectors as written). */
  readonly exclude?: readonly Exclusion[];
  /** When every wave selects: what clusters that match none do. */
  readonly unmatched: 'refuse' | 'skip';
  /** When no cluster may start. */
  readonly freeze?: readonly FreezePeriod[];
  /** Checks every cluster runs after its upgrade; a wave may add its own (health.ts: healthChecksFor). */
  readonly healthChecks?: readonly HealthCheck[];
  /** Checks every cluster runs before its upgrade is asked for; a wave may add its own (pre-check.ts: preChecksFor). */
  readonly preChecks?: readonly PreCheck[];
  /** Which notification channels hear which events (every event when an entry has no `events`). */
  readonly notify?: readonly NotifySpec[];
  readonly maxHops: number;
  /** Only clusters already on the target's minor take part. */
  readonly patchOnly: boolean;
  readonly historyEventsPerRun: number;
  readonly retry: { readonly maxAttempts: number };
  readonly reschedule: { readonly maxAttempts: number };
  readonly pollIntervalMs: number;
  /** The forecast's assumption until clusters have ended. */
  readonly expectedClusterMs: number;
  readonly clusterDeadlineMs: number;
  /** The first wait of a held cluster's child before it checks its rollout still runs (cluster-hold.ts). */
  readonly holdCheckMs: number;
  readonly ignoreMaintenanceSchedule: boolean;
  readonly scheduleRequestDate?: string;
  readonly dryRun: boolean;
}

/** A count, or a share of the clusters as written (`"10%"`). */
export type CountOrPercent = number | string;

export interface FailureBudget {
  readonly maxFailed: CountOrPercent;
  readonly countSuperseded: boolean;
}

export interface ApprovalGate {
  /** Absent: wait for `approve` for ever. */
  readonly timeoutMs?: number;
  readonly onTimeout: 'abort' | 'proceed';
}

export interface WaveSpec {
  readonly name: string;
  readonly size?: CountOrPercent;
  readonly clusters?: readonly string[];
  readonly match?: ClusterSelector;
  readonly maxParallel?: number;
  readonly soakMs?: number;
  readonly approval?: ApprovalGate;
  readonly failureBudget?: FailureBudget;
  readonly healthChecks?: readonly HealthCheck[];
  readonly preChecks?: readonly PreCheck[];
  readonly gate?: WaveGate;
}

/** **Contract**: without `waves`, one canary cluster first, then the rest. */
export const DEFAULT_WAVES: readonly WaveSpec[] = [{ name: 'canary', size: 1 }, { name: 'rest' }];
