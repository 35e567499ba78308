/**
 * Where a cluster of a rollout is, when the rollout spans several platforms or
 * organisations (the spec's `targets`): its entry carries the index of the target it was
 * read from, and each hop is spelled per target. With one target, nothing changes: no
 * index, no per-target hop, report lines as they always were.
 */
import type { HopVersion, PlannedHop } from '../../activities/index.js';
import type { ClusterPlanEntry, ClusterResult } from '../../domain/report.js';
import type { RolloutPlan } from '../../domain/spec.js';
import type { RolloutTarget } from '../../domain/targets.js';

/** The target a cluster belongs to. */
export const targetOf = (plan: RolloutPlan, entry: Pick<ClusterPlanEntry, 'target'>): RolloutTarget =>
  plan.targets[entry.target ?? 0]!;

/** A hop as target `t`'s platform spells it. */
export const hopOn = (hop: PlannedHop, t: number | undefined): HopVersion => hop.targets?.[t ?? 0] ?? hop;

/**
 * A report line that says where the cluster is, when the rollout spans several targets,
 * and where it was to go, in a per-minor rollout.
 */
export function placedLine(
  plan: RolloutPlan | undefined,
  entry: Pick<ClusterPlanEntry, 'target' | 'to'>,
  result: ClusterResult,
): ClusterResult {
  const line = entry.to ? { ...result, toVersion: entry.to.version } : result;
  if (!plan || plan.targets.length === 1) return line;
  const { platform, organisation } = targetOf(plan, entry);
  return { ...line, platform, organisation };
}

/** The target of a report line (its own platform and organisation, or the first target's). */
export function targetOfLine(
  plan: RolloutPlan,
  line: Pick<ClusterResult, 'platform' | 'organisation'>,
): { readonly target: RolloutTarget; readonly index: number } {
  const index = Math.max(
    0,
    plan.targets.findIndex((t) => t.platform === line.platform && t.organisation === line.organisation),
  );
  return { target: plan.targets[index]!, index };
}
