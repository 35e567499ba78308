/**
 * A child whose cluster ended in an outcome `retryCluster` takes (FAILED, MISSED,
 * SUPERSEDED, BLOCKED) stays open once it has reported, holding the cluster's lock (its own
 * workflow id) with `FleetPhase` as it ended, until its rollout decides:
 * - `retryHeldCluster`: the same run upgrades the cluster again, with a fresh budget of
 *   retries and reschedules, and reports again (rollout/held.ts sends it, for a retry);
 * - `releaseHeldCluster`: it closes as it is (the rollout ended, in any way).
 * So `FleetPhase="failed"` lists the clusters that failed for good, open or closed.
 *
 * A rollout that is gone (terminated by hand, or a bug) never tells it: while it waits
 * it asks, on a durable timer from the spec's `holdCheck` doubling to 12 h (a few events
 * a day), whether the rollout's workflow id still runs (its latest run), and closes if not.
 * Children started before the `hold-failed-clusters` patch, or without `hold` (the
 * parent's side of it), close as they did.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { isRetriableOutcome, type ClusterResult } from '../../domain/report.js';

export const HOLD_PATCH = 'hold-failed-clusters';

/** From the rollout: upgrade the held cluster again. */
export const retryHeldSignal = defineSignal('retryHeldCluster');
/** From the rollout: it has ended; let the cluster go. */
export const releaseHeldSignal = defineSignal('releaseHeldCluster');

/** What the parent tells a child it will hold (ClusterUpgradeInput.hold). */
export interface HoldInput {
  /** The first wait before the child asks whether its rollout still runs (the spec's `holdCheck`). */
  readonly checkMs: number;
  /** The rollout's first run: a later rollout that took the same workflow id is not this one. */
  readonly rolloutRunId: string;
}

/** The longest wait between two checks. */
export const MAX_CHECK_MS = 12 * 3_600_000;

/** A few quick tries; no answer is no news (the child keeps waiting and asks again later). */
const lookup = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

export class ClusterHold {
  private retries = 0;
  private released = false;

  constructor(
    private readonly rolloutId: string,
    private readonly hold: HoldInput,
  ) {
    setHandler(retryHeldSignal, () => void this.retries++);
    setHandler(releaseHeldSignal, () => void (this.released = true));
  }

  /** The child's hold, when its parent holds failed clusters (`hold` set); undefined otherwise. */
  static of(rolloutId: string, hold: HoldInput | undefined): ClusterHold | undefined {
    return hold ? new ClusterHold(rolloutId, hold) : undefined;
  }

  /**
   * After the report of `ended`: true when the rollout asked to upgrade the cluster again;
   * false when the child closes (an outcome that is not held, a stop, a release, its rollout gone).
   */
  async again(ended: ClusterResult): Promise<boolean> {
    // Stopped (the rollout cancels children in flight): nothing to wait for.
    if (!isRetriableOutcome(ended.outcome) || CancellationScope.current().consideredCancelled) return false;
    if (!patched(HOLD_PATCH)) return false;
    try {
      return await this.decided();
    } catch (error) {
      if (isCancellation(error)) return false; // Cancelled while held: closes as it is.
      throw error;
    }
  }

  private async decided(): Promise<boolean> {
    for (let wait = this.hold.checkMs; ; wait = Math.min(wait * 2, MAX_CHECK_MS)) {
      const summary = `held for rollout ${this.rolloutId} until it retries or ends`;
      if (await condition(() => this.released || this.retries > 0, wait, { summary })) break;
      if (!(await this.rolloutRuns())) return false;
    }
    if (this.released) return false;
    this.retries--;
    return true;
  }

  private async rolloutRuns(): Promise<boolean> {
    const input = { workflowId: this.rolloutId, firstRunId: this.hold.rolloutRunId };
    const answer = await lookup.isRolloutRunning
      .executeWithOptions({ summary: `does rollout ${this.rolloutId} still run` }, [input])
      .catch(() => undefined);
    return answer?.running ?? true;
  }
}
