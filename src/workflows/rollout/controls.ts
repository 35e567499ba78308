/**
 * `RolloutControls`: the operators' updates on a rollout's state (after samples-typescript's
 * `safe-message-handlers` ClusterManager), each a method with its synchronous validator
 * beside it (handlers.ts wires them to `setHandler`). Validators reject what makes no
 * sense now with an `UpdateRejected` failure, which leaves no trace in the history; each
 * update then asks the state (state.ts) for its named transition and logs who and why.
 */
import type { FindClusterInput, FindClusterResult } from '../../activities/index.js';
import { isUuid } from '../../domain/ids.js';
import { isRetriableOutcome, type ClusterResult } from '../../domain/report.js';
import { didYouMean, unknownKeys } from '../../domain/suggest.js';
import type {
  AbortRequest,
  ApproveRequest,
  ClusterRequest,
  FreezeRequest,
  OperatorRequest,
  ResumeRequest,
  SetMaxParallelRequest,
  UnfreezeRequest,
} from '../messages.js';
import { heldById, heldByName, labelOf, lineOf, lookupOf, refuse, reject } from './cluster-key.js';
import { ClusterKeys } from './cluster-keys.js';
import type { Who } from './action-log.js';
import type { RolloutState } from './state.js';

/** Who asked and why, as the action log keeps it (bounded). */
const who = (request?: { by?: unknown; reason?: unknown }): Who => ({
  ...(typeof request?.by === 'string' && request.by ? { by: request.by.slice(0, 100) } : {}),
  ...(typeof request?.reason === 'string' && request.reason ? { reason: request.reason.slice(0, 500) } : {}),
});

/** The fields every update takes; each adds its own. */
const WHO = ['reason', 'by'] as const;

/** A field an update does not know is refused, naming the near miss (`untill (did you mean until?)`), not ignored. */
function refuseUnknown(request: unknown, known: readonly string[]): void {
  const extra = unknownKeys(request, known);
  const s = extra.length > 1 ? 's' : '';
  if (extra.length > 0) reject(`unknown field${s} ${extra.join(', ')} (known here: ${known.join(', ')})`);
}

/** An RFC 3339 date-time with its offset (what the spec takes). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/i;

/** A time an update names: refused unless RFC 3339. */
function dateOf(field: string, value: unknown): number {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!RFC3339.test(String(value)) || Number.isNaN(at))
    reject(`${field} must be an RFC 3339 date-time, got ${JSON.stringify(value)}`);
  return at;
}

function needsReason(verb: string, request: { reason?: unknown } | undefined): void {
  if (typeof request?.reason !== 'string' || request.reason.trim() === '') reject(`${verb} needs a reason`);
}

export class RolloutControls {
  /** The cluster an update names, found in the state or by the handler's lookup (cluster-keys.ts). */
  private readonly keys: ClusterKeys;

  constructor(private readonly state: RolloutState) {
    this.keys = new ClusterKeys(state);
  }

  validatePause(request?: OperatorRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    if (this.state.paused) reject('the rollout is already paused');
  }
  pause(request?: OperatorRequest): void {
    this.state.pauseRun();
    this.state.actionLog.log({ action: 'pause', ...who(request) });
  }

  validateResume(request?: ResumeRequest): void {
    refuseUnknown(request, [...WHO, 'skipGate']);
    this.open();
    if (!this.state.paused) reject('the rollout is not paused');
    const skip = request?.skipGate;
    if (skip !== undefined && typeof skip !== 'boolean')
      reject(`skipGate must be true or false, got ${JSON.stringify(skip)}`);
    const held = this.state.gates.held();
    if (!held || skip === true) return;
    const state = held.verdict === 'running' ? 'is being run again' : 'failed';
    const how = 'run it again (recheck-gate), or resume with --skip-gate (skipGate: true) to go on without it';
    reject(`gate ${held.name} of wave ${held.wave} ${state} and has not passed: ${how}`);
  }
  resume(request?: ResumeRequest): void {
    const held = request?.skipGate === true ? this.state.gates.held() : undefined;
    this.state.resumeRun();
    const target = held ? { target: `without gate ${held.name} of wave ${held.wave} (skipped)` } : {};
    this.state.actionLog.log({ action: 'resume', ...target, ...who(request) });
  }

