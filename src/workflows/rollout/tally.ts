/**
 * What a rollout counts: outcomes for the whole rollout, a line for each cluster that
 * did not end well, the latest failures, and the failure budget's verdict. Owned by the
 * `Rollout` (rollout.ts), which is the only caller; it holds nothing per cluster that
 * ended well, so it stays small at 10,000 clusters and across continue-as-new.
 */
import type { ClusterPlanEntry, ClusterResult, OutcomeCounts } from '../../domain/report.js';
import { emptyCounts, isFailedOutcome } from '../../domain/report.js';
import type { FailureBudget } from '../../domain/spec.js';
import { allowedFailures } from '../../domain/waves.js';

/** Clusters the current details name, newest last: what an operator looks at first. */
const LATEST_FAILURES = 5;

/** Outcomes FleetFailedClusters counts: the ones `retryCluster` takes. */
export const failedClustersIn = (counts: OutcomeCounts): number => counts.FAILED + counts.MISSED + counts.SUPERSEDED;

/** Outcomes a failure budget counts. */
const failuresIn = (counts: OutcomeCounts, budget: FailureBudget) =>
  counts.FAILED + counts.MISSED + (budget.countSuperseded ? counts.SUPERSEDED : 0);

/** Sum of every outcome. */
export const countAll = (counts: OutcomeCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Why `failed` of `total` is past `budget`, if it is. */
export function budgetVerdict(
  budget: FailureBudget,
  counts: OutcomeCounts,
  total: number,
  whose: string,
): string | undefined {
  const failed = failuresIn(counts, budget);
  const allowed = allowedFailures(budget, total);
  return failed > allowed
    ? `${whose} exceeded: ${failed} failed, ${allowed} allowed (maxFailed ${budget.maxFailed} of ${total})`
    : undefined;
}

export interface TallySnapshot {
  readonly counts: OutcomeCounts;
  /** Clusters whose duration was measured (started to ended, in this rollout), and the sum of those durations. */
  readonly measured?: { readonly count: number; readonly totalMs: number };
  readonly notSucceeded: readonly ClusterResult[];
  readonly upgradeTotal: number;
  readonly atTarget: number;
}

export class Tally {
  counts: OutcomeCounts = emptyCounts();
  /** Results of clusters that did not end SUCCEEDED or SKIPPED (an operator's skips included), by cluster id. */
  readonly notSucceeded = new Map<string, ClusterResult>();
  /** Clusters planning found at the target already (counted SKIPPED, no line each). */
  atTarget = 0;
  /** Clusters to upgrade (SKIPPED at planning excluded): what percentages of the rollout budget refer to. */
  upgradeTotal = 0;
  /** Durations measured so far: what the forecast takes a cluster to need. */
  measured = { count: 0, totalMs: 0 };
  /** Ids of the latest clusters that failed, newest last; not carried, rebuilt from `notSucceeded`. */
  private failureIds: string[] = [];

  static restore(snapshot: TallySnapshot): Tally {
    const tally = new Tally();
    // emptyCounts first: a snapshot from before BLOCKED has no count for it.
    tally.counts = { ...emptyCounts(), ...snapshot.counts };
    for (const line of snapshot.notSucceeded) tally.notSucceeded.set(line.clusterId, line);
    tally.upgradeTotal = snapshot.upgradeTotal;
    tally.atTarget = snapshot.atTarget;
    tally.measured = { ...(snapshot.measured ?? { count: 0, totalMs: 0 }) };
    tally.failureIds = snapshot.notSucceeded
      .filter((line) => isFailedOutcome(line.outcome))
      .slice(-LATEST_FAILURES)
      .map((line) => line.clusterId);
    return tally;
  }

  /** Planning's verdict: how many clusters move, how many are at the target already. */
  planned(upgradeTotal: number, atTarget: number): void {
    this.upgradeTotal = upgradeTotal;
    this.atTarget = atTarget;
    this.counts.SKIPPED += atTarget;
  }

  /** A cluster's final outcome; `wave` (its name and counts) when it belonged to one. */
  record(result: ClusterResult, wave?: { readonly name: string; readonly counts: OutcomeCounts }): void {
    this.counts[result.outcome]++;
    if (wave) wave.counts[result.outcome]++;
    // An operator's skip keeps its line (who and why); other skips are counted only (10,000 at the target would not
    // fit).
    if (result.outcome === 'SUCCEEDED' || (result.outcome === 'SKIPPED' && !result.skippedBy)) {
      this.notSucceeded.delete(result.clusterId);
      return;
    }
    this.notSucceeded.set(result.clusterId, { ...result, ...(wave ? { wave: wave.name } : {}) });
    if (isFailedOutcome(result.outcome))
      this.failureIds = [...this.failureIds.filter((id) => id !== result.clusterId), result.clusterId].slice(
        -LATEST_FAILURES,
      );
  }

  /** Takes a failed cluster's outcome back out of the counts (its wave's too), for a retry; the entry to run again. */
  forget(clusterId: string, waveCounts: OutcomeCounts | undefined): ClusterPlanEntry | undefined {
    const line = this.notSucceeded.get(clusterId);
    if (!line) return undefined;
    this.counts[line.outcome]--;
    if (waveCounts) waveCounts[line.outcome]--;
    this.notSucceeded.delete(clusterId);
    return { id: line.clusterId, name: line.name, version: line.fromVersion, action: 'upgrade' };
  }

  /** A cluster's child ran `ms`, from its start to its report. */
  measure(ms: number): void {
    this.measured = { count: this.measured.count + 1, totalMs: this.measured.totalMs + Math.max(0, ms) };
  }

  /** The mean measured duration, once one was. */
  get meanClusterMs(): number | undefined {
    return this.measured.count > 0 ? this.measured.totalMs / this.measured.count : undefined;
  }

  /** A line that is not an outcome count: a dry run's "would upgrade", a compensation's note. */
  setLine(line: ClusterResult): void {
    this.notSucceeded.set(line.clusterId, line);
  }

  /** Clusters ended in the rollout so far, whatever the outcome (at the target already included). */
  get ended(): number {
    return countAll(this.counts);
  }

  /**
   * After a stop: clusters never reached (not read, or between hops) count NOT_STARTED, so the counts add up to the
   * rollout.
   */
  reconcile(): void {
    const accounted = this.ended - this.atTarget;
    if (accounted < this.upgradeTotal) this.counts.NOT_STARTED += this.upgradeTotal - accounted;
  }

  /** The latest clusters that failed and still stand so (a retry takes one out), newest last. */
  latestFailures(): ClusterResult[] {
    return this.failureIds.flatMap((id) => {
      const line = this.notSucceeded.get(id);
      return line && isFailedOutcome(line.outcome) ? [line] : [];
    });
  }

  /** Why the rollout's own budget is exceeded now, if it is. */
  budgetExceeded(budget: FailureBudget | undefined): string | undefined {
    return budget ? budgetVerdict(budget, this.counts, this.upgradeTotal, 'failure budget') : undefined;
  }

  snapshot(): TallySnapshot {
    return {
      counts: this.counts,
      notSucceeded: [...this.notSucceeded.values()],
      upgradeTotal: this.upgradeTotal,
      atTarget: this.atTarget,
      ...(this.measured.count > 0 ? { measured: this.measured } : {}),
    };
  }
}
