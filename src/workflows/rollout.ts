/**
 * `Rollout`: everything one run of a fleet rollout knows, and the only code that changes
 * it (after samples-typescript's `safe-message-handlers` ClusterManager). The workflow
 * (fleet-rollout.ts) wires handlers to it and runs the hop/wave loop; every change goes
 * through a named transition here, and every operator update is a method with its
 * synchronous validator beside it. No Temporal API is called, so it is unit-tested
 * without a server (test/unit/rollout*.test.ts); `snapshot()` is what continue-as-new
 * carries and `restore()` reads it back.
 *
 * Owned parts: the tallies (rollout-tally.ts) and the waves with their queues
 * (rollout-waves.ts). What it shows (progress, report, UI) is read by rollout-view.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PlannedHop, PlanRolloutResult } from '../activities/index.js';
import type { ClusterPlanEntry, ClusterResult, OperatorAction, RolloutPhase, RolloutStatus, WaveSummary } from '../domain/report.js';
import { isFailedOutcome, MAX_REPORTED_ACTIONS } from '../domain/report.js';
import type { ApprovalGate, RolloutPlan } from '../domain/spec.js';
import type { WaveShape } from '../domain/waves.js';
import type { AbortRequest, ApproveRequest, ClusterRequest, OperatorRequest, SetMaxParallelRequest } from './messages.js';
import { UPDATE_REJECTED } from './messages.js';
import { budgetVerdict, Tally, type TallySnapshot } from './rollout-tally.js';
import { WaveQueues, type Placed, type PlanRead, type WaveRun, type WavesSnapshot } from './rollout-waves.js';

export type { Placed, PlanRead, WaveRun };

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
}

/** What a rollout hands to its next run when it continues as new. Internal: not part of the contract. */
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
}

const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
};

/** Who asked and why, as the action log keeps it (bounded). */
const who = (request?: { by?: unknown; reason?: unknown }) => ({
  ...(typeof request?.by === 'string' && request.by ? { by: request.by.slice(0, 100) } : {}),
  ...(typeof request?.reason === 'string' && request.reason ? { reason: request.reason.slice(0, 500) } : {}),
});

const clusterIdOf = (request: { clusterId?: unknown } | undefined): string => {
  if (typeof request?.clusterId !== 'string' || !request.clusterId) return reject('clusterId is required');
  return request.clusterId.toLowerCase();
};

export class Rollout {
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
  /** Child starts asked for and not confirmed yet: continue-as-new waits for them. */
  starting = 0;
  /** The main loop has seen the stop and sent what it needs to (cancellations): the abort update may answer. */
  stopActedOn = false;
  /** Clusters a dry run read (its report lists at most MAX_REPORTED_CLUSTERS of them). */
  dryRunListed = 0;
  readonly approvals = new Set<string>();
  /** Clusters whose child runs now (it reports back by signal), by id. */
  readonly inFlight = new Map<string, Placed>();
  private actionLog: OperatorAction[] = [];
  actionCount = 0;

  private constructor(
    readonly rolloutId: string,
    /** Absent when the spec is invalid: the handlers are set before validation, and reject then. */
    readonly plan: RolloutPlan | undefined,
    readonly startedAt: string,
    readonly tally: Tally,
    readonly queues: WaveQueues,
  ) {}

  static start(rolloutId: string, plan: RolloutPlan | undefined, startedAt: string): Rollout {
    return new Rollout(rolloutId, plan, startedAt, new Tally(), new WaveQueues(inventorySource(plan)));
  }

