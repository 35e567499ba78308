/**
 * `Rollout`: the class the workflow drives (after samples-typescript's
 * `safe-message-handlers` ClusterManager). It owns a run's whole state through
 * `RolloutRun` (rollout-run.ts: the state, the snapshot continue-as-new carries, the
 * main loop's transitions) and adds the operators' updates here, each a method with its
 * synchronous validator beside it (rollout-controls.ts wires them to `setHandler`).
 * Validators reject what makes no sense now with an `UpdateRejected` failure, which
 * leaves no trace in the history.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isFailedOutcome } from '../domain/report.js';
import type { RolloutPlan } from '../domain/spec.js';
import { freezeAt, freezeWindows, type FreezeLift, type FreezePeriod } from '../domain/freeze.js';
import { boundOf } from '../domain/gate.js';
import type { AbortRequest, ApproveRequest, ClusterRequest, FreezeRequest, OperatorRequest, SetMaxParallelRequest, UnfreezeRequest } from './messages.js';
import { UPDATE_REJECTED } from './messages.js';
import { RolloutRun, type RolloutCarry } from './rollout-run.js';

export type { Placed, PlanRead, RolloutCarry, RolloutStateSnapshot, Stop, StopStatus, WaveRun } from './rollout-run.js';

/** What a gate's activity (or the rollout, when it cannot run) found. */
export interface GateOutcome {
  readonly passed: boolean;
  readonly value?: string;
  readonly observations: number;
  readonly reason?: string;
}

const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
};

/** Who asked and why, as the action log keeps it (bounded). */
const who = (request?: { by?: unknown; reason?: unknown }) => ({
  ...(typeof request?.by === 'string' && request.by ? { by: request.by.slice(0, 100) } : {}),
  ...(typeof request?.reason === 'string' && request.reason ? { reason: request.reason.slice(0, 500) } : {}),
});

/** An RFC 3339 date-time with its offset (what the spec takes). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/i;

const clusterIdOf = (request: { clusterId?: unknown } | undefined): string => {
  if (typeof request?.clusterId !== 'string' || !request.clusterId) return reject('clusterId is required');
  return request.clusterId.toLowerCase();
};

export class Rollout extends RolloutRun {
  static start(rolloutId: string, plan: RolloutPlan | undefined, startedAt: string): Rollout {
    return new Rollout(rolloutId, plan, startedAt);
  }

  /** The next run after continue-as-new, from the last run's `snapshot()`. */
  static restore(rolloutId: string, plan: RolloutPlan | undefined, carry: RolloutCarry): Rollout {
    return new Rollout(rolloutId, plan, carry.startedAt, carry);
  }

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

  validateFreeze(request: FreezeRequest): void {
    this.open();
    if (typeof request?.reason !== 'string' || request.reason.trim() === '') reject('freeze needs a reason');
    const until = typeof request.until === 'string' ? Date.parse(request.until) : Number.NaN;
    if (!RFC3339.test(String(request.until)) || Number.isNaN(until)) reject(`until must be an RFC 3339 date-time, got ${JSON.stringify(request.until)}`);
    if (until <= Date.now()) reject(`until (${request.until}) has passed`);
    if (request.from !== undefined) {
      const from = Date.parse(String(request.from));
      if (!RFC3339.test(String(request.from)) || Number.isNaN(from)) reject(`from must be an RFC 3339 date-time, got ${JSON.stringify(request.from)}`);
      if (from >= until) reject(`until (${request.until}) must be after from (${request.from})`);
    }
  }
  freeze(request: FreezeRequest): void {
    const from = request.from ?? new Date().toISOString();
    this.addedFreezes.push({ from, to: request.until, reason: request.reason.slice(0, 200) });
    this.freezeChanges++;
    this.log({ action: 'freeze', target: `${from} to ${request.until}`, ...who(request) });
  }

  validateUnfreeze(request: UnfreezeRequest): void {
    this.open();
    if (typeof request?.reason !== 'string' || request.reason.trim() === '') reject('unfreeze needs a reason');
    const now = Date.now();
    if (this.frozenAt(now)) return;
    const next = freezeWindows(this.freezes, now, 30, this.freezeLifts)[0];
    reject(`the rollout is not frozen now${next ? ` (the next freeze, ${next.reason}, begins ${new Date(next.start).toISOString()})` : ''}`);
  }
  /** Lifts the freeze in force (the spec's or an operator's) until it would have ended; later ones still hold. */
  unfreeze(request: UnfreezeRequest): void {
    const now = Date.now();
    // The validator refuses an unfreeze when nothing is frozen; the handler checks again rather than throw.
    const freeze = this.frozenAt(now);
    if (!freeze) return;
    // It lifts the freezes there are now (a freeze asked for later holds in full).
    const lifted = { from: new Date(now).toISOString(), to: new Date(freeze.until).toISOString(), periods: this.freezes.length };
    this.freezeLifts.push(lifted);
    this.freezeChanges++;
    this.log({ action: 'unfreeze', target: `${lifted.from} to ${lifted.to}`, ...who(request) });
  }

  /** The spec's freezes and those operators added. */
  get freezes(): readonly FreezePeriod[] {
    return [...(this.plan?.freeze ?? []), ...this.addedFreezes];
  }

  /** The spans operators lifted from `freezes`. */
  get liftedFreezes(): readonly FreezeLift[] {
    return this.freezeLifts;
  }

  /** The freeze in force at `now` (workflow time), if any: no cluster starts until it lifts. */
  frozenAt(now: number): { readonly reason: string; readonly until: number } | undefined {
    return freezeAt(this.freezes, now, this.freezeLifts);
  }

  /** Freezes added or lifted in this run: a wait on a freeze wakes when it changes. */
  freezeChanges = 0;

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

  // ── the main loop's: children and gates (rollout-children.ts, rollout-gate.ts) ──

  /** A lean child being started (its id), then started (its run): a stop cancels exactly it (a report may have come first). */
  childStarted(clusterId: string, childId: string, childRunId?: string): void {
    const flight = this.inFlight.get(clusterId);
    if (flight) this.inFlight.set(clusterId, { ...flight, childId, ...(childRunId ? { childRunId } : {}) });
  }

  /** The wave's gate began: it shows `running`, with its bound, from now. */
  gateBegan(index: number): void {
    const wave = this.waves[index]!;
    const gate = wave.plan.gate!;
    wave.state = 'gating';
    wave.gate = { name: gate.name, verdict: 'running', bound: boundOf(gate), startedAt: new Date().toISOString(), onFail: gate.onFail };
  }

  /** The gate's verdict. A failed gate halts the rollout, or (`onFail: "pause"`) pauses it for a person to decide. */
  gateEnded(index: number, result: GateOutcome): void {
    const wave = this.waves[index]!;
    const gate = wave.gate!;
    const value = result.value !== undefined ? { value: result.value } : {};
    const reason = result.reason !== undefined ? { reason: result.reason } : {};
    wave.gate = { ...gate, verdict: result.passed ? 'passed' : 'failed', ...value, endedAt: new Date().toISOString(), observations: result.observations, ...reason };
    if (result.passed) return;
    const why = `gate of wave ${wave.plan.name} failed: ${result.reason ?? 'no reason given'}`;
    if (gate.onFail === 'halt') return this.halt('HALTED', why);
    this.paused = true;
    this.log({ action: 'gatePaused', target: wave.plan.name, reason: why.slice(0, 500) });
  }

  private open(): void {
    if (this.finished) reject('the rollout has finished');
    if (this.stop) reject(`the rollout is stopping (${this.stop.status}: ${this.stop.reason})`);
  }
}
