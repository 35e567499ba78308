/**
 * What the loop (loop.ts) asks of Temporal and shows, as interfaces its unit test scripts, and their
 * production side: the SDK's waits, patches and continue-as-new, the activities and children it runs.
 */
import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { ClusterResult, RolloutReport } from '../../domain/report.js';
import type { ApprovalGate, RolloutPlan, RolloutSpec } from '../../domain/spec.js';
import { listDryRun, planRollout, refill, undoFailedDesiredVersions } from './activities.js';
import { cancelInFlight, startClusterChild } from './children.js';
import type { Rollout, RolloutCarry } from './state.js';
import { releaseHeld } from './held-signals.js';
import type { Placed } from './wave-data.js';

/** What the loop asks of Temporal and of its activities (`sdkEffects` below; the unit test scripts them). */
export interface LoopEffects {
  /** Waits until `until` holds. */
  waitUntil(until: () => boolean): Promise<void>;
  /** Waits until `until` holds or `timeoutMs` runs out (a durable timer, labelled `summary`): false when it ran out. */
  waitFor(until: () => boolean, timeoutMs: number, summary: string): Promise<boolean>;
  /** The history has grown long enough to continue as new. */
  historyIsLong(): boolean;
  allHandlersFinished(): boolean;
  patched(id: string): boolean;
  continueAsNew(carry: RolloutCarry): Promise<never>;
  planRollout(): Promise<void>;
  listDryRun(): Promise<void>;
  refill(index: number): Promise<void>;
  /** Starts a cluster's child; what it reports when it could not be started. */
  startChild(next: Placed): Promise<ClusterResult | undefined>;
  /** Cancels the children in flight, all at once; each promise settles when its cancel was sent. */
  cancelInFlight(): Promise<unknown>[];
  undoFailedDesiredVersions(): Promise<void>;
  runGate(index: number): Promise<void>;
  releaseHeld(): Promise<void>;
}

/** The notices the loop sends (view/notices.ts). */
export interface LoopNotices {
  readonly active: boolean;
  started(): void;
  approvalNeeded(index: number, gate: ApprovalGate): void;
  waveDone(index: number): void;
  waveDoneOnResume(index: number): void;
  clusterFailed(result: ClusterResult): void;
  stopped(stop: NonNullable<Rollout['stop']>): void;
  finished(report: RolloutReport): void;
  flush(): Promise<void>;
}

/** How the loop shows the rollout (view/display.ts) and empties the inbox (inbox.ts) before continuing as new. */
export interface LoopView {
  show(flush?: boolean): void;
  readonly notices: LoopNotices;
  readonly inbox: { drain(): void; readonly pending: boolean };
}

/** `gate` runs a wave's gate (gate.ts), which shows through the loop: the workflow wires it. */
export function sdkEffects(
  rollout: Rollout,
  plan: RolloutPlan,
  spec: RolloutSpec,
  gate: (index: number) => Promise<void>,
): LoopEffects {
  return {
    // The SDK's promises as they are: an extra step would reorder this coroutine against handlers in an activation.
    waitUntil: (until) => condition(until),
    waitFor: (until, timeoutMs, summary) => condition(until, timeoutMs, { summary }),
    historyIsLong: () => {
      const info = workflowInfo();
      return info.continueAsNewSuggested || info.historyLength >= plan.historyEventsPerRun;
    },
    allHandlersFinished,
    patched,
    continueAsNew: (carry) =>
      continueAsNew<(spec: RolloutSpec, carry: RolloutCarry) => Promise<RolloutReport>>(spec, carry),
    planRollout: () => planRollout(rollout, plan),
    listDryRun: () => listDryRun(rollout, plan),
    refill: (index) => refill(rollout, plan, index),
    startChild: (next) => startClusterChild(rollout, plan, next),
    cancelInFlight: () => cancelInFlight(rollout),
    undoFailedDesiredVersions: () => undoFailedDesiredVersions(rollout, plan),
    runGate: gate,
    releaseHeld: () => releaseHeld(rollout.queues.held),
  };
}