  static restore(rolloutId: string, plan: RolloutPlan | undefined, carry: RolloutCarry): Rollout {
    const s = carry.state;
    const rollout = new Rollout(rolloutId, plan, carry.startedAt, Tally.restore(s), WaveQueues.restore(s, inventorySource(plan)));
    rollout.phase = carry.phase ?? 'validating';
    Object.assign(rollout, { resolvedVersion: carry.resolvedVersion, hops: carry.hops, total: carry.total, hopIndex: carry.hopIndex, apiRatePerMinute: carry.apiRatePerMinute ?? 0 });
    rollout.paused = s.paused;
    rollout.maxParallelOverride = s.maxParallelOverride;
    rollout.stop = s.stop;
    for (const name of s.approvals) rollout.approvals.add(name);
    for (const flight of s.inFlight) rollout.inFlight.set(flight.entry.id, flight);
    rollout.actionLog = [...s.actions];
    rollout.actionCount = s.actionCount;
    return rollout;
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
      state: {
        ...this.tally.snapshot(),
        ...this.queues.snapshot(),
        paused: this.paused,
        ...(this.maxParallelOverride !== undefined ? { maxParallelOverride: this.maxParallelOverride } : {}),
        ...(this.stop ? { stop: this.stop } : {}),
        approvals: [...this.approvals],
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
    this.tally.planned(result.hops.at(-1)!.clusters, result.atTarget);
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

  setWaveState(index: number, state: WaveRun['state']): void {
    this.queues.waves[index]!.state = state;
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
    return this.queues.nextRead(index, (entry) => this.skipped(entry, index, 'skipped by an operator'));
  }

  received(index: number, read: PlanRead, page: { readonly entries: readonly ClusterPlanEntry[]; readonly next?: string }): void {
    this.queues.received(index, read, page, (entry) => this.skipped(entry, index, 'skipped by an operator'));
  }

  /** The next cluster to start in wave `index`, now in flight; undefined when none is ready. */
  takeNext(index: number): Placed | undefined {
    const next = this.queues.takeNext(index);
    if (next) this.inFlight.set(next.entry.id, next);
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
    const wave = this.waves[flight.waveIndex];
    if (result.outcome === 'SUCCEEDED' && !this.lastHop) {
      if (wave) wave.counts[result.outcome]++;
    } else this.tally.record(this.hops.length > 1 ? { ...result, hop: this.hop.version } : result, wave && { name: wave.plan.name, counts: wave.counts });
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
      if (this.tally.notSucceeded.size < maxLines) this.tally.setLine(line(entry, wave.plan.name));
    }
  }

  /** A compensation's outcome, on the cluster's line. */
  compensated(clusterId: string, compensation: string): void {
    const line = this.tally.notSucceeded.get(clusterId);
    if (line) this.tally.setLine({ ...line, compensation });
  }

  finish(): void {
    this.finished = true;
  }

  get pending(): number {
    return this.queues.pending;
  }

  summaries(): WaveSummary[] {
    return this.waves.map((w) => ({ name: w.plan.name, state: w.state, total: w.total, maxParallel: this.limitFor(w), counts: { ...w.counts } }));
  }

  get actions(): readonly OperatorAction[] {
    return this.actionLog;
  }

  // ── operator updates: each with its validator beside it ──────────────────────

  validatePause(_request?: OperatorRequest): void {
    this.open();
    if (this.paused) reject('the rollout is already paused');
  }
  pause(request?: OperatorRequest): void {
    this.paused = true;
    this.log({ action: 'pause', ...who(request) });
  }

  validateResume(_request?: OperatorRequest): void {
    this.open();
    if (!this.paused) reject('the rollout is not paused');
  }
  resume(request?: OperatorRequest): void {
    this.paused = false;
    this.log({ action: 'resume', ...who(request) });
  }

  validateAbort(request: AbortRequest): void {
    this.open();
    if (typeof request?.reason !== 'string' || request.reason.trim() === '') reject('abort needs a reason');
  }
  abort(request: AbortRequest): void {
    this.log({ action: 'abort', ...who(request) });
    this.halt('ABORTED', `aborted${request.by ? ` by ${request.by}` : ''}: ${request.reason}`);
  }

  validateApprove(request: ApproveRequest): void {
    this.open();
    const name = request?.wave;
    if (typeof name !== 'string' || !name) reject('wave is required');
    const waves =
      this.waves.length > 0
        ? this.waves.map((w) => ({ name: w.plan.name, gated: w.plan.approval !== undefined, state: w.state }))
        : (this.plan?.waves ?? []).map((w) => ({ name: w.name, gated: w.approval !== undefined, state: 'pending' as const }));
    const wave = waves.find((w) => w.name === name);
    if (!wave) return reject(`no wave ${JSON.stringify(name)}; waves: ${waves.map((w) => w.name).join(', ')}`);
    if (!wave.gated) reject(`wave ${name} has no approval gate`);
    if (this.approvals.has(name)) reject(`wave ${name} is already approved`);
    if (wave.state !== 'pending' && wave.state !== 'awaiting-approval') reject(`wave ${name} is past its gate (${wave.state})`);
  }
  approve(request: ApproveRequest): void {
    this.approvals.add(request.wave);
    this.log({ action: 'approve', target: request.wave, ...who(request) });
  }

  validateSetMaxParallel(request: SetMaxParallelRequest): void {
    this.open();
    const n = request?.maxParallel;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) reject(`maxParallel must be a whole number from 1 to 1000, got ${JSON.stringify(n)}`);
  }
  setMaxParallel(request: SetMaxParallelRequest): void {
    this.maxParallelOverride = request.maxParallel;
    this.log({ action: 'setMaxParallel', target: String(request.maxParallel), ...who(request) });
  }

