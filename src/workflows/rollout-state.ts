/**
 * What a running rollout knows, in one place: the waves and their queues, the clusters
 * in flight, the tallies, operator control (pause, approvals, overrides, stop) and the
 * action log. Plain data plus the rules that change it, so the workflow reads as a flow
 * and the update handlers stay short. It survives continue-as-new as a snapshot, so it
 * holds nothing per cluster that has ended well: counts only, and a line per cluster
 * that did not.
 */
import type { ClusterOutcome, ClusterPlanEntry, ClusterResult, OperatorAction, OutcomeCounts, RolloutStatus, WaveState, WaveSummary } from '../domain/report.js';
import { emptyCounts, MAX_REPORTED_ACTIONS } from '../domain/report.js';
import type { FailureBudget } from '../domain/spec.js';
import { allowedFailures, type WaveShape } from '../domain/waves.js';

export interface WaveRun {
  readonly plan: Omit<WaveShape, 'size' | 'ids'>;
  /** Clusters the wave was sized for. */
  readonly total: number;
  /** Clusters read and waiting to start, in order (a page at most). */
  readonly queue: ClusterPlanEntry[];
  /** Clusters still to take from the inventory stream. */
  toTake: number;
  /** Listed clusters not read yet. */
  readonly ids: string[];
  state: WaveState;
  readonly counts: OutcomeCounts;
}

/** Where the current hop's reading of the inventory stands. */
export interface InventoryStream {
  /** The next page's cursor (inventory), or the next index into the spec's `clusters`. */
  cursor?: string;
  done: boolean;
  /** Read, not yet taken by a wave. */
  readonly buffer: ClusterPlanEntry[];
}

export interface InFlight {
  readonly entry: ClusterPlanEntry;
  readonly waveIndex: number;
}

/** Everything the state holds, as plain JSON: the continue-as-new payload. */
export interface RolloutStateSnapshot {
  readonly counts: OutcomeCounts;
  readonly notSucceeded: readonly ClusterResult[];
  readonly waves: readonly WaveRun[];
  readonly currentWave?: number;
  readonly upgradeTotal: number;
  readonly paused: boolean;
  readonly maxParallelOverride?: number;
  readonly stop?: RolloutState['stop'];
  readonly approvals: readonly string[];
  readonly retryQueue: readonly ClusterPlanEntry[];
  readonly stream: InventoryStream;
  readonly skipList: readonly string[];
  readonly atTarget: number;
  readonly inFlight: readonly InFlight[];
  readonly actions: readonly OperatorAction[];
  readonly actionCount: number;
}

/** Clusters the current details name, newest last: what an operator looks at first. */
const LATEST_FAILURES = 5;

/** Outcomes FleetFailedClusters counts: the ones `retryCluster` takes. */
export const failedClustersIn = (counts: OutcomeCounts): number => counts.FAILED + counts.MISSED + counts.SUPERSEDED;
const isFailed = (outcome: ClusterOutcome): boolean => outcome === 'FAILED' || outcome === 'MISSED' || outcome === 'SUPERSEDED';

/** Outcomes a failure budget counts. */
const failuresIn = (counts: OutcomeCounts, budget: FailureBudget) => counts.FAILED + counts.MISSED + (budget.countSuperseded ? counts.SUPERSEDED : 0);

