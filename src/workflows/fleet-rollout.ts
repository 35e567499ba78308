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
 *
 * History stays small however large the fleet: children are started with
 * `ParentClosePolicy.ABANDON` and report back by signal, so the rollout can continue
 * as new (carrying its state, see rollout-state.ts) while they run. Stopping cancels
 * children through their ids, whichever run started them.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, PlannedHop } from '../activities/index.js';
import { INVALID_SPEC, PLANNING_FAILED } from '../domain/failure-types.js';
import { rolloutStatusOf, type ClusterPlanEntry, type ClusterResult, type RolloutPhase, type RolloutProgress, type RolloutReport } from '../domain/report.js';
import type { RolloutPlan, RolloutSpec } from '../domain/spec.js';
import { shapeWaves } from '../domain/waves.js';
import { formatDuration } from '../domain/durations.js';
import { spacedPollInterval } from '../domain/polling.js';
import { parseVersion } from '../domain/versions.js';
import { clusterSummary, clusterUpgrade, clusterWorkflowId, type ClusterUpgradeInput } from './cluster-upgrade.js';
import {
  abortUpdate,
  approveUpdate,
  clusterDoneSignal,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  retryClusterUpdate,
  setMaxParallelUpdate,
  skipClusterUpdate,
  UPDATE_REJECTED,
  type OperatorRequest,
} from './messages.js';
import { renderRolloutDetails } from './rollout-details.js';
import { fleetPhaseOf, progressPercent, RolloutSearchAttributes } from './rollout-search-attributes.js';
import { failedClustersIn, RolloutState, type RolloutStateSnapshot, type WaveRun } from './rollout-state.js';

/** Compensation calls: short, retried, bounded. */
const api = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

const planner = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** The report lists at most this many clusters that did not succeed; `clustersOmitted` counts the rest. */
export const MAX_REPORTED_CLUSTERS = 1000;

/** Clusters read per activity: an inventory page, or a batch of listed ids. */
const PAGE_SIZE = 100;

const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
};

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

