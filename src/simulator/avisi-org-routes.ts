/**
 * The Avisi calls a real client makes around clusters: which organisations its token
 * belongs to, and the environments clusters are grouped in. Same `Token` auth,
 * `{message, details[]}` errors, Spring pages and fault injection as every other
 * Avisi route (the plumbing in api-plumbing.ts wraps all of `/api/v1`).
 *
 * Routes (method and path, query: response):
 * - `GET /memberships` [docs: go-client `GetMemberships`], `?page=N&size=M`: page of
 *   `{email, id, name, slug}`.
 * - `GET /orgs/{org}/environments` [docs], `?page=N&size=M&show-compute=true`: page of
 *   `EnvironmentResponse` (avisi-environments.ts).
 * - `GET /orgs/{org}/environments/{env}` [docs: go-client], `?show-compute=true`:
 *   `EnvironmentResponse`; 404 when unknown.
 * - `GET /orgs/{org}/update-channels` [docs: go-client `GetUpdateChannels`], `?page=N&size=M`:
 *   page of `UpdateChannelResponse` `{name, available, kubernetesClusterVersion}`, one per
 *   offered minor (avisi-wire.ts).
 *
 * Memberships: one per organisation the token belongs to, every one for a global token,
 * its own for an organisation's token [assumed: the API does not say how tokens scope].
 * `show-compute=true` adds `totalClusters`, `totalCpu` and `totalMemory` (the go-client
 * always sends it) [docs: the fields and the parameter; assumed: that they are absent
 * without it]. A value other than true/false is a 400, as Spring answers a bad boolean
 * [assumed]. 401 without or with a bad token, 403 for an organisation a scoped token is
 * not for (avisi-auth.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateAvisi, avisiOrganisationsOf } from './avisi-auth.js';
import { avisiEnvironmentJson, avisiEnvironments, avisiMembershipJson } from './avisi-environments.js';
import {
  avisiOrganisation,
  BAD_PAGING,
  badRequest,
  pagingOf,
  sendAvisiProblem,
  type AvisiQuery,
  type OrgParams,
} from './avisi-request.js';
import { avisiUpdateChannels, springPage } from './avisi-wire.js';
import type { SimContext } from './context.js';
import { notFound } from './dialects.js';
import { booleanParam } from './query.js';

const BAD_SHOW_COMPUTE = badRequest('invalid value for show-compute', ['show-compute: true or false']);

export function registerAvisiOrgRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world, clock } = ctx;
  const showComputeOf = (request: FastifyRequest<{ Querystring: AvisiQuery }>) =>
    booleanParam(request.query['show-compute'], false);

  app.get<{ Querystring: AvisiQuery }>('/api/v1/memberships', async (request, reply) => {
    const auth = authenticateAvisi(request.headers.authorization, undefined, world);
    if (!auth.ok) return sendAvisiProblem(reply, auth.problem);
    const paging = pagingOf(request.query);
    if (!paging) return sendAvisiProblem(reply, BAD_PAGING);
    const organisations = avisiOrganisationsOf(auth.value, world).flatMap((slug) => world.avisi.get(slug) ?? []);
    const body = springPage(organisations, paging.page, paging.size);
    return { ...body, content: body.content.map(avisiMembershipJson) };
  });

  app.get<{ Params: OrgParams; Querystring: AvisiQuery }>('/api/v1/orgs/:org/environments', async (request, reply) => {
    const org = avisiOrganisation(ctx, request, reply);
    if (!org) return reply;
    const paging = pagingOf(request.query);
    if (!paging) return sendAvisiProblem(reply, BAD_PAGING);
    const showCompute = showComputeOf(request);
    if (showCompute === undefined) return sendAvisiProblem(reply, BAD_SHOW_COMPUTE);
    const body = springPage(avisiEnvironments(org), paging.page, paging.size);
    return {
      ...body,
      content: body.content.map((environment) => avisiEnvironmentJson(environment, clock, showCompute)),
    };
  });

  type EnvironmentRoute = { Params: OrgParams & { env: string }; Querystring: AvisiQuery };
  app.get<EnvironmentRoute>('/api/v1/orgs/:org/environments/:env', async (request, reply) => {
    const org = avisiOrganisation(ctx, request, reply);
    if (!org) return reply;
    const showCompute = showComputeOf(request);
    if (showCompute === undefined) return sendAvisiProblem(reply, BAD_SHOW_COMPUTE);
    const environment = avisiEnvironments(org).find((e) => e.slug === request.params.env);
    if (!environment) return sendAvisiProblem(reply, notFound(`environment ${request.params.env}`));
    return avisiEnvironmentJson(environment, clock, showCompute);
  });

  app.get<{ Params: OrgParams; Querystring: AvisiQuery }>(
    '/api/v1/orgs/:org/update-channels',
    async (request, reply) => {
      const org = avisiOrganisation(ctx, request, reply);
      if (!org) return reply;
      const paging = pagingOf(request.query);
      if (!paging) return sendAvisiProblem(reply, BAD_PAGING);
      return springPage(avisiUpdateChannels(), paging.page, paging.size);
    },
  );
}
