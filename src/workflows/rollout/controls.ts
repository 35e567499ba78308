/**
 * `Rollout`: the class the workflow drives (after samples-typescript's
 * `safe-message-handlers` ClusterManager). It owns a run's whole state through
 * `RolloutRun` (state.ts: the state, the snapshot continue-as-new carries, the
 * main loop's transitions) and adds the operators' updates here, each a method with its
 * synchronous validator beside it (handlers.ts wires them to `setHandler`).
 * Validators reject what makes no sense now with an `UpdateRejected` failure, which
 * leaves no trace in the history.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { FindClusterInput, FindClusterResult } from '../../activities/index.js';
import { isUuid } from '../../domain/ids.js';
import { isFailedOutcome, type ClusterResult } from '../../domain/report.js';
import type { RolloutPlan } from '../../domain/spec.js';
import { freezeAt, freezeWindows, type FreezeLift, type FreezePeriod } from '../../domain/freeze.js';
import { boundOf } from '../../domain/gate.js';
import { didYouMean, unknownKeys } from '../../domain/suggest.js';
import type { AbortRequest, ApproveRequest, ClusterRequest, FreezeRequest, OperatorRequest, ResumeRequest, SetMaxParallelRequest, UnfreezeRequest } from '../messages.js';
import { UPDATE_REJECTED } from '../messages.js';
import { heldById, heldByName, isRefusal, judgeFound, labelOf, lineOf, lookupOf, parseClusterKey, refuse, type ClusterKey, type Held } from './cluster-key.js';
import { RolloutRun, type RolloutCarry } from './state.js';

export type { Placed, PlanRead, RolloutCarry, RolloutStateSnapshot, Stop, StopStatus, WaveRun } from './state.js';

/** What a gate's activity (or the rollout, when it cannot run) found: one type with the activity's result. */
import type { GateOutcome } from '../../domain/gate.js';
export type { GateOutcome };

const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
};

/** Who asked and why, as the action log keeps it (bounded). */
const who = (request?: { by?: unknown; reason?: unknown }) => ({
  ...(typeof request?.by === 'string' && request.by ? { by: request.by.slice(0, 100) } : {}),
  ...(typeof request?.reason === 'string' && request.reason ? { reason: request.reason.slice(0, 500) } : {}),
});

/** The fields every update takes; each adds its own. */
const WHO = ['reason', 'by'] as const;

/** A field an update does not know is refused, naming the near miss (`untill (did you mean until?)`), not ignored. */
function refuseUnknown(request: unknown, known: readonly string[]): void {
  const extra = unknownKeys(request, known);
  if (extra.length > 0) reject(`unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (known here: ${known.join(', ')})`);
}

