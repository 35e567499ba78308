/**
 * What a rollout returns and what `progress` answers (**contract**: scripts read the
 * report JSON). Sized for 10,000 clusters: counts for everything, a line per cluster
 * only for those that did not succeed.
 */
import type { Forecast } from './forecast.js';
import type { GateResult } from './gate.js';
import type { PlatformName } from './platform.js';
import type { ClusterOutcome, OutcomeCounts } from './outcomes.js';
import type { SkippedBreakdown } from './skipped.js';

// The outcomes and their counts live in outcomes.ts; importers keep importing them from here.
export {
  CLUSTER_OUTCOMES,
  emptyCounts,
  FAILED_OUTCOMES,
  isFailedOutcome,
  isRetriableOutcome,
  type ClusterOutcome,
  type OutcomeCounts,
} from './outcomes.js';

/** One line of the spec's description (spec-describe.ts): `label: text`. */
export interface SpecLine {
  readonly label: string;
  readonly text: string;
}

/** A cluster as the plan sees it: what it runs now and what it needs. */
export interface ClusterPlanEntry {
  readonly id: string;
  readonly name: string;
  /** Kubernetes version now, e.g. `1.30.4`. */
  readonly version: string;
  readonly action: 'upgrade' | 'skip';
  /** A per-minor rollout: where this cluster goes (its own minor's target), plain and as requests spell it. */
  readonly to?: { readonly version: string; readonly requestVersion: string };
  /**
   * In a rollout over several targets: the index of the target (the spec's `targets`) it was
   * read from; absent: the first.
   */
  readonly target?: number;
  /**
   * Dry runs on platforms with maintenance windows: when the first upgrade would start
   * (RFC 3339; `end` absent when the window is not the platform's), or null when the
   * cluster has no window at all.
   */
  readonly predictedWindow?: { readonly start: string; readonly end?: string } | null;
}

export interface ClusterResult {
  readonly clusterId: string;
  readonly name: string;
  readonly outcome: ClusterOutcome;
  readonly fromVersion: string;
  /** A per-minor rollout: the version this cluster was to reach (its own minor's target). */
  readonly toVersion?: string;
  /** Version the cluster reported at the end. */
  readonly finalVersion?: string;
  /** Upgrade requests sent for this cluster (1 + retries + reschedules). */
  readonly requests: number;
  readonly retries: number;
  readonly reschedules: number;
  /** The platform's reason, for anything but SUCCEEDED. */
  readonly message?: string;
  /**
   * What stopping the rollout did to this cluster's upgrade: `withdrawn`, `restored`,
   * `nothing to undo`, `left to finish (already running)`, or why it failed.
   */
  readonly compensation?: string;
  /** The wave it belonged to. */
  readonly wave?: string;
  /** On a multi-hop path: the hop it ended in. */
  readonly hop?: string;
  /** In a rollout over several targets: where the cluster is. */
  readonly platform?: PlatformName;
  readonly organisation?: string;
  /** SKIPPED by an operator (`skipCluster`): who asked and why, as they said. */
  readonly skippedBy?: { readonly by?: string; readonly reason?: string };
}

/** Some clusters by name, and how many there are in all: what a plan and a report show of a group. */
export interface ClusterSample {
  readonly count: number;
  /** The first few, in inventory order. */
  readonly clusters: readonly { readonly id: string; readonly name: string }[];
}

/** A per-minor rollout's group: the clusters of one minor and where they go (**contract**). */
export interface MinorGroup {
  /** `1.30`. */
  readonly minor: string;
  /** `1.30.10`. */
  readonly to: string;
  /** Clusters that move. */
  readonly clusters: number;
  /** Clusters already there. */
  readonly atTarget: number;
  /** In a rollout over several targets: the index of the target (the spec's `targets`). */
  readonly target?: number;
}

/** Clusters planning left alone for one reason (a minor no longer offered, past the target), never touched. */
export interface LeftAlone extends ClusterSample {
  /** `avisi no longer offers 1.28`, `already past 1.30.10`. */
  readonly why: string;
}

/** An operator's command, as the report keeps it (**contract**). */
export interface OperatorAction {
  /** RFC 3339, workflow time. */
  readonly at: string;
  readonly action:
    | 'pause'
    | 'resume'
    | 'abort'
    | 'approve'
    | 'setMaxParallel'
    | 'skipCluster'
    | 'retryCluster'
    | 'approvalTimeout'
    | 'freeze'
    | 'unfreeze'
    | 'gatePaused'
    | 'recheckGate'
    | 'gatePassed';
  readonly reason?: string;
  /** Who asked, as they said (the CLI sends the OS user). */
  readonly by?: string;
  /** The wave, cluster or value acted on. */
  readonly target?: string;
}

export type WaveState = 'pending' | 'awaiting-approval' | 'upgrading' | 'soaking' | 'gating' | 'done' | 'stopped';

export interface WaveSummary {
  readonly name: string;
  readonly state: WaveState;
  readonly total: number;
  readonly maxParallel: number;
  readonly counts: OutcomeCounts;
  /** The wave's gate, once it began: value, bound, when (domain/gate.ts). */
  readonly gate?: GateResult;
}

export type RolloutStatus = 'SUCCEEDED' | 'PARTIAL' | 'HALTED' | 'ABORTED';

