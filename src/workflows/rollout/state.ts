/**
 * `RolloutRun`: everything one run of a fleet rollout knows, and the transitions the
 * main loop drives (planning's answer, hops and waves, taking clusters, children's
 * reports, the stop). The operators' updates are added by `Rollout` (rollout.ts), the
 * class the workflow uses; the split keeps each file readable, the state has one owner.
 * No Temporal API is called here, so it is unit-tested without a server;
 * `snapshot()` is what continue-as-new carries and `load()` reads it back.
 *
 * Owned parts: the tallies (tally.ts) and the waves with their queues
 * (waves.ts). What it shows (progress, report, UI) is read by view/.
 */
import type { PlannedHop, PlannedTarget, PlanRolloutResult } from '../../activities/index.js';
import type { ClusterPlanEntry, ClusterResult, OperatorAction, RolloutPhase, WaveSummary } from '../../domain/report.js';
import { MAX_REPORTED_ACTIONS } from '../../domain/report.js';
import { operatorSkipMessage } from '../../domain/skipped.js';
import type { ApprovalGate, RolloutPlan } from '../../domain/spec.js';
import type { WaveShape } from '../../domain/waves.js';
import type { FixedFreeze, FreezeLift } from '../../domain/freeze.js';
import type { PlanNotes, RolloutCarry, Stop, StopStatus } from './snapshot.js';
import { budgetVerdict, Tally } from './tally.js';
import { placedLine } from './targets.js';
import { inventorySource, WaveQueues, type Placed, type PlanRead, type ReadPage, type WaveRun } from './waves.js';

export type { Placed, PlanRead, WaveRun };
export type { PlanNotes, RolloutCarry, RolloutStateSnapshot, Stop, StopStatus } from './snapshot.js';

export class RolloutRun {
  phase: RolloutPhase = 'validating';
  /** The target in the platform's spelling, once planning resolved it. */
  resolvedVersion: string | undefined;
  hops: readonly PlannedHop[] = [];
  hopIndex = 0;
  /** Clusters in the rollout (at the target already included). */
  total = 0;
  apiRatePerMinute = 0;
  paused = false;
  maxParallelOverride: number | undefined;
  stop: Stop | undefined;
  /** Set just before the workflow returns; updates that arrive later are rejected. */
  finished = false;
  /** Child starts asked for and not confirmed yet: continue-as-new waits for them (`childStarting`). */
  private starting = 0;
  /** The main loop has seen the stop and sent what it needs to (cancellations): the abort update may answer. */
  private stopActedOn = false;
  /** What planning found of the spec's targeting (excluded, unmatched, warnings). */
  notes: PlanNotes = {};
  /** A rollout over several targets: each one's resolved target and API budget, in the spec's order. */
  targets: readonly PlannedTarget[] | undefined;
  /** Clusters a dry run read (its report lists at most MAX_REPORTED_CLUSTERS of them). */
  dryRunListed = 0;
  /** A dry run's: when its clusters' first maintenance windows open, per wave (the forecast's). */
  readonly waveWindows = new Map<number, { earliest: number; latest: number }>();
  readonly approvals = new Set<string>();
  /** Freezes operators added while it runs (the spec's are in the plan). */
  protected addedFreezes: FixedFreeze[] = [];
  /** Spans operators lifted the freezes in force from (`unfreeze`). */
  protected freezeLifts: FreezeLift[] = [];
  /** Clusters whose child runs now (it reports back by signal), by id. */
  readonly inFlight = new Map<string, Placed>();
  protected actionLog: OperatorAction[] = [];
  actionCount = 0;

  readonly tally: Tally;
  readonly queues: WaveQueues;

