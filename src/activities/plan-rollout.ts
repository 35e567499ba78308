/**
 * Reads what a rollout needs before it changes anything: the version the target
 * resolves to on the platform, and every cluster's current version. Rejects the whole
 * rollout (non-retryable, naming each cluster) when a cluster is unknown, would be
 * downgraded, or would skip a minor version: nothing has been sent to the platform yet.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { INVALID_ROLLOUT } from '../domain/failure-types.js';
import type { PlatformName } from '../domain/platform.js';
import type { ClusterSample } from '../domain/report.js';
import { compileExclusions, type SelectableCluster } from '../domain/selectors.js';
import type { Exclusion } from '../domain/spec-selectors.js';
import type { RolloutTarget } from '../domain/spec-targets.js';
import { formatVersion, minorOf, mustParseVersion, parseVersion, planStep } from '../domain/versions.js';
import { inventoryPosition } from '../domain/wave-selection.js';
import { PlatformApiError } from '../platforms/errors.js';
import type { ClusterSnapshot, PlatformClient } from '../platforms/types.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import { offeredVersions, planPath, resolveTarget, type HopVersion, type Offered, type Resolved } from './plan-hops.js';
import {
  sampleOf,
  selectable,
  selectorFindings,
  unmatchedProblem,
  waveSizes,
  type SelectionInput,
} from './plan-targeting.js';

export interface PlanRolloutInput {
  /** The rollout's (first) target. */
  readonly platform: PlatformName;
  readonly organisation: string;
  /** A rollout over several platforms or organisations: all of them, the first being `platform`/`organisation`. */
  readonly targets?: readonly RolloutTarget[];
  readonly targetVersion: string;
  readonly clusters?: readonly string[];
  /** Minor versions one rollout may cross (each a hop). @default 1 */
  readonly maxHops?: number;
  /** Clusters the spec's waves list: each must be in the rollout. */
  readonly waveClusters?: readonly string[];
  /** Only clusters on the target's minor take part (patch upgrades); the others are left out, not rejected. */
  readonly patchOnly?: boolean;
  /** Clusters never touched (the spec's `exclude`): left out before anything is judged. */
  readonly exclude?: readonly Exclusion[];
  /** When a wave has `match`: how the waves select, so planning sizes them per hop. */
  readonly select?: SelectionInput;
}

/** One pass over the fleet, to one version. */
export interface PlannedHop {
  /** Plain, e.g. `1.30.10` (or `1.30` on a platform without a version list). */
  readonly version: string;
  /** As the platform spells it in requests (`v1.30.10-u-ame.1`). */
  readonly requestVersion: string;
  /** Clusters this hop upgrades if every earlier hop succeeds. */
  readonly clusters: number;
  /** Of those, the ones waves list by id. */
  readonly listed: number;
  /**
   * With `select`: the clusters each wave takes from the inventory in this hop (`rest` last,
   * when one was cut short).
   */
  readonly waves?: readonly number[];
  /**
   * With several targets: this hop on each (in the targets' order); `version`/`requestVersion`
   * are the first target's.
   */
  readonly targets?: readonly HopVersion[];
}

/**
 * Counts, not clusters: a rollout of 10,000 clusters must not carry them in one payload.
 * The rollout reads them page by page when it needs them (readPlanPage).
 */
export interface PlanRolloutResult {
  /** The target as the platform spells it in requests (`v1.31.6-u-ame.1`, or `1.31` on Aether): the last hop's. */
  readonly resolvedVersion: string;
  /** Single-minor steps to the target, oldest first; the last is the target itself. */
  readonly hops: readonly PlannedHop[];
  /** Clusters in the rollout, those at the target included (with `patchOnly`, those on the target's minor). */
  readonly total: number;
  /** With `patchOnly`: clusters on other minors, left out of the rollout. */
  readonly leftOut?: number;
  /** Already at the target: nothing to do. */
  readonly atTarget: number;
  /** The platform's API budget, calls a minute for all workers together (0: none): children space their polls by it. */
  readonly apiRatePerMinute: number;
  /** Clusters the spec's `exclude` left out (not in `total`). */
  readonly excluded?: ClusterSample;
  /** With `"unmatched": "skip"`: clusters no wave takes, reported SKIPPED (in `total`, not in the hops). */
  readonly unmatched?: ClusterSample;
  /** What the plan should say but not refuse for: a selector value no cluster has. */
  readonly warnings?: readonly string[];
  /** With several targets: each one's resolved target and API budget (the top-level fields are the first's). */
  readonly targets?: readonly PlannedTarget[];
}

