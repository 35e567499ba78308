/** Avisi Cloud as the simulator speaks it (see dialect.ts): everything under `/api/v1` that is not Aether's. */
import type { SimDialect } from './dialect.js';
import { underPrefix } from './dialects.js';
import { registerAvisiOrgRoutes } from './avisi-org-routes.js';
import { registerAvisiRoutes } from './avisi-routes.js';
import { settleAvisiCluster, viewAvisiUpgrade } from './avisi-upgrades.js';
import { avisiUpdateChannelJson } from './avisi-wire.js';
import { AVISI_OUTCOMES } from './outcomes.js';
import { minorOf } from '../domain/versions.js';
import type { AvisiCluster } from './world.js';

export const avisiDialect: SimDialect = {
  name: 'avisi',
  prefix: '/api/v1',
  owns: underPrefix('/api/v1'),
  problemBody: (problem) => ({
    message: problem.message,
    details: [...(problem.fields ?? []).map((f) => `${f.field}: ${f.message}`), ...(problem.notes ?? [])],
  }),
  // Avisi documents no rate limit.
  defaultRatePerMinute: 0,
  register: (app, ctx) => {
    registerAvisiRoutes(app, ctx);
    registerAvisiOrgRoutes(app, ctx);
  },
  // Global tokens by their place in the list, organisation tokens by their organisation.
  clientLabel: (authorization, world) => {
    const token = authorization?.trim().split(/\s+/)[1];
    if (!token) return 'avisi:anonymous';
    const global = [...world.avisiTokens].indexOf(token);
    if (global >= 0) return `avisi:token-${global + 1}`;
    const org = world.avisiOrgTokens.get(token);
    return org ? `avisi:org/${org}` : 'avisi:unrecognised';
  },
  clusterIdOf: (request, ctx) => {
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const body = request.body as { clusterIdentity?: unknown } | null | undefined;
    if (body && typeof body.clusterIdentity === 'string') return body.clusterIdentity.toLowerCase();
    if (params.identity && params.org)
      return ctx.world.avisi.get(params.org)?.upgrades.get(params.identity.toLowerCase())?.clusterIdentity;
    return undefined;
  },
  outcomes: AVISI_OUTCOMES,
  inspect: (simCluster, ctx) => {
    const cluster = simCluster as AvisiCluster;
    const { clock } = ctx;
    const now = clock.now();
    settleAvisiCluster(cluster, now, ctx.avisi);
    return {
      platform: cluster.platform,
      organisation: cluster.organisation,
      id: cluster.identity,
      name: cluster.name,
      locator: `${cluster.environmentSlug}/${cluster.slug}`,
      // What rollouts target by, so a test can check a wave's selection against the truth.
      environment: cluster.environmentSlug,
      region: cluster.region,
      cloudProvider: cluster.cloudProvider,
      version: cluster.version.plain,
      platformVersion: cluster.version.ame,
      status: 'running',
      // Avisi's own upgrade model, as the API serves it, for a version view to check against.
      autoUpgrade: cluster.autoUpgrade,
      updateChannel: avisiUpdateChannelJson(minorOf(cluster.version.version), cluster.version),
      deprecatedApis: cluster.deprecatedApis,
      outcomes: cluster.outcomes,
      upgrades: cluster.upgrades.map((u) => {
        const view = viewAvisiUpgrade(u, now, ctx.avisi);
        return {
          identity: u.identity,
          fromVersion: u.from.plain,
          toVersion: u.to.plain,
          status: view.status,
          createdAt: clock.iso(u.createdAt),
          windowStart: clock.iso(u.windowStart),
          windowEnd: clock.iso(u.windowEnd),
          ...(view.reason ? { reason: view.reason } : {}),
        };
      }),
    };
  },
  metricLabels: (simCluster) => {
    const cluster = simCluster as AvisiCluster;
    return [
      ['cluster_id', cluster.identity],
      ['cluster_name', cluster.name],
      ['platform', 'avisi'],
      ['organisation', cluster.organisation],
      ['environment', cluster.environmentSlug],
      ['region', cluster.region],
    ];
  },
};
