/** Aether as the simulator speaks it (see dialect.ts): `/api/v1/organizations/...`. */
import { normaliseId } from '../domain/ids.js';
import { registerAetherRoutes } from './aether-routes.js';
import { settleAetherCluster } from './aether-upgrades.js';
import type { SimDialect } from './dialect.js';
import { AETHER_OUTCOMES } from './outcomes.js';
import type { AetherCluster } from './world.js';

const PREFIX = '/api/v1/organizations';

export const aetherDialect: SimDialect = {
  name: 'aether',
  prefix: PREFIX,
  owns: (url) => url.startsWith(PREFIX),
  problemBody: (problem) => {
    const details = problem.fields?.length ? problem.fields : undefined;
    return { error: { code: problem.code, message: problem.message, ...(details ? { details } : {}) } };
  },
  // 100 requests per minute per token (platform-apis.md).
  defaultRatePerMinute: 100,
  register: registerAetherRoutes,
  // Tokens are per organisation: a client is its organisation.
  clientLabel: (authorization, world) => {
    const token = authorization?.trim().split(/\s+/)[1];
    if (!token) return 'aether:anonymous';
    const org = world.aetherTokens.get(token);
    return org ? `aether:org/${org}` : 'aether:unrecognised';
  },
  clusterIdOf: (request) => {
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    return params.clusterID ? normaliseId(params.clusterID) : undefined;
  },
  outcomes: AETHER_OUTCOMES,
  inspect: (simCluster, ctx) => {
    const cluster = simCluster as AetherCluster;
    const { clock } = ctx;
    settleAetherCluster(cluster, clock.now(), ctx.aether);
    return {
      platform: cluster.platform,
      organisation: cluster.organisation,
      id: cluster.id,
      name: cluster.name,
      locator: cluster.id,
      region: cluster.region,
      version: cluster.observed.plain,
      platformVersion: cluster.observed.plain,
      desiredVersion: cluster.desired,
      status: cluster.status,
      deprecatedApis: cluster.deprecatedApis,
      outcomes: cluster.outcomes,
      upgrades: cluster.upgrades.map((u) => ({
        fromVersion: u.from.plain,
        toVersion: u.to.plain,
        desired: u.desired,
        status: u.ended?.status ?? (u.outcome === 'STUCK' ? 'STUCK' : 'IN_PROGRESS'),
        createdAt: clock.iso(u.startedAt),
      })),
    };
  },
  metricLabels: (simCluster) => {
    const cluster = simCluster as AetherCluster;
    return [
      ['cluster_id', cluster.id],
      ['cluster_name', cluster.name],
      ['platform', 'aether'],
      ['organisation', cluster.organisation],
      ['region', cluster.region],
    ];
  },
};
