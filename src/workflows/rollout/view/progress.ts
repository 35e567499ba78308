/**
 * What a `Rollout` shows of itself now, read from its state and never changing it: the
 * `progress` query's answer, and the inputs of the UI's current details and of its
 * search-attribute signals (rendered by details.ts, search-attributes.ts). The report is
 * report.ts.
 */
import type { Forecast } from '../../../domain/forecast.js';
import { forecastOf, KeptForecast } from './forecast.js';
import { targetsLabel } from '../../../domain/targets.js';
import { describeSpec } from '../../../domain/spec-describe.js';
import type {
  ClusterPlanEntry,
  OperatorAction,
  RolloutProgress,
  RunningCluster,
  WaveSummary,
} from '../../../domain/report.js';
import { skippedBreakdown, type SkippedBreakdown } from '../../../domain/skipped.js';
import type { RolloutDetailsView } from './details.js';
import { failedClustersIn } from '../tally.js';
import { targetOf } from '../targets.js';
import { fleetPhaseOf, progressPercent, type RolloutSignals } from './search-attributes.js';
import type { Rollout } from '../state.js';

/** Which hop runs now, when the path has more than one. */
function hopNow(rollout: Rollout): RolloutProgress['hop'] {
  const hops = rollout.hops;
  if (hops.length <= 1) return undefined;
  const index = Math.min(rollout.hopIndex, hops.length - 1);
  return { index, count: hops.length, version: hops[index]!.version };
}

/** `targetVersion`: the spec's, as given (the query answers before the spec is validated). */
export function progressOf(rollout: Rollout, targetVersion: string): RolloutProgress {
  const hop = hopNow(rollout);
  return {
    rolloutId: rollout.rolloutId,
    phase: rollout.phase,
    targetVersion,
    ...(rollout.resolvedVersion ? { resolvedVersion: rollout.resolvedVersion } : {}),
    total: rollout.total,
    pending: rollout.queues.pending,
    running: [...rollout.inFlight.keys()],
    runningClusters: [...rollout.inFlight.values()].map(({ entry }) => runningCluster(rollout, entry)),
    counts: { ...rollout.tally.counts },
    ...skippedOf(rollout),
    paused: rollout.paused,
    ...(rollout.stop ? { stopReason: rollout.stop.reason } : {}),
    ...(rollout.steering.maxParallelOverride !== undefined
      ? { maxParallel: rollout.steering.maxParallelOverride }
      : {}),
    ...(hop ? { hop } : {}),
    waves: waveSummaries(rollout),
    ...(rollout.queues.currentWave !== undefined ? { currentWave: rollout.queues.currentWave } : {}),
    ...rollout.notes,
    ...frozenNow(rollout),
    ...forecastShown(forecastOf(rollout, Date.now())),
    ...(rollout.plan ? { spec: describeSpec(rollout.plan) } : {}),
  };
}

/** What counts.SKIPPED is made of (domain/skipped.ts), once planning has counted; absent before. */
/** Each wave of the hop: its state, counts, parallelism in force and gate. */
export function waveSummaries(rollout: Rollout): WaveSummary[] {
  return rollout.waves.map((w) => ({
    name: w.plan.name,
    state: w.state,
    total: w.total,
    maxParallel: rollout.limitFor(w),
    counts: { ...w.counts },
    ...(w.gate ? { gate: w.gate } : {}),
  }));
}

export function skippedOf(rollout: Rollout): { skipped?: SkippedBreakdown } {
  if (!rollout.resolvedVersion) return {};
  const { tally, notes } = rollout;
  return {
    skipped: skippedBreakdown(
      tally.counts.SKIPPED,
      tally.atTarget,
      notes.unmatched?.count ?? 0,
      notes.excluded?.count ?? 0,
    ),
  };
}

/** Clusters the UI lists as skipped by an operator: the latest few, from the (bounded) action log. */
const OPERATOR_SKIPS_SHOWN = 5;
function operatorSkipsOf(rollout: Rollout): { operatorSkips?: OperatorAction[] } {
  const skips = rollout.actions.filter((a) => a.action === 'skipCluster').slice(-OPERATOR_SKIPS_SHOWN);
  return skips.length > 0 ? { operatorSkips: skips } : {};
}

/** A running cluster by name; where it is, in a rollout over several targets. */
function runningCluster(rollout: Rollout, entry: ClusterPlanEntry): RunningCluster {
  const plan = rollout.plan;
  if (!plan || plan.targets.length === 1) return { id: entry.id, name: entry.name };
  const { platform, organisation } = targetOf(plan, entry);
  return { id: entry.id, name: entry.name, platform, organisation };
}

function forecastShown(forecast: Forecast | undefined): { forecast?: Forecast } {
  return forecast ? { forecast } : {};
}

/** The freeze in force now, for the progress and the details. */
function frozenNow(rollout: Rollout): { frozen?: { reason: string; until: string } } {
  const freeze = rollout.freezes.frozenAt(Date.now());
  return freeze ? { frozen: { reason: freeze.reason, until: new Date(freeze.until).toISOString() } } : {};
}

/** What the UI's list filters on (FleetPhase, FleetProgressPercent, FleetFailedClusters). */
export function signalsOf(rollout: Rollout): RolloutSignals {
  return {
    phase: fleetPhaseOf(rollout.phase, rollout),
    percent: progressPercent(rollout.tally.ended, rollout.total, rollout.phase === 'done'),
    failed: failedClustersIn(rollout.tally.counts),
  };
}

/**
 * The current details' inputs (rendered by details.ts). `kept`: the display's forecast, kept
 * between refreshes (forecast.ts); without it the forecast is computed afresh.
 */
export function detailsOf(
  rollout: Rollout,
  signals: RolloutSignals,
  kept = new KeptForecast(rollout),
): RolloutDetailsView {
  const plan = rollout.plan!;
  const hop = hopNow(rollout);
  return {
    where: targetsLabel(plan.targets),
    targetVersion: plan.targetVersion,
    ...(rollout.resolvedVersion ? { resolvedVersion: rollout.resolvedVersion } : {}),
    ...(hop ? { hop } : {}),
    ...signals,
    total: rollout.total,
    ended: rollout.tally.ended,
    running: rollout.inFlight.size,
    pending: rollout.queues.pending,
    counts: rollout.tally.counts,
    ...skippedOf(rollout),
    ...(rollout.stop ? { stop: rollout.stop } : {}),
    waves: waveSummaries(rollout),
    ...(rollout.queues.currentWave !== undefined ? { currentWave: rollout.queues.currentWave } : {}),
    latestFailures: rollout.tally.latestFailures(),
    ...operatorSkipsOf(rollout),
    ...frozenNow(rollout),
    ...forecastShown(kept.at(Date.now())),
    ...(rollout.notes.excluded ? { excluded: rollout.notes.excluded.count } : {}),
    ...(rollout.notes.unmatched ? { unmatched: rollout.notes.unmatched.count } : {}),
    ...(rollout.notes.minors?.length ? { minors: rollout.notes.minors } : {}),
    ...(rollout.notes.leftAlone?.length ? { leftAlone: rollout.notes.leftAlone.reduce((n, g) => n + g.count, 0) } : {}),
    ...(rollout.notes.warnings?.length ? { warnings: rollout.notes.warnings } : {}),
  };
}
