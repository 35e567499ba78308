/**
 * `RolloutState` (the workflow's `Rollout`): everything one run of a fleet rollout knows,
 * and its named transitions: the main loop's (planning's answer, hops and waves, taking
 * clusters, children's reports, the stop) and those the operators' updates ask for
 * (`RolloutControls`, controls.ts, validates them first). No Temporal API is called here, so
 * it is unit-tested without a server; `snapshot()` is what continue-as-new carries, read
 * back by `Rollout.restore`.
 *
 * Owned parts, each with one job: the tallies (tally.ts), the waves with their queues
 * (waves.ts), the children in flight (flights.ts), what operators set (steering.ts), the
 * freezes (freezes.ts), the action log (action-log.ts), the gates (gates.ts), the reports'
 * lines (lines.ts) and a dry run's listing (dry-run-listing.ts). view/ reads what it shows.
 */
import type { PlannedHop, PlannedTarget, PlanRolloutResult } from '../../activities/index.js';
import type { ClusterPlanEntry, ClusterResult, OperatorAction, RolloutPhase } from '../../domain/report.js';
import type { ApprovalGate, RolloutPlan } from '../../domain/spec.js';
import type { WaveShape } from '../../domain/waves.js';
import { ActionLog, type Who } from './action-log.js';
import { DryRunListing } from './dry-run-listing.js';
import { Flights } from './flights.js';
import { Freezes } from './freezes.js';
import { WaveGates } from './gates.js';
import { ClusterLines } from './lines.js';
import { Steering } from './steering.js';
import type { PlanNotes, RolloutCarry, Stop, StopStatus } from './snapshot.js';
import { Tally } from './tally.js';
import { inventorySource, WaveQueues, type Placed, type PlanRead, type ReadPage, type WaveRun } from './waves.js';

export type { Placed, PlanRead, WaveRun };
export type { PlanNotes, RolloutCarry, RolloutStateSnapshot, Stop, StopStatus } from './snapshot.js';
export type { GateOutcome } from '../../domain/gate.js';

export class RolloutState {
  phase: RolloutPhase = 'validating';
  /** The target in the platform's spelling, once planning resolved it. */
  resolvedVersion: string | undefined;
  hops: readonly PlannedHop[] = [];
  hopIndex = 0;
  /** Clusters in the rollout (at the target already included). */
  total = 0;
  apiRatePerMinute = 0;
  stop: Stop | undefined;
  /** Set just before the workflow returns; updates that arrive later are rejected. */
  finished = false;
  /** The main loop has seen the stop and sent what it needs to (cancellations): the abort update may answer. */
  private stopActedOn = false;
  /** What planning found of the spec's targeting (excluded, unmatched, warnings). */
  notes: PlanNotes = {};
  /** A rollout over several targets: each one's resolved target and API budget, in the spec's order. */
  targets: readonly PlannedTarget[] | undefined;

  readonly tally: Tally;
  readonly queues: WaveQueues;
  readonly inFlight: Flights;
  readonly steering: Steering;
  readonly dryRun = new DryRunListing();
  readonly freezes: Freezes;
  readonly actionLog: ActionLog;
  readonly gates: WaveGates;
  readonly lines: ClusterLines;

  static start(rolloutId: string, plan: RolloutPlan | undefined, startedAt: string): RolloutState {
    return new RolloutState(rolloutId, plan, startedAt);
  }

  /** The next run after continue-as-new, from the last run's `snapshot()`. */
  static restore(rolloutId: string, plan: RolloutPlan | undefined, carry: RolloutCarry): RolloutState {
    return new RolloutState(rolloutId, plan, carry.startedAt, carry);
  }

