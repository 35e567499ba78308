/**
 * Avisi environments and memberships, derived from the fleet rather than stored: an
 * organisation's environments are the environment slugs its clusters live in (the
 * public API calls an environment "a grouping of clusters inside an organisation"),
 * and nothing creates or deletes one while the simulator runs. Every id is a hash of
 * names, so the same fleet always serves the same environments.
 *
 * `EnvironmentResponse` [docs: docs.avisi.cloud "Environments", go-client `Environment`]:
 * `id` (int64), `identity` (uuid), `name`, `purpose`, `type`, `description`, `createdAt`,
 * `modifiedAt`, `deletedAt`, `totalClusters`, `totalCpu`, `totalMemory`, `slug`,
 * `organisationSlug`. The OpenAPI page renders `slug` and `organisationSlug` as
 * `{slugValue}` objects; the go-client reads both as plain strings, as the cluster
 * response's `environmentSlug` is, so they are strings here [docs: go-client].
 */
import { createHash } from 'node:crypto';
import type { SimClock } from './clock.js';
import { derivedUuid, type AvisiCluster, type AvisiOrganisation } from './world.js';

/** The types an environment may have [docs: create-environment, terraform `acloud_environment`]. */
export const AVISI_ENVIRONMENT_TYPES = ['production', 'staging', 'development', 'demo', 'other'] as const;
export type AvisiEnvironmentType = (typeof AVISI_ENVIRONMENT_TYPES)[number];

export interface AvisiEnvironment {
  readonly slug: string;
  readonly identity: string;
  /** The API's numeric id. */
  readonly id: number;
  readonly name: string;
  readonly type: AvisiEnvironmentType;
  readonly organisation: string;
  /** In the organisation's list order. */
  readonly clusters: readonly AvisiCluster[];
  /** Simulated ms: a day before its first cluster. */
  readonly createdAt: number;
}

const DAY = 86_400_000;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Also each cluster's `environmentIdentity`, so a cluster and its environment agree. */
export const environmentIdentityOf = (organisation: string, environmentSlug: string): string =>
  derivedUuid(`avisi-environment/${organisation}/${environmentSlug}`);

/** The organisation's `identity`, which memberships carry as `id` [assumed]. */
export const organisationIdentityOf = (organisation: string): string =>
  derivedUuid(`avisi-organisation/${organisation}`);

/** `production-eu` -> `Production Eu`: the display name a person would have typed. */
const displayName = (slug: string): string =>
  slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');

/** The type named by the slug, else `other` [assumed: the fleet file names slugs, not types]. */
const typeOf = (slug: string): AvisiEnvironmentType => AVISI_ENVIRONMENT_TYPES.find((type) => type === slug) ?? 'other';

/**
 * What a cluster adds to its environment's compute totals (`cpu`, `memory` on the cluster
 * [docs: go-client `Cluster.CPU`, `Cluster.Memory`]): 3 to 12 nodes of 2, 4 or 8 cores
 * with 4 GiB a core, drawn from the identity so it never changes. Units are [assumed]:
 * cores and GiB.
 */
export function clusterCompute(cluster: AvisiCluster): { cpu: number; memory: number } {
  const bytes = digest(`avisi-compute/${cluster.identity}`);
  const nodes = 3 + ((bytes[0] ?? 0) % 10);
  const cores = [2, 4, 8][(bytes[1] ?? 0) % 3]!;
  return { cpu: nodes * cores, memory: nodes * cores * 4 };
}

const cache = new WeakMap<AvisiOrganisation, readonly AvisiEnvironment[]>();

/** The organisation's environments, by slug [assumed: the API documents ascending order, not the key]. */
export function avisiEnvironments(org: AvisiOrganisation): readonly AvisiEnvironment[] {
  const cached = cache.get(org);
  if (cached) return cached;
  const bySlug = new Map<string, AvisiCluster[]>();
  for (const cluster of org.clusters) {
    const members = bySlug.get(cluster.environmentSlug) ?? [];
    members.push(cluster);
    bySlug.set(cluster.environmentSlug, members);
  }
  const environments = [...bySlug.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([slug, clusters]) => ({
      slug,
      identity: environmentIdentityOf(org.slug, slug),
      // Positive and below 2^31: fits every client's integer.
      id: digest(`avisi-environment-id/${org.slug}/${slug}`).readUInt32BE(0) & 0x7fffffff,
      name: displayName(slug),
      type: typeOf(slug),
      organisation: org.slug,
      clusters,
      createdAt: Math.min(...clusters.map((c) => c.createdAt)) - DAY,
    }));
  cache.set(org, environments);
  return environments;
}

/**
 * One environment on the wire. `showCompute` (`?show-compute=true`, which the go-client
 * always sends) adds the totals of its clusters; without it they are left out [assumed:
 * the public API documents the totals, not when it fills them].
 */
export function avisiEnvironmentJson(environment: AvisiEnvironment, clock: SimClock, showCompute: boolean) {
  const compute = environment.clusters.map(clusterCompute);
  return {
    id: environment.id,
    identity: environment.identity,
    name: environment.name,
    purpose: '',
    type: environment.type,
    description: '',
    createdAt: clock.iso(environment.createdAt),
    modifiedAt: clock.iso(environment.createdAt),
    deletedAt: null,
    ...(showCompute
      ? {
          totalClusters: environment.clusters.length,
          totalCpu: compute.reduce((sum, c) => sum + c.cpu, 0),
          totalMemory: compute.reduce((sum, c) => sum + c.memory, 0),
        }
      : {}),
    slug: environment.slug,
    organisationSlug: environment.organisation,
  };
}

/** The user behind every simulated token: the simulator has no user accounts [assumed]. */
export const SIMULATED_MEMBER_EMAIL = 'fleet-operator@example.com';

/**
 * One organisation the token belongs to [docs: go-client `Membership {email, id, name,
 * slug}`, read by `GetMemberships` from `GET /memberships`]. What `id` and `name` hold
 * is not published: here the organisation's identity and display name [assumed].
 */
export function avisiMembershipJson(org: AvisiOrganisation) {
  return {
    email: SIMULATED_MEMBER_EMAIL,
    id: organisationIdentityOf(org.slug),
    name: displayName(org.slug),
    slug: org.slug,
  };
}