  /** A first run, or (`carry`) the next run after continue-as-new. */
  protected constructor(
    readonly rolloutId: string,
    /** Absent when the spec is invalid: the handlers are set before validation, and reject then. */
    readonly plan: RolloutPlan | undefined,
    readonly startedAt: string,
    carry?: RolloutCarry,
  ) {
    const source = inventorySource(plan);
    const s = carry?.state;
    this.tally = s ? Tally.restore(s) : new Tally();
    this.queues = s ? WaveQueues.restore(s, source) : new WaveQueues(source);
    if (!carry || !s) return;
    this.phase = carry.phase ?? 'validating';
    ({ resolvedVersion: this.resolvedVersion, hops: this.hops, total: this.total, hopIndex: this.hopIndex } = carry);
    this.apiRatePerMinute = carry.apiRatePerMinute ?? 0;
    this.notes = carry.notes ?? {};
    this.targets = carry.targets;
    ({ paused: this.paused, maxParallelOverride: this.maxParallelOverride, stop: this.stop } = s);
    for (const name of s.approvals) this.approvals.add(name);
    this.addedFreezes = [...(s.freezes ?? [])];
    this.freezeLifts = [...(s.lifts ?? [])];
    for (const flight of s.inFlight) this.inFlight.set(flight.entry.id, flight);
    this.actionLog = [...s.actions];
    this.actionCount = s.actionCount;
  }

  snapshot(): RolloutCarry {
    return {
      startedAt: this.startedAt,
      phase: this.phase,
      resolvedVersion: this.resolvedVersion!,
      hops: this.hops,
      total: this.total,
      hopIndex: this.hopIndex,
      ...(this.apiRatePerMinute ? { apiRatePerMinute: this.apiRatePerMinute } : {}),
      ...(Object.keys(this.notes).length > 0 ? { notes: this.notes } : {}),
      ...(this.targets ? { targets: this.targets } : {}),
      state: {
        ...this.tally.snapshot(),
        ...this.queues.snapshot(),
        paused: this.paused,
        ...(this.maxParallelOverride !== undefined ? { maxParallelOverride: this.maxParallelOverride } : {}),
        ...(this.stop ? { stop: this.stop } : {}),
        approvals: [...this.approvals],
        ...(this.addedFreezes.length > 0 ? { freezes: this.addedFreezes } : {}),
        ...(this.freezeLifts.length > 0 ? { lifts: this.freezeLifts } : {}),
        inFlight: [...this.inFlight.values()],
        actions: this.actionLog,
        actionCount: this.actionCount,
      },
    };
  }

  // ── the main loop's transitions ──────────────────────────────────────────────

  enter(phase: RolloutPhase): void {
    this.phase = phase;
  }

  /** Planning's answer: the path, the fleet's size, what is at the target already. */
  planned(result: PlanRolloutResult): void {
    Object.assign(this, { resolvedVersion: result.resolvedVersion, hops: result.hops, total: result.total, apiRatePerMinute: result.apiRatePerMinute ?? 0 });
    const { excluded, unmatched, warnings } = result;
    this.targets = result.targets;
    this.notes = { ...(excluded ? { excluded } : {}), ...(unmatched ? { unmatched } : {}), ...(warnings ? { warnings } : {}) };
    // Clusters no wave takes ("unmatched": "skip") end SKIPPED at once, like those at the target already.
    this.tally.planned(result.hops.at(-1)!.clusters, result.atTarget + (unmatched?.count ?? 0));
  }

  get hop(): PlannedHop {
    return this.hops[this.hopIndex]!;
  }

  get lastHop(): boolean {
    return this.hopIndex === this.hops.length - 1;
  }

  /** The waves of a (new) hop: queues, the inventory stream and approvals start afresh. */
  beginHop(shapes: readonly WaveShape[]): void {
    this.queues.setWaves(shapes);
    this.approvals.clear();
  }

  get waves(): readonly WaveRun[] {
    return this.queues.waves;
  }

  beginWave(index: number): void {
    this.queues.currentWave = index;
  }

  /** The wave waits for an operator's approval (or its timeout). */
  waveAwaitingApproval(index: number): void {
    this.queues.waves[index]!.state = 'awaiting-approval';
  }

  /** The wave's clusters start (or, resumed, go on). */
  waveUpgrading(index: number): void {
    this.queues.waves[index]!.state = 'upgrading';
  }

  /** The wave's clusters have ended (and, after it, its soak or gate). */
  waveDone(index: number): void {
    this.queues.waves[index]!.state = 'done';
  }

