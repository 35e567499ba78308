/**
 * Reads what a rollout needs before it changes anything: the version the target
 * resolves to on the platform, and every cluster's current version. Rejects the whole
 * rollout (non-retryable, naming each cluster) when a cluster is unknown, would be
 * downgraded, or would skip a minor version: nothing has been sent to the platform yet.
 */
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_ROLLOUT } from '../domain/failure-types.js';
import type { PlatformName } from '../domain/platform.js';
import type { ClusterSample, LeftAlone, MinorGroup } from '../domain/report.js';
import type { Exclusion } from '../domain/spec-selectors.js';
import type { RolloutTarget } from '../domain/spec-targets.js';
import { compareVersions, mustParseVersion, type KubeVersion } from '../domain/versions.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import { offeredVersions, planPath, type HopVersion, type MinorTargets } from './plan-hops.js';
import { judgeFleet, type Moving, type TargetRead } from './plan-fleet.js';
import { readInventory } from './plan-inventory.js';
import { isPerMinorAsk, judgeFor, wantedVersion, type OneVersionJudge, type VersionJudge } from './plan-versions.js';
import { sampleOf, selectorFindings, unmatchedProblem, waveSizes, type SelectionInput } from './plan-targeting.js';

export interface PlanRolloutInput {
  /** The rollout's (first) target. */
  readonly platform: PlatformName;
  readonly organisation: string;
  /** A rollout over several platforms or organisations: all of them, the first being `platform`/`organisation`. */
  readonly targets?: readonly RolloutTarget[];
  /** A version, `latest-patch`, `stable` or `rapid` (with `targetVersions`: the spec's label, unused). */
  readonly targetVersion: string;
  /** A version per minor (the spec's; a target's own come in `targets`): the rollout is per minor. */
  readonly targetVersions?: Readonly<Record<string, string>>;
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
  /** A per-minor pass: each minor's target (`version` is the newest of them); a cluster's own is its entry's `to`. */
  readonly minors?: MinorTargets;
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
  /** Clusters left out of the rollout: with `patchOnly`, those on other minors; and every one `leftAlone` counts. */
  readonly leftOut?: number;
  /** Already at the target: nothing to do. */
  readonly atTarget: number;
  /** The platform's API budget, calls a minute for all workers together (0: none): children space their polls by it. */
  readonly apiRatePerMinute: number;
  /** Clusters the spec's `exclude` left out (not in `total`). */
  readonly excluded?: ClusterSample;
  /** A per-minor rollout: each minor's target and how many clusters move (per target, with several). */
  readonly minors?: readonly MinorGroup[];
  /** Clusters left alone (not in `total`): a minor no longer offered or not named, a cluster past its target. */
  readonly leftAlone?: readonly LeftAlone[];
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

export function createPlanRollout(deps: ActivityDeps) {
  return async function planRollout(input: PlanRolloutInput): Promise<PlanRolloutResult> {
    return withPlatformFailures(async () => {
      const problems: string[] = [];
      const targets = input.targets ?? [{ platform: input.platform, organisation: input.organisation }];
      const reads = await readTargets(deps, input, targets, problems);
      const listed = new Set(input.waveClusters ?? []);
      const known = new Set(reads.flatMap((r) => r.clusters.map((c) => c.id)));
      for (const id of listed) if (!known.has(id)) problems.push(`waves: cluster ${id} is not in this rollout`);
      const fleet = judgeFleet(input, reads, listed, problems);
      let unmatched: ClusterSample | undefined;
      const hops = hopsOf(reads, fleet.moving, problems).map((hop, index, all) => {
        const shaped = shapeHop(input, hop, fleet.moving, index === all.length - 1);
        if (shaped.unmatched.length > 0) {
          if (input.select?.unmatched === 'skip') unmatched = sampleOf(shaped.unmatched.map((p) => p.cluster));
          else problems.push(unmatchedProblem(shaped.unmatched));
        }
        return shaped.hop;
      });
      const findings = selectorFindings(fleet.seen, fleet.excludedSeen, input.select?.waves ?? [], input.exclude);
      problems.push(...findings.problems);
      if (problems.length > 0) {
        const named = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
        const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
        throw ApplicationFailure.nonRetryable(`rollout rejected before any change: ${named}${more}`, INVALID_ROLLOUT);
      }
      const rate = (platform: PlatformName) => deps.apiRatePerMinute?.(platform) ?? 0;
      const leftOut = fleet.leftOut + fleet.leftAlone.count;
      deps.logger.info(
        {
          targets: targets.map((t) => `${t.platform}/${t.organisation}`).join(', '),
          clusters: fleet.moving.length,
          atTarget: fleet.atTarget,
          leftOut,
          hops: hops.map((h) => h.version),
        },
        'rollout planned',
      );
      const minors = reads.flatMap((r, t) =>
        r.judge.perMinor ? r.judge.minorGroups(targets.length > 1 ? t : undefined) : [],
      );
      const warnings = [...findings.warnings, ...fleet.warnings];
      return {
        resolvedVersion: hops.at(-1)!.requestVersion,
        hops,
        total: reads.reduce((n, r) => n + r.clusters.length, 0) - leftOut - fleet.excluded.length,
        atTarget: fleet.atTarget,
        ...(fleet.excluded.length > 0 ? { excluded: sampleOf(fleet.excluded) } : {}),
        ...(unmatched ? { unmatched } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(input.patchOnly || leftOut > 0 ? { leftOut } : {}),
        ...(reads.some((r) => r.judge.perMinor) ? { minors } : {}),
        ...(fleet.leftAlone.count > 0 ? { leftAlone: fleet.leftAlone.groups() } : {}),
        apiRatePerMinute: rate(targets[0]!.platform),
        ...(targets.length > 1
          ? {
              targets: reads.map((r, t) => ({
                ...r.target,
                resolvedVersion: (hops.at(-1)!.targets?.[t] ?? hops.at(-1)!).requestVersion,
                apiRatePerMinute: rate(r.target.platform),
              })),
            }
          : {}),
      };
    });
  };
}

/** Each target's catalog, its judge, and its clusters. */
async function readTargets(
  deps: ActivityDeps,
  input: PlanRolloutInput,
  targets: readonly RolloutTarget[],
  problems: string[],
): Promise<TargetRead[]> {
  const ask = {
    targetVersion: input.targetVersion,
    maxHops: input.maxHops ?? 1,
    ...(input.targetVersions ? { targetVersions: input.targetVersions } : {}),
  };
  const reads: TargetRead[] = [];
  let wanted: KubeVersion | undefined;
  for (const target of targets) {
    const client = deps.clientFor(target.platform);
    const offered = await offeredVersions(client);
    if (!isPerMinorAsk(ask, target.targetVersions)) wanted ??= wantedVersion(ask, offered, client);
    const judge = judgeFor(client, offered, ask, target.targetVersions, wanted, problems);
    const clusters = await readInventory(client, target.organisation, input.clusters, problems);
    reads.push({ target, offered, judge, clusters });
  }
  return reads;
}

/** The path: hops from the oldest minor to one version, or one pass with a version per minor. */
function hopsOf(reads: readonly TargetRead[], moving: readonly Moving[], problems: string[]): HopVersion[][] {
  if (reads.some((r) => r.judge.perMinor)) return [reads.map((r) => perMinorHop(r.judge))];
  const oneVersion = reads.map((r) => r.judge as OneVersionJudge);
  return planPath(
    reads.map((r, t) => {
      const resolved = oneVersion[t]!.resolved;
      const minors = moving.filter((m) => inTarget(m, r.target)).map((m) => m.minor);
      return {
        platform: r.target.platform,
        offered: r.offered,
        resolved,
        oldestMinor: Math.min(resolved.version.minor, ...minors),
      };
    }),
    problems,
  );
}

const inTarget = (m: Moving, target: RolloutTarget) =>
  m.cluster.platform === target.platform && m.cluster.organisation === target.organisation;

/** A per-minor pass, as a hop: its `version` the newest of the minors' targets, and each minor's. */
function perMinorHop(judge: VersionJudge): HopVersion {
  const minors = judge.perMinor ? judge.minors() : {};
  const newest = Object.values(minors).sort((a, b) =>
    compareVersions(mustParseVersion(a.version), mustParseVersion(b.version)),
  );
  const top = newest.at(-1) ?? { version: '0.0', requestVersion: '0.0' };
  return { ...top, minors };
}

/** One hop's counts and waves: a cluster on minor m takes every hop above m (the last one included). */
function shapeHop(input: PlanRolloutInput, perTarget: readonly HopVersion[], moving: readonly Moving[], last: boolean) {
  const several = perTarget.length > 1;
  const hop = { ...perTarget[0]!, ...(several ? { targets: perTarget } : {}) };
  const minor = mustParseVersion(hop.version).minor;
  const takes = last ? moving : moving.filter((c) => c.minor < minor);
  const listedHere = takes.filter((c) => c.listed).length;
  if (!input.select) return { hop: { ...hop, clusters: takes.length, listed: listedHere }, unmatched: [] };
  const inPlay = takes.filter((c) => !c.listed).map((c) => ({ cluster: c.cluster, position: c.position }));
  const waves = waveSizes(inPlay, input.select.waves, takes.length);
  const unmatched = last ? waves.unmatched : [];
  // Clusters no wave takes are not this hop's to upgrade.
  return {
    hop: { ...hop, clusters: takes.length - waves.unmatched.length, listed: listedHere, waves: waves.sizes },
    unmatched,
  };
}
