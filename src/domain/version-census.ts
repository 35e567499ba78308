/**
 * The fleet version view (`fleet versions`): one organisation's clusters counted by minor
 * and patch against what its platform offers. Pure: the CLI reads the clusters, the
 * catalog and the upgrades in flight (cli/versions-read.ts) and hands them here.
 *
 * "Behind" needs a catalog: on a platform that publishes none (Aether) the census says so
 * (`catalog`, `behind` and `unsupported` are null) rather than guess from the fleet.
 * The shape is what `fleet versions --json` prints (**contract**, docs/operations.md).
 */
import { channelTarget, minorOffered, offeredMinors } from './channels.js';
import { compareVersions, formatVersion, latestPatchOf, minorOf, parseVersion, type KubeVersion } from './versions.js';

/** What the census reads of a cluster (a platform's ClusterSnapshot is one). */
export interface CensusCluster {
  readonly id: string;
  readonly name: string;
  /** What runs, `1.30.4`; a cluster whose version does not parse is listed as unreadable. */
  readonly version: string;
  /** Avisi `autoUpgrade`: absent where the platform does not say. */
  readonly autoUpgrade?: boolean;
  /** Avisi `updateChannel`: the channel it follows (`v1.31`). */
  readonly updateChannel?: { readonly name: string };
}

/** An upgrade the platform has scheduled or runs (a platform's UpgradeState is one). */
export interface CensusUpgrade {
  readonly clusterId: string;
  /** As the platform wrote it: `1.31.6`, `v1.31.6-u-ame.1`, or a minor. */
  readonly toVersion: string;
  /** fleetwave's word for its state (`SCHEDULED`, `IN_PROGRESS`, ...). */
  readonly status: string;
  /** When it may start (Avisi's maintenance window), RFC 3339. */
  readonly windowStart?: string;
}

export interface CensusInput {
  readonly platform: string;
  readonly organisation: string;
  readonly clusters: readonly CensusCluster[];
  /** The versions the platform offers (any spelling); undefined: it publishes no catalog. */
  readonly offered: readonly string[] | undefined;
  readonly upgrades: readonly CensusUpgrade[];
}

export interface ClusterRef {
  readonly id: string;
  readonly name: string;
}

export interface VersionCensus {
  readonly platform: string;
  readonly organisation: string;
  readonly clusters: number;
  /** What the platform offers, or null when it publishes no catalog. */
  readonly catalog: CatalogView | null;
  /** Clusters per minor, oldest first. */
  readonly minors: readonly MinorCount[];
  /** Clusters whose version does not read as one (Aether: none reported yet). */
  readonly unreadable: readonly (ClusterRef & { readonly version: string })[];
  /** Clusters behind the latest patch of their own (offered) minor and behind each channel; null without a catalog. */
  readonly behind: { readonly latestPatch: number; readonly stable: number; readonly rapid: number } | null;
  /** Minors clusters run that the catalog does not offer; null without a catalog. */
  readonly unsupported: readonly { readonly minor: string; readonly clusters: number }[] | null;
  /** Clusters the platform upgrades itself; null when no cluster says either way. */
  readonly autoUpgrade: AutoUpgradeView | null;
  /** Upgrades scheduled or in progress, by cluster name. */
  readonly upgrades: readonly UpgradeLine[];
}

export interface CatalogView {
  readonly minors: readonly string[];
  /** Latest patch of minor N-1 and N; null on an empty catalog. */
  readonly stable: string | null;
  readonly rapid: string | null;
}

export interface MinorCount {
  readonly minor: string;
  readonly clusters: number;
  /** Whether the catalog offers it; null without a catalog. */
  readonly offered: boolean | null;
  /** The newest patch of it offered; null without a catalog or when it is not offered. */
  readonly latestPatch: string | null;
  /** Its clusters below that patch; null when there is no latest patch to be behind. */
  readonly behindLatestPatch: number | null;
  /** Clusters per patch, oldest first. */
  readonly patches: readonly { readonly version: string; readonly clusters: number }[];
}

export interface AutoUpgradeView {
  /** Clusters that say whether they auto-upgrade. */
  readonly reported: number;
  readonly on: number;
  /** The clusters on, per update channel (`none` when one names no channel). */
  readonly channels: readonly { readonly channel: string; readonly clusters: number }[];
  readonly clusters: readonly (ClusterRef & { readonly channel: string | null })[];
}

export interface UpgradeLine extends ClusterRef {
  /** What runs now; null for an upgrade of a cluster the listing did not hold. */
  readonly from: string | null;
  readonly to: string;
  readonly status: string;
  readonly windowStart?: string;
}

interface Parsed {
  readonly cluster: CensusCluster;
  readonly version: KubeVersion;
}