export interface PlannedTarget extends RolloutTarget {
  readonly resolvedVersion: string;
  readonly apiRatePerMinute: number;
}

/** At most this many problems are listed in a rejection; the count says how many more. */
const MAX_LISTED_PROBLEMS = 20;

async function readInventory(
  client: PlatformClient,
  organisation: string,
  ids: readonly string[] | undefined,
  problems: string[],
): Promise<ClusterSnapshot[]> {
  const found: ClusterSnapshot[] = [];
  if (!ids) {
    for await (const cluster of client.listClusters(organisation)) {
      found.push(cluster);
      if (found.length % 500 === 0) Context.current().heartbeat({ read: found.length });
    }
    return found;
  }
  for (const id of ids) {
    try {
      found.push(await client.getCluster(organisation, id));
    } catch (error) {
      if (error instanceof PlatformApiError && error.status === 404)
        problems.push(`clusters: unknown cluster ${id} in ${organisation}`);
      else throw error;
    }
    Context.current().heartbeat({ read: found.length });
  }
  return found;
}

/** A cluster to upgrade: its minor, whether a wave lists it, where the waves' own reading finds it. */
interface Moving {
  readonly minor: number;
  readonly listed: boolean;
  readonly position: number;
  readonly cluster: SelectableCluster;
}

/** One target as planning reads it. */
interface TargetRead {
  readonly target: RolloutTarget;
  readonly offered: Offered;
  readonly resolved: Resolved;
  readonly clusters: readonly ClusterSnapshot[];
}

