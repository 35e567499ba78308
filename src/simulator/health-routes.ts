/**
 * Per-cluster health, for health checks to observe (docs/simulator.md "Cluster health"):
 * metrics in Prometheus's text format for a real Prometheus to scrape, an HTTP health
 * endpoint per cluster, and switches that make a cluster unhealthy, healthy only after
 * a while (real seconds: Prometheus and the checks run on the wall clock), or silent.
 *
 * Routes:
 * - `GET /_sim/metrics`: per reporting cluster,
 *   `fleet_sim_cluster_healthy{cluster_id,cluster_name,platform,organisation,environment,region} 1|0`
 *   and `fleet_sim_cluster_api_latency_seconds`; per API a cluster's workloads still call that a
 *   later minor removes (the fleet file's `deprecatedApis`), `apiserver_requested_deprecated_apis`
 *   (deprecated-apis.ts).
 * - `GET /_sim/health/{id}`: 200 `{status: "ok"}` or 503 `{status: "degraded"}` (401 when a
 *   header is required and missing or wrong).
 * - `GET /_sim/fleet-health?clusters={regex}`: the clusters whose name matches (anchored):
 *   200 `{status: "ok", matched, unhealthy: 0}` when all are healthy, else 503 `degraded`
 *   (or `unknown`: none matched) with a `message` naming up to 20 unhealthy ones, and
 *   `unhealthyClusters` (for wave gates).
 * - `PUT /_sim/health/{id}`: `{healthy?, healthyAfterSeconds?, reporting?, latencyMs?}`: the
 *   cluster's switch.
 * - `DELETE /_sim/health`: every cluster healthy and reporting again, no header required.
 * - `PUT /_sim/health-auth`: `{header, value}`: `GET /_sim/health/{id}` requires it (to test
 *   credentials from the worker's environment).
 * - `DELETE /_sim/health-auth`: no header required.
 *
 * Every cluster starts healthy and reporting. The required header's value is never echoed
 * or logged: tests prove that the worker keeps it secret, so the simulator must not leak it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SimContext } from './context.js';
import { deprecatedApiLines, labelValue } from './deprecated-apis.js';
import { simDialect } from './dialect.js';
import type { SimCluster } from './world.js';

interface HealthSwitch {
  /** Real epoch ms from which the cluster is healthy: 0 healthy, Infinity never (until switched). */
  healthyFrom: number;
  /** False: its series are left out of /_sim/metrics (an exporter that is down), its endpoint answers 503. */
  reporting: boolean;
  latencyMs: number;
}

const DEFAULT_LATENCY_MS = 40;
const fresh = (): HealthSwitch => ({ healthyFrom: 0, reporting: true, latencyMs: DEFAULT_LATENCY_MS });

const switchBody = z
  .object({
    healthy: z.boolean().optional(),
    healthyAfterSeconds: z.number().min(0).max(86_400).optional(),
    reporting: z.boolean().optional(),
    latencyMs: z.number().min(0).max(600_000).optional(),
  })
  .strict()
  .refine(
    (b) => !(b.healthy !== undefined && b.healthyAfterSeconds !== undefined),
    'set healthy or healthyAfterSeconds, not both',
  );

const authBody = z
  .object({ header: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), value: z.string().min(1).max(4_096) })
  .strict();

function labelsOf(cluster: SimCluster): string {
  return simDialect(cluster.platform)
    .metricLabels(cluster)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null && pair[1] !== '')
    .map(([name, value]) => `${name}="${labelValue(value)}"`)
    .join(',');
}

