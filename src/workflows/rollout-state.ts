/**
 * What a running rollout knows, in one place: the waves and their queues, each
 * cluster's outcome, operator control (pause, approvals, overrides, stop) and the
 * action log. Plain data plus the rules that change it, so the workflow reads as a
 * flow and the update handlers stay one-liners. Deterministic: no I/O, no clocks but
 * workflow time.
 */
import type { ClusterOutcome, ClusterPlanEntry, ClusterResult, OperatorAction, OutcomeCounts, RolloutStatus, WaveState, WaveSummary } from '../domain/report.js';
import { emptyCounts, MAX_REPORTED_ACTIONS } from '../domain/report.js';
import type { FailureBudget } from '../domain/spec.js';
import { allowedFailures, type PlannedWave } from '../domain/waves.js';

export interface WaveRun {
  readonly plan: PlannedWave<ClusterPlanEntry>;
  /** Clusters of this wave not started yet, in order. */
  readonly queue: ClusterPlanEntry[];
  state: WaveState;
  readonly counts: OutcomeCounts;
}

/** Outcomes a failure budget counts. */
const failuresIn = (counts: OutcomeCounts, budget: FailureBudget) => counts.FAILED + counts.MISSED + (budget.countSuperseded ? counts.SUPERSEDED : 0);

export class RolloutState {
  readonly counts: OutcomeCounts = emptyCounts();
  /** Results of clusters that did not end SUCCEEDED or SKIPPED, by cluster id. */
  readonly notSucceeded = new Map<string, ClusterResult>();
  readonly outcomeOf = new Map<string, ClusterOutcome>();
  readonly running = new Set<string>();
  readonly waveOf = new Map<string, number>();
  readonly entries = new Map<string, ClusterPlanEntry>();
  readonly approvals = new Set<string>();
  /** Clusters an operator asked to retry; the running (or next) wave takes them first. */
  readonly retryQueue: ClusterPlanEntry[] = [];
  waves: WaveRun[] = [];
  currentWave: number | undefined;
  /** Clusters to upgrade (SKIPPED at planning excluded): what percentages of the rollout budget refer to. */
  upgradeTotal = 0;
  paused = false;
  maxParallelOverride: number | undefined;
  stop: { readonly status: Extract<RolloutStatus, 'HALTED' | 'ABORTED'>; readonly reason: string } | undefined;
  /** Set just before the workflow returns; updates that arrive later are rejected. */
  finished = false;
  private readonly actionLog: OperatorAction[] = [];
  actionCount = 0;

  constructor(private readonly rolloutBudget: FailureBudget | undefined) {}

  /** The waves of a (new) hop: queues, wave membership and approvals start afresh. */
  setWaves(waves: readonly PlannedWave<ClusterPlanEntry>[]): void {
    this.waves = waves.map((plan) => ({ plan, queue: [...plan.clusters], state: 'pending', counts: emptyCounts() }));
    this.waveOf.clear();
    this.entries.clear();
    this.approvals.clear();
    this.currentWave = undefined;
    this.waves.forEach((wave, index) => {
      for (const entry of wave.plan.clusters) {
        this.waveOf.set(entry.id, index);
        this.entries.set(entry.id, entry);
      }
    });
  }

  /** A hop done on the way to the target: counts in its wave only, the cluster goes on to the next hop. */
  recordHop(result: ClusterResult, waveIndex: number): void {
    const wave = this.waves[waveIndex];
    if (wave) wave.counts[result.outcome]++;
  }

  get pending(): number {
    return this.retryQueue.length + this.waves.reduce((n, w) => n + w.queue.length, 0);
  }

  get actions(): readonly OperatorAction[] {
    return this.actionLog;
  }

  limitFor(wave: WaveRun): number {
    return this.maxParallelOverride ?? wave.plan.maxParallel;
  }

  log(action: Omit<OperatorAction, 'at'>): void {
    this.actionCount++;
    this.actionLog.push({ at: new Date().toISOString(), ...action });
    // The report stays bounded however chatty the operators are.
    if (this.actionLog.length > MAX_REPORTED_ACTIONS) this.actionLog.shift();
  }

  halt(status: 'HALTED' | 'ABORTED', reason: string): void {
    this.stop ??= { status, reason };
  }

  record(result: ClusterResult, waveIndex: number): void {
    const wave = this.waves[waveIndex];
    this.counts[result.outcome]++;
    if (wave) wave.counts[result.outcome]++;
    this.outcomeOf.set(result.clusterId, result.outcome);
    if (result.outcome === 'SUCCEEDED' || result.outcome === 'SKIPPED') this.notSucceeded.delete(result.clusterId);
    else this.notSucceeded.set(result.clusterId, { ...result, ...(wave ? { wave: wave.plan.name } : {}) });
  }

  /** Takes a finished cluster's outcome back out of the tallies, for a retry. */
  forget(clusterId: string): void {
    const outcome = this.outcomeOf.get(clusterId);
    if (outcome === undefined) return;
    this.counts[outcome]--;
    const wave = this.waves[this.waveOf.get(clusterId) ?? -1];
    if (wave) wave.counts[outcome]--;
    this.outcomeOf.delete(clusterId);
    this.notSucceeded.delete(clusterId);
  }

  /** Why a budget is exceeded now, if one is: the rollout's, or the given wave's. */
  budgetExceeded(waveIndex: number): string | undefined {
    if (this.rolloutBudget) {
      const failed = failuresIn(this.counts, this.rolloutBudget);
      const allowed = allowedFailures(this.rolloutBudget, this.upgradeTotal);
      if (failed > allowed) return `failure budget exceeded: ${failed} failed, ${allowed} allowed (maxFailed ${this.rolloutBudget.maxFailed} of ${this.upgradeTotal})`;
    }
    const wave = this.waves[waveIndex];
    const budget = wave?.plan.failureBudget;
    if (wave && budget) {
      const failed = failuresIn(wave.counts, budget);
      const allowed = allowedFailures(budget, wave.plan.clusters.length);
      if (failed > allowed) return `failure budget of wave ${wave.plan.name} exceeded: ${failed} failed, ${allowed} allowed (maxFailed ${budget.maxFailed} of ${wave.plan.clusters.length})`;
    }
    return undefined;
  }

  /** Removes a cluster that has not started from its queue; false when it is not queued. */
  dequeue(clusterId: string): ClusterPlanEntry | undefined {
    for (const queue of [this.retryQueue, ...this.waves.map((w) => w.queue)]) {
      const at = queue.findIndex((e) => e.id === clusterId);
      if (at >= 0) return queue.splice(at, 1)[0];
    }
    return undefined;
  }

  isQueued(clusterId: string): boolean {
    return this.retryQueue.some((e) => e.id === clusterId) || this.waves.some((w) => w.queue.some((e) => e.id === clusterId));
  }

  summaries(): WaveSummary[] {
    return this.waves.map((w) => ({ name: w.plan.name, state: w.state, total: w.plan.clusters.length, maxParallel: this.limitFor(w), counts: { ...w.counts } }));
  }
}