/** An RFC 3339 date-time with its offset (what the spec takes). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/i;


export class Rollout extends RolloutRun {
  static start(rolloutId: string, plan: RolloutPlan | undefined, startedAt: string): Rollout {
    return new Rollout(rolloutId, plan, startedAt);
  }

  /** The next run after continue-as-new, from the last run's `snapshot()`. */
  static restore(rolloutId: string, plan: RolloutPlan | undefined, carry: RolloutCarry): Rollout {
    return new Rollout(rolloutId, plan, carry.startedAt, carry);
  }

  validatePause(request?: OperatorRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    if (this.paused) reject('the rollout is already paused');
  }
  pause(request?: OperatorRequest): void {
    this.paused = true;
    this.log({ action: 'pause', ...who(request) });
  }

  validateResume(request?: ResumeRequest): void {
    refuseUnknown(request, [...WHO, 'skipGate']);
    this.open();
    if (!this.paused) reject('the rollout is not paused');
    const skip = request?.skipGate;
    if (skip !== undefined && typeof skip !== 'boolean') reject(`skipGate must be true or false, got ${JSON.stringify(skip)}`);
    const held = this.heldGate();
    if (!held || skip === true) return;
    const state = held.verdict === 'running' ? 'is being run again' : 'failed';
    reject(`gate ${held.name} of wave ${held.wave} ${state} and has not passed: run it again (recheck-gate), or resume with --skip-gate (skipGate: true) to go on without it`);
  }
  resume(request?: ResumeRequest): void {
    const held = request?.skipGate === true ? this.heldGate() : undefined;
    this.paused = false;
    this.gateHold = undefined;
    this.log({ action: 'resume', ...(held ? { target: `without gate ${held.name} of wave ${held.wave} (skipped)` } : {}), ...who(request) });
  }

  /** The wave whose failed gate paused the rollout, while it holds it (a gate never spans a continue-as-new). */
  gateHold: number | undefined;
  /** `recheckGate` asked; the gate's loop (gate.ts) runs it again and clears it. */
  recheckAsked = false;

  /** The gate that failed and paused the rollout, while the rollout stays paused. */
  heldGate(): { readonly wave: string; readonly name: string; readonly verdict: string } | undefined {
    const wave = this.gateHold !== undefined && this.paused ? this.waves[this.gateHold] : undefined;
    return wave?.gate && { wave: wave.plan.name, name: wave.gate.name, verdict: wave.gate.verdict };
  }

  validateRecheckGate(request?: OperatorRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    const held = this.heldGate();
    if (!held) return reject('no gate holds the rollout: only a wave gate that failed and paused it can be run again');
    if (held.verdict === 'running' || this.recheckAsked) reject(`gate ${held.name} of wave ${held.wave} is being run again already`);
  }
  recheckGate(request?: OperatorRequest): void {
    const held = this.heldGate()!;
    this.recheckAsked = true;
    this.log({ action: 'recheckGate', target: `${held.name} of wave ${held.wave}`, ...who(request) });
  }

  validateAbort(request: AbortRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    if (typeof request?.reason !== 'string' || request.reason.trim() === '') reject('abort needs a reason');
  }
  abort(request: AbortRequest): void {
    this.log({ action: 'abort', ...who(request) });
    this.halt('ABORTED', `aborted${request.by ? ` by ${request.by}` : ''}: ${request.reason}`);
  }

  validateApprove(request: ApproveRequest): void {
    refuseUnknown(request, ['wave', ...WHO]);
    this.open();
    const name = request?.wave;
    if (typeof name !== 'string' || !name) reject('wave is required');
    const waves =
      this.waves.length > 0
        ? this.waves.map((w) => ({ name: w.plan.name, gated: w.plan.approval !== undefined, state: w.state }))
        : (this.plan?.waves ?? []).map((w) => ({ name: w.name, gated: w.approval !== undefined, state: 'pending' as const }));
    const wave = waves.find((w) => w.name === name);
    const guess = wave ? undefined : didYouMean(name, waves.map((w) => w.name), (known) => JSON.stringify(known));
    if (!wave) return reject(`no wave ${JSON.stringify(name)}${guess ? ` (${guess})` : ''}; waves: ${waves.map((w) => w.name).join(', ')}`);
    if (!wave.gated) reject(`wave ${name} has no approval gate`);
    if (this.approvals.has(name)) reject(`wave ${name} is already approved`);
    if (wave.state !== 'pending' && wave.state !== 'awaiting-approval') reject(`wave ${name} is past its gate (${wave.state})`);
  }
  approve(request: ApproveRequest): void {
    this.approvals.add(request.wave);
    this.log({ action: 'approve', target: request.wave, ...who(request) });
  }

  validateSetMaxParallel(request: SetMaxParallelRequest): void {
    refuseUnknown(request, ['maxParallel', ...WHO]);
    this.open();
    const n = request?.maxParallel;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) reject(`maxParallel must be a whole number from 1 to 1000, got ${JSON.stringify(n)}`);
  }
  setMaxParallel(request: SetMaxParallelRequest): void {
    this.maxParallelOverride = request.maxParallel;
    this.log({ action: 'setMaxParallel', target: String(request.maxParallel), ...who(request) });
  }

  validateFreeze(request: FreezeRequest): void {
    refuseUnknown(request, ['until', 'from', ...WHO]);
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
    refuseUnknown(request, WHO);
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

  /**
   * A cluster by id or name (see rollout/cluster-key.ts). What the state decides is
   * decided here; a key the state does not hold is accepted for the handler, which looks
   * it up (`lookupFor`) and passes what it found to `skip`, which refuses what is not a
   * cluster of this rollout waiting to start.
   */
  validateSkip(request: ClusterRequest): void {
    refuseUnknown(request, ['clusterId', ...WHO]);
    this.open();
    const key = this.keyOf(request);
    if (this.waves.length === 0) reject('the rollout is still planning; try again in a moment');
    const held = heldById(this, key);
    if (held) return this.refuseToSkip(held);
    const listed = this.plan?.waves.some((w) => w.clusters?.includes(key.id));
    // A spec that lists its clusters by id: another id is none of them (names are looked up).
    if (this.plan?.clusters && isUuid(key.id) && !this.plan.clusters.includes(key.id) && !listed) refuse(`cluster ${key.raw} is not in this rollout (the spec's clusters do not list it)`);
  }
  skip(request: ClusterRequest, found?: FindClusterResult): void {
    this.open();
    const key = this.keyOf(request);
    const cluster = this.resolve(key, found, 'skip');
    const held = heldById(this, { ...key, id: cluster.id });
    if (held) this.refuseToSkip(held);
    else if (found && !this.queues.mayStillRead(cluster.id)) reject(`cluster ${labelOf(cluster)} is not waiting to start in this rollout (it has ended)`);
    const queued = this.queues.dequeue(cluster.id);
    // Not read yet: left out when its page comes (who and why from the action log then).
    if (queued) this.skipped(queued.entry, queued.waveIndex, who(request));
    else this.queues.skipList.add(cluster.id);
    this.log({ action: 'skipCluster', target: labelOf(cluster), ...who(request) });
  }

  validateRetry(request: ClusterRequest): void {
    refuseUnknown(request, ['clusterId', ...WHO]);
    this.open();
    const key = this.keyOf(request);
    const line = lineOf(this, key);
    if (line) return this.refuseToRetry(line);
    const held = heldById(this, key) ?? heldByName(this, key);
    if (held) reject(`only a cluster that ended FAILED, MISSED or SUPERSEDED can be retried; cluster ${labelOf(held)} is ${held.as === 'running' ? 'upgrading' : 'not started'}`);
  }
  retry(request: ClusterRequest, found?: FindClusterResult): void {
    this.open();
    const key = this.keyOf(request);
    const line = lineOf(this, key) ?? this.lineOfFound(key, found);
    this.refuseToRetry(line);
    const id = line.clusterId;
    // The cluster goes back to the wave it ended in: that wave's counts take its next outcome.
    const waveIndex = this.waves.findIndex((w) => w.plan.name === line.wave);
    const entry = this.tally.forget(id, this.waves[waveIndex]?.counts)!;
    this.queues.retryQueue.push({ entry, waveIndex });
    this.log({ action: 'retryCluster', target: labelOf({ id, name: line.name }), ...who(request) });
  }

  /** What the update's handler must look up first: a key the rollout's state does not settle (none for a cluster it holds). */
  lookupFor(request: ClusterRequest, verb: 'skip' | 'retry'): FindClusterInput | undefined {
    const key = this.keyOf(request);
    if (!this.plan || heldById(this, key)) return undefined;
    if (verb === 'retry' && lineOf(this, key)) return undefined;
    return lookupOf(this.plan, key);
  }

  // ── the main loop's: children and gates (children.ts, gate.ts) ──

  /** A lean child being started (its id), then started (its run): a stop cancels exactly it (a report may have come first). */
  childStarted(clusterId: string, childId: string, childRunId?: string, holds?: true): void {
    const flight = this.inFlight.get(clusterId);
    if (flight) this.inFlight.set(clusterId, { ...flight, childId, ...(childRunId ? { childRunId } : {}), ...(holds ? { holds } : {}) });
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
    if (result.passed) return this.gatePassedAgain(index);
    const why = `gate of wave ${wave.plan.name} failed: ${result.reason ?? 'no reason given'}`;
    if (gate.onFail === 'halt') return this.halt('HALTED', why);
    this.paused = true;
    this.gateHold = index;
    this.log({ action: 'gatePaused', target: wave.plan.name, reason: why.slice(0, 500) });
  }

  /** A gate run again (`recheckGate`) that passed: the rollout goes on, as the gate's pause ends. */
  private gatePassedAgain(index: number): void {
    if (this.gateHold !== index) return;
    this.gateHold = undefined;
    this.paused = false;
    this.log({ action: 'gatePassed', target: this.waves[index]!.plan.name, reason: `gate ${this.waves[index]!.gate!.name} passed when run again` });
  }

  private keyOf(request: ClusterRequest | undefined): ClusterKey {
    if (typeof request?.clusterId !== 'string' || !request.clusterId.trim()) return reject('clusterId is required (a cluster id or name)');
    return parseClusterKey(request.clusterId.trim(), this.plan);
  }

  /** The cluster a key names: the one the state holds by id, or the one the lookup found; a refusal otherwise. */
  private resolve(key: ClusterKey, found: FindClusterResult | undefined, verb: string): { readonly id: string; readonly name?: string } {
    const held = heldById(this, key);
    if (held || !found || !this.plan) return held ?? { id: key.id };
    const judged = judgeFound(this.plan, this.hops.at(-1), key, found, verb);
    if (isRefusal(judged)) return judged.unknown ? refuse(judged.message) : reject(judged.message);
    return judged;
  }

  /** The line of the cluster the lookup found; refused when it has not ended without success. */
  private lineOfFound(key: ClusterKey, found: FindClusterResult | undefined): ClusterResult {
    const cluster = this.resolve(key, found, 'retry');
    const line = this.tally.notSucceeded.get(cluster.id);
    if (line) return line;
    const held = heldById(this, { ...key, id: cluster.id });
    const now = held?.as === 'running' ? 'upgrading' : held ? 'not started' : 'not one that ended without success in this rollout (it is still to start, or upgraded)';
    return reject(`only a cluster that ended FAILED, MISSED or SUPERSEDED can be retried; cluster ${labelOf(cluster)} is ${now}`);
  }

  private refuseToSkip(held: Held): void {
    const label = labelOf(held);
    if (held.as === 'running') reject(`cluster ${label} is upgrading now; only a cluster not started can be skipped`);
    if (held.as === 'ended') reject(`cluster ${label} has already ended ${held.line!.outcome}`);
    if (held.as === 'skipping') reject(`cluster ${label} is already to be skipped`);
  }

  private refuseToRetry(line: ClusterResult): void {
    const label = labelOf({ id: line.clusterId, name: line.name });
    if (!isFailedOutcome(line.outcome)) reject(`only a cluster that ended FAILED, MISSED or SUPERSEDED can be retried; cluster ${label} is ${line.outcome}`);
    const currentHop = this.hops.length > 1 ? this.hops[this.hopIndex]?.version : undefined;
    if (line.hop !== currentHop) reject(`cluster ${label} ended ${line.outcome} in an earlier hop (${line.hop}); start a new rollout for it`);
  }

  private open(): void {
    if (this.finished) reject('the rollout has finished');
    if (this.stop) reject(`the rollout is stopping (${this.stop.status}: ${this.stop.reason})`);
  }
}
