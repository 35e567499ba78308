/**
 * The Aether platform's dialect under `/api/v1/organizations` (see
 * docs/platform-apis.md): `Bearer aether_…` auth per organisation, snake_case bodies,
 * cursor pages, `{error: {code, message, details?}}` errors.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isUuid, normaliseId } from '../domain/ids.js';
import { settleAetherCluster, updateAetherCluster, type AetherUpdate } from './aether-upgrades.js';
import { aetherClusterJson, decodeCursor, encodeCursor } from './aether-wire.js';
import { authenticateAether } from './aether-auth.js';
import type { SimContext } from './context.js';
import { notFound, sendProblem } from './dialects.js';
import { fieldProblems, type ApiProblem, type FieldProblem } from './problems.js';
import { intParam, type QueryValue } from './query.js';
import type { AetherCluster, AetherOrganisation } from './world.js';

const updateSchema = z
  .object({
    name: z
      .string({ message: 'must be a string' })
      .min(1, 'must not be empty')
      .max(63, 'must be at most 63 characters')
      .optional(),
    k8s_version: z.string({ message: 'must be a string' }).optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.k8s_version !== undefined, { message: 'set name or k8s_version' });

const upgradeSchema = z.object({ target_version: z.string({ message: 'is required' }) }).strict();

type OrgParams = { orgID: string };
type ClusterParams = OrgParams & { clusterID: string };

const validation = (fields: FieldProblem[]): ApiProblem => ({
  status: 400,
  code: 'validation_failed',
  message: 'request validation failed',
  fields,
});

export function registerAetherRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world, clock } = ctx;
  const problem = (reply: FastifyReply, p: ApiProblem) => sendProblem(reply, 'aether', p);

  const organisation = (
    request: FastifyRequest<{ Params: OrgParams }>,
    reply: FastifyReply,
  ): AetherOrganisation | undefined => {
    const auth = authenticateAether(request.headers.authorization, request.params.orgID, world);
    if (!auth.ok) return void problem(reply, auth.problem);
    if (!isUuid(request.params.orgID))
      return void problem(reply, validation([{ field: 'orgID', code: 'invalid_format', message: 'must be a UUID' }]));
    const org = world.aether.get(normaliseId(request.params.orgID));
    if (!org) return void problem(reply, notFound(`organization ${request.params.orgID}`));
    return org;
  };

  /** The cluster, brought up to the simulated now; undefined when a problem was sent. */
  const cluster = (
    request: FastifyRequest<{ Params: ClusterParams }>,
    reply: FastifyReply,
  ): AetherCluster | undefined => {
    const org = organisation(request, reply);
    if (!org) return undefined;
    if (!isUuid(request.params.clusterID))
      return void problem(
        reply,
        validation([{ field: 'clusterID', code: 'invalid_format', message: 'must be a UUID' }]),
      );
    const found = org.byId.get(normaliseId(request.params.clusterID));
    if (!found) return void problem(reply, notFound(`cluster ${request.params.clusterID}`));
    settleAetherCluster(found, clock.now(), ctx.aether);
    return found;
  };

  const update = (target: AetherCluster, body: AetherUpdate) =>
    updateAetherCluster(target, body, {
      now: clock.now(),
      config: ctx.aether,
      random: ctx.random,
      probabilities: ctx.probabilities.aether,
    });

  app.get<{ Params: OrgParams; Querystring: Record<string, QueryValue> }>(
    '/api/v1/organizations/:orgID/clusters',
    async (request, reply) => {
      const org = organisation(request, reply);
      if (!org) return reply;
      const limit = intParam(request.query.limit, 50, 1, 100);
      if (limit === undefined)
        return problem(
          reply,
          validation([{ field: 'limit', code: 'out_of_range', message: 'must be a whole number in 1..100' }]),
        );
      const cursor = request.query.cursor;
      const offset =
        cursor === undefined || cursor === '' ? 0 : typeof cursor === 'string' ? decodeCursor(cursor) : undefined;
      if (offset === undefined)
        return problem(
          reply,
          validation([{ field: 'cursor', code: 'invalid_cursor', message: 'not a cursor this API returned' }]),
        );
      const now = clock.now();
      const items = org.clusters
        .slice(offset, offset + limit)
        .map((c) => (settleAetherCluster(c, now, ctx.aether), aetherClusterJson(c, clock)));
      const next = offset + limit < org.clusters.length ? encodeCursor(offset + limit) : null;
      return { items, next_cursor: next };
    },
  );

  app.get<{ Params: ClusterParams }>('/api/v1/organizations/:orgID/clusters/:clusterID', async (request, reply) => {
    const found = cluster(request, reply);
    return found ? aetherClusterJson(found, clock) : reply;
  });

  app.put<{ Params: ClusterParams }>('/api/v1/organizations/:orgID/clusters/:clusterID', async (request, reply) => {
    const found = cluster(request, reply);
    if (!found) return reply;
    const parsed = updateSchema.safeParse(request.body ?? {});
    if (!parsed.success) return problem(reply, validation(fieldProblems(parsed.error.issues)));
    const result = update(found, parsed.data);
    if (!result.ok) return problem(reply, result.problem);
    return aetherClusterJson(found, clock);
  });

  app.post<{ Params: ClusterParams }>(
    '/api/v1/organizations/:orgID/clusters/:clusterID/upgrade',
    async (request, reply) => {
      const found = cluster(request, reply);
      if (!found) return reply;
      const parsed = upgradeSchema.safeParse(request.body ?? {});
      if (!parsed.success) return problem(reply, validation(fieldProblems(parsed.error.issues)));
      const result = update(found, { k8s_version: parsed.data.target_version });
      if (!result.ok) return problem(reply, result.problem);
      // Worker pools are not modelled one by one: a started rollout patches "all" of them.
      const pools = 3;
      return {
        cluster: aetherClusterJson(found, clock),
        workers_patched: result.value.changed ? pools : 0,
        workers_skipped: result.value.changed ? 0 : pools,
      };
    },
  );
}
