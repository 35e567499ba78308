/**
 * A cluster's deprecated API use as JSON, for an `http` pre-upgrade check where no
 * Prometheus runs (the demo): what `apiserver_requested_deprecated_apis` on `/_sim/metrics`
 * says of one cluster (deprecated-apis.ts).
 *
 * - `GET /_sim/deprecated-apis/{id}?removedRelease=1.32`: 200 `{cluster, removedRelease?,
 *   count, apis: [{group, version, resource, removedRelease}]}`, the APIs its workloads
 *   still call (those the given minor removes, when `removedRelease` is set); 404 for an
 *   unknown cluster.
 */
import type { FastifyInstance } from 'fastify';
import type { SimContext } from './context.js';

export function registerDeprecatedApiRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get<{ Params: { id: string }; Querystring: { removedRelease?: string } }>(
    '/_sim/deprecated-apis/:id',
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      const cluster = ctx.world.clusters.get(id);
      if (!cluster) return reply.code(404).send({ error: `no cluster ${request.params.id}` });
      const removedRelease = request.query.removedRelease;
      const apis = (cluster.deprecatedApis ?? []).filter(
        (api) => removedRelease === undefined || api.removedRelease === removedRelease,
      );
      return {
        cluster: cluster.name,
        ...(removedRelease !== undefined ? { removedRelease } : {}),
        count: apis.length,
        apis,
      };
    },
  );
}
