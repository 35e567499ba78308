/**
 * The versions a rollout moves through: the target resolved on each platform (the
 * latest patch it offers of a minor, or the exact patch), and the single-minor hops from
 * the oldest minor in the fleet up to it. A rollout over several platforms shares one
 * path of minors; each platform spells each hop its own way.
 */
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_ROLLOUT } from '../domain/failure-types.js';
import { compareVersions, formatVersion, latestPatchOf, parseVersion, type KubeVersion } from '../domain/versions.js';
import type { PlatformClient } from '../platforms/types.js';

export type Offered = readonly { readonly version: KubeVersion; readonly platformVersion: string }[] | undefined;

/** A version as a platform has it: plain, and as its requests spell it. */
export interface Resolved {
  readonly requestVersion: string;
  readonly version: KubeVersion;
}

/** One hop for one platform, as requests and page reads need it. */
export interface HopVersion {
  /** Plain, e.g. `1.30.10` (or `1.30` on a platform without a version list). */
  readonly version: string;
  /** As the platform spells it in requests (`v1.30.10-u-ame.1`). */
  readonly requestVersion: string;
  /** A per-minor pass: each minor's own target on this platform. */
  readonly minors?: MinorTargets;
}

/** A per-minor pass's targets by minor (`1.30`): plain and as requests spell them. */
export type MinorTargets = Readonly<Record<string, { readonly version: string; readonly requestVersion: string }>>;

export async function offeredVersions(client: PlatformClient): Promise<Offered> {
  const offered = await client.listVersions();
  return offered?.flatMap((o) => {
    const version = parseVersion(o.version);
    return version ? [{ platformVersion: o.platformVersion, version }] : [];
  });
}

/**
 * A version on the platform: the latest patch of a minor, or an exact patch. Without a version
 * list (Aether) the platform resolves it.
 */
export function resolveOn(offered: Offered, wanted: KubeVersion): Resolved | undefined {
  if (!offered) return { requestVersion: formatVersion(wanted), version: wanted };
  const match =
    wanted.patch === undefined
      ? latestPatchOf(offered, wanted)
      : offered.find((o) => compareVersions(o.version, wanted) === 0);
  return match && { requestVersion: match.platformVersion, version: match.version };
}

export function resolveTarget(client: PlatformClient, offered: Offered, target: KubeVersion): Resolved {
  const match = resolveOn(offered, target);
  if (!match) {
    const list = (offered ?? []).map((o) => formatVersion(o.version)).join(', ');
    throw ApplicationFailure.nonRetryable(
      `targetVersion ${formatVersion(target)} is not offered by ${client.platform}; offered: ${list}`,
      INVALID_ROLLOUT,
    );
  }
  return match;
}

/** What the path needs of one platform: what it offers, the target on it, its oldest minor that moves. */
export interface PathTarget {
  readonly platform: string;
  readonly offered: Offered;
  readonly resolved: Resolved;
  /** The oldest minor among its clusters that move (its target's minor when none move). */
  readonly oldestMinor: number;
}

/**
 * The hops from the oldest minor in the fleet to the target: every minor in between at
 * its latest offered patch, then the target, per platform. A hop a platform with clusters
 * on an older minor does not offer is a problem (the path would break the skew rule).
 */
export function planPath(targets: readonly PathTarget[], problems: string[]): HopVersion[][] {
  const target = targets[0]!.resolved.version;
  const oldest = Math.min(...targets.map((t) => t.oldestMinor));
  const path: HopVersion[][] = [];
  for (let minor = oldest + 1; minor < target.minor; minor++) {
    const wanted = { major: target.major, minor };
    path.push(
      targets.map((t) => {
        const hop = resolveOn(t.offered, wanted);
        if (hop) return { version: formatVersion(hop.version), requestVersion: hop.requestVersion };
        if (t.oldestMinor < minor) {
          const on = targets.length > 1 ? ` by ${t.platform}` : ' by the platform';
          problems.push(
            `hop ${formatVersion(wanted)}: not offered${on}, so the fleet cannot reach ${formatVersion(target)} one minor at a time`,
          );
        }
        // No cluster of this platform takes the hop: its spelling is never used.
        return { version: formatVersion(wanted), requestVersion: formatVersion(wanted) };
      }),
    );
  }
  path.push(
    targets.map((t) => ({ version: formatVersion(t.resolved.version), requestVersion: t.resolved.requestVersion })),
  );
  return path;
}
