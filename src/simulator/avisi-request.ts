/**
 * What every Avisi route does first: authenticate, find the organisation, read Spring's
 * paging. Shared so the cluster, upgrade, environment and membership routes answer a
 * bad token, an unknown organisation or bad paging the same way.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateAvisi } from './avisi-auth.js';
import type { SimContext } from './context.js';
import { notFound, sendProblem } from './dialects.js';
import type { ApiProblem } from './problems.js';
import { intParam, type QueryValue } from './query.js';
import type { AvisiOrganisation } from './world.js';

export type AvisiQuery = Record<string, QueryValue>;
export type OrgParams = { org: string };

export const sendAvisiProblem = (reply: FastifyReply, problem: ApiProblem): FastifyReply =>
  sendProblem(reply, 'avisi', problem);

export const badRequest = (message: string, notes: string[] = []): ApiProblem => ({
  status: 400,
  code: 'bad_request',
  message,
  notes,
});

/** Authenticates and finds the organisation; undefined when a problem was sent. */
export function avisiOrganisation(
  ctx: SimContext,
  request: FastifyRequest<{ Params: OrgParams }>,
  reply: FastifyReply,
): AvisiOrganisation | undefined {
  const auth = authenticateAvisi(request.headers.authorization, request.params.org, ctx.world);
  if (!auth.ok) return void sendAvisiProblem(reply, auth.problem);
  const org = ctx.world.avisi.get(request.params.org);
  if (!org) return void sendAvisiProblem(reply, notFound(`organisation ${request.params.org}`));
  return org;
}

/** Spring's `?page=` (0-based) and `?size=` (default 50), or undefined when either is malformed. */
export function pagingOf(query: AvisiQuery): { page: number; size: number } | undefined {
  const page = intParam(query.page, 0, 0, 1_000_000);
  const size = intParam(query.size, 50, 1, 2_000);
  return page === undefined || size === undefined ? undefined : { page, size };
}

export const BAD_PAGING = badRequest('invalid paging parameters', ['page: a number >= 0', 'size: a number in 1..2000']);
