/**
 * `fleetRollout(spec)`: the parent.
 *
 *   validate ─▶ plan (read versions + inventory; reject before any change) ─▶ waves
 *   for each wave: [approval gate] ─▶ sliding window of clusterUpgrade children
 *                  (≤ maxParallel, paused = none start) ─▶ [soak]
 *   budget exceeded (HALTED) or abort (ABORTED): no new clusters, in-flight children
 *   are cancelled and compensate (see cluster-upgrade.ts), the rest are NOT_STARTED.
 *
 * Operators steer it with the updates in messages.ts; every action lands in the
 * report. Pause, abort and approval interrupt every wait (gates, soaks), because each
 * wait is a `condition` on the state they change.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { INVALID_ROLLOUT, INVALID_SPEC, PLANNING_FAILED } from '../domain/failure-types.js';
import { rolloutStatusOf, type ClusterPlanEntry, type ClusterResult, type RolloutPhase, type RolloutProgress, type RolloutReport } from '../domain/report.js';
import { validateRolloutSpec, type RolloutPlan, type RolloutSpec } from '../domain/spec.js';
import { planWaves } from '../domain/waves.js';
import { parseVersion } from '../domain/versions.js';
import { clusterSummary, clusterUpgrade, clusterWorkflowId, type ClusterUpgradeInput } from './cluster-upgrade.js';
import {
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  retryClusterUpdate,
  setMaxParallelUpdate,
  skipClusterUpdate,
  UPDATE_REJECTED,
  type OperatorRequest,
} from './messages.js';
import { RolloutState, type WaveRun } from './rollout-state.js';
import { FleetOrganisation, FleetPhase, FleetPlatform, FleetRolloutId, FleetTargetVersion } from './search-attributes.js';

const planner = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** The report lists at most this many clusters that did not succeed; `clustersOmitted` counts the rest. */
export const MAX_REPORTED_CLUSTERS = 1000;

const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
};

