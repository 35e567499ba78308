/**
 * Queries and updates on a running rollout (**contract**: the CLI and any Temporal
 * client use these names). Named constants, after temporalio/samples-typescript.
 * Every update answers with the progress after it took effect, and is validated
 * synchronously first: what makes no sense now is rejected with a reason and leaves
 * no trace in the history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClusterResult, RolloutProgress } from '../domain/report.js';

/**
 * Who asks and why; both land in the report's action log. Handlers accept a missing argument too (`temporal workflow
 * update execute` without `--input`).
 */
export interface OperatorRequest {
  readonly reason?: string;
  readonly by?: string;
}

export interface ResumeRequest extends OperatorRequest {
  /**
   * `true`: go on although the wave's gate that paused the rollout has not passed (the
   * action log says so). Without it, `resume` is refused while such a gate holds.
   */
  readonly skipGate?: boolean;
}

export interface AbortRequest extends OperatorRequest {
  /** Required: an abort without a reason helps nobody afterwards. */
  readonly reason: string;
}

export interface ApproveRequest extends OperatorRequest {
  /** The wave whose gate to open (it may be approved before it is reached). */
  readonly wave: string;
}

export interface SetMaxParallelRequest extends OperatorRequest {
  /** Clusters upgrading at once from now on, in every wave (1..1000). */
  readonly maxParallel: number;
}

export interface FreezeRequest extends OperatorRequest {
  /** RFC 3339: when clusters may start again. */
  readonly until: string;
  /** RFC 3339, default now. */
  readonly from?: string;
  /** Required: why nothing may start ("incident INC-42"). */
  readonly reason: string;
}

export interface UnfreezeRequest extends OperatorRequest {
  /** Required: why clusters may start again ("INC-42 resolved"). */
  readonly reason: string;
}

export interface ClusterRequest extends OperatorRequest {
  /**
   * The cluster: its id, or its name (`platform/organisation/name` when several targets
   * have that name). A key that names no cluster of the rollout's targets, or several,
   * is refused with an `UnknownCluster` failure, also for clusters the rollout has not
   * read yet (it looks them up, see rollout/cluster-key.ts).
   */
  readonly clusterId: string;
}

/** Where the rollout stands: phase, waves, counts per outcome, clusters running now. */
export const progressQuery = defineQuery<RolloutProgress>('progress');

/** No new cluster starts; running ones continue. */
export const pauseUpdate = defineUpdate<RolloutProgress, [OperatorRequest]>('pause');
export const resumeUpdate = defineUpdate<RolloutProgress, [ResumeRequest]>('resume');
/**
 * Runs again the wave's gate that failed and paused the rollout; answers once it began.
 * Passing, the rollout goes on (as if resumed); failing, it stays paused.
 */
export const recheckGateUpdate = defineUpdate<RolloutProgress, [OperatorRequest]>('recheckGate');
/** Stop starting clusters, withdraw upgrades that have not begun, report ABORTED. */
export const abortUpdate = defineUpdate<RolloutProgress, [AbortRequest]>('abort');
export const approveUpdate = defineUpdate<RolloutProgress, [ApproveRequest]>('approve');
export const setMaxParallelUpdate = defineUpdate<RolloutProgress, [SetMaxParallelRequest]>('setMaxParallel');
/** No cluster starts from `from` (default now) until `until`; running ones finish. Adds to the spec's freezes. */
export const freezeUpdate = defineUpdate<RolloutProgress, [FreezeRequest]>('freeze');
/** Lifts the freeze in force now (the spec's or an operator's) until it would have ended; later freezes still hold. */
export const unfreezeUpdate = defineUpdate<RolloutProgress, [UnfreezeRequest]>('unfreeze');
/** A cluster not started yet is left out (reported SKIPPED). */
export const skipClusterUpdate = defineUpdate<RolloutProgress, [ClusterRequest]>('skipCluster');
/** A cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED is upgraded again (BLOCKED: pre-checks first). */
export const retryClusterUpdate = defineUpdate<RolloutProgress, [ClusterRequest]>('retryCluster');

/** The rollout's updates by name: one list for the workflow's handlers (rollout/handlers.ts) and the CLI (steer.ts). */
export const rolloutUpdates = {
  pause: pauseUpdate,
  resume: resumeUpdate,
  recheckGate: recheckGateUpdate,
  abort: abortUpdate,
  approve: approveUpdate,
  setMaxParallel: setMaxParallelUpdate,
  freeze: freezeUpdate,
  unfreeze: unfreezeUpdate,
  skipCluster: skipClusterUpdate,
  retryCluster: retryClusterUpdate,
} as const;

/**
 * A `clusterUpgrade` child tells its rollout how it ended. By signal, not by the child's
 * result: the rollout continues as new while children run, and a signal reaches
 * whichever run is current.
 */
export const clusterDoneSignal = defineSignal<[ClusterResult]>('clusterDone');

/** The `ApplicationFailure` type of a rejected update. */
export const UPDATE_REJECTED = 'UpdateRejected';

/**
 * The `ApplicationFailure` type of a `skipCluster` or `retryCluster` whose cluster is not
 * one of the rollout's: no cluster of its targets has that id or name, several do, or the
 * spec leaves it out. Bad input (the CLI exits 2), where `UpdateRejected` is "not now".
 */
export const UNKNOWN_CLUSTER = 'UnknownCluster';

/**
 * What a worker asks the API budget for: `count` calls (one when absent), each if it
 * can go within `maxWaitMs`. A process asks once for every call waiting in it.
 */
export interface ApiCallRequest {
  readonly maxWaitMs: number;
  readonly count?: number;
}

/** The most calls one ask may reserve. */
export const MAX_CALLS_PER_ASK = 100;

/**
 * Make the first call after `waitMs`; or, not granted, ask again after `waitMs` (the
 * wait was longer than asked for). When `count` was asked: `waits` holds the wait of
 * each call granted, in order (fewer than asked when the rest would wait too long).
 */
export interface ApiCallGrant {
  readonly granted: boolean;
  readonly waitMs: number;
  readonly waits?: readonly number[];
  /** When fewer than `count` were granted: the wait the next would have had. */
  readonly refusedWaitMs?: number;
}

/**
 * The API budget (see api-budget/workflow.ts): a worker reserves one platform API call and is
 * told when to make it. Answered at once (a reservation, not a wait), so few updates
 * are ever in flight. Rejected while the budget rotates to a new run; the caller asks again.
 */
export const acquireApiCallUpdate = defineUpdate<ApiCallGrant, [ApiCallRequest]>('acquireApiCall');

/** The `ApplicationFailure` type of an `acquireApiCall` refused while the budget workflow winds down. */
export const BUDGET_ROTATING = 'BudgetRotating';
