/**
 * Release channels over a platform's version catalog, as Azure Fleet Manager's
 * auto-upgrade profiles and GKE's release channels name them: `rapid` is the latest
 * patch of the newest minor offered (N), `stable` the latest patch of N-1. Pure: the
 * planner, the `fleet versions` view and the spec's checks share it.
 */
import { compareVersions, latestPatchOf, minorOf, type KubeVersion } from './versions.js';

/** **Contract** (the spec's `targetVersion`): the channels a rollout may follow. */
export const CHANNELS = ['stable', 'rapid'] as const;
export type Channel = (typeof CHANNELS)[number];

/** **Contract**: every cluster to the newest patch of its own minor. */
export const LATEST_PATCH = 'latest-patch';

export const isChannel = (text: string): text is Channel => (CHANNELS as readonly string[]).includes(text);

/** The minors a catalog offers, oldest first (`1.30`, `1.31`). */
export function offeredMinors(offered: readonly { readonly version: KubeVersion }[]): KubeVersion[] {
  const minors = new Map<string, KubeVersion>();
  for (const { version } of offered) minors.set(minorOf(version), { major: version.major, minor: version.minor });
  return [...minors.values()].sort(compareVersions);
}

/**
 * The entry a channel points at: the latest patch of minor N (rapid) or N-1 (stable; N when
 * only one minor is offered); undefined on an empty catalog.
 */
export function channelTarget<T extends { readonly version: KubeVersion }>(
  offered: readonly T[],
  channel: Channel,
): T | undefined {
  const minors = offeredMinors(offered);
  const minor = minors.at(channel === 'rapid' ? -1 : -2) ?? minors.at(-1);
  return minor && latestPatchOf(offered, minor);
}

/** Whether a catalog still offers `version`'s minor (a minor below the oldest offered is unsupported). */
export function minorOffered(offered: readonly { readonly version: KubeVersion }[], version: KubeVersion): boolean {
  return offered.some((o) => o.version.major === version.major && o.version.minor === version.minor);
}