  /** A first run, or (`carry`) the next run after continue-as-new. */
  private constructor(
    readonly rolloutId: string,
    /** Absent when the spec is invalid: the handlers are set before validation, and reject then. */
    readonly plan: RolloutPlan | undefined,
    readonly startedAt: string,
    carry?: RolloutCarry,
  ) {
    const s = carry?.state;
    this.tally = s ? Tally.restore(s) : new Tally();
    this.queues = s ? WaveQueues.restore(s, inventorySource(plan)) : new WaveQueues(inventorySource(plan));
    this.inFlight = new Flights(s?.inFlight);
    this.steering = new Steering(s);
    this.freezes = new Freezes(plan?.freeze ?? [], s);
    this.actionLog = new ActionLog(s);
    this.gates = new WaveGates(this, this.actionLog);
    this.lines = new ClusterLines(this);
    if (!carry || !s) return;
    this.phase = carry.phase ?? 'validating';
    ({ resolvedVersion: this.resolvedVersion, hops: this.hops, total: this.total, hopIndex: this.hopIndex } = carry);
    this.apiRatePerMinute = carry.apiRatePerMinute ?? 0;
    this.notes = carry.notes ?? {};
    this.targets = carry.targets;
    this.stop = s.stop;
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
        ...this.steering.snapshot(),
        ...(this.stop ? { stop: this.stop } : {}),
        ...this.freezes.snapshot(),
        inFlight: this.inFlight.snapshot(),
        ...this.actionLog.snapshot(),
      },
    };
  }

  get paused(): boolean {
    return this.steering.paused;
  }

  get actions(): readonly OperatorAction[] {
    return this.actionLog.entries;
  }

  get actionCount(): number {
    return this.actionLog.count;
  }

  // ── the main loop's transitions ──────────────────────────────────────────────

  enter(phase: RolloutPhase): void {
    this.phase = phase;
  }

  /** Planning's answer: the path, the fleet's size, what is at the target already. */
  planned(result: PlanRolloutResult): void {
    const { resolvedVersion, hops, total, apiRatePerMinute, excluded, unmatched, warnings, minors, leftAlone } = result;
    Object.assign(this, { resolvedVersion, hops, total, apiRatePerMinute: apiRatePerMinute ?? 0 });
    this.targets = result.targets;
    this.notes = {
      ...(excluded ? { excluded } : {}),
      ...(minors ? { minors } : {}),
      ...(leftAlone ? { leftAlone } : {}),
      ...(unmatched ? { unmatched } : {}),
      ...(warnings ? { warnings } : {}),
    };
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
    this.steering.newHop();
  }

  get waves(): readonly WaveRun[] {
    return this.queues.waves;
  }

  /** The hop's waves are over: on to the next hop (or past the last). */
  nextHop(): void {
    this.hopIndex++;
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
    const open = !wave.plan.approval || wave.state === 'upgrading' || this.steering.approvals.has(wave.plan.name);
    return open ? undefined : wave.plan.approval;
  }

  approvalTimedOut(index: number, gate: ApprovalGate): void {
    const name = this.waves[index]!.plan.name;
    const reason = `no approval within ${gate.timeoutMs} ms: ${gate.onTimeout}`;
    this.actionLog.log({ action: 'approvalTimeout', target: name, reason });
    if (gate.onTimeout === 'abort') this.halt('ABORTED', `approval of wave ${name} timed out`);
  }

  limitFor(wave: WaveRun): number {
    return this.steering.limitFor(wave);
  }

  canStart(index: number): boolean {
    return !this.paused && this.queues.hasNext(index) && this.inFlight.size < this.limitFor(this.waves[index]!);
  }

  nextRead(index: number): PlanRead | undefined {
    return this.queues.nextRead(index, (entry) => this.lines.skippedEarlier(entry, index));
  }

  received(index: number, read: PlanRead, page: ReadPage): void {
    this.queues.received(index, read, page, (entry) => this.lines.skippedEarlier(entry, index));
  }

  /** The next cluster to start in wave `index`, now in flight; undefined when none is ready. */
  takeNext(index: number): Placed | undefined {
    const next = this.queues.takeNext(index);
    if (next) this.inFlight.took(next, Date.now());
    return next;
  }

  /**
   * A child's report: its final outcome, or one hop done on the way (that hop reads it
   * again at the version it reached). Halts when a budget is exceeded. False for a late
   * or repeated report, already counted.
   */
  record(result: ClusterResult): boolean {
    const flight = this.inFlight.landed(result.clusterId);
    if (!flight) return false;
    this.queues.held.reported(flight, result);
    if (flight.startedAt !== undefined && result.requests > 0) this.tally.measure(Date.now() - flight.startedAt);
    const exceeded = this.lines.reported(flight, result);
    if (exceeded) this.halt('HALTED', exceeded);
    return true;
  }

  halt(status: StopStatus, reason: string): void {
    this.stop ??= { status, reason };
  }

  /**
   * After the stop, once in-flight children have reported: whatever never started counts NOT_STARTED, with a line each
   * read.
   */
  settleStop(): void {
    for (const { entry, waveIndex } of this.queues.drainWaiting()) this.lines.notStarted(entry, waveIndex);
    this.tally.reconcile();
  }

  /** A dry run: the clusters read for wave `index` become its lines ("would upgrade via ..."). */
  listed(index: number, line: (entry: ClusterPlanEntry, wave: string) => ClusterResult, maxLines: number): void {
    const wave = this.waves[index]!;
    for (const entry of wave.queue.splice(0)) {
      this.dryRun.listed(index, entry);
      if (this.tally.notSucceeded.size < maxLines) this.tally.setLine(line(entry, wave.plan.name));
    }
  }

  /** Whether the main loop has acted on the stop (`actedOnStop`). */
  get stopSettled(): boolean {
    return this.stopActedOn;
  }

  finish(): void {
    this.finished = true;
  }

  // ── the operators' transitions (controls.ts validates each first) ──────────────

  pauseRun(): void {
    this.steering.pause();
  }

  /** The rollout goes on; a failed gate that paused it holds it no more. */
  resumeRun(): void {
    this.steering.resume();
    this.gates.release();
  }

  /** A cluster not started yet is left out: now if queued, else when its page is read (`lines.skippedEarlier`). */
  skipCluster(clusterId: string, who: Who): void {
    const queued = this.queues.dequeue(clusterId);
    if (queued) this.lines.skipped(queued.entry, queued.waveIndex, who);
    else this.queues.skipList.add(clusterId);
  }

  /** A cluster that ended without success goes back to the wave it ended in, whose counts take its next outcome. */
  retryCluster(line: ClusterResult): void {
    const waveIndex = this.waves.findIndex((w) => w.plan.name === line.wave);
    const entry = this.tally.forget(line.clusterId, this.waves[waveIndex]?.counts)!;
    this.queues.retryQueue.push({ entry, waveIndex });
  }
}

/** What the rest of the workflow (and the tests) call a run: its state. */
export { RolloutState as Rollout };
