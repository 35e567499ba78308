/**
 * The simulator's in-memory state: organisations and clusters of both platforms, built
 * from a FleetDefinition. Ids, slugs and tokens a fleet file leaves out are derived
 * from a hash of the organisation and cluster name, so they are stable across runs.
 * Times are simulated-calendar milliseconds (see clock.ts).
 */
import { createHash } from 'node:crypto';
import { isUuid, normaliseId } from '../domain/ids.js';
import { versionForFleet, type CatalogVersion } from './catalog.js';
import type { DeprecatedApi, FleetDefinition } from './fleet.js';
import type { AetherOutcome, AvisiOutcome } from './outcomes.js';
import { uuidFromBytes } from './random.js';
import type { MaintenanceWindow } from '../domain/windows.js';

export interface AvisiUpgrade {
  readonly identity: string;
  readonly clusterIdentity: string;
  readonly organisation: string;
  readonly from: CatalogVersion;
  readonly to: CatalogVersion;
  readonly createdAt: number;
  /** As the client sent it (a real instant), or null. */
  readonly scheduleRequestDate: string | null;
  readonly ignoreMaintenanceSchedule: boolean;
  readonly outcome: AvisiOutcome;
  /** REQUESTED until this instant, then SCHEDULED. */
  readonly scheduledAt: number;
  /** SCHEDULED_NOTIFIED from this instant. */
  readonly notifiedAt: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Set once the upgrade reached a terminal status (by time, by a newer POST, or by a DELETE). */
  ended?: { readonly status: AvisiTerminalStatus; readonly at: number; readonly reason: string | null };
}

export type AvisiTerminalStatus = 'SUCCEEDED' | 'FAILED' | 'MISSED' | 'SUPERSEDED' | 'CANCELLED';

export interface AvisiCluster {
  readonly platform: 'avisi';
  readonly identity: string;
  readonly name: string;
  readonly slug: string;
  readonly environmentSlug: string;
  /**
   * Where it runs, as the fleet gave it; null when it gave none (served as null, as for a
   * cluster on its own nodes).
   */
  readonly region: string | null;
  readonly cloudProvider: string | null;
  readonly organisation: string;
  readonly scheduleIdentity: string;
  readonly windows: readonly MaintenanceWindow[];
  /** Served as `autoUpgrade`; the simulator never upgrades a cluster by itself (only the flag is modelled). */
  readonly autoUpgrade: boolean;
  /** Replaced by `PUT /_sim/clusters/{id}/deprecated-apis` (the workloads moved off them). */
  deprecatedApis: readonly DeprecatedApi[];
  readonly createdAt: number;
  version: CatalogVersion;
  modifiedAt: number;
  outcomes: AvisiOutcome[];
  /** Oldest first; at most the last one is not ended. */
  readonly upgrades: AvisiUpgrade[];
}

export interface AvisiOrganisation {
  readonly slug: string;
  /** A token valid for this organisation only. */
  readonly token?: string;
  readonly clusters: AvisiCluster[];
  readonly byIdentity: Map<string, AvisiCluster>;
  /** Keyed `environmentSlug/clusterSlug`. */
  readonly byPath: Map<string, AvisiCluster>;
  readonly upgrades: Map<string, AvisiUpgrade>;
}

export type AetherStatus = 'provisioning' | 'running' | 'upgrading' | 'degraded' | 'deleting' | 'failed';

export interface AetherUpgrade {
  readonly from: CatalogVersion;
  readonly to: CatalogVersion;
  /** The `k8s_version` the client wrote (`1.31` or `1.31.6`). */
  readonly desired: string;
  readonly startedAt: number;
  readonly outcome: AetherOutcome;
  ended?: { readonly status: 'SUCCEEDED' | 'FAILED' | 'DEGRADED'; readonly at: number };
}

export interface AetherCluster {
  readonly platform: 'aether';
  /** Lower-case, the lookup key. */
  readonly id: string;
  /** As the API returns it (some upper-case on purpose). */
  readonly displayId: string;
  readonly organisation: string;
  readonly region: string;
  readonly createdAt: number;
  readonly subnetIndex: number;
  /** Replaced by `PUT /_sim/clusters/{id}/deprecated-apis` (the workloads moved off them). */
  deprecatedApis: readonly DeprecatedApi[];
  name: string;
  /** `k8s_version`: the desired version as last written. */
  desired: string;
  observed: CatalogVersion;
  status: AetherStatus;
  statusMessage: string | null;
  updatedAt: number;
  outcomes: AetherOutcome[];
  readonly upgrades: AetherUpgrade[];
}

export interface AetherOrganisation {
  readonly id: string;
  readonly token: string;
  readonly clusters: AetherCluster[];
  readonly byId: Map<string, AetherCluster>;
}

/**
 * What every dialect's cluster has: the shared routes (inspection, health) see a cluster
 * through this and ask its dialect (dialect.ts, by `platform`) for the rest.
 */
export interface SimCluster {
  readonly platform: string;
  readonly name: string;
  readonly organisation: string;
  /** Forced outcomes of its next upgrade attempts, from its dialect's list (outcomes.ts). */
  outcomes: string[];
  /**
   * APIs its workloads call that a later minor removes (`/_sim/metrics`, deprecated-apis.ts); optional per dialect;
   * `PUT /_sim/clusters/{id}/deprecated-apis` replaces them.
   */
  deprecatedApis?: readonly DeprecatedApi[];
}

