/**
 * Avisi Cloud's dialect under `/api/v1` (see docs/platform-apis.md): `Token` auth,
 * camelCase bodies, Spring pages, `{message, details[]}` errors.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isUuid } from '../domain/ids.js';
import { authenticateAvisi } from './avisi-auth.js';
import { CATALOG } from './catalog.js';
import type { SimContext } from './context.js';
import { notFound } from './dialects.js';
import { fieldProblems, type ApiProblem } from './problems.js';
import { listParam } from './query.js';
import {
  avisiOrganisation,
  BAD_PAGING,
  badRequest,
  pagingOf,
  sendAvisiProblem,
  type AvisiQuery as Query,
} from './avisi-request.js';
import type { OrgParams } from './avisi-request.js';
import {
  AVISI_STATUSES,
  cancelAvisiUpgrade,
  requestAvisiUpgrade,
  settleAvisiCluster,
  viewAvisiUpgrade,
  type AvisiStatus,
} from './avisi-upgrades.js';
import { avisiClusterJson, scheduledUpgradeJson, springPage } from './avisi-wire.js';

const upgradeRequestSchema = z.object({
  clusterIdentity: z.string({ message: 'is required' }).refine(isUuid, 'must be a UUID'),
  version: z.string({ message: 'is required' }).min(1, 'must not be empty'),
  scheduleRequestDate: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time' }).nullish(),
  ignoreMaintenanceSchedule: z.boolean({ message: 'must be a boolean' }).nullish(),
});

/** The simulated calendar ends here: dates past it (a request "from 2099" at a high time scale) are clamped. */
const LAST_SIM_INSTANT = 8.0e15;

