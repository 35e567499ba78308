/**
 * Where planning takes each cluster: one version for all (`1.31`, a channel resolved to
 * one), or a version per minor (`latest-patch`, `targetVersions`). A `VersionJudge` per
 * target says, for a cluster's running version, whether it moves and to what, is at its
 * target, is left alone (and why), or cannot be planned (a problem refusing the rollout).
 */
import { ApplicationFailure } from '@temporalio/common';
import { channelTarget, isChannel, LATEST_PATCH } from '../domain/channels.js';
import { INVALID_ROLLOUT } from '../domain/failure-types.js';
import type { LeftAlone, MinorGroup } from '../domain/report.js';
import type { ClusterSnapshot } from '../platforms/types.js';
import {
  compareVersions,
  formatVersion,
  latestPatchOf,
  minorOf,
  mustParseVersion,
  planStep,
  type KubeVersion,
} from '../domain/versions.js';
import type { PlatformClient } from '../platforms/types.js';
import { sampleOf } from './plan-targeting.js';
import { resolveOn, resolveTarget, type Offered, type Resolved } from './plan-hops.js';

export type Verdict =
  | { readonly kind: 'move'; readonly minor: number; readonly to?: Resolved }
  | { readonly kind: 'at-target' }
  | { readonly kind: 'left-alone'; readonly why: string }
  | { readonly kind: 'problem'; readonly reason: string };

/** What the planner was asked: the spec's target, and any per-minor versions. */
export interface VersionAsk {
  readonly targetVersion: string;
  readonly targetVersions?: Readonly<Record<string, string>>;
  readonly maxHops: number;
}

export const isPerMinorAsk = (ask: VersionAsk, targetVersions?: Readonly<Record<string, string>>): boolean =>
  ask.targetVersion === LATEST_PATCH || ask.targetVersions !== undefined || targetVersions !== undefined;

/**
 * The single version a rollout to one version goes to: the spec's, or what a channel
 * points at in the first target's catalog (a channel is only asked of platforms with one).
 */
export function wantedVersion(ask: VersionAsk, offered: Offered, client: PlatformClient): KubeVersion {
  if (!isChannel(ask.targetVersion)) return mustParseVersion(ask.targetVersion);
  const entry = channelTarget(offered ?? [], ask.targetVersion);
  if (!entry)
    throw ApplicationFailure.nonRetryable(
      `targetVersion ${ask.targetVersion}: ${client.platform} offers no versions to follow`,
      INVALID_ROLLOUT,
    );
  return entry.version;
}

/** One target's judge for a rollout to one version (a channel's clusters above it are left alone). */
export class OneVersionJudge {
  readonly perMinor = false;
  constructor(
    readonly resolved: Resolved,
    private readonly ask: VersionAsk,
    /** As the spec asked it (`1.31`), for messages. */
    private readonly wanted: KubeVersion,
  ) {}

  judge(current: KubeVersion): Verdict {
    const target = this.resolved.version;
    const step = planStep(current, target);
    if (step.kind === 'at-target') return { kind: 'at-target' };
    if (step.kind === 'rejected') {
      if (isChannel(this.ask.targetVersion) && current.major === target.major && compareVersions(current, target) > 0)
        return { kind: 'left-alone', why: `already past ${this.ask.targetVersion} (${formatVersion(target)})` };
      return { kind: 'problem', reason: step.reason };
    }
    if (step.hops > this.ask.maxHops)
      return {
        kind: 'problem',
        reason:
          `${formatVersion(current)} -> ${formatVersion(this.wanted)} skips a minor version (Kubernetes upgrades one minor at a time; ` +
          `set maxHops to ${step.hops} to upgrade through every minor in between)`,
      };
    return { kind: 'move', minor: current.minor };
  }
}

/**
 * One target's judge for a per-minor rollout: a cluster goes to its minor's entry in
 * `targetVersions` (the target's over the spec's), else with `latest-patch` to the newest
 * patch of its minor the platform offers. Each minor resolves once; a target the platform
 * does not offer is one problem, named once.
 */
export class PerMinorJudge {
  readonly perMinor = true;
  private readonly resolved = new Map<string, Resolved | string>();
  readonly groups = new Map<string, { to: Resolved; clusters: number; atTarget: number }>();