  /** The wave's clusters have ended; it soaks before the next wave starts. */
  waveSoaking(index: number): void {
    this.queues.waves[index]!.state = 'soaking';
  }

  /** The hop's waves are over: on to the next hop (or past the last). */
  nextHop(): void {
    this.hopIndex++;
  }

  /** A child's start is asked for: continue-as-new waits for it to be confirmed. */
  childStarting(): void {
    this.starting++;
  }

  /** A child's start is confirmed, or failed: either way it no longer holds up continue-as-new. */
  childStartSettled(): void {
    this.starting--;
  }

  /** The main loop has seen the stop and sent its cancellations: the abort update may answer. */
  actedOnStop(): void {
    this.stopActedOn = true;
  }

  /** A wave with nothing to read, start or wait for. */
  waveIsEmpty(index: number): boolean {
    return this.queues.isExhausted(index) && this.inFlight.size === 0;
  }

  /** Whether the wave's gate is still closed (not approved, not already passed in an earlier run). */
  awaitsApproval(index: number): ApprovalGate | undefined {
    const wave = this.waves[index]!;
    return wave.plan.approval && wave.state !== 'upgrading' && !this.approvals.has(wave.plan.name) ? wave.plan.approval : undefined;
  }

  approvalTimedOut(index: number, gate: ApprovalGate): void {
    const name = this.waves[index]!.plan.name;
    this.log({ action: 'approvalTimeout', target: name, reason: `no approval within ${gate.timeoutMs} ms: ${gate.onTimeout}` });
    if (gate.onTimeout === 'abort') this.halt('ABORTED', `approval of wave ${name} timed out`);
  }

  limitFor(wave: WaveRun): number {
    return this.maxParallelOverride ?? wave.plan.maxParallel;
  }

  hasNext(index: number): boolean {
    return this.queues.hasNext(index);
  }

  canStart(index: number): boolean {
    return !this.paused && this.hasNext(index) && this.inFlight.size < this.limitFor(this.waves[index]!);
  }

  nextRead(index: number): PlanRead | undefined {
    return this.queues.nextRead(index, (entry) => this.skippedEarlier(entry, index));
  }

  received(index: number, read: PlanRead, page: ReadPage): void {
    this.queues.received(index, read, page, (entry) => this.skippedEarlier(entry, index));
  }

  /** The next cluster to start in wave `index`, now in flight; undefined when none is ready. */
  takeNext(index: number): Placed | undefined {
    const next = this.queues.takeNext(index);
    if (next) this.inFlight.set(next.entry.id, { ...next, startedAt: Date.now() });
    return next;
  }

  /**
   * A child's report: its final outcome, or one hop done on the way (that hop reads it
   * again at the version it reached). Halts when a budget is exceeded. False for a late
   * or repeated report, already counted.
   */
  record(result: ClusterResult): boolean {
    const flight = this.inFlight.get(result.clusterId);
    if (!flight) return false;
    this.inFlight.delete(result.clusterId);
    this.queues.held.reported(flight, result);
    if (flight.startedAt !== undefined && result.requests > 0) this.tally.measure(Date.now() - flight.startedAt);
    const wave = this.waves[flight.waveIndex];
    if (result.outcome === 'SUCCEEDED' && !this.lastHop) {
      if (wave) wave.counts[result.outcome]++;
    } else this.tally.record(placedLine(this.plan, flight.entry, this.hops.length > 1 ? { ...result, hop: this.hop.version } : result), wave && { name: wave.plan.name, counts: wave.counts });
    const exceeded = this.tally.budgetExceeded(this.plan?.failureBudget) ?? this.waveBudgetExceeded(flight.waveIndex);
    if (exceeded) this.halt('HALTED', exceeded);
    return true;
  }

  halt(status: StopStatus, reason: string): void {
    this.stop ??= { status, reason };
  }

  /** After the stop, once in-flight children have reported: whatever never started counts NOT_STARTED, with a line each read. */
  settleStop(): void {
    for (const { entry, waveIndex } of this.queues.drainWaiting()) this.notStarted(entry, waveIndex);
    this.tally.reconcile();
  }