export function registerAvisiRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world, clock } = ctx;
  const problem = (reply: FastifyReply, p: ApiProblem) => sendAvisiProblem(reply, p);
  const organisation = avisiOrganisation.bind(undefined, ctx);

  app.get('/api/v1/cluster-versions', async (request, reply) => {
    const auth = authenticateAvisi(request.headers.authorization, undefined, world);
    if (!auth.ok) return problem(reply, auth.problem);
    return CATALOG.map((entry) => ({ version: entry.ame }));
  });

  app.get<{ Params: OrgParams; Querystring: Query }>('/api/v1/orgs/:org/clusters', async (request, reply) => {
    const org = organisation(request, reply);
    if (!org) return reply;
    const paging = pagingOf(request.query);
    if (!paging) return problem(reply, BAD_PAGING);
    const body = springPage(org.clusters, paging.page, paging.size);
    const now = clock.now();
    return {
      ...body,
      content: body.content.map(
        (cluster) => (settleAvisiCluster(cluster, now, ctx.avisi), avisiClusterJson(cluster, clock)),
      ),
    };
  });

  // go-client `GetClustersByOrgAndEnv`: the org listing's page, of one environment; 404 for an environment it has not.
  app.get<{ Params: OrgParams & { env: string }; Querystring: Query }>(
    '/api/v1/orgs/:org/clusters/:env',
    async (request, reply) => {
      const org = organisation(request, reply);
      if (!org) return reply;
      const paging = pagingOf(request.query);
      if (!paging) return problem(reply, BAD_PAGING);
      const inEnvironment = org.clusters.filter((c) => c.environmentSlug === request.params.env);
      if (inEnvironment.length === 0) return problem(reply, notFound(`environment ${request.params.env}`));
      const body = springPage(inEnvironment, paging.page, paging.size);
      const now = clock.now();
      return {
        ...body,
        content: body.content.map(
          (cluster) => (settleAvisiCluster(cluster, now, ctx.avisi), avisiClusterJson(cluster, clock)),
        ),
      };
    },
  );

  app.get<{ Params: OrgParams & { env: string; slug: string } }>(
    '/api/v1/orgs/:org/clusters/:env/:slug',
    async (request, reply) => {
      const org = organisation(request, reply);
      if (!org) return reply;
      const cluster = org.byPath.get(`${request.params.env}/${request.params.slug}`);
      if (!cluster) return problem(reply, notFound(`cluster ${request.params.env}/${request.params.slug}`));
      settleAvisiCluster(cluster, clock.now(), ctx.avisi);
      return avisiClusterJson(cluster, clock);
    },
  );

  app.post<{ Params: OrgParams }>('/api/v1/orgs/:org/scheduled-cluster-upgrades', async (request, reply) => {
    const org = organisation(request, reply);
    if (!org) return reply;
    const parsed = upgradeRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success)
      return problem(reply, {
        status: 400,
        code: 'bad_request',
        message: 'Invalid request parameters.',
        fields: fieldProblems(parsed.error.issues),
      });
    const result = requestAvisiUpgrade(org, parsed.data, {
      now: clock.now(),
      config: ctx.avisi,
      random: ctx.random,
      probabilities: ctx.probabilities.avisi,
      toSim: (iso) => Math.min(clock.parseReal(iso), LAST_SIM_INSTANT),
    });
    if (!result.ok) return problem(reply, result.problem);
    return scheduledUpgradeJson(result.value, org.byIdentity.get(result.value.clusterIdentity)!, clock, ctx.avisi);
  });

  app.get<{ Params: OrgParams; Querystring: Query }>(
    '/api/v1/orgs/:org/scheduled-cluster-upgrades',
    async (request, reply) => {
      const org = organisation(request, reply);
      if (!org) return reply;
      const paging = pagingOf(request.query);
      if (!paging) return problem(reply, BAD_PAGING);
      const statuses = listParam(request.query.statuses);
      const unknown = statuses.filter((s) => !AVISI_STATUSES.includes(s as AvisiStatus));
      if (unknown.length > 0)
        return problem(
          reply,
          badRequest(`unknown status ${unknown.join(', ')}`, [`statuses: one or more of ${AVISI_STATUSES.join(', ')}`]),
        );
      const identities = new Set(listParam(request.query.clusterIdentities).map((id) => id.toLowerCase()));
      const now = clock.now();
      const clusters =
        identities.size > 0 ? [...identities].flatMap((id) => org.byIdentity.get(id) ?? []) : org.clusters;
      const matching = clusters.flatMap((cluster) => {
        settleAvisiCluster(cluster, now, ctx.avisi);
        return cluster.upgrades
          .filter((u) => statuses.length === 0 || statuses.includes(viewAvisiUpgrade(u, now, ctx.avisi).status))
          .map((u) => ({ upgrade: u, cluster }));
      });
      matching.sort((a, b) => a.upgrade.createdAt - b.upgrade.createdAt);
      const body = springPage(matching, paging.page, paging.size);
      return {
        ...body,
        content: body.content.map(({ upgrade, cluster }) => scheduledUpgradeJson(upgrade, cluster, clock, ctx.avisi)),
      };
    },
  );

  type UpgradeRequest = FastifyRequest<{ Params: OrgParams & { identity: string } }>;
  /** The organisation and the scheduled upgrade a request names; undefined once the 404 is sent. */
  const upgradeOf = (request: UpgradeRequest, reply: FastifyReply) => {
    const org = organisation(request, reply);
    if (!org) return undefined;
    const upgrade = org.upgrades.get(request.params.identity.toLowerCase());
    if (upgrade) return { org, upgrade, cluster: org.byIdentity.get(upgrade.clusterIdentity)! };
    problem(reply, notFound(`scheduled cluster upgrade ${request.params.identity}`));
    return undefined;
  };

  app.get<{ Params: OrgParams & { identity: string } }>(
    '/api/v1/orgs/:org/scheduled-cluster-upgrades/:identity',
    async (request, reply) => {
      const found = upgradeOf(request, reply);
      if (!found) return reply;
      settleAvisiCluster(found.cluster, clock.now(), ctx.avisi);
      return scheduledUpgradeJson(found.upgrade, found.cluster, clock, ctx.avisi);
    },
  );

  app.delete<{ Params: OrgParams & { identity: string } }>(
    '/api/v1/orgs/:org/scheduled-cluster-upgrades/:identity',
    async (request, reply) => {
      const found = upgradeOf(request, reply);
      if (!found) return reply;
      const result = cancelAvisiUpgrade(found.org, found.upgrade, clock.now(), ctx.avisi);
      if (!result.ok) return problem(reply, result.problem);
      return scheduledUpgradeJson(result.value, found.cluster, clock, ctx.avisi);
    },
  );
}
