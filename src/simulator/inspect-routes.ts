/**
 * The inspection and control API under `/_sim/`, for tests, benchmarks and curious
 * operators. No auth: the simulator binds to loopback. What it answers is the
 * simulator's truth, so "nothing lost, nothing twice" can be checked against it.
 *
 * | route | what |
 * | --- | --- |
 * | `GET /_sim/health` | `{ok, timeScale, simulatedNow}` |
 * | `GET /_sim/clusters?platform=` | `{clusters: [...]}`, every cluster with its upgrades |
 * | `GET /_sim/clusters/{id}` | one cluster |
 * | `PUT /_sim/clusters/{id}/outcomes` | `{outcomes: [...]}`: how its next upgrade attempts end |
 * | `GET /_sim/requests?platform=&clusterId=` | `{requests: [...]}`, every mutating API request |
 * | `DELETE /_sim/requests` | forgets them (and the calls) |
 * | `GET /_sim/calls?platform=&client=` | `{calls: [...]}`, every API call: client label, arrival and answer times, status, `Retry-After`, fault |
 * | `GET`/`PUT /_sim/faults` | the fault injection settings (faults.ts) |
 * | `GET /_sim/traffic` | `{avisi: {requests, rateLimited, faults: {error, rate-limit, hung, dropped}}, aether: {...}}`: API requests received, refused by the per-token rate limit, and faulted |
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { settleAetherCluster } from './aether-upgrades.js';
import { settleAvisiCluster, viewAvisiUpgrade } from './avisi-upgrades.js';
import type { SimContext } from './context.js';
import { faultOptionsSchema } from './faults.js';
import { AETHER_OUTCOMES, AVISI_OUTCOMES, type AetherOutcome, type AvisiOutcome } from './outcomes.js';
import type { SimCluster } from './world.js';

const outcomesBody = z.object({ outcomes: z.array(z.string()) }).strict();

export function registerInspectionRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world, clock } = ctx;
  const bad = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ error: message });

  app.get('/_sim/health', async () => ({ ok: true, timeScale: clock.timeScale, simulatedNow: new Date(clock.now()).toISOString() }));

  app.get<{ Querystring: { platform?: string } }>('/_sim/clusters', async (request, reply) => {
    const platform = request.query.platform;
    if (platform !== undefined && platform !== 'avisi' && platform !== 'aether') return bad(reply, 400, 'platform must be avisi or aether');
    const clusters = [...world.clusters.values()].filter((c) => !platform || c.platform === platform);
    return { clusters: clusters.map((c) => clusterView(c, ctx)) };
  });

  app.get<{ Params: { id: string } }>('/_sim/clusters/:id', async (request, reply) => {
    const cluster = world.clusters.get(request.params.id.toLowerCase());
    return cluster ? clusterView(cluster, ctx) : bad(reply, 404, `no cluster ${request.params.id}`);
  });

  app.put<{ Params: { id: string } }>('/_sim/clusters/:id/outcomes', async (request, reply) => {
    const cluster = world.clusters.get(request.params.id.toLowerCase());
    if (!cluster) return bad(reply, 404, `no cluster ${request.params.id}`);
    const parsed = outcomesBody.safeParse(request.body);
    if (!parsed.success) return bad(reply, 400, 'body must be {"outcomes": [...]}');
    const allowed: readonly string[] = cluster.platform === 'avisi' ? AVISI_OUTCOMES : AETHER_OUTCOMES;
    const wrong = parsed.data.outcomes.filter((o) => !allowed.includes(o));
    if (wrong.length > 0) return bad(reply, 400, `unknown ${cluster.platform} outcome(s) ${wrong.join(', ')}; use ${allowed.join(', ')}`);
    if (cluster.platform === 'avisi') cluster.outcomes = parsed.data.outcomes as AvisiOutcome[];
    else cluster.outcomes = parsed.data.outcomes as AetherOutcome[];
    return { id: request.params.id.toLowerCase(), outcomes: cluster.outcomes };
  });

  app.get('/_sim/traffic', async () => ctx.traffic);

  app.get<{ Querystring: { platform?: string; clusterId?: string } }>('/_sim/requests', async (request) => ({
    requests: ctx.requests.list({ platform: request.query.platform, clusterId: request.query.clusterId }),
  }));

  app.get<{ Querystring: { platform?: string; client?: string } }>('/_sim/calls', async (request) => ({
    calls: ctx.calls.list({ platform: request.query.platform, client: request.query.client }),
  }));

  app.delete('/_sim/requests', async (_request, reply) => {
    ctx.requests.clear();
    ctx.calls.clear();
    return reply.code(204).send();
  });

  app.get('/_sim/faults', async () => ctx.faults.current);

  app.put('/_sim/faults', async (request, reply) => {
    const parsed = faultOptionsSchema.safeParse(request.body);
    if (!parsed.success) return bad(reply, 400, parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
    ctx.faults.replace(parsed.data);
    return ctx.faults.current;
  });
}

/** A cluster as the inspection API shows it: plain versions, every upgrade attempt. */
function clusterView(cluster: SimCluster, ctx: SimContext) {
  const { clock } = ctx;
  const now = clock.now();
  // Bring the cluster up to now first, as every API read does, so a window that has passed shows its result.
  if (cluster.platform === 'avisi') settleAvisiCluster(cluster, now, ctx.avisi);
  else settleAetherCluster(cluster, now, ctx.aether);
  if (cluster.platform === 'avisi') {
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
  }
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
    outcomes: cluster.outcomes,
    upgrades: cluster.upgrades.map((u) => ({
      fromVersion: u.from.plain,
      toVersion: u.to.plain,
      desired: u.desired,
      status: u.ended?.status ?? (u.outcome === 'STUCK' ? 'STUCK' : 'IN_PROGRESS'),
      createdAt: clock.iso(u.startedAt),
    })),
  };
}
