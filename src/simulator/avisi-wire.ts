/** Avisi's JSON shapes (camelCase, real RFC 3339 instants), rendered from the world. */
import { minorOf } from '../domain/versions.js';
import { OFFERED_MINORS, patchesOf, type CatalogVersion } from './catalog.js';
import { clusterCompute, environmentIdentityOf } from './avisi-environments.js';
import { viewAvisiUpgrade, type AvisiLifecycleConfig } from './avisi-upgrades.js';
import type { SimClock } from './clock.js';
import type { AvisiCluster, AvisiUpgrade } from './world.js';

/**
 * `UpdateChannelResponse` [docs: go-client]: the channel of a minor follows its latest offered
 * build. A cluster follows the channel of the minor it runs [assumed: a minor upgrade moves it
 * to the next channel]; `running` stands in for a minor the catalog no longer offers (unavailable).
 */
export function avisiUpdateChannelJson(minor: string, running?: CatalogVersion) {
  const latest = patchesOf(minor).at(-1);
  return {
    name: `v${minor}`,
    available: latest !== undefined,
    kubernetesClusterVersion: (latest ?? running)?.ame ?? '',
  };
}

/** `GET /orgs/{org}/update-channels`: a channel per offered minor, oldest first. */
export const avisiUpdateChannels = () => OFFERED_MINORS.map((minor) => avisiUpdateChannelJson(minor));

export function avisiClusterJson(cluster: AvisiCluster, clock: SimClock) {
  return {
    identity: cluster.identity,
    name: cluster.name,
    slug: cluster.slug,
    environmentIdentity: environmentIdentityOf(cluster.organisation, cluster.environmentSlug),
    environmentSlug: cluster.environmentSlug,
    organisationSlug: cluster.organisation,
    // Where it runs [docs: go-client `Cluster.CloudProvider`, `Cluster.Region`]; null when the fleet file gave none.
    cloudProvider: cluster.cloudProvider,
    region: cluster.region,
    version: cluster.version.ame,
    status: 'running',
    ...clusterCompute(cluster),
    autoUpgrade: cluster.autoUpgrade,
    updateChannel: avisiUpdateChannelJson(minorOf(cluster.version.version), cluster.version),
    maintenanceSchedule: {
      identity: cluster.scheduleIdentity,
      name: `${cluster.name} maintenance`,
      windows: cluster.windows,
    },
    createdAt: clock.iso(cluster.createdAt),
    modifiedAt: clock.iso(cluster.modifiedAt),
  };
}

export function scheduledUpgradeJson(
  upgrade: AvisiUpgrade,
  cluster: AvisiCluster,
  clock: SimClock,
  config: AvisiLifecycleConfig,
) {
  const view = viewAvisiUpgrade(upgrade, clock.now(), config);
  return {
    identity: upgrade.identity,
    clusterIdentity: upgrade.clusterIdentity,
    createdAt: clock.iso(upgrade.createdAt),
    modifiedAt: clock.iso(view.since),
    windowStart: view.scheduled ? clock.iso(upgrade.windowStart) : null,
    windowEnd: view.scheduled ? clock.iso(upgrade.windowEnd) : null,
    reason: view.reason,
    fromClusterVersion: upgrade.from.ame,
    toClusterVersion: upgrade.to.ame,
    status: view.status,
    clusterSlug: cluster.slug,
    environmentSlug: cluster.environmentSlug,
    organisationSlug: cluster.organisation,
    scheduleRequestDate: upgrade.scheduleRequestDate,
    ignoreMaintenanceSchedule: upgrade.ignoreMaintenanceSchedule,
  };
}

/** Spring Data's page envelope: 0-based `number`, read until `last`. */
export function springPage<T>(all: readonly T[], page: number, size: number) {
  const content = all.slice(page * size, page * size + size);
  const totalPages = Math.ceil(all.length / size);
  return {
    content,
    last: page >= totalPages - 1,
    first: page === 0,
    number: page,
    size,
    totalPages,
    totalElements: all.length,
    numberOfElements: content.length,
    empty: content.length === 0,
  };
}