  validateRecheckGate(request?: OperatorRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    const held = this.state.gates.held();
    if (!held) return reject('no gate holds the rollout: only a wave gate that failed and paused it can be run again');
    const again = held.verdict === 'running' || this.state.gates.recheckAsked;
    if (again) reject(`gate ${held.name} of wave ${held.wave} is being run again already`);
  }
  recheckGate(request?: OperatorRequest): void {
    const held = this.state.gates.held()!;
    this.state.gates.askRecheck();
    this.state.actionLog.log({ action: 'recheckGate', target: `${held.name} of wave ${held.wave}`, ...who(request) });
  }

  validateAbort(request: AbortRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    needsReason('abort', request);
  }
  abort(request: AbortRequest): void {
    this.state.actionLog.log({ action: 'abort', ...who(request) });
    this.state.halt('ABORTED', `aborted${request.by ? ` by ${request.by}` : ''}: ${request.reason}`);
  }

  validateApprove(request: ApproveRequest): void {
    refuseUnknown(request, ['wave', ...WHO]);
    this.open();
    const name = request?.wave;
    if (typeof name !== 'string' || !name) reject('wave is required');
    const waves = this.gatedWaves();
    const wave = waves.find((w) => w.name === name);
    const names = waves.map((w) => w.name);
    const guess = wave ? undefined : didYouMean(name, names, (known) => JSON.stringify(known));
    if (!wave)
      return reject(`no wave ${JSON.stringify(name)}${guess ? ` (${guess})` : ''}; waves: ${names.join(', ')}`);
    if (!wave.gated) reject(`wave ${name} has no approval gate`);
    if (this.state.steering.approvals.has(name)) reject(`wave ${name} is already approved`);
    if (wave.state !== 'pending' && wave.state !== 'awaiting-approval')
      reject(`wave ${name} is past its gate (${wave.state})`);
  }
  approve(request: ApproveRequest): void {
    this.state.steering.approve(request.wave);
    this.state.actionLog.log({ action: 'approve', target: request.wave, ...who(request) });
  }

  validateSetMaxParallel(request: SetMaxParallelRequest): void {
    refuseUnknown(request, ['maxParallel', ...WHO]);
    this.open();
    const n = request?.maxParallel;
    const whole = typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1000;
    if (!whole) reject(`maxParallel must be a whole number from 1 to 1000, got ${JSON.stringify(n)}`);
  }
  setMaxParallel(request: SetMaxParallelRequest): void {
    this.state.steering.overrideMaxParallel(request.maxParallel);
    this.state.actionLog.log({ action: 'setMaxParallel', target: String(request.maxParallel), ...who(request) });
  }

  validateFreeze(request: FreezeRequest): void {
    refuseUnknown(request, ['until', 'from', ...WHO]);
    this.open();
    needsReason('freeze', request);
    const until = dateOf('until', request.until);
    if (until <= Date.now()) reject(`until (${request.until}) has passed`);
    if (request.from === undefined) return;
    if (dateOf('from', request.from) >= until) reject(`until (${request.until}) must be after from (${request.from})`);
  }
  freeze(request: FreezeRequest): void {
    const from = request.from ?? new Date().toISOString();
    this.state.freezes.add({ from, to: request.until, reason: request.reason.slice(0, 200) });
    this.state.actionLog.log({ action: 'freeze', target: `${from} to ${request.until}`, ...who(request) });
  }

  validateUnfreeze(request: UnfreezeRequest): void {
    refuseUnknown(request, WHO);
    this.open();
    needsReason('unfreeze', request);
    const now = Date.now();
    if (this.state.freezes.frozenAt(now)) return;
    const next = this.state.freezes.nextAfter(now);
    const when = next ? ` (the next freeze, ${next.reason}, begins ${new Date(next.start).toISOString()})` : '';
    reject(`the rollout is not frozen now${when}`);
  }
  /** Lifts the freeze in force (the spec's or an operator's) until it would have ended; later ones still hold. */
  unfreeze(request: UnfreezeRequest): void {
    // The validator refuses an unfreeze when nothing is frozen; the handler checks again rather than throw.
    const lifted = this.state.freezes.lift(Date.now());
    if (!lifted) return;
    this.state.actionLog.log({ action: 'unfreeze', target: `${lifted.from} to ${lifted.to}`, ...who(request) });
  }