export interface World {
  readonly avisi: Map<string, AvisiOrganisation>;
  readonly aether: Map<string, AetherOrganisation>;
  /** Every cluster of every dialect by lower-case id, for the inspection and health routes. */
  readonly clusters: Map<string, SimCluster>;
  /** Avisi tokens valid for every organisation. */
  readonly avisiTokens: ReadonlySet<string>;
  /** Avisi organisation-scoped tokens: token -> organisation slug. */
  readonly avisiOrgTokens: ReadonlyMap<string, string>;
  /** Aether token -> organisation id (lower-case). */
  readonly aetherTokens: ReadonlyMap<string, string>;
}

export interface BuildWorldOptions {
  simStart: number;
  avisiTokens: readonly string[];
  /** Overrides per Aether organisation id. */
  aetherTokens?: Record<string, string>;
  /** Windows for Avisi clusters the fleet gives none. */
  defaultWindows: readonly MaintenanceWindow[];
}

/** Stable bytes for a name, so derived ids do not change between runs. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export const derivedUuid = (text: string): string => uuidFromBytes(digest(text));
export const derivedAetherToken = (orgId: string): string =>
  `aether_${digest(`aether-token/${orgId}`).subarray(0, 16).toString('hex')}`;

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'cluster';

const DAY = 86_400_000;

export function buildWorld(fleet: FleetDefinition, options: BuildWorldOptions): World {
  const clusters = new Map<string, SimCluster>();
  const claim = (id: string, cluster: SimCluster) => {
    if (clusters.has(id)) throw new Error(`duplicate cluster id ${id} in the fleet`);
    clusters.set(id, cluster);
  };

  const avisi = new Map<string, AvisiOrganisation>();
  const avisiOrgTokens = new Map<string, string>();
  for (const orgDef of fleet.avisi ?? []) {
    if (avisi.has(orgDef.organisation)) throw new Error(`duplicate Avisi organisation ${orgDef.organisation}`);
    const org: AvisiOrganisation = {
      slug: orgDef.organisation,
      token: orgDef.token,
      clusters: [],
      byIdentity: new Map(),
      byPath: new Map(),
      upgrades: new Map(),
    };
    if (orgDef.token) avisiOrgTokens.set(orgDef.token, org.slug);
    orgDef.clusters.forEach((def, index) => {
      const environmentSlug = def.environment ?? 'production';
      let slug = def.slug ?? slugify(def.name);
      if (!def.slug)
        for (let n = 2; org.byPath.has(`${environmentSlug}/${slug}`); n++)
          slug = `${slugify(def.name).slice(0, 58)}-${n}`;
      const path = `${environmentSlug}/${slug}`;
      if (org.byPath.has(path)) throw new Error(`duplicate Avisi cluster ${path} in organisation ${org.slug}`);
      const identity = normaliseId(def.identity ?? derivedUuid(`avisi/${org.slug}/${path}`));
      // Created some months before the simulation starts, spread so lists have distinct timestamps.
      const createdAt = options.simStart - 120 * DAY + index * 60_000;
      const cluster: AvisiCluster = {
        platform: 'avisi',
        identity,
        name: def.name,
        slug,
        environmentSlug,
        region: def.region ?? null,
        cloudProvider: def.cloudProvider ?? null,
        organisation: org.slug,
        scheduleIdentity: derivedUuid(`avisi-schedule/${identity}`),
        windows: def.maintenanceWindows ?? options.defaultWindows,
        autoUpgrade: def.autoUpgrade ?? false,
        deprecatedApis: def.deprecatedApis ?? [],
        createdAt,
        version: versionForFleet(def.version),
        modifiedAt: createdAt,
        outcomes: [...(def.outcomes ?? [])],
        upgrades: [],
      };
      org.clusters.push(cluster);
      org.byIdentity.set(identity, cluster);
      org.byPath.set(path, cluster);
      claim(identity, cluster);
    });
    avisi.set(org.slug, org);
  }

  const aether = new Map<string, AetherOrganisation>();
  const aetherTokens = new Map<string, string>();
  let subnetIndex = 0;
  for (const orgDef of fleet.aether ?? []) {
    const orgId = normaliseId(orgDef.organisation);
    if (aether.has(orgId)) throw new Error(`duplicate Aether organisation ${orgId}`);
    const override = Object.entries(options.aetherTokens ?? {}).find(
      ([id]) => isUuid(id) && normaliseId(id) === orgId,
    )?.[1];
    const token = override ?? orgDef.token ?? derivedAetherToken(orgId);
    if (aetherTokens.has(token))
      throw new Error(`Aether token of organisation ${orgId} is already used by another organisation`);
    aetherTokens.set(token, orgId);
    const org: AetherOrganisation = { id: orgId, token, clusters: [], byId: new Map() };
    orgDef.clusters.forEach((def, index) => {
      const derived = derivedUuid(`aether/${orgId}/${def.name}/${index}`);
      const displayId = def.id ?? (index % 5 === 4 ? derived.toUpperCase() : derived);
      const id = normaliseId(displayId);
      const version = versionForFleet(def.version);
      const createdAt = options.simStart - 120 * DAY + index * 60_000;
      const cluster: AetherCluster = {
        platform: 'aether',
        id,
        displayId,
        organisation: orgId,
        region: def.region ?? 'nl-ams-1',
        createdAt,
        subnetIndex: subnetIndex++,
        deprecatedApis: def.deprecatedApis ?? [],
        name: def.name,
        desired: version.plain,
        observed: version,
        status: 'running',
        statusMessage: null,
        updatedAt: createdAt,
        outcomes: [...(def.outcomes ?? [])],
        upgrades: [],
      };
      org.clusters.push(cluster);
      org.byId.set(id, cluster);
      claim(id, cluster);
    });
    aether.set(orgId, org);
  }

  return { avisi, aether, clusters, avisiTokens: new Set(options.avisiTokens), avisiOrgTokens, aetherTokens };
}
