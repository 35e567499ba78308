/**
 * The report `fleetRollout` returns when it ends: counts, the clusters that did not
 * succeed (bounded), the operators' actions, and for a dry run the freezes and the
 * forecast ahead. Read from the `Rollout`, never changing it.
 */
import type { Forecast } from '../../../domain/forecast.js';
import { freezeWindows, mergedFreezeWindows } from '../../../domain/freeze.js';
import { rolloutStatusOf, type RolloutReport } from '../../../domain/report.js';
import type { RolloutPlan } from '../../../domain/spec.js';
import { describeSpec } from '../../../domain/spec-describe.js';
import type { Rollout } from '../state.js';
import { dryRunForecast } from './forecast.js';
import { skippedOf, waveSummaries } from './progress.js';

/** The report lists at most this many clusters that did not succeed; `clustersOmitted` counts the rest. */
export const MAX_REPORTED_CLUSTERS = 1000;

function dryRunForecastOf(rollout: Rollout): { forecast?: Forecast } {
  const forecast = dryRunForecast(rollout);
  return forecast ? { forecast } : {};
}

/** Days ahead a dry run lists freezes for, and at most how many. */
const FREEZE_DAYS_AHEAD = 30;
const MAX_FREEZES_LISTED = 20;

/** A dry run shows where freezes fall in the days ahead, those that overlap or touch as one (as the rollout does). */
function freezesAhead(rollout: Rollout, periods: RolloutPlan['freeze']): Pick<RolloutReport, 'freezes'> {
  const windows = mergedFreezeWindows(
    freezeWindows(periods ?? [], Date.parse(rollout.startedAt), FREEZE_DAYS_AHEAD),
  ).slice(0, MAX_FREEZES_LISTED);
  return windows.length > 0
    ? {
        freezes: windows.map((w) => ({
          from: new Date(w.start).toISOString(),
          to: new Date(w.end).toISOString(),
          reason: w.reason,
        })),
      }
    : {};
}

export function reportOf(rollout: Rollout): RolloutReport {
  const plan = rollout.plan!;
  const tally = rollout.tally;
  const clusters = [...tally.notSucceeded.values()];
  const omitted =
    Math.max(clusters.length, plan.dryRun ? rollout.dryRun.count : 0) -
    Math.min(clusters.length, MAX_REPORTED_CLUSTERS);
  return {
    rolloutId: rollout.rolloutId,
    status: rollout.stop?.status ?? rolloutStatusOf(tally.counts),
    platform: plan.platform,
    organisation: plan.organisation,
    ...(rollout.targets
      ? {
          targets: rollout.targets.map(({ platform, organisation, resolvedVersion }) => ({
            platform,
            organisation,
            resolvedVersion,
          })),
        }
      : {}),
    targetVersion: plan.targetVersion,
    resolvedVersion: rollout.resolvedVersion!,
    hops: rollout.hops.map((h) => h.version),
    spec: describeSpec(plan),
    dryRun: plan.dryRun,
    total: rollout.total,
    counts: { ...tally.counts },
    ...skippedOf(rollout),
    clusters: clusters.slice(0, MAX_REPORTED_CLUSTERS),
    ...(omitted > 0 ? { clustersOmitted: omitted } : {}),
    ...(rollout.stop ? { stopReason: rollout.stop.reason } : {}),
    ...rollout.notes,
    ...(plan.dryRun ? { ...freezesAhead(rollout, plan.freeze), ...dryRunForecastOf(rollout) } : {}),
    waves: waveSummaries(rollout),
    actions: [...rollout.actions],
    actionCount: rollout.actionCount,
    startedAt: rollout.startedAt,
    finishedAt: new Date().toISOString(),
  };
}