  /**
   * A cluster by id or name (see rollout/cluster-key.ts). What the state decides is
   * decided here; a key the state does not hold is accepted for the handler, which looks
   * it up (`lookupFor`) and passes what it found to `skip`, which refuses what is not a
   * cluster of this rollout waiting to start.
   */
  validateSkip(request: ClusterRequest): void {
    refuseUnknown(request, ['clusterId', ...WHO]);
    this.open();
    const key = this.keys.of(request);
    if (this.state.waves.length === 0) reject('the rollout is still planning; try again in a moment');
    const held = heldById(this.state, key);
    if (held) return this.keys.refuseToSkip(held);
    const plan = this.state.plan;
    const listed = plan?.waves.some((w) => w.clusters?.includes(key.id));
    // A spec that lists its clusters by id: another id is none of them (names are looked up).
    const unlisted = plan?.clusters && isUuid(key.id) && !plan.clusters.includes(key.id) && !listed;
    if (unlisted) refuse(`cluster ${key.raw} is not in this rollout (the spec's clusters do not list it)`);
  }
  skip(request: ClusterRequest, found?: FindClusterResult): void {
    this.open();
    const key = this.keys.of(request);
    const cluster = this.keys.resolve(key, found, 'skip');
    const held = heldById(this.state, { ...key, id: cluster.id });
    if (held) this.keys.refuseToSkip(held);
    else if (found && !this.state.queues.mayStillRead(cluster.id)) {
      reject(`cluster ${labelOf(cluster)} is not waiting to start in this rollout (it has ended)`);
    }
    this.state.skipCluster(cluster.id, who(request));
    this.state.actionLog.log({ action: 'skipCluster', target: labelOf(cluster), ...who(request) });
  }

  validateRetry(request: ClusterRequest): void {
    refuseUnknown(request, ['clusterId', ...WHO]);
    this.open();
    const key = this.keys.of(request);
    const line = lineOf(this.state, key);
    if (line) return this.refuseToRetry(line);
    const held = heldById(this.state, key) ?? heldByName(this.state, key);
    const now = held?.as === 'running' ? 'upgrading' : 'not started';
    if (held)
      reject(
        `only a cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED can be retried; cluster ${labelOf(held)} is ${now}`,
      );
  }
  retry(request: ClusterRequest, found?: FindClusterResult): void {
    this.open();
    const key = this.keys.of(request);
    const line = lineOf(this.state, key) ?? this.keys.lineOfFound(key, found);
    this.refuseToRetry(line);
    this.state.retryCluster(line);
    const target = labelOf({ id: line.clusterId, name: line.name });
    this.state.actionLog.log({ action: 'retryCluster', target, ...who(request) });
  }

  /**
   * What the update's handler must look up first: a key the rollout's state does not settle (none for a cluster it
   * holds).
   */
  lookupFor(request: ClusterRequest, verb: 'skip' | 'retry'): FindClusterInput | undefined {
    const key = this.keys.of(request);
    if (!this.state.plan || heldById(this.state, key)) return undefined;
    if (verb === 'retry' && lineOf(this.state, key)) return undefined;
    return lookupOf(this.state.plan, key);
  }

  private refuseToRetry(line: ClusterResult): void {
    const label = labelOf({ id: line.clusterId, name: line.name });
    const retriable = 'only a cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED can be retried';
    if (!isRetriableOutcome(line.outcome)) reject(`${retriable}; cluster ${label} is ${line.outcome}`);
    const { hops, hopIndex } = this.state;
    const currentHop = hops.length > 1 ? hops[hopIndex]?.version : undefined;
    if (line.hop !== currentHop)
      reject(`cluster ${label} ended ${line.outcome} in an earlier hop (${line.hop}); start a new rollout for it`);
  }

  /** Updates are refused once the rollout has finished or is stopping. */
  private open(): void {
    if (this.state.finished) reject('the rollout has finished');
    const stop = this.state.stop;
    if (stop) reject(`the rollout is stopping (${stop.status}: ${stop.reason})`);
  }

  /** The waves an approval may name: the hop's, or the spec's while planning. */
  private gatedWaves(): { readonly name: string; readonly gated: boolean; readonly state: string }[] {
    const { waves, plan } = this.state;
    if (waves.length > 0)
      return waves.map((w) => ({ name: w.plan.name, gated: w.plan.approval !== undefined, state: w.state }));
    return (plan?.waves ?? []).map((w) => ({ name: w.name, gated: w.approval !== undefined, state: 'pending' }));
  }
}