  constructor(
    private readonly platform: string,
    private readonly offered: Offered,
    private readonly ask: VersionAsk,
    private readonly targetVersions: Readonly<Record<string, string>>,
    private readonly problems: string[],
  ) {}

  judge(current: KubeVersion): Verdict {
    const minor = minorOf(current);
    const to = this.targetOf(minor);
    if (typeof to === 'string') return { kind: 'left-alone', why: to };
    const step = planStep(current, to.version);
    const group = this.groups.get(minor) ?? { to, clusters: 0, atTarget: 0 };
    this.groups.set(minor, group);
    if (step.kind === 'at-target') {
      group.atTarget++;
      return { kind: 'at-target' };
    }
    if (step.kind === 'rejected') return { kind: 'left-alone', why: `already past ${formatVersion(to.version)}` };
    group.clusters++;
    return { kind: 'move', minor: current.minor, to };
  }

  /** The minors' targets, as a hop carries them (plain and as requests spell them). */
  minors(): Record<string, { version: string; requestVersion: string }> {
    return Object.fromEntries(
      [...this.groups].map(([minor, g]) => [
        minor,
        { version: formatVersion(g.to.version), requestVersion: g.to.requestVersion },
      ]),
    );
  }

  /** The groups as the plan and the report show them. */
  minorGroups(target?: number): MinorGroup[] {
    return [...this.groups]
      .sort(([a], [b]) => compareVersions(mustParseVersion(a), mustParseVersion(b)))
      .map(([minor, g]) => ({
        minor,
        to: formatVersion(g.to.version),
        clusters: g.clusters,
        atTarget: g.atTarget,
        ...(target !== undefined ? { target } : {}),
      }));
  }

  /** A minor's target, or why its clusters are left alone; resolved once per minor. */
  private targetOf(minor: string): Resolved | string {
    const known = this.resolved.get(minor);
    if (known !== undefined) return known;
    const found = this.resolve(minor);
    this.resolved.set(minor, found);
    return found;
  }

  private resolve(minor: string): Resolved | string {
    const written = this.targetVersions[minor] ?? this.ask.targetVersions?.[minor];
    if (written !== undefined) {
      const match = resolveOn(this.offered, mustParseVersion(written));
      if (match) return match;
      const offered = (this.offered ?? []).filter((o) => minorOf(o.version) === minor).map((o) => o.version);
      this.problems.push(
        `targetVersions["${minor}"]: ${written} is not offered by ${this.platform}; it offers ${offered.length > 0 ? offered.map(formatVersion).join(', ') : `no ${minor}`}`,
      );
      return `${written} is not offered`;
    }
    if (this.ask.targetVersion !== LATEST_PATCH || !this.offered) return `targetVersions names no version for ${minor}`;
    const latest = latestPatchOf(this.offered ?? [], mustParseVersion(minor));
    if (!latest) return `${this.platform} no longer offers ${minor}`;
    return { requestVersion: latest.platformVersion, version: latest.version };
  }
}

export type VersionJudge = OneVersionJudge | PerMinorJudge;

/** The judge for one target. */
export function judgeFor(
  client: PlatformClient,
  offered: Offered,
  ask: VersionAsk,
  targetVersions: Readonly<Record<string, string>> | undefined,
  wanted: KubeVersion | undefined,
  problems: string[],
): VersionJudge {
  if (isPerMinorAsk(ask, targetVersions))
    return new PerMinorJudge(client.platform, offered, ask, targetVersions ?? {}, problems);
  return new OneVersionJudge(resolveTarget(client, offered, wanted!), ask, wanted!);
}

/** Clusters left alone, grouped by why, each group with its count and first names. */
export class LeftAloneTally {
  private readonly byWhy = new Map<string, ClusterSnapshot[]>();
  count = 0;

  add(why: string, cluster: ClusterSnapshot): void {
    const group = this.byWhy.get(why) ?? [];
    group.push(cluster);
    this.byWhy.set(why, group);
    this.count++;
  }

  groups(): LeftAlone[] {
    return [...this.byWhy].map(([why, clusters]) => ({ why, ...sampleOf(clusters) }));
  }
}