export async function fleetRollout(spec: RolloutSpec): Promise<RolloutReport> {
  const rolloutId = workflowInfo().workflowId;
  const startedAt = new Date().toISOString();
  let phase: RolloutPhase = 'validating';
  // Known once planning resolved the target on the platform; the query reads it before then too.
  let resolvedVersion: string | undefined = undefined;
  let total = 0;
  let hops: readonly string[] = [];
  let hopIndex = 0;

  const validated = validateRolloutSpec(spec);
  const state = new RolloutState(validated.ok ? validated.plan.failureBudget : undefined);

  const progress = (): RolloutProgress => ({
    rolloutId,
    phase,
    targetVersion: typeof spec?.targetVersion === 'string' ? spec.targetVersion : '',
    ...(resolvedVersion ? { resolvedVersion } : {}),
    total,
    pending: state.pending,
    running: [...state.running],
    counts: { ...state.counts },
    paused: state.paused,
    ...(state.stop ? { stopReason: state.stop.reason } : {}),
    ...(state.maxParallelOverride !== undefined ? { maxParallel: state.maxParallelOverride } : {}),
    ...(hops.length > 1 ? { hop: { index: Math.min(hopIndex, hops.length - 1), count: hops.length, version: hops[Math.min(hopIndex, hops.length - 1)]! } } : {}),
    waves: state.summaries(),
    ...(state.currentWave !== undefined ? { currentWave: state.currentWave } : {}),
  });
  setHandler(progressQuery, progress);
  registerControls(state, progress, validated.ok ? validated.plan : undefined);

  if (!validated.ok) {
    const problems = validated.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid rollout spec: ${problems}`, INVALID_SPEC, ...validated.problems);
  }
  const plan = validated.plan;

  const details = () => {
    const c = state.counts;
    const lines = [
      `**${plan.platform}/${plan.organisation} → ${resolvedVersion ?? plan.targetVersion}**${hops.length > 1 ? ` · hop ${hopIndex + 1}/${hops.length} (${hops[Math.min(hopIndex, hops.length - 1)]})` : ''} · ${phase}${state.paused ? ' · **paused**' : ''}${state.stop ? ` · ${state.stop.status}: ${state.stop.reason}` : ''}`,
      '',
      '| wave | state | clusters | succeeded | failed | missed | other |',
      '|---|---|---|---|---|---|---|',
      ...state.summaries().map((w) => {
        const other = w.counts.SKIPPED + w.counts.SUPERSEDED + w.counts.CANCELLED + w.counts.NOT_STARTED;
        return `| ${w.name} | ${w.state} | ${w.total} | ${w.counts.SUCCEEDED} | ${w.counts.FAILED} | ${w.counts.MISSED} | ${other} |`;
      }),
      '',
      `total ${total} · running ${state.running.size} · pending ${state.pending} · succeeded ${c.SUCCEEDED} · skipped ${c.SKIPPED} · failed ${c.FAILED} · missed ${c.MISSED}`,
    ];
    setCurrentDetails(lines.join('\n'));
  };
  const enter = (next: RolloutPhase) => {
    phase = next;
    upsertSearchAttributes([{ key: FleetPhase, value: next }]);
    details();
  };

  upsertSearchAttributes([
    { key: FleetRolloutId, value: rolloutId },
    { key: FleetPlatform, value: plan.platform },
    { key: FleetOrganisation, value: plan.organisation },
    { key: FleetTargetVersion, value: plan.targetVersion },
  ]);
  enter('planning');
  const waveClusters = plan.waves.flatMap((w) => w.clusters ?? []);
  const planned = await planner.planRollout
    .executeWithOptions({ summary: `plan ${plan.platform}/${plan.organisation} -> ${plan.targetVersion}` }, [
      {
        platform: plan.platform,
        organisation: plan.organisation,
        targetVersion: plan.targetVersion,
        maxHops: plan.maxHops,
        ...(plan.dryRun ? { predictWindows: { ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule, ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}) } } : {}),
        // Clusters named only in waves are read (and checked) too.
        ...(plan.clusters ? { clusters: [...new Set([...plan.clusters, ...waveClusters])] } : {}),
      },
    ])
    .catch((error: unknown) => {
      throw planningFailure(error);
    });
  resolvedVersion = planned.resolvedVersion;
  hops = planned.hops.map((h) => h.version);
  total = planned.entries.length;

  const toUpgrade: ClusterPlanEntry[] = [];
  for (const entry of planned.entries) {
    if (entry.action === 'skip') state.record({ clusterId: entry.id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0 }, -1);
    else toUpgrade.push(entry);
  }
  state.upgradeTotal = toUpgrade.length;
  const inRollout = new Set(planned.entries.map((e) => e.id));
  const wavesFor = (clusters: readonly ClusterPlanEntry[]) => {
    const waves = planWaves(clusters, plan.waves, { maxParallel: plan.maxParallel, soakMs: plan.soakMs }, inRollout);
    if (!waves.ok) throw ApplicationFailure.nonRetryable(`rollout rejected before any change: ${waves.problems.join('; ')}`, INVALID_ROLLOUT);
    return waves.waves;
  };
  // Checked up front on every cluster to upgrade; with several hops each hop plans its own waves from the same spec.
  state.setWaves(wavesFor(toUpgrade));
  /** Each cluster as it stands now: its version moves with every hop it completes. */
  const current = new Map(toUpgrade.map((e) => [e.id, e]));

  if (plan.dryRun) {
    // A dry run lists what it would do, wave by wave, and changes nothing.
    for (const wave of state.waves) {
      for (const entry of wave.queue) {
        const path = planned.hops.filter((hop, i) => needsHop(entry, hop.version, i === planned.hops.length - 1)).map((hop) => hop.version);
        const window = entry.predictedWindow;
        const when =
          window === undefined ? '' : window === null ? '; no maintenance window (set ignoreMaintenanceSchedule)' : `; first window ${window.start}${window.end ? ` to ${window.end}` : ''}`;
        state.notSucceeded.set(entry.id, { clusterId: entry.id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, wave: wave.plan.name, message: `would upgrade via ${path.join(' -> ')}${when}` });
      }
      wave.queue.length = 0;
    }
  } else {
    for (hopIndex = 0; hopIndex < planned.hops.length && !state.stop; hopIndex++) {
      const hop = planned.hops[hopIndex]!;
      const last = hopIndex === planned.hops.length - 1;
      if (planned.hops.length > 1) {
        const participants = [...current.values()].filter((e) => !state.outcomeOf.has(e.id) && needsHop(e, hop.version, last));
        state.setWaves(wavesFor(participants));
      }
      for (let index = 0; index < state.waves.length && !state.stop; index++) {
        state.currentWave = index;
        await runWave(index);
      }
      if (!last && !state.stop && plan.soakMs > 0) {
        enter('soaking');
        await condition(() => state.stop !== undefined, plan.soakMs);
      }
    }
  }

  if (state.stop) {
    // Whatever never started (or stopped between hops) stays as it is: say so per cluster.
    for (const wave of state.waves) {
      if (wave.state !== 'done') wave.state = 'stopped';
      wave.queue.length = 0;
    }
    state.retryQueue.length = 0;
    for (const entry of current.values()) if (!state.outcomeOf.has(entry.id)) notStarted(entry);
  }
  state.finished = true;
  await condition(allHandlersFinished);
  enter('done');
  return report();

  function notStarted(entry: ClusterPlanEntry) {
    const from = toUpgrade.find((e) => e.id === entry.id)?.version ?? entry.version;
    const moved = entry.version !== from;
    state.record(
      {
        clusterId: entry.id,
        name: entry.name,
        outcome: 'NOT_STARTED',
        fromVersion: from,
        ...(moved ? { finalVersion: entry.version } : {}),
        requests: 0,
        retries: 0,
        reschedules: 0,
        message: `${moved ? `stopped between hops at ${entry.version}` : 'not started'}: ${state.stop?.reason}`,
      },
      state.waveOf.get(entry.id) ?? -1,
    );
  }

  /** Whether a cluster takes part in a hop: every minor above its own, and the last hop for all that are not at the target. */
  function needsHop(entry: ClusterPlanEntry, hopVersion: string, last: boolean): boolean {
    if (last) return true;
    const from = parseVersion(entry.version);
    const to = parseVersion(hopVersion);
    return from !== undefined && to !== undefined && from.minor < to.minor;
  }

  async function runWave(index: number): Promise<void> {
    const wave = state.waves[index]!;
    const empty = () => wave.queue.length === 0 && state.retryQueue.length === 0;
    if (empty()) {
      wave.state = 'done';
      return;
    }
    const gate = wave.plan.approval;
    if (gate && !state.approvals.has(wave.plan.name)) {
      wave.state = 'awaiting-approval';
      enter('awaiting-approval');
      const opened = () => state.approvals.has(wave.plan.name) || state.stop !== undefined;
      const decided = gate.timeoutMs === undefined ? (await condition(opened), true) : await condition(opened, gate.timeoutMs);
      if (state.stop) return;
      if (!decided) {
        state.log({ action: 'approvalTimeout', target: wave.plan.name, reason: `no approval within ${gate.timeoutMs} ms: ${gate.onTimeout}` });
        if (gate.onTimeout === 'abort') {
          state.halt('ABORTED', `approval of wave ${wave.plan.name} timed out`);
          return;
        }
      }
    }
    wave.state = 'upgrading';
    enter('upgrading');
    await slidingWindow(index, wave);
    if (state.stop) return;
    wave.state = 'done';
    if (wave.plan.soakMs > 0 && index < state.waves.length - 1) {
      wave.state = 'soaking';
      enter('soaking');
      await condition(() => state.stop !== undefined, wave.plan.soakMs);
      wave.state = 'done';
    }
  }

  /** Keeps up to maxParallel children running; on a stop, cancels the ones in flight and waits for their compensation. */
  async function slidingWindow(index: number, wave: WaveRun): Promise<void> {
    const inFlight = new Map<string, CancellationScope>();
    const done: Promise<void>[] = [];
    const hasNext = () => state.retryQueue.length > 0 || wave.queue.length > 0;
    for (;;) {
      await condition(() => state.stop !== undefined || (inFlight.size === 0 && !hasNext()) || (!state.paused && hasNext() && inFlight.size < state.limitFor(wave)));
      if (state.stop || !hasNext()) break;
      const entry = state.retryQueue.shift() ?? wave.queue.shift()!;
      const waveIndex = state.waveOf.get(entry.id) ?? index;
      const scope = new CancellationScope();
      inFlight.set(entry.id, scope);
      state.running.add(entry.id);
      details();
      done.push(
        scope
          .run(() => runCluster(entry, waveIndex))
          .catch((error: unknown) => failedResult(entry, error))
          .then((result) => {
            inFlight.delete(entry.id);
            state.running.delete(entry.id);
            if (result.outcome === 'SUCCEEDED' && hopIndex < planned.hops.length - 1) {
              // On to the next hop from the version it reached.
              state.recordHop(result, waveIndex);
              current.set(entry.id, { ...entry, version: result.finalVersion ?? planned.hops[hopIndex]!.version });
            } else state.record(result, waveIndex);
            const exceeded = state.budgetExceeded(waveIndex);
            if (exceeded) state.halt('HALTED', exceeded);
            details();
          }),
      );
    }
    if (state.stop && inFlight.size > 0) {
      enter('compensating');
      for (const scope of inFlight.values()) scope.cancel();
    }
    await Promise.all(done);
  }

  async function runCluster(entry: ClusterPlanEntry, waveIndex: number): Promise<ClusterResult> {
    const input: ClusterUpgradeInput = {
      rolloutId,
      platform: plan.platform,
      organisation: plan.organisation,
      cluster: entry,
      requestVersion: planned.hops[hopIndex]!.requestVersion,
      retryMaxAttempts: plan.retry.maxAttempts,
      rescheduleMaxAttempts: plan.reschedule.maxAttempts,
      pollIntervalMs: plan.pollIntervalMs,
      attemptDeadlineMs: plan.clusterDeadlineMs,
      ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule,
      ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}),
    };
    const child = await startChild(clusterUpgrade, {
      workflowId: clusterWorkflowId(rolloutId, entry.id),
      args: [input],
      staticSummary: `${clusterSummary(input)} · wave ${state.waves[waveIndex]?.plan.name ?? '?'}`,
      // A rollout that is cancelled or terminated asks its clusters to stop (and compensate) too.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    return child.result();
  }

  function failedResult(entry: ClusterPlanEntry, error: unknown): ClusterResult {
    const base = { clusterId: entry.id, name: entry.name, fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0 };
    // Cancelled before the child began: nothing was sent.
    if (isCancellation(error)) return { ...base, outcome: 'NOT_STARTED', message: `not started: ${state.stop?.reason}`, compensation: 'nothing to undo' };
    const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { ...base, outcome: 'FAILED', message };
  }

  function report(): RolloutReport {
    const clusters = [...state.notSucceeded.values()];
    return {
      rolloutId,
      status: state.stop?.status ?? rolloutStatusOf(state.counts),
      platform: plan.platform,
      organisation: plan.organisation,
      targetVersion: plan.targetVersion,
      resolvedVersion: planned.resolvedVersion,
      hops: planned.hops.map((h) => h.version),
      dryRun: plan.dryRun,
      total,
      counts: { ...state.counts },
      clusters: clusters.slice(0, MAX_REPORTED_CLUSTERS),
      ...(clusters.length > MAX_REPORTED_CLUSTERS ? { clustersOmitted: clusters.length - MAX_REPORTED_CLUSTERS } : {}),
      ...(state.stop ? { stopReason: state.stop.reason } : {}),
      waves: state.summaries(),
      actions: [...state.actions],
      actionCount: state.actionCount,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
}

/**
 * The operator's updates. Validators are synchronous (an async one never rejects) and
 * reject what makes no sense now; handlers change the state and answer the progress.
 */
function registerControls(state: RolloutState, progress: () => RolloutProgress, plan: RolloutPlan | undefined): void {
  const open = () => {
    if (state.finished) reject('the rollout has finished');
    if (state.stop) reject(`the rollout is stopping (${state.stop.status}: ${state.stop.reason})`);
  };
  const who = (request?: { by?: unknown; reason?: unknown }) => ({
    ...(typeof request?.by === 'string' && request.by ? { by: request.by.slice(0, 100) } : {}),
    ...(typeof request?.reason === 'string' && request.reason ? { reason: request.reason.slice(0, 500) } : {}),
  });
  const clusterIdOf = (request: { clusterId?: unknown } | undefined): string => {
    if (typeof request?.clusterId !== 'string' || !request.clusterId) return reject('clusterId is required');
    return request.clusterId.toLowerCase();
  };

  setHandler(
    pauseUpdate,
    (request?: OperatorRequest) => {
      state.paused = true;
      state.log({ action: 'pause', ...who(request) });
      return progress();
    },
    {
      validator: (_request?: OperatorRequest) => {
        open();
        if (state.paused) reject('the rollout is already paused');
      },
    },
  );

  setHandler(
    resumeUpdate,
    (request?: OperatorRequest) => {
      state.paused = false;
      state.log({ action: 'resume', ...who(request) });
      return progress();
    },
    {
      validator: (_request?: OperatorRequest) => {
        open();
        if (!state.paused) reject('the rollout is not paused');
      },
    },
  );

  setHandler(
    abortUpdate,
    (request) => {
      state.log({ action: 'abort', ...who(request) });
      state.halt('ABORTED', `aborted${request.by ? ` by ${request.by}` : ''}: ${request.reason}`);
      return progress();
    },
    {
      validator: (request) => {
        open();
        if (typeof request?.reason !== 'string' || request.reason.trim() === '') reject('abort needs a reason');
      },
    },
  );

  setHandler(
    approveUpdate,
    (request) => {
      state.approvals.add(request.wave);
      state.log({ action: 'approve', target: request.wave, ...who(request) });
      return progress();
    },
    {
      validator: (request) => {
        open();
        const name = request?.wave;
        if (typeof name !== 'string' || !name) reject('wave is required');
        const waves = state.waves.length > 0 ? state.waves.map((w) => ({ name: w.plan.name, gated: w.plan.approval !== undefined, state: w.state })) : (plan?.waves ?? []).map((w) => ({ name: w.name, gated: w.approval !== undefined, state: 'pending' as const }));
        const wave = waves.find((w) => w.name === name);
        if (!wave) reject(`no wave ${JSON.stringify(name)}; waves: ${waves.map((w) => w.name).join(', ')}`);
        if (!wave!.gated) reject(`wave ${name} has no approval gate`);
        if (state.approvals.has(name)) reject(`wave ${name} is already approved`);
        if (wave!.state !== 'pending' && wave!.state !== 'awaiting-approval') reject(`wave ${name} is past its gate (${wave!.state})`);
      },
    },
  );

  setHandler(
    setMaxParallelUpdate,
    (request) => {
      state.maxParallelOverride = request.maxParallel;
      state.log({ action: 'setMaxParallel', target: String(request.maxParallel), ...who(request) });
      return progress();
    },
    {
      validator: (request) => {
        open();
        const n = request?.maxParallel;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) reject(`maxParallel must be a whole number from 1 to 1000, got ${JSON.stringify(n)}`);
      },
    },
  );

  setHandler(
    skipClusterUpdate,
    (request) => {
      const id = request.clusterId.toLowerCase();
      const entry = state.dequeue(id)!;
      const reason = who(request).reason;
      state.record({ clusterId: id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message: `skipped by an operator${reason ? `: ${reason}` : ''}` }, state.waveOf.get(id) ?? -1);
      state.log({ action: 'skipCluster', target: id, ...who(request) });
      return progress();
    },
    {
      validator: (request) => {
        open();
        const id = clusterIdOf(request);
        if (state.isQueued(id)) return;
        if (state.running.has(id)) reject(`cluster ${id} is upgrading now; only a cluster not started can be skipped`);
        const outcome = state.outcomeOf.get(id);
        if (outcome) reject(`cluster ${id} has already ended ${outcome}`);
        reject(state.waves.length === 0 ? 'the rollout is still planning; try again in a moment' : `cluster ${id} is not in this rollout`);
      },
    },
  );

  setHandler(
    retryClusterUpdate,
    (request) => {
      const id = request.clusterId.toLowerCase();
      state.forget(id);
      state.retryQueue.push(state.entries.get(id)!);
      state.log({ action: 'retryCluster', target: id, ...who(request) });
      return progress();
    },
    {
      validator: (request) => {
        open();
        const id = clusterIdOf(request);
        const outcome = state.outcomeOf.get(id);
        if (!state.entries.has(id)) reject(outcome ? `cluster ${id} ended ${outcome} in an earlier hop; start a new rollout for it` : `cluster ${id} is not one this rollout upgrades`);
        if (outcome !== 'FAILED' && outcome !== 'MISSED' && outcome !== 'SUPERSEDED') {
          reject(`only a cluster that ended FAILED, MISSED or SUPERSEDED can be retried; cluster ${id} is ${outcome ?? (state.running.has(id) ? 'upgrading' : 'not started')}`);
        }
      },
    },
  );
}

/**
 * A planning activity that gave up fails the rollout with the activity's own reason
 * on top (`InvalidRollout: ... downgrade ...`), not wrapped in an ActivityFailure, so
 * whoever started it reads the reason first. Nothing was changed yet.
 */
function planningFailure(error: unknown): unknown {
  if (!(error instanceof ActivityFailure)) return error;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) return ApplicationFailure.nonRetryable(cause.message, cause.type ?? PLANNING_FAILED);
  return ApplicationFailure.nonRetryable(`planning failed: ${cause?.message ?? error.message}`, PLANNING_FAILED);
}
