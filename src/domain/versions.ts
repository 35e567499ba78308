/**
 * Kubernetes versions as the two platforms write them, and the upgrade rules both
 * enforce. Pure functions: used by workflows (deterministic), clients and simulator.
 *
 * Accepted spellings: `1.31`, `1.31.4`, `v1.31.4`, and Avisi's AME builds such as
 * `v1.30.4-u-ame.3` (the Kubernetes version is the part before the first `-`).
 */

export interface KubeVersion {
  readonly major: number;
  readonly minor: number;
  /** Absent for a `MAJOR.MINOR` target, which means "the latest patch of that minor". */
  readonly patch?: number;
}

const VERSION = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?(?:[-+][0-9A-Za-z.-]+)?$/;

export function parseVersion(text: string): KubeVersion | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch] = match;
  return patch === undefined
    ? { major: Number(major), minor: Number(minor) }
    : { major: Number(major), minor: Number(minor), patch: Number(patch) };
}

/** Like parseVersion, for input that must be a version: throws a message naming the text. */
export function mustParseVersion(text: string): KubeVersion {
  const version = parseVersion(text);
  if (!version) throw new Error(`not a Kubernetes version: ${JSON.stringify(text)} (expected 1.31 or 1.31.4)`);
  return version;
}

export function formatVersion(v: KubeVersion): string {
  return v.patch === undefined ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`;
}

export function minorOf(v: KubeVersion): string {
  return `${v.major}.${v.minor}`;
}

/** Orders versions; a missing patch sorts before every patch of its minor. */
export function compareVersions(a: KubeVersion, b: KubeVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? -1) - (b.patch ?? -1);
}

/** Whether `observed` satisfies `target`: a `MAJOR.MINOR` target matches any patch of it. */
export function satisfiesTarget(observed: KubeVersion, target: KubeVersion): boolean {
  if (observed.major !== target.major || observed.minor !== target.minor) return false;
  return target.patch === undefined || observed.patch === target.patch;
}

/** The highest patch of `minor` among `offered`, or undefined when the minor is not offered. */
export function latestPatchOf<T extends { version: KubeVersion }>(
  offered: readonly T[],
  minor: KubeVersion,
): T | undefined {
  let best: T | undefined;
  for (const candidate of offered) {
    const v = candidate.version;
    if (v.major !== minor.major || v.minor !== minor.minor) continue;
    if (!best || compareVersions(v, best.version) > 0) best = candidate;
  }
  return best;
}

export type UpgradeStep =
  | { readonly kind: 'at-target' }
  | { readonly kind: 'upgrade'; readonly hops: number }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * What it takes to move a cluster from `current` to `target` under the Kubernetes
 * skew rule (never skip a minor) and the platforms' rule (no downgrades across a
 * rollout). `hops` counts minor versions to cross; 0 means a patch bump.
 */
export function planStep(current: KubeVersion, target: KubeVersion): UpgradeStep {
  if (satisfiesTarget(current, target)) return { kind: 'at-target' };
  if (current.major !== target.major) {
    return {
      kind: 'rejected',
      reason: `major version change ${formatVersion(current)} -> ${formatVersion(target)} is not supported`,
    };
  }
  if (compareVersions(target, current) < 0) {
    return {
      kind: 'rejected',
      reason: `downgrade from ${formatVersion(current)} to ${formatVersion(target)} is not allowed`,
    };
  }
  return { kind: 'upgrade', hops: target.minor - current.minor };
}

/**
 * Whether a cluster running `current` takes part in the hop to `hop`: it is exactly
 * one minor below it, or (on the last hop) behind it on the same minor. A cluster that
 * failed an earlier hop is two minors behind the next one and so sits it out.
 */
export function takesHop(current: KubeVersion, hop: KubeVersion, last: boolean): boolean {
  const step = planStep(current, hop);
  return step.kind === 'upgrade' && (step.hops === 1 || (last && step.hops === 0));
}