export async function fleetRollout(spec: RolloutSpec, carry?: RolloutCarry): Promise<RolloutReport> {
  const rolloutId = workflowInfo().workflowId;
  const startedAt = carry?.startedAt ?? new Date().toISOString();
  let phase: RolloutPhase = carry?.phase ?? 'validating';
  // Known once planning resolved the target on the platform; the query reads it before then too.
  let resolvedVersion: string | undefined = undefined;
  let total = 0;
  let hops: readonly string[] = [];
  let hopIndex = 0;
  /** Clusters a dry run read (it lists at most MAX_REPORTED_CLUSTERS of them). */
  let dryRunListed = 0;
  /** Child starts asked for and not yet confirmed. */
  let starting = 0;
  /** The main loop has seen the stop and sent what it needs to (cancellations): the abort update may answer. */
  let stopActedOn = false;

  // Loaded here, not imported at the top: the reusable V8 context evaluates a workflow's
  // modules afresh for every execution, so a top-level import would build the spec
  // schema (zod) for every cluster's child and claim too. It cost them more CPU and
  // memory than all their own code. Eager: in the bundle, resolved in this activation.
  const { validateRolloutSpec } = await import(/* webpackMode: "eager" */ '../domain/spec.js');
  const validated = validateRolloutSpec(spec);
  const budget = validated.ok ? validated.plan.failureBudget : undefined;
  const state = carry ? RolloutState.restore(carry.state, budget) : new RolloutState(budget);

  const hopNow = () => ({ index: Math.min(hopIndex, hops.length - 1), count: hops.length, version: hops[Math.min(hopIndex, hops.length - 1)]! });
  const progress = (): RolloutProgress => ({
    rolloutId,
    phase,
    targetVersion: typeof spec?.targetVersion === 'string' ? spec.targetVersion : '',
    ...(resolvedVersion ? { resolvedVersion } : {}),
    total,
    pending: state.pending,
    running: [...state.inFlight.keys()],
    counts: { ...state.counts },
    paused: state.paused,
    ...(state.stop ? { stopReason: state.stop.reason } : {}),
    ...(state.maxParallelOverride !== undefined ? { maxParallel: state.maxParallelOverride } : {}),
    ...(hops.length > 1 ? { hop: hopNow() } : {}),
    waves: state.summaries(),
    ...(state.currentWave !== undefined ? { currentWave: state.currentWave } : {}),
  });
  setHandler(progressQuery, progress);
  // The handlers refresh what the UI shows once `refresh` exists (a valid spec); until then there is nothing to show.
  let onChange = (): void => undefined;
  registerControls(state, progress, validated.ok ? validated.plan : undefined, () => (hops.length > 1 ? hops[hopIndex] : undefined), () => onChange(), () => stopActedOn);

  if (!validated.ok) {
    const problems = validated.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid rollout spec: ${problems}`, INVALID_SPEC, ...validated.problems);
  }
  const plan = validated.plan;

  const attributes = new RolloutSearchAttributes(workflowInfo().typedSearchAttributes, { rolloutId, platform: plan.platform, organisation: plan.organisation, targetVersion: plan.targetVersion });
  /**
   * Shows the rollout as it is now: the current details on every change, the search
   * attributes when worth an event (see rollout-search-attributes.ts); `flush` sends
   * every difference (the end, before continue-as-new).
   */
  const refresh = (flush = false) => {
    const fleetPhase = fleetPhaseOf(phase, state);
    const percent = progressPercent(state.ended, total, phase === 'done');
    const failed = failedClustersIn(state.counts);
    const pairs = attributes.next({ phase: fleetPhase, percent, failed }, flush);
    if (pairs.length > 0) upsertSearchAttributes(pairs);
    setCurrentDetails(
      renderRolloutDetails({
        platform: plan.platform,
        organisation: plan.organisation,
        targetVersion: plan.targetVersion,
        ...(resolvedVersion ? { resolvedVersion } : {}),
        ...(hops.length > 1 ? { hop: hopNow() } : {}),
        phase: fleetPhase,
        percent,
        total,
        ended: state.ended,
        failed,
        running: state.inFlight.size,
        pending: state.pending,
        counts: state.counts,
        ...(state.stop ? { stop: state.stop } : {}),
        waves: state.summaries(),
        ...(state.currentWave !== undefined ? { currentWave: state.currentWave } : {}),
        latestFailures: state.latestFailures(),
      }),
    );
  };
  onChange = refresh;
  const enter = (next: RolloutPhase) => {
    phase = next;
    refresh(next === 'done');
  };
  const listedIds = plan.waves.flatMap((w) => w.clusters ?? []);
  /** With `clusters` in the spec, the inventory is that list (less the clusters waves list). */
  const listedSet = new Set(listedIds); // A Set: with 100,000 listed clusters, `includes` per id would be quadratic.
  const specList = plan.clusters?.filter((id) => !listedSet.has(id));
  let planned: { resolvedVersion: string; hops: readonly PlannedHop[]; apiRatePerMinute?: number };
  if (carry) {
    planned = carry;
    total = carry.total;
    hopIndex = carry.hopIndex;
    resolvedVersion = carry.resolvedVersion;
    hops = carry.hops.map((h) => h.version);
    // A new run: its current details start empty, its search attributes as the last run left them.
    refresh();
  } else {
    enter('planning');
    const result = await planner.planRollout
      .executeWithOptions({ summary: `plan ${plan.platform}/${plan.organisation} -> ${plan.targetVersion}` }, [
        {
          platform: plan.platform,
          organisation: plan.organisation,
          targetVersion: plan.targetVersion,
          maxHops: plan.maxHops,
          ...(listedIds.length > 0 ? { waveClusters: listedIds } : {}),
          ...(plan.patchOnly ? { patchOnly: true } : {}),
          // Clusters named only in waves are read (and checked) too.
          ...(plan.clusters ? { clusters: [...new Set([...plan.clusters, ...listedIds])] } : {}),
        },
      ])
      .catch((error: unknown) => {
        throw planningFailure(error);
      });
    planned = result;
    total = result.total;
    state.atTarget = result.atTarget;
    state.counts.SKIPPED += result.atTarget;
    state.upgradeTotal = result.hops.at(-1)!.clusters;
  }
  resolvedVersion = planned.resolvedVersion;
  hops = planned.hops.map((h) => h.version);
  // Only now: a resumed run gets the reports buffered for it as soon as the handler is set.
  setHandler(clusterDoneSignal, onClusterDone);

  for (; hopIndex < planned.hops.length && !state.stop; hopIndex++) {
    const hop = planned.hops[hopIndex]!;
    const last = hopIndex === planned.hops.length - 1;
    const resuming = carry !== undefined && hopIndex === carry.hopIndex;
    if (!resuming) state.setWaves(shapeWaves(plan.dryRun ? state.upgradeTotal : hop.clusters, hop.listed, plan.waves, { maxParallel: plan.maxParallel, soakMs: plan.soakMs }));
    if (plan.dryRun) {
      await listDryRun();
      break;
    }
    for (let index = resuming ? (state.currentWave ?? 0) : 0; index < state.waves.length && !state.stop; index++) {
      state.currentWave = index;
      await runWave(index);
    }
    if (!last && !state.stop && plan.soakMs > 0) {
      enter('soaking');
      await condition(() => state.stop !== undefined, plan.soakMs, { summary: `soak ${formatDuration(plan.soakMs)} before hop ${planned.hops[hopIndex + 1]!.version}` });
    }
  }

  // Never report with a child still running: its outcome belongs in the report.
  await drainInFlight();
  if (state.stop) {
    stopActedOn = true;
    // Whatever never started stays as it is: a line per cluster read, a count for the rest.
    for (const [index, wave] of state.waves.entries()) {
      if (wave.state !== 'done') wave.state = 'stopped';
      for (const entry of wave.queue.splice(0)) notStarted(entry, index);
      wave.toTake = 0;
      wave.ids.length = 0;
    }
    for (const entry of state.retryQueue.splice(0)) notStarted(entry, -1);
    state.reconcile();
    await undoFailedDesiredVersions();
  }
  state.finished = true;
  await condition(allHandlersFinished);
  enter('done');
  return report();

  function notStarted(entry: ClusterPlanEntry, waveIndex: number) {
    state.record({ clusterId: entry.id, name: entry.name, outcome: 'NOT_STARTED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message: `not started: ${state.stop?.reason}` }, waveIndex);
  }

  /**
   * Aether keeps a failed upgrade's `k8s_version` as the desired state. When the rollout
   * stops, that desire goes back to the version the cluster still runs (the saga's undo
   * for clusters that ended FAILED or MISSED before the stop); a cluster that has moved
   * meanwhile is left alone. Avisi needs nothing: its failed upgrades are over.
   */
  async function undoFailedDesiredVersions(): Promise<void> {
    if (plan.platform !== 'aether') return;
    for (const line of state.notSucceeded.values()) {
      if ((line.outcome !== 'FAILED' && line.outcome !== 'MISSED') || line.compensation || line.requests === 0) continue;
      const toVersion = line.hop ?? planned.hops.at(-1)!.requestVersion;
      const compensation = await api.compensateUpgrade
        .executeWithOptions({ summary: `restore k8s_version of ${line.name}` }, [
          { platform: plan.platform, organisation: plan.organisation, clusterId: line.clusterId, previousVersion: line.fromVersion, upgrade: { upgradeId: line.clusterId, clusterId: line.clusterId, toVersion, status: 'FAILED', rawStatus: 'failed' } },
        ])
        .then(
          (after) => (after.status === 'CANCELLED' ? 'restored k8s_version' : `left as is (${after.rawStatus})`),
          (error: unknown) => `restore failed: ${messageOf(error)}`,
        );
      state.notSucceeded.set(line.clusterId, { ...line, compensation });
    }
  }

  /**
   * Fills a wave's queue: its listed clusters first (read by id), then its share of the
   * inventory stream, a page at a time. Clusters an operator skipped before they were
   * queued are recorded SKIPPED here.
   */
  async function refill(waveIndex: number, options: { anyPath?: boolean } = {}): Promise<void> {
    const wave = state.waves[waveIndex]!;
    // A dry run reads against the target: every cluster that moves at all.
    const hop = options.anyPath ? { version: planned.hops.at(-1)!.version, last: true, anyPath: true } : { version: planned.hops[hopIndex]!.version, last: hopIndex === planned.hops.length - 1 };
    const predict = plan.dryRun ? { predictWindows: { ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule, ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}) } } : {};
    const read = (input: { ids?: string[]; cursor?: string; exclude?: string[] }) =>
      planner.readPlanPage.executeWithOptions({ summary: `read clusters for wave ${wave.plan.name}` }, [{ platform: plan.platform, organisation: plan.organisation, hop, ...predict, ...(plan.patchOnly ? { patchOnly: true } : {}), ...input }]);
    const keep = (entries: readonly ClusterPlanEntry[]) =>
      entries.filter((entry) => {
        if (!state.skipList.delete(entry.id)) return true;
        state.record({ clusterId: entry.id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message: 'skipped by an operator' }, waveIndex);
        return false;
      });
    while (wave.queue.length === 0 && wave.ids.length > 0) {
      const { entries } = await read({ ids: wave.ids.splice(0, PAGE_SIZE) });
      wave.queue.push(...keep(entries));
    }
    const stream = state.stream;
    while (wave.queue.length === 0 && wave.toTake > 0) {
      if (stream.buffer.length === 0) {
        if (stream.done) {
          wave.toTake = 0; // The inventory shrank since planning.
          break;
        }
        if (specList) {
          const from = Number(stream.cursor ?? 0);
          const ids = specList.slice(from, from + PAGE_SIZE);
          stream.cursor = String(from + ids.length);
          stream.done = from + ids.length >= specList.length;
          stream.buffer.push(...(await read({ ids })).entries);
        } else {
          const page = await read({ ...(stream.cursor ? { cursor: stream.cursor } : {}), exclude: listedIds });
          stream.cursor = page.next;
          stream.done = page.next === undefined;
          stream.buffer.push(...page.entries);
        }
        continue;
      }
      // Skips are applied as clusters leave the shared stream for a wave, so a skipped
      // cluster counts as one of that wave's share, and one skipped while read but not
      // yet taken is still caught.
      const taken = stream.buffer.splice(0, wave.toTake);
      wave.toTake -= taken.length;
      wave.queue.push(...keep(taken));
    }
  }

  /** A dry run reads every cluster, wave by wave, and lists what it would do (the first MAX_REPORTED_CLUSTERS). */
  async function listDryRun(): Promise<void> {
    for (const [index, wave] of state.waves.entries()) {
      for (;;) {
        await refill(index, { anyPath: true });
        if (wave.queue.length === 0) break;
        for (const entry of wave.queue.splice(0)) {
          dryRunListed++;
          if (state.notSucceeded.size >= MAX_REPORTED_CLUSTERS) continue;
          const path = planned.hops.filter((h, i) => i === planned.hops.length - 1 || (parseVersion(entry.version)?.minor ?? 0) < (parseVersion(h.version)?.minor ?? 0)).map((h) => h.version);
          const window = entry.predictedWindow;
          const when = window === undefined ? '' : window === null ? '; no maintenance window (set ignoreMaintenanceSchedule)' : `; first window ${window.start}${window.end ? ` to ${window.end}` : ''}`;
          state.notSucceeded.set(entry.id, { clusterId: entry.id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, wave: wave.plan.name, message: `would upgrade via ${path.join(' -> ')}${when}` });
        }
      }
      wave.state = 'done';
    }
  }

  async function runWave(index: number): Promise<void> {
    const wave = state.waves[index]!;
    // Clusters in flight count: a run that continued as new may resume a wave whose last clusters are still upgrading.
    const empty = () => wave.queue.length === 0 && wave.toTake === 0 && wave.ids.length === 0 && state.retryQueue.length === 0 && state.inFlight.size === 0;
    if (empty()) {
      wave.state = 'done';
      return;
    }
    const gate = wave.plan.approval;
    if (gate && wave.state !== 'upgrading' && !state.approvals.has(wave.plan.name)) {
      wave.state = 'awaiting-approval';
      enter('awaiting-approval');
      const opened = () => state.approvals.has(wave.plan.name) || state.stop !== undefined;
      const decided = gate.timeoutMs === undefined ? (await condition(opened), true) : await condition(opened, gate.timeoutMs, { summary: `approval of wave ${wave.plan.name}: ${gate.onTimeout} after ${formatDuration(gate.timeoutMs)} without one` });
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
      await condition(() => state.stop !== undefined, wave.plan.soakMs, { summary: `soak ${formatDuration(wave.plan.soakMs)} after wave ${wave.plan.name}` });
      wave.state = 'done';
    }
  }

  /**
   * Keeps up to maxParallel children running. Each reports back by signal; on a stop,
   * the ones in flight are cancelled (they compensate) and waited for. Continues as new
   * when the history grows long, children and all.
   */
  async function slidingWindow(index: number, wave: WaveRun): Promise<void> {
    const hasNext = () => state.retryQueue.length > 0 || wave.queue.length > 0;
    const canStart = () => !state.paused && hasNext() && state.inFlight.size < state.limitFor(wave);
    for (;;) {
      if (wave.queue.length === 0 && state.retryQueue.length === 0 && !state.stop) await refill(index);
      // Also wakes when the history has grown long, so a full window of slow clusters does not hold up continue-as-new.
      await condition(() => state.stop !== undefined || (state.inFlight.size === 0 && !hasNext()) || canStart() || historyIsLong());
      if (state.stop) break;
      if (historyIsLong()) await carryOn();
      if (state.stop) break; // Stopped while waiting to continue as new: this run compensates.
      if (!hasNext()) break;
      const entry = state.retryQueue.shift() ?? wave.queue.shift()!;
      state.inFlight.set(entry.id, { entry, waveIndex: index });
      refresh();
      // Not awaited: many children start in one workflow task. Continue-as-new waits for them (see carryOn).
      starting++;
      startCluster(entry, index)
        .catch((error: unknown) => {
          // Not started (e.g. the id is taken): nothing was sent for it.
          onClusterDone({ clusterId: entry.id, name: entry.name, outcome: 'FAILED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message: `could not start: ${messageOf(error)}` });
        })
        .finally(() => starting--);
    }
    await drainInFlight();
  }

  /** Waits for every child in flight to report; on a stop, cancels them first (they compensate). */
  async function drainInFlight(): Promise<void> {
    if (state.stop && state.inFlight.size > 0) {
      enter('compensating');
      // All at once, in one workflow task. A child that has just ended cannot be cancelled; its report is on the way.
      const cancels = [...state.inFlight.keys()].map((id) => getExternalWorkflowHandle(clusterWorkflowId(rolloutId, id)).cancel().catch(() => undefined));
      stopActedOn = true;
      await Promise.all(cancels);
    }
    if (state.stop) stopActedOn = true;
    await condition(() => state.inFlight.size === 0);
  }

  /** A child's report: its final outcome, or one hop done on the way. */
  function onClusterDone(result: ClusterResult): void {
    const flight = state.inFlight.get(result.clusterId);
    if (!flight) return; // A late or repeated report: already counted.
    state.inFlight.delete(result.clusterId);
    const hop = planned.hops[hopIndex]!;
    if (result.outcome === 'SUCCEEDED' && hopIndex < planned.hops.length - 1) {
      // On to the next hop: that hop reads it again, at the version it reached.
      state.recordHop(result, flight.waveIndex);
    } else state.record(planned.hops.length > 1 ? { ...result, hop: hop.version } : result, flight.waveIndex);
    const exceeded = state.budgetExceeded(flight.waveIndex);
    if (exceeded) state.halt('HALTED', exceeded);
    refresh();
  }

  function historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= plan.historyEventsPerRun;
  }

  /** Continues as new with everything this run knows; the children in flight report to the next run. */
  /** Continues as new, unless a stop arrives first (an abort's handler waits for this run to act on it). */
  async function carryOn(): Promise<void> {
    // A child whose start is not confirmed yet would be lost to the next run.
    await condition(() => (starting === 0 && allHandlersFinished()) || state.stop !== undefined);
    if (state.stop) return;
    // The server copies the search attributes to the next run: send what is still behind first.
    refresh(true);
    await continueAsNew<typeof fleetRollout>(spec, {
      startedAt,
      phase,
      resolvedVersion: planned.resolvedVersion,
      hops: planned.hops,
      total,
      hopIndex,
      ...(planned.apiRatePerMinute ? { apiRatePerMinute: planned.apiRatePerMinute } : {}),
      state: state.snapshot(),
    });
  }

  async function startCluster(entry: ClusterPlanEntry, waveIndex: number): Promise<void> {
    const input: ClusterUpgradeInput = {
      rolloutId,
      platform: plan.platform,
      organisation: plan.organisation,
      cluster: entry,
      requestVersion: planned.hops[hopIndex]!.requestVersion,
      retryMaxAttempts: plan.retry.maxAttempts,
      rescheduleMaxAttempts: plan.reschedule.maxAttempts,
      // Within the platform's API budget however many clusters the wave has in flight.
      pollIntervalMs: spacedPollInterval(plan.pollIntervalMs, state.limitFor(state.waves[waveIndex]!), planned.apiRatePerMinute ?? 0),
      attemptDeadlineMs: plan.clusterDeadlineMs,
      ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule,
      ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}),
    };
    await startChild(clusterUpgrade, {
      workflowId: clusterWorkflowId(rolloutId, entry.id),
      args: [input],
      staticSummary: `${clusterSummary(input)} · wave ${state.waves[waveIndex]?.plan.name ?? '?'}`,
      // Children outlive a run of the rollout (continue-as-new); they report back by signal.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }

  function messageOf(error: unknown): string {
    return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  }

  function report(): RolloutReport {
    const clusters = [...state.notSucceeded.values()];
    const omitted = Math.max(clusters.length, plan.dryRun ? dryRunListed : 0) - Math.min(clusters.length, MAX_REPORTED_CLUSTERS);
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
      ...(omitted > 0 ? { clustersOmitted: omitted } : {}),
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
 * reject what makes no sense now; handlers change the state, show it (`changed`: the
 * UI's phase, counts and details) and answer the progress.
 */
function registerControls(
  state: RolloutState,
  progress: () => RolloutProgress,
  plan: RolloutPlan | undefined,
  currentHop: () => string | undefined,
  changed: () => void,
  /** Whether the main loop has acted on a stop (see the abort handler). */
  stopActedOn: () => boolean,
): void {
  const answer = (): RolloutProgress => {
    changed();
    return progress();
  };
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
      return answer();
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
      return answer();
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
    async (request) => {
      state.log({ action: 'abort', ...who(request) });
      state.halt('ABORTED', `aborted${request.by ? ` by ${request.by}` : ''}: ${request.reason}`);
      // Answer once the main loop has acted (its cancellations sent): the update's completion
      // then follows those commands however workflow tasks are split into activations, which
      // a replay from history (a worker without the run cached) may do differently.
      await condition(stopActedOn);
      return answer();
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
      return answer();
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
      return answer();
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
      const reason = who(request).reason;
      const queued = state.dequeue(id);
      if (queued) {
        const { entry, waveIndex } = queued;
        state.record({ clusterId: id, name: entry.name, outcome: 'SKIPPED', fromVersion: entry.version, requests: 0, retries: 0, reschedules: 0, message: `skipped by an operator${reason ? `: ${reason}` : ''}` }, waveIndex);
      } else {
        // Not read yet: left out when its page comes.
        state.skipList.add(id);
      }
      state.log({ action: 'skipCluster', target: id, ...who(request) });
      return answer();
    },
    {
      validator: (request) => {
        open();
        const id = clusterIdOf(request);
        if (state.isQueued(id)) return;
        if (state.inFlight.has(id)) reject(`cluster ${id} is upgrading now; only a cluster not started can be skipped`);
        const line = state.notSucceeded.get(id);
        if (line) reject(`cluster ${id} has already ended ${line.outcome}`);
        if (state.skipList.has(id)) reject(`cluster ${id} is already to be skipped`);
        const listed = plan?.waves.some((w) => w.clusters?.includes(id));
        if (plan?.clusters && !plan.clusters.includes(id) && !listed) reject(`cluster ${id} is not in this rollout`);
        const unread = state.waves.some((w) => w.toTake > 0 || w.ids.includes(id));
        if (!unread) reject(state.waves.length === 0 ? 'the rollout is still planning; try again in a moment' : `cluster ${id} is not waiting to start in this rollout (it is unknown, or has ended)`);
      },
    },
  );

  setHandler(
    retryClusterUpdate,
    (request) => {
      const id = request.clusterId.toLowerCase();
      state.retryQueue.push(state.forget(id)!);
      state.log({ action: 'retryCluster', target: id, ...who(request) });
      return answer();
    },
    {
      validator: (request) => {
        open();
        const id = clusterIdOf(request);
        const line = state.notSucceeded.get(id);
        if (!line || (line.outcome !== 'FAILED' && line.outcome !== 'MISSED' && line.outcome !== 'SUPERSEDED')) {
          const now = line?.outcome ?? (state.inFlight.has(id) ? 'upgrading' : state.isQueued(id) ? 'not started' : 'not failed in this rollout');
          reject(`only a cluster that ended FAILED, MISSED or SUPERSEDED can be retried; cluster ${id} is ${now}`);
        }
        if (line!.hop !== currentHop()) reject(`cluster ${id} ended ${line!.outcome} in an earlier hop (${line!.hop}); start a new rollout for it`);
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