export function createPlanRollout(deps: ActivityDeps) {
  return async function planRollout(input: PlanRolloutInput): Promise<PlanRolloutResult> {
    return withPlatformFailures(async () => {
      const wanted = mustParseVersion(input.targetVersion);
      const maxHops = input.maxHops ?? 1;
      const problems: string[] = [];
      const targets = input.targets ?? [{ platform: input.platform, organisation: input.organisation }];
      const reads: TargetRead[] = [];
      for (const target of targets) {
        const client = deps.clientFor(target.platform);
        const offered = await offeredVersions(client);
        const resolved = resolveTarget(client, offered, wanted);
        reads.push({
          target,
          offered,
          resolved,
          clusters: await readInventory(client, target.organisation, input.clusters, problems),
        });
      }
      const listed = new Set(input.waveClusters ?? []);
      const known = new Set(reads.flatMap((r) => r.clusters.map((c) => c.id)));
      for (const id of listed) if (!known.has(id)) problems.push(`waves: cluster ${id} is not in this rollout`);
      const moving: Moving[] = [];
      const oldestMinors: number[] = [];
      let atTarget = 0;
      let leftOut = 0;
      const isExcluded = compileExclusions(input.exclude);
      const excluded: ClusterSnapshot[] = [];
      const fleet: SelectableCluster[] = [];
      const excludedFleet: SelectableCluster[] = [];
      for (const [t, { target, resolved, clusters }] of reads.entries()) {
        let oldestMinor = resolved.version.minor;
        // Positions as the rollout's reading counts them: every cluster of the inventory, or
        // the spec's list less the clusters waves list.
        let listPosition = 0;
        for (const [index, cluster] of clusters.entries()) {
          const position = input.clusters
            ? listed.has(cluster.id)
              ? -1
              : listPosition++
            : inventoryPosition(t, index);
          const seen = selectable(cluster, target.platform, target.organisation);
          if (isExcluded(seen)) {
            excluded.push(cluster);
            excludedFleet.push(seen);
            if (listed.has(cluster.id))
              problems.push(`waves: cluster ${cluster.id} (${cluster.name}) is listed in a wave and excluded`);
            continue;
          }
          fleet.push(seen);
          const current = parseVersion(cluster.version);
          if (!current) {
            problems.push(
              `cluster ${cluster.id} (${cluster.name}): unreadable version ${JSON.stringify(cluster.platformVersion)}`,
            );
            continue;
          }
          if (input.patchOnly && current.minor !== resolved.version.minor) {
            if (listed.has(cluster.id))
              problems.push(
                `waves: cluster ${cluster.id} (${cluster.name}) runs ${cluster.version}, not ${minorOf(resolved.version)}, so a patchOnly rollout leaves it out`,
              );
            leftOut++;
            continue;
          }
          // Against the resolved version: `1.31` on Avisi means its latest patch, so 1.31.2 still moves.
          const step = planStep(current, resolved.version);
          if (step.kind === 'rejected') problems.push(`cluster ${cluster.id} (${cluster.name}): ${step.reason}`);
          else if (step.kind === 'upgrade' && step.hops > maxHops) {
            problems.push(
              `cluster ${cluster.id} (${cluster.name}): ${cluster.version} -> ${formatVersion(wanted)} skips a minor version (Kubernetes upgrades one minor at a time; ` +
                `set maxHops to ${step.hops} to upgrade through every minor in between)`,
            );
          } else if (step.kind === 'at-target') atTarget++;
          else {
            moving.push({ minor: current.minor, listed: listed.has(cluster.id), position, cluster: seen });
            oldestMinor = Math.min(oldestMinor, current.minor);
          }
        }
        oldestMinors.push(oldestMinor);
      }
      const path = planPath(
        reads.map((r, t) => ({
          platform: r.target.platform,
          offered: r.offered,
          resolved: r.resolved,
          oldestMinor: oldestMinors[t]!,
        })),
        problems,
      );
      // A cluster on minor m takes every hop above m (the last one included).
      let unmatched: ClusterSample | undefined;
      const hops: PlannedHop[] = path.map((perTarget, index) => {
        const hop = { ...perTarget[0]!, ...(targets.length > 1 ? { targets: perTarget } : {}) };
        const minor = mustParseVersion(hop.version).minor;
        const last = index === path.length - 1;
        const takes = last ? moving : moving.filter((c) => c.minor < minor);
        const listedHere = takes.filter((c) => c.listed).length;
        if (!input.select) return { ...hop, clusters: takes.length, listed: listedHere };
        const inPlay = takes.filter((c) => !c.listed).map((c) => ({ cluster: c.cluster, position: c.position }));
        const waves = waveSizes(inPlay, input.select.waves, takes.length);
        if (last && waves.unmatched.length > 0) {
          if (input.select.unmatched === 'skip') unmatched = sampleOf(waves.unmatched.map((p) => p.cluster));
          else problems.push(unmatchedProblem(waves.unmatched));
        }
        // Clusters no wave takes are not this hop's to upgrade.
        return { ...hop, clusters: takes.length - waves.unmatched.length, listed: listedHere, waves: waves.sizes };
      });
      const findings = selectorFindings(fleet, excludedFleet, input.select?.waves ?? [], input.exclude);
      problems.push(...findings.problems);
      if (problems.length > 0) {
        const named = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
        const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
        throw ApplicationFailure.nonRetryable(`rollout rejected before any change: ${named}${more}`, INVALID_ROLLOUT);
      }
      const rate = (platform: PlatformName) => deps.apiRatePerMinute?.(platform) ?? 0;
      deps.logger.info(
        {
          targets: targets.map((t) => `${t.platform}/${t.organisation}`).join(', '),
          clusters: moving.length,
          atTarget,
          leftOut,
          hops: hops.map((h) => h.version),
        },
        'rollout planned',
      );
      return {
        resolvedVersion: reads[0]!.resolved.requestVersion,
        hops,
        total: reads.reduce((n, r) => n + r.clusters.length, 0) - leftOut - excluded.length,
        atTarget,
        ...(excluded.length > 0 ? { excluded: sampleOf(excluded) } : {}),
        ...(unmatched ? { unmatched } : {}),
        ...(findings.warnings.length > 0 ? { warnings: findings.warnings } : {}),
        ...(input.patchOnly ? { leftOut } : {}),
        apiRatePerMinute: rate(targets[0]!.platform),
        ...(targets.length > 1
          ? {
              targets: reads.map((r) => ({
                ...r.target,
                resolvedVersion: r.resolved.requestVersion,
                apiRatePerMinute: rate(r.target.platform),
              })),
            }
          : {}),
      };
    });
  };
}
