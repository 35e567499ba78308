/**
 * Avisi's API bodies read as the platform-neutral types (clusters, upgrades, offered versions,
 * the spelling to send): pure, unknown values go to the reporter passed in; client.ts does the HTTP.
 */
import { normaliseId } from '../../domain/ids.js';
import { formatVersion, latestPatchOf, parseVersion } from '../../domain/versions.js';
import { maintenanceWindowSchema, type MaintenanceWindow } from '../../domain/windows.js';
import { compact } from '../shared.js';
import type { UnknownValueReporter } from '../unknown-values.js';
import type { ClusterSnapshot, ClusterUpdateChannel, OfferedVersion, UpgradeState } from '../types.js';
import {
  avisiUpdateChannelSchema,
  type avisiVersionsSchema,
  type AvisiCluster,
  type AvisiUpdateChannel,
  type AvisiUpgrade,
} from './schemas.js';
import { avisiClusterState, avisiUpgradeStatus } from './status.js';
import type { z } from 'zod';

/** The versions the platform offers; one that does not parse is reported and left out. */
export function offeredVersionsOf(
  body: z.output<typeof avisiVersionsSchema>,
  report: UnknownValueReporter,
): OfferedVersion[] {
  const offered: OfferedVersion[] = [];
  for (const { version } of body) {
    const parsed = parseVersion(version);
    if (parsed) offered.push({ version: formatVersion(parsed), platformVersion: version });
    else report('cluster-versions.version', version);
  }
  return offered;
}

/** Whether `version` is one to translate through the offered versions (see platformSpelling). */
export function needsPlatformSpelling(version: string): boolean {
  return parseVersion(version) !== undefined && !version.includes('-');
}

/**
 * Avisi wants its own spelling (`v1.31.4-u-ame.1`). A plain `1.31.4` or a minor
 * `1.31` is translated through the offered versions; anything else, or a version not
 * offered, is sent as given so the API answers with its own message.
 */
export function platformSpelling(version: string, offeredVersions: readonly OfferedVersion[]): string {
  const wanted = parseVersion(version);
  if (!wanted || version.includes('-')) return version;
  const offered = offeredVersions.map((o) => ({
    version: parseVersion(o.version)!,
    platformVersion: o.platformVersion,
  }));
  const match =
    wanted.patch === undefined
      ? latestPatchOf(offered, wanted)
      : offered.find((o) => formatVersion(o.version) === formatVersion(wanted));
  return match?.platformVersion ?? version;
}

export function snapshotOf(cluster: AvisiCluster, report: UnknownValueReporter): ClusterSnapshot {
  let state = avisiClusterState(cluster.status);
  if (!state) {
    report('cluster.status', cluster.status);
    state = 'unknown';
  }
  return {
    id: normaliseId(cluster.identity),
    name: cluster.name,
    locator: `${cluster.environmentSlug}/${cluster.slug}`,
    // The schema checked that it parses.
    version: formatVersion(parseVersion(cluster.version)!),
    platformVersion: cluster.version,
    state,
    rawStatus: cluster.status,
    ...(cluster.maintenanceSchedule?.windows
      ? { maintenanceWindows: windowsOf(cluster.maintenanceSchedule.windows, report) }
      : {}),
    // What operators select by; an empty or null field is left out, not guessed.
    ...compact({
      environment: cluster.environmentSlug,
      region: cluster.region?.trim() || undefined,
      cloudProvider: cluster.cloudProvider?.trim() || undefined,
    }),
    ...autoUpgradeOf(cluster.autoUpgrade, report),
    ...clusterChannelOf(cluster.updateChannel, report),
  };
}

/** `autoUpgrade` when the API sent a boolean; absent when it sent none (null too), reported when another shape. */
function autoUpgradeOf(raw: unknown, report: UnknownValueReporter): { autoUpgrade?: boolean } {
  if (typeof raw === 'boolean') return { autoUpgrade: raw };
  if (raw !== undefined && raw !== null) report('cluster.autoUpgrade', JSON.stringify(raw));
  return {};
}

/** The cluster's `updateChannel`; absent when null or missing, reported and left out when unreadable. */
function clusterChannelOf(raw: unknown, report: UnknownValueReporter): { updateChannel?: ClusterUpdateChannel } {
  if (raw === undefined || raw === null) return {};
  const parsed = avisiUpdateChannelSchema.safeParse(raw);
  if (parsed.success) return { updateChannel: updateChannelOf(parsed.data, report) };
  report('cluster.updateChannel', JSON.stringify(raw));
  return {};
}

/**
 * A channel in the platform-neutral shape: the plain version parsed from the AME string
 * (`v1.31.6-u-ame.1` is `1.31.6`), left out (and reported) when it does not parse.
 */
export function updateChannelOf(channel: AvisiUpdateChannel, report: UnknownValueReporter): ClusterUpdateChannel {
  const parsed = parseVersion(channel.kubernetesClusterVersion);
  if (!parsed) report('updateChannel.kubernetesClusterVersion', channel.kubernetesClusterVersion);
  return {
    name: channel.name,
    available: channel.available,
    ...(parsed ? { version: formatVersion(parsed) } : {}),
    platformVersion: channel.kubernetesClusterVersion,
  };
}

function windowsOf(raw: readonly unknown[], report: UnknownValueReporter): MaintenanceWindow[] {
  return raw.flatMap((window) => {
    const parsed = maintenanceWindowSchema.safeParse(window);
    if (parsed.success) return [parsed.data];
    report('cluster.maintenanceSchedule.windows', JSON.stringify(window));
    return [];
  });
}

export function upgradeStateOf(upgrade: AvisiUpgrade, report: UnknownValueReporter): UpgradeState {
  let status = avisiUpgradeStatus(upgrade.status);
  if (!status) {
    report('scheduledClusterUpgrade.status', upgrade.status);
    status = 'UNKNOWN';
  }
  return compact({
    upgradeId: normaliseId(upgrade.identity),
    clusterId: normaliseId(upgrade.clusterIdentity),
    toVersion: upgrade.toClusterVersion,
    status,
    rawStatus: upgrade.status,
    windowStart: upgrade.windowStart,
    windowEnd: upgrade.windowEnd,
    reason: upgrade.reason,
  });
}

/** Orders by `createdAt`, then `modifiedAt`; an upgrade without timestamps is oldest. */
export function isNewer(a: AvisiUpgrade, b: AvisiUpgrade): boolean {
  const time = (text: string | null | undefined) => (text ? Date.parse(text) || 0 : 0);
  return (
    time(a.createdAt) - time(b.createdAt) > 0 ||
    (time(a.createdAt) === time(b.createdAt) && time(a.modifiedAt) > time(b.modifiedAt))
  );
}