  /** A dry run: the clusters read for wave `index` become its lines ("would upgrade via ..."). */
  listed(index: number, line: (entry: ClusterPlanEntry, wave: string) => ClusterResult, maxLines: number): void {
    const wave = this.waves[index]!;
    for (const entry of wave.queue.splice(0)) {
      this.dryRunListed++;
      const opens = entry.predictedWindow ? Date.parse(entry.predictedWindow.start) : NaN;
      const span = this.waveWindows.get(index);
      if (!Number.isNaN(opens)) this.waveWindows.set(index, { earliest: Math.min(opens, span?.earliest ?? opens), latest: Math.max(opens, span?.latest ?? opens) });
      if (this.tally.notSucceeded.size < maxLines) this.tally.setLine(line(entry, wave.plan.name));
    }
  }

  /** A compensation's outcome, on the cluster's line. */
  compensated(clusterId: string, compensation: string): void {
    const line = this.tally.notSucceeded.get(clusterId);
    if (line) this.tally.setLine({ ...line, compensation });
  }

  /** Every child start asked for has been confirmed (or failed). */
  get startsSettled(): boolean {
    return this.starting === 0;
  }

  /** Whether the main loop has acted on the stop (`actedOnStop`). */
  get stopSettled(): boolean {
    return this.stopActedOn;
  }

  finish(): void {
    this.finished = true;
  }

  get pending(): number {
    return this.queues.pending;
  }

  summaries(): WaveSummary[] {
    return this.waves.map((w) => ({ name: w.plan.name, state: w.state, total: w.total, maxParallel: this.limitFor(w), counts: { ...w.counts }, ...(w.gate ? { gate: w.gate } : {}) }));
  }

  get actions(): readonly OperatorAction[] {
    return this.actionLog;
  }

  // ── inside (Rollout uses these too) ──────────────────────────────────────────

  protected log(action: Omit<OperatorAction, 'at'>): void {
    this.actionCount++;
    this.actionLog.push({ at: new Date().toISOString(), ...action });
    // The report stays bounded however chatty the operators are.
    if (this.actionLog.length > MAX_REPORTED_ACTIONS) this.actionLog.shift();
  }

  private waveBudgetExceeded(index: number): string | undefined {
    const wave = this.waves[index];
    const budget = wave?.plan.failureBudget;
    return wave && budget ? budgetVerdict(budget, wave.counts, wave.total, `failure budget of wave ${wave.plan.name}`) : undefined;
  }

  protected waveOf(index: number) {
    const wave = this.waves[index];
    return wave && { name: wave.plan.name, counts: wave.counts };
  }

  /** An operator's skip: the line keeps who and why. */
  protected skipped(entry: ClusterPlanEntry, waveIndex: number, skippedBy: { readonly by?: string; readonly reason?: string }): void {
    const line = { clusterId: entry.id, name: entry.name, outcome: 'SKIPPED' as const, fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0 };
    this.tally.record(placedLine(this.plan, entry, { ...line, message: operatorSkipMessage(skippedBy), skippedBy }), this.waveOf(waveIndex));
  }

  /** A cluster skipped before it was read: who and why from the action log, while it still holds the skip. */
  private skippedEarlier(entry: ClusterPlanEntry, waveIndex: number): void {
    const named = (target: string | undefined) => target === entry.id || target?.endsWith(`(${entry.id})`) === true;
    const action = [...this.actionLog].reverse().find((a) => a.action === 'skipCluster' && named(a.target));
    this.skipped(entry, waveIndex, { ...(action?.by ? { by: action.by } : {}), ...(action?.reason ? { reason: action.reason } : {}) });
  }

  private notStarted(entry: ClusterPlanEntry, waveIndex: number): void {
    const message = `not started: ${this.stop?.reason}`;
    this.tally.record(placedLine(this.plan, entry, { clusterId: entry.id, name: entry.name, outcome: 'NOT_STARTED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message }), this.waveOf(waveIndex));
  }
}