export class RolloutState {
  counts: OutcomeCounts = emptyCounts();
  /** Results of clusters that did not end SUCCEEDED or SKIPPED, by cluster id. */
  readonly notSucceeded = new Map<string, ClusterResult>();
  /** Clusters whose child runs now (it reports back by signal), by id. */
  readonly inFlight = new Map<string, InFlight>();
  readonly approvals = new Set<string>();
  /** Clusters an operator asked to retry; the running (or next) wave takes them first. */
  retryQueue: ClusterPlanEntry[] = [];
  stream: InventoryStream = { done: false, buffer: [] };
  /** Clusters an operator skipped before they were read: left out when they are. */
  readonly skipList = new Set<string>();
  /** Clusters planning found at the target already (counted SKIPPED, no line each). */
  atTarget = 0;
  waves: WaveRun[] = [];
  currentWave: number | undefined;
  /** Clusters to upgrade (SKIPPED at planning excluded): what percentages of the rollout budget refer to. */
  upgradeTotal = 0;
  paused = false;
  maxParallelOverride: number | undefined;
  stop: { readonly status: Extract<RolloutStatus, 'HALTED' | 'ABORTED'>; readonly reason: string } | undefined;
  /** Set just before the workflow returns; updates that arrive later are rejected. */
  finished = false;
  private actionLog: OperatorAction[] = [];
  actionCount = 0;
  /** Ids of the latest clusters that failed (see failedClustersIn; at most LATEST_FAILURES), newest last; not carried, rebuilt from `notSucceeded`. */
  private failureIds: string[] = [];

  constructor(private readonly rolloutBudget: FailureBudget | undefined) {}

  static restore(snapshot: RolloutStateSnapshot, budget: FailureBudget | undefined): RolloutState {
    const state = new RolloutState(budget);
    state.counts = { ...snapshot.counts };
    for (const line of snapshot.notSucceeded) state.notSucceeded.set(line.clusterId, line);
    state.waves = snapshot.waves.map((w) => ({ ...w, queue: [...w.queue], ids: [...w.ids], counts: { ...w.counts } }));
    state.currentWave = snapshot.currentWave;
    state.upgradeTotal = snapshot.upgradeTotal;
    state.paused = snapshot.paused;
    state.maxParallelOverride = snapshot.maxParallelOverride;
    state.stop = snapshot.stop;
    for (const name of snapshot.approvals) state.approvals.add(name);
    state.retryQueue = [...snapshot.retryQueue];
    state.stream = { ...snapshot.stream, buffer: [...snapshot.stream.buffer] };
    for (const id of snapshot.skipList) state.skipList.add(id);
    state.atTarget = snapshot.atTarget;
    for (const flight of snapshot.inFlight) state.inFlight.set(flight.entry.id, flight);
    state.actionLog = [...snapshot.actions];
    state.actionCount = snapshot.actionCount;
    state.failureIds = snapshot.notSucceeded.filter((line) => isFailed(line.outcome)).slice(-LATEST_FAILURES).map((line) => line.clusterId);
    return state;
  }

  snapshot(): RolloutStateSnapshot {
    return {
      counts: this.counts,
      notSucceeded: [...this.notSucceeded.values()],
      waves: this.waves,
      ...(this.currentWave !== undefined ? { currentWave: this.currentWave } : {}),
      upgradeTotal: this.upgradeTotal,
      paused: this.paused,
      ...(this.maxParallelOverride !== undefined ? { maxParallelOverride: this.maxParallelOverride } : {}),
      ...(this.stop ? { stop: this.stop } : {}),
      approvals: [...this.approvals],
      retryQueue: this.retryQueue,
      stream: this.stream,
      skipList: [...this.skipList],
      atTarget: this.atTarget,
      inFlight: [...this.inFlight.values()],
      actions: this.actionLog,
      actionCount: this.actionCount,
    };
  }

  /** The waves of a (new) hop: queues, the inventory stream and approvals start afresh. */
  setWaves(shapes: readonly WaveShape[]): void {
    this.waves = shapes.map(({ size, ids, ...plan }) => ({ plan, total: size + (ids?.length ?? 0), queue: [], toTake: size, ids: [...(ids ?? [])], state: 'pending', counts: emptyCounts() }));
    this.stream = { done: false, buffer: [] };
    this.approvals.clear();
    this.currentWave = undefined;
  }

  get pending(): number {
    return this.retryQueue.length + this.waves.reduce((n, w) => n + w.queue.length + w.toTake + w.ids.length, 0);
  }

  get actions(): readonly OperatorAction[] {
    return this.actionLog;
  }