/** The census of one organisation. */
export function versionCensus(input: CensusInput): VersionCensus {
  const parsed: Parsed[] = [];
  const unreadable: (ClusterRef & { version: string })[] = [];
  for (const cluster of input.clusters) {
    const version = parseVersion(cluster.version);
    if (version?.patch !== undefined) parsed.push({ cluster, version });
    else unreadable.push({ id: cluster.id, name: cluster.name, version: cluster.version });
  }
  const offered = input.offered && catalogOf(input.offered);
  return {
    platform: input.platform,
    organisation: input.organisation,
    clusters: input.clusters.length,
    catalog: offered ? catalogView(offered) : null,
    minors: minorCounts(parsed, offered),
    unreadable: byName(unreadable),
    behind: offered ? behind(parsed, offered) : null,
    unsupported: offered ? unsupported(parsed, offered) : null,
    autoUpgrade: autoUpgradeView(input.clusters),
    upgrades: upgradeLines(input.clusters, input.upgrades),
  };
}

type Offered = readonly { readonly version: KubeVersion }[];

/** The catalog's versions that read as versions with a patch, oldest first. */
function catalogOf(texts: readonly string[]): Offered {
  return texts
    .map((text) => parseVersion(text))
    .filter((version): version is KubeVersion => version?.patch !== undefined)
    .sort(compareVersions)
    .map((version) => ({ version }));
}

const plain = (entry: { readonly version: KubeVersion } | undefined): string | null =>
  entry ? formatVersion(entry.version) : null;

function catalogView(offered: Offered): CatalogView {
  return {
    minors: offeredMinors(offered).map(minorOf),
    stable: plain(channelTarget(offered, 'stable')),
    rapid: plain(channelTarget(offered, 'rapid')),
  };
}

function minorCounts(parsed: readonly Parsed[], offered: Offered | undefined): MinorCount[] {
  const byMinor = groupBy(parsed, (p) => minorOf(p.version));
  return [...byMinor.values()]
    .sort((a, b) => compareVersions(a[0]!.version, b[0]!.version))
    .map((members) => {
      const first = members[0]!.version;
      const latest = offered && latestPatchOf(offered, first);
      const patches = [...groupBy(members, (p) => formatVersion(p.version)).values()]
        .sort((a, b) => compareVersions(a[0]!.version, b[0]!.version))
        .map((same) => ({ version: formatVersion(same[0]!.version), clusters: same.length }));
      return {
        minor: minorOf(first),
        clusters: members.length,
        offered: offered ? latest !== undefined : null,
        latestPatch: plain(latest),
        behindLatestPatch: latest ? members.filter((p) => compareVersions(p.version, latest.version) < 0).length : null,
        patches,
      };
    });
}

function behind(parsed: readonly Parsed[], offered: Offered): NonNullable<VersionCensus['behind']> {
  const below = (target: { readonly version: KubeVersion } | undefined) =>
    target ? parsed.filter((p) => compareVersions(p.version, target.version) < 0).length : 0;
  return {
    latestPatch: parsed.filter((p) => {
      const latest = latestPatchOf(offered, p.version);
      return latest !== undefined && compareVersions(p.version, latest.version) < 0;
    }).length,
    stable: below(channelTarget(offered, 'stable')),
    rapid: below(channelTarget(offered, 'rapid')),
  };
}

function unsupported(parsed: readonly Parsed[], offered: Offered): { minor: string; clusters: number }[] {
  const off = parsed.filter((p) => !minorOffered(offered, p.version));
  return [...groupBy(off, (p) => minorOf(p.version)).values()]
    .sort((a, b) => compareVersions(a[0]!.version, b[0]!.version))
    .map((members) => ({ minor: minorOf(members[0]!.version), clusters: members.length }));
}

function autoUpgradeView(clusters: readonly CensusCluster[]): AutoUpgradeView | null {
  const reported = clusters.filter((c) => c.autoUpgrade !== undefined);
  if (reported.length === 0) return null;
  const on = byName(reported.filter((c) => c.autoUpgrade === true)).map((c) => ({
    id: c.id,
    name: c.name,
    channel: c.updateChannel?.name ?? null,
  }));
  const channels = [...groupBy(on, (c) => c.channel ?? 'none').entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([channel, members]) => ({ channel, clusters: members.length }));
  return { reported: reported.length, on: on.length, channels, clusters: on };
}

function upgradeLines(clusters: readonly CensusCluster[], upgrades: readonly CensusUpgrade[]): UpgradeLine[] {
  const byId = new Map(clusters.map((c) => [c.id.toLowerCase(), c]));
  const lines = upgrades.map((upgrade) => {
    const cluster = byId.get(upgrade.clusterId.toLowerCase());
    const to = parseVersion(upgrade.toVersion);
    const from = cluster && parseVersion(cluster.version);
    return {
      id: cluster?.id ?? upgrade.clusterId,
      // A cluster the listing did not hold (created since) is named by its id: nothing better is known.
      name: cluster?.name ?? upgrade.clusterId,
      from: from ? formatVersion(from) : (cluster?.version ?? null),
      to: to ? formatVersion(to) : upgrade.toVersion,
      status: upgrade.status,
      ...(upgrade.windowStart ? { windowStart: upgrade.windowStart } : {}),
    };
  });
  return byName(lines);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Sorted by name as people read them (`web-2` before `web-10`), then id. */
function byName<T extends ClusterRef>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.id.localeCompare(b.id));
}