  validateSkip(request: ClusterRequest): void {
    this.open();
    const id = clusterIdOf(request);
    if (this.queues.isQueued(id)) return;
    if (this.inFlight.has(id)) reject(`cluster ${id} is upgrading now; only a cluster not started can be skipped`);
    const line = this.tally.notSucceeded.get(id);
    if (line) reject(`cluster ${id} has already ended ${line.outcome}`);
    if (this.queues.skipList.has(id)) reject(`cluster ${id} is already to be skipped`);
    const listed = this.plan?.waves.some((w) => w.clusters?.includes(id));
    if (this.plan?.clusters && !this.plan.clusters.includes(id) && !listed) reject(`cluster ${id} is not in this rollout`);
    if (!this.queues.mayStillRead(id)) reject(this.waves.length === 0 ? 'the rollout is still planning; try again in a moment' : `cluster ${id} is not waiting to start in this rollout (it is unknown, or has ended)`);
  }
  skip(request: ClusterRequest): void {
    const id = request.clusterId.toLowerCase();
    const reason = who(request).reason;
    const queued = this.queues.dequeue(id);
    // Not read yet: left out when its page comes.
    if (queued) this.skipped(queued.entry, queued.waveIndex, `skipped by an operator${reason ? `: ${reason}` : ''}`);
    else this.queues.skipList.add(id);
    this.log({ action: 'skipCluster', target: id, ...who(request) });
  }

  validateRetry(request: ClusterRequest): void {
    this.open();
    const id = clusterIdOf(request);
    const line = this.tally.notSucceeded.get(id);
    if (!line || !isFailedOutcome(line.outcome)) {
      const now = line?.outcome ?? (this.inFlight.has(id) ? 'upgrading' : this.queues.isQueued(id) ? 'not started' : 'not failed in this rollout');
      return reject(`only a cluster that ended FAILED, MISSED or SUPERSEDED can be retried; cluster ${id} is ${now}`);
    }
    const currentHop = this.hops.length > 1 ? this.hops[this.hopIndex]?.version : undefined;
    if (line.hop !== currentHop) reject(`cluster ${id} ended ${line.outcome} in an earlier hop (${line.hop}); start a new rollout for it`);
  }
  retry(request: ClusterRequest): void {
    const id = request.clusterId.toLowerCase();
    // The cluster goes back to the wave it ended in: that wave's counts take its next outcome.
    const waveIndex = this.waves.findIndex((w) => w.plan.name === this.tally.notSucceeded.get(id)?.wave);
    const entry = this.tally.forget(id, this.waves[waveIndex]?.counts)!;
    this.queues.retryQueue.push({ entry, waveIndex });
    this.log({ action: 'retryCluster', target: id, ...who(request) });
  }

  // ── inside ───────────────────────────────────────────────────────────────────

  private open(): void {
    if (this.finished) reject('the rollout has finished');
    if (this.stop) reject(`the rollout is stopping (${this.stop.status}: ${this.stop.reason})`);
  }

  private log(action: Omit<OperatorAction, 'at'>): void {
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

  private waveOf(index: number) {
    const wave = this.waves[index];
    return wave && { name: wave.plan.name, counts: wave.counts };
  }

  private skipped(entry: ClusterPlanEntry, waveIndex: number, message: string): void {
    this.tally.record({ clusterId: entry.id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message }, this.waveOf(waveIndex));
  }

  private notStarted(entry: ClusterPlanEntry, waveIndex: number): void {
    const message = `not started: ${this.stop?.reason}`;
    this.tally.record({ clusterId: entry.id, name: entry.name, outcome: 'NOT_STARTED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message }, this.waveOf(waveIndex));
  }
}

/** With `clusters` in the spec, the stream reads that list (less the clusters waves list); else the inventory. */
function inventorySource(plan: RolloutPlan | undefined): { specList?: readonly string[] } {
  if (!plan?.clusters) return {};
  const listed = new Set(plan.waves.flatMap((w) => w.clusters ?? [])); // A Set: `includes` per id would be quadratic at 100,000.
  return { specList: plan.clusters.filter((id) => !listed.has(id)) };
}