  limitFor(wave: WaveRun): number {
    return this.maxParallelOverride ?? wave.plan.maxParallel;
  }

  waveIndexOf(name: string | undefined): number {
    return this.waves.findIndex((w) => w.plan.name === name);
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

  /** A cluster's final outcome in this rollout. */
  record(result: ClusterResult, waveIndex: number): void {
    const wave = this.waves[waveIndex];
    this.counts[result.outcome]++;
    if (wave) wave.counts[result.outcome]++;
    if (result.outcome === 'SUCCEEDED' || result.outcome === 'SKIPPED') this.notSucceeded.delete(result.clusterId);
    else {
      this.notSucceeded.set(result.clusterId, { ...result, ...(wave ? { wave: wave.plan.name } : {}) });
      if (isFailed(result.outcome)) this.failureIds = [...this.failureIds.filter((id) => id !== result.clusterId), result.clusterId].slice(-LATEST_FAILURES);
    }
  }

  /** Clusters ended in the rollout so far, whatever the outcome (at the target already included). */
  get ended(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** The latest clusters that failed and still stand so (a retry takes one out), newest last. */
  latestFailures(): ClusterResult[] {
    return this.failureIds.flatMap((id) => {
      const line = this.notSucceeded.get(id);
      return line && isFailed(line.outcome) ? [line] : [];
    });
  }

  /** A hop done on the way to the target: counts in its wave only; the cluster is read again for the next hop. */
  recordHop(result: ClusterResult, waveIndex: number): void {
    const wave = this.waves[waveIndex];
    if (wave) wave.counts[result.outcome]++;
  }

  /** After a stop: clusters never reached (not read, or between hops) count NOT_STARTED, so the counts add up to the rollout. */
  reconcile(): void {
    const accounted = Object.values(this.counts).reduce((a, b) => a + b, 0) - this.atTarget;
    if (accounted < this.upgradeTotal) this.counts.NOT_STARTED += this.upgradeTotal - accounted;
  }

  /** Takes a failed cluster's outcome back out of the tallies, for a retry; the entry to run again. */
  forget(clusterId: string): ClusterPlanEntry | undefined {
    const line = this.notSucceeded.get(clusterId);
    if (!line) return undefined;
    this.counts[line.outcome]--;
    const wave = this.waves[this.waveIndexOf(line.wave)];
    if (wave) wave.counts[line.outcome]--;
    this.notSucceeded.delete(clusterId);
    return { id: line.clusterId, name: line.name, version: line.fromVersion, action: 'upgrade' };
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
      const allowed = allowedFailures(budget, wave.total);
      if (failed > allowed) return `failure budget of wave ${wave.plan.name} exceeded: ${failed} failed, ${allowed} allowed (maxFailed ${budget.maxFailed} of ${wave.total})`;
    }
    return undefined;
  }

  /** Removes a cluster that has not started from its queue, with the wave it was in; undefined when it is not queued. */
  dequeue(clusterId: string): { entry: ClusterPlanEntry; waveIndex: number } | undefined {
    const retried = this.retryQueue.findIndex((e) => e.id === clusterId);
    if (retried >= 0) {
      const entry = this.retryQueue.splice(retried, 1)[0]!;
      return { entry, waveIndex: this.waveIndexOf(this.notSucceeded.get(clusterId)?.wave) };
    }
    for (const [waveIndex, wave] of this.waves.entries()) {
      const at = wave.queue.findIndex((e) => e.id === clusterId);
      if (at >= 0) return { entry: wave.queue.splice(at, 1)[0]!, waveIndex };
    }
    return undefined;
  }

  isQueued(clusterId: string): boolean {
    return this.retryQueue.some((e) => e.id === clusterId) || this.waves.some((w) => w.queue.some((e) => e.id === clusterId));
  }

  summaries(): WaveSummary[] {
    return this.waves.map((w) => ({ name: w.plan.name, state: w.state, total: w.total, maxParallel: this.limitFor(w), counts: { ...w.counts } }));
  }
}
