/**
 * What one run of a rollout hands the next when it continues as new: plain JSON, read
 * back by `RolloutRun`'s constructor. Internal (not part of the contract), but runs that
 * recorded an older shape must still be read: fields added later are optional.
 */
import type { PlannedHop, PlannedTarget } from '../../activities/index.js';
import type { FixedFreeze, FreezeLift } from '../../domain/freeze.js';
import type {
  ClusterSample,
  LeftAlone,
  MinorGroup,
  OperatorAction,
  RolloutPhase,
  RolloutStatus,
} from '../../domain/report.js';
import type { TallySnapshot } from './tally.js';
import type { Placed, WavesSnapshot } from './waves.js';

export type StopStatus = Extract<RolloutStatus, 'HALTED' | 'ABORTED'>;
export interface Stop {
  readonly status: StopStatus;
  readonly reason: string;
}

/** The run's state as plain JSON (the continue-as-new payload). Internal: not part of the contract. */
export interface RolloutStateSnapshot extends TallySnapshot, WavesSnapshot {
  readonly paused: boolean;
  readonly maxParallelOverride?: number;
  readonly stop?: Stop;
  readonly approvals: readonly string[];
  readonly inFlight: readonly Placed[];
  readonly actions: readonly OperatorAction[];
  readonly actionCount: number;
  /** Freezes operators added (`freeze` update), beside the spec's. */
  readonly freezes?: readonly FixedFreeze[];
  /** Spans operators lifted the freezes from (`unfreeze` update). */
  readonly lifts?: readonly FreezeLift[];
}

/** What a rollout hands to its next run when it continues as new. */
export interface RolloutCarry {
  readonly startedAt: string;
  readonly resolvedVersion: string;
  readonly hops: readonly PlannedHop[];
  readonly total: number;
  readonly hopIndex: number;
  readonly apiRatePerMinute?: number;
  /** Where the run that continued as new was, so the next one shows the same (absent in runs recorded before it). */
  readonly phase?: RolloutPhase;
  readonly state: RolloutStateSnapshot;
  /** What planning said of the fleet beyond the hops (absent in runs recorded before targeting). */
  readonly notes?: PlanNotes;
  /** A rollout over several targets: what planning resolved on each. */
  readonly targets?: readonly PlannedTarget[];
}

/** What planning found of the spec's targeting: left out, matched no wave, worth a warning. */
export interface PlanNotes {
  readonly excluded?: ClusterSample;
  readonly minors?: readonly MinorGroup[];
  readonly leftAlone?: readonly LeftAlone[];
  readonly unmatched?: ClusterSample;
  readonly warnings?: readonly string[];
}