/** Compares without leaking the value's length or prefix through timing. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerHealthRoutes(app: FastifyInstance, ctx: SimContext): void {
  const switches = new Map<string, HealthSwitch>();
  let auth: { header: string; value: string } | undefined;
  const switchOf = (id: string): HealthSwitch => switches.get(id) ?? fresh();
  const healthy = (id: string): boolean => {
    const s = switchOf(id);
    return s.reporting && Date.now() >= s.healthyFrom;
  };
  const bad = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ error: message });
  const view = (id: string) => {
    const s = switchOf(id);
    return {
      clusterId: id,
      healthy: healthy(id),
      ...(Number.isFinite(s.healthyFrom) && s.healthyFrom > Date.now()
        ? { healthyFrom: new Date(s.healthyFrom).toISOString() }
        : {}),
      reporting: s.reporting,
      latencyMs: s.latencyMs,
    };
  };

  app.get('/_sim/metrics', async (_request, reply) => {
    const clusters = [...ctx.world.clusters.entries()].filter(([id]) => switchOf(id).reporting);
    const lines = [
      '# HELP fleet_sim_cluster_healthy 1 when the simulated cluster is healthy, 0 when not (PUT /_sim/health/{id}).',
      '# TYPE fleet_sim_cluster_healthy gauge',
      ...clusters.map(([id, cluster]) => `fleet_sim_cluster_healthy{${labelsOf(cluster)}} ${healthy(id) ? 1 : 0}`),
      '# HELP fleet_sim_cluster_api_latency_seconds The simulated cluster API latency.',
      '# TYPE fleet_sim_cluster_api_latency_seconds gauge',
      ...clusters.map(
        ([id, cluster]) =>
          `fleet_sim_cluster_api_latency_seconds{${labelsOf(cluster)}} ${switchOf(id).latencyMs / 1000}`,
      ),
      ...deprecatedApiLines(clusters),
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });

  app.get<{ Params: { id: string } }>('/_sim/health/:id', async (request, reply) => {
    const id = request.params.id.toLowerCase();
    const cluster = ctx.world.clusters.get(id);
    if (auth) {
      const given = request.headers[auth.header.toLowerCase()];
      if (!sameSecret(typeof given === 'string' ? given : undefined, auth.value))
        return bad(reply, 401, `missing or wrong ${auth.header} header`);
    }
    if (!cluster) return bad(reply, 404, `no cluster ${request.params.id}`);
    const ok = healthy(id);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', clusterId: id, name: cluster.name });
  });

  // A fleet health API for wave gates: the clusters whose name matches a regex (anchored, as PromQL's =~).
  app.get<{ Querystring: { clusters?: string } }>('/_sim/fleet-health', async (request, reply) => {
    const pattern = request.query.clusters;
    if (typeof pattern !== 'string' || pattern === '')
      return bad(reply, 400, 'query parameter clusters (a regex of cluster names) is required');
    let names: RegExp;
    try {
      names = new RegExp(`^(?:${pattern})$`);
    } catch {
      return bad(reply, 400, 'clusters is not a regular expression');
    }
    const matched = [...ctx.world.clusters.entries()].filter(([, cluster]) => names.test(cluster.name));
    const unhealthy = matched.filter(([id]) => !healthy(id)).map(([, cluster]) => cluster.name);
    const ok = matched.length > 0 && unhealthy.length === 0;
    // A failure says first which clusters, in words: a gate's reason quotes the body's start.
    const said = ok
      ? {}
      : {
          message:
            matched.length === 0
              ? `no cluster matches ${pattern}`
              : `${unhealthy.length} of ${matched.length} unhealthy: ${unhealthy.slice(0, 20).join(', ')}`,
        };
    const status = ok ? 'ok' : matched.length === 0 ? 'unknown' : 'degraded';
    return reply.code(ok ? 200 : 503).send({
      status,
      ...said,
      matched: matched.length,
      unhealthy: unhealthy.length,
      unhealthyClusters: unhealthy.slice(0, 20),
    });
  });

  app.put<{ Params: { id: string } }>('/_sim/health/:id', async (request, reply) => {
    const id = request.params.id.toLowerCase();
    if (!ctx.world.clusters.has(id)) return bad(reply, 404, `no cluster ${request.params.id}`);
    const parsed = switchBody.safeParse(request.body);
    if (!parsed.success)
      return bad(
        reply,
        400,
        `body must be {healthy?, healthyAfterSeconds?, reporting?, latencyMs?}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    const { healthy: wanted, healthyAfterSeconds, reporting, latencyMs } = parsed.data;
    const next = { ...switchOf(id) };
    if (wanted !== undefined) next.healthyFrom = wanted ? 0 : Infinity;
    if (healthyAfterSeconds !== undefined) next.healthyFrom = Date.now() + healthyAfterSeconds * 1000;
    if (reporting !== undefined) next.reporting = reporting;
    if (latencyMs !== undefined) next.latencyMs = latencyMs;
    switches.set(id, next);
    return view(id);
  });

  app.delete('/_sim/health', async (_request, reply) => {
    switches.clear();
    auth = undefined;
    return reply.code(204).send();
  });

  app.put('/_sim/health-auth', async (request, reply) => {
    const parsed = authBody.safeParse(request.body);
    if (!parsed.success) return bad(reply, 400, 'body must be {"header": "Authorization", "value": "..."}');
    auth = parsed.data;
    // Names the header only: the value is the secret under test.
    return { header: auth.header };
  });

  app.delete('/_sim/health-auth', async (_request, reply) => {
    auth = undefined;
    return reply.code(204).send();
  });
}
