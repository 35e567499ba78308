/**
 * Planning's judgement of the fleet, cluster by cluster: excluded, left out by `patchOnly`,
 * at its target, left alone (and why), moving, or a problem that refuses the rollout.
 */
import { compileExclusions, type SelectableCluster } from '../domain/selectors.js';
import type { RolloutTarget } from '../domain/spec-targets.js';
import { minorOf, parseVersion } from '../domain/versions.js';
import { inventoryPosition } from '../domain/wave-selection.js';
import type { ClusterSnapshot } from '../platforms/types.js';
import type { Offered } from './plan-hops.js';
import type { Exclusion } from '../domain/spec-selectors.js';
import { selectable } from './plan-targeting.js';
import { LeftAloneTally, type VersionJudge } from './plan-versions.js';

/** A cluster to upgrade: its minor, whether a wave lists it, where the waves' own reading finds it. */
export interface Moving {
  readonly minor: number;
  readonly listed: boolean;
  readonly position: number;
  readonly cluster: SelectableCluster;
}

/** One target as planning reads it. */
export interface TargetRead {
  readonly target: RolloutTarget;
  readonly offered: Offered;
  readonly judge: VersionJudge;
  readonly clusters: readonly ClusterSnapshot[];
}

/** What judging asks of the rollout's input (plan-rollout.ts `PlanRolloutInput`). */
export interface FleetAsk {
  readonly clusters?: readonly string[];
  readonly patchOnly?: boolean;
  readonly exclude?: readonly Exclusion[];
}

/** The fleet judged cluster by cluster: what moves, what is at its target, what is left out and why. */
export function judgeFleet(input: FleetAsk, reads: readonly TargetRead[], listed: Set<string>, problems: string[]) {
  const moving: Moving[] = [];
  const excluded: ClusterSnapshot[] = [];
  const seen: SelectableCluster[] = [];
  const excludedSeen: SelectableCluster[] = [];
  const leftAlone = new LeftAloneTally();
  const autoUpgrading: ClusterSnapshot[] = [];
  let atTarget = 0;
  let leftOut = 0;
  const isExcluded = compileExclusions(input.exclude);
  for (const [t, { target, judge, clusters }] of reads.entries()) {
    // Positions as the rollout's reading counts them: every cluster of the inventory, or
    // the spec's list less the clusters waves list.
    let listPosition = 0;
    for (const [index, cluster] of clusters.entries()) {
      const position = input.clusters ? (listed.has(cluster.id) ? -1 : listPosition++) : inventoryPosition(t, index);
      const named = `cluster ${cluster.id} (${cluster.name})`;
      const selectableCluster = selectable(cluster, target.platform, target.organisation);
      if (isExcluded(selectableCluster)) {
        excluded.push(cluster);
        excludedSeen.push(selectableCluster);
        if (listed.has(cluster.id)) problems.push(`waves: ${named} is listed in a wave and excluded`);
        continue;
      }
      seen.push(selectableCluster);
      const current = parseVersion(cluster.version);
      if (!current) {
        problems.push(`${named}: unreadable version ${JSON.stringify(cluster.platformVersion)}`);
        continue;
      }
      if (input.patchOnly && !judge.perMinor && current.minor !== judge.resolved.version.minor) {
        if (listed.has(cluster.id))
          problems.push(
            `waves: ${named} runs ${cluster.version}, not ${minorOf(judge.resolved.version)}, so a patchOnly rollout leaves it out`,
          );
        leftOut++;
        continue;
      }
      // Against the resolved version: `1.31` on Avisi means its latest patch, so 1.31.2 still moves.
      const verdict = judge.judge(current);
      if (verdict.kind === 'problem') problems.push(`${named}: ${verdict.reason}`);
      else if (verdict.kind === 'at-target') atTarget++;
      else if (verdict.kind === 'left-alone') {
        if (listed.has(cluster.id)) problems.push(`waves: ${named} is listed in a wave but left alone: ${verdict.why}`);
        leftAlone.add(verdict.why, cluster);
      } else {
        if (cluster.autoUpgrade) autoUpgrading.push(cluster);
        moving.push({ minor: verdict.minor, listed: listed.has(cluster.id), position, cluster: selectableCluster });
      }
    }
  }
  const warnings = autoUpgrading.length > 0 ? [autoUpgradeWarning(autoUpgrading)] : [];
  return { moving, excluded, seen, excludedSeen, leftAlone, atTarget, leftOut, warnings };
}

/** The platform upgrades these too, along their update channel: say so, naming a few. */
function autoUpgradeWarning(clusters: readonly ClusterSnapshot[]): string {
  const named = clusters
    .slice(0, 5)
    .map((c) => c.name)
    .join(', ');
  const more = clusters.length > 5 ? ` and ${clusters.length - 5} more` : '';
  return `${clusters.length} cluster${clusters.length === 1 ? ' has' : 's have'} autoUpgrade on (${named}${more}): the platform upgrades ${clusters.length === 1 ? 'it' : 'them'} along ${clusters.length === 1 ? 'its' : 'their'} update channel too`;
}