export interface RolloutReport {
  readonly rolloutId: string;
  readonly status: RolloutStatus;
  /** The first target's (the only one's unless the spec lists `targets`). */
  readonly platform: PlatformName;
  readonly organisation: string;
  /** A rollout over several platforms or organisations: each with the target as it resolved there. */
  readonly targets?: readonly {
    readonly platform: PlatformName;
    readonly organisation: string;
    readonly resolvedVersion: string;
  }[];
  /** The target as asked (`1.31`) and as resolved on the platform (`1.31.6`). */
  readonly targetVersion: string;
  readonly resolvedVersion: string;
  readonly dryRun: boolean;
  readonly total: number;
  readonly counts: OutcomeCounts;
  /**
   * What `counts.SKIPPED` is made of (at the target, matched no wave, by an operator), and the
   * excluded beside it (domain/skipped.ts).
   */
  readonly skipped?: SkippedBreakdown;
  /**
   * One line per cluster that did not end SUCCEEDED or SKIPPED, and per cluster an operator
   * skipped (and, in a dry run, the plan).
   */
  readonly clusters: readonly ClusterResult[];
  /** How many such clusters the list leaves out (it is capped so the report stays small at 10,000 clusters). */
  readonly clustersOmitted?: number;
  /** Why a HALTED or ABORTED rollout stopped. */
  readonly stopReason?: string;
  /** Clusters the spec's `exclude` left out: never touched, not in `total`. */
  readonly excluded?: ClusterSample;
  /** A per-minor rollout (`latest-patch`, `targetVersions`): each minor's target and clusters. */
  readonly minors?: readonly MinorGroup[];
  /** Clusters planning left alone, by why (not in `total`, never touched). */
  readonly leftAlone?: readonly LeftAlone[];
  /** Clusters that matched no wave, with `"unmatched": "skip"`: counted SKIPPED ("matched no wave"). */
  readonly unmatched?: ClusterSample;
  /** What planning found worth saying: a selector value no cluster of the fleet has. */
  readonly warnings?: readonly string[];
  /** A dry run: when the rollout would end if started now (see domain/forecast.ts). */
  readonly forecast?: Forecast;
  /** A dry run: where the spec's freezes fall in the next 30 days (at most 20), RFC 3339. */
  readonly freezes?: readonly { readonly from: string; readonly to: string; readonly reason: string }[];
  /**
   * The spec as it is (domain/spec-describe.ts; bounded): targets, waves' selection, exclude,
   * checks, gates, freezes, notify.
   */
  readonly spec?: readonly SpecLine[];
  /** The versions the rollout passed through, one full pass over the fleet each (one entry unless `maxHops` > 1). */
  readonly hops: readonly string[];
  /** The waves of the last hop run. */
  readonly waves: readonly WaveSummary[];
  /** The latest operator actions (at most MAX_REPORTED_ACTIONS), oldest first; `actionCount` has them all. */
  readonly actions: readonly OperatorAction[];
  readonly actionCount: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

export const MAX_REPORTED_ACTIONS = 100;

export type RolloutPhase =
  | 'validating'
  | 'planning'
  | 'awaiting-approval'
  | 'upgrading'
  | 'frozen'
  | 'soaking'
  | 'checking-gate'
  | 'compensating'
  | 'done';

/** A cluster upgrading now, as the progress names it. */
export interface RunningCluster {
  readonly id: string;
  readonly name: string;
  readonly platform?: PlatformName;
  readonly organisation?: string;
}

export interface RolloutProgress {
  readonly rolloutId: string;
  readonly phase: RolloutPhase;
  readonly targetVersion: string;
  readonly resolvedVersion?: string;
  readonly total: number;
  /** Clusters not started yet. */
  readonly pending: number;
  /** Clusters whose upgrade runs now (at most maxParallel), by id. */
  readonly running: readonly string[];
  /** The same clusters with their names (and, in a rollout over several targets, where each is): what `watch` shows. */
  readonly runningClusters?: readonly RunningCluster[];
  readonly counts: OutcomeCounts;
  /** What `counts.SKIPPED` is made of, as in the report. */
  readonly skipped?: SkippedBreakdown;
  readonly paused: boolean;
  /** Set once the rollout is halting or aborting. */
  readonly stopReason?: string;
  readonly maxParallel?: number;
  /** Which hop runs now, when the path has more than one. */
  readonly hop?: { readonly index: number; readonly count: number; readonly version: string };
  readonly waves: readonly WaveSummary[];
  /** Index into `waves` of the wave that runs, waits or soaks now. */
  readonly currentWave?: number;
  /** When the rollout is expected to end (see domain/forecast.ts); absent once it has. */
  readonly forecast?: Forecast;
  /** A freeze in force now: no cluster starts until `until` (RFC 3339). */
  readonly frozen?: { readonly reason: string; readonly until: string };
  /** What planning found of the spec's targeting, as in the report. */
  readonly excluded?: ClusterSample;
  readonly minors?: readonly MinorGroup[];
  readonly leftAlone?: readonly LeftAlone[];
  readonly unmatched?: ClusterSample;
  readonly warnings?: readonly string[];
  /** The spec as it is, once validated (domain/spec-describe.ts; bounded). */
  readonly spec?: readonly SpecLine[];
}

/** SUCCEEDED when every cluster ended SUCCEEDED or SKIPPED, PARTIAL otherwise (BLOCKED too: not upgraded). */
export function rolloutStatusOf(counts: OutcomeCounts): RolloutStatus {
  // `?? 0`: counts carried by a snapshot from before BLOCKED lack it.
  const blocked = counts.BLOCKED ?? 0;
  const bad = counts.FAILED + counts.MISSED + counts.SUPERSEDED + blocked + counts.CANCELLED + counts.NOT_STARTED;
  return bad === 0 ? 'SUCCEEDED' : 'PARTIAL';
}
