/**
 * The inspection and control API under `/_sim/`, for tests, benchmarks and curious
 * operators. No auth: the simulator binds to loopback. What it answers is the
 * simulator's truth, so "nothing lost, nothing twice" can be checked against it.
 *
 * Routes:
 * - `GET /_sim/health`: `{ok, timeScale, simulatedNow}`.
 * - `GET /_sim/clusters?platform=`: `{clusters: [...]}`, every cluster with its upgrades.
 * - `GET /_sim/clusters/{id}`: one cluster.
 * - `PUT /_sim/clusters/{id}/outcomes`: `{outcomes: [...]}`: how its next upgrade attempts end.
 * - `PUT /_sim/clusters/{id}/deprecated-apis`: `{deprecatedApis: [...]}` as the fleet file writes them
 *   (`[]`: none): the deprecated APIs its workloads call from now on, on `/_sim/metrics`.
 * - `GET /_sim/requests?platform=&clusterId=`: `{requests: [...]}`, every mutating API request.
 * - `DELETE /_sim/requests`: forgets them (and the calls).
 * - `GET /_sim/calls?platform=&client=`: `{calls: [...]}`, every API call: client label,
 *   arrival and answer times, status, `Retry-After`, fault.
 * - `GET`/`PUT /_sim/faults`: the fault injection settings (faults.ts).
 * - `GET /_sim/traffic`: API requests received, refused by the per-token rate limit, and
 *   faulted: `{avisi: {requests, rateLimited, faults: {error, rate-limit, hung, dropped}}, aether: {...}}`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SimContext } from './context.js';
import { simDialect, simDialects } from './dialect.js';
import { faultOptionsSchema } from './faults.js';
import { deprecatedApi } from './fleet.js';
import type { SimCluster } from './world.js';

const outcomesBody = z.object({ outcomes: z.array(z.string()) }).strict();
const deprecatedApisBody = z.object({ deprecatedApis: z.array(deprecatedApi) }).strict();

export function registerInspectionRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world, clock } = ctx;
  const bad = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ error: message });

  app.get('/_sim/health', async () => ({
    ok: true,
    timeScale: clock.timeScale,
    simulatedNow: new Date(clock.now()).toISOString(),
  }));

  app.get<{ Querystring: { platform?: string } }>('/_sim/clusters', async (request, reply) => {
    const platform = request.query.platform;
    const names = simDialects().map((d) => d.name);
    if (platform !== undefined && !names.includes(platform))
      return bad(reply, 400, `platform must be ${names.join(' or ')}`);
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
    const allowed = simDialect(cluster.platform).outcomes;
    const wrong = parsed.data.outcomes.filter((o) => !allowed.includes(o));
    if (wrong.length > 0)
      return bad(reply, 400, `unknown ${cluster.platform} outcome(s) ${wrong.join(', ')}; use ${allowed.join(', ')}`);
    // Checked against the dialect's own list just above.
    cluster.outcomes = parsed.data.outcomes;
    return { id: request.params.id.toLowerCase(), outcomes: cluster.outcomes };
  });

  app.put<{ Params: { id: string } }>('/_sim/clusters/:id/deprecated-apis', async (request, reply) => {
    const cluster = world.clusters.get(request.params.id.toLowerCase());
    if (!cluster) return bad(reply, 404, `no cluster ${request.params.id}`);
    const parsed = deprecatedApisBody.safeParse(request.body);
    if (!parsed.success)
      return bad(reply, 400, 'body must be {"deprecatedApis": [{group, version, resource, removedRelease}]}');
    cluster.deprecatedApis = parsed.data.deprecatedApis;
    return { id: request.params.id.toLowerCase(), deprecatedApis: cluster.deprecatedApis };
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
    if (!parsed.success)
      return bad(
        reply,
        400,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
      );
    ctx.faults.replace(parsed.data);
    return ctx.faults.current;
  });
}

/** A cluster as the inspection API shows it (plain versions, every upgrade attempt): its dialect's view. */
const clusterView = (cluster: SimCluster, ctx: SimContext): unknown =>
  simDialect(cluster.platform).inspect(cluster, ctx);
