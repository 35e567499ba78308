/**
 * The two dialects' error bodies, and which dialect a URL speaks. Both platforms live
 * under `/api/v1` on one port; their paths do not collide (Aether's start with
 * `/organizations`), so the path alone picks the dialect.
 */
import type { FastifyReply } from 'fastify';
import type { ApiProblem } from './problems.js';

export type Dialect = 'avisi' | 'aether';

export function dialectOf(url: string): Dialect | undefined {
  if (url.startsWith('/api/v1/organizations')) return 'aether';
  if (url === '/api/v1' || url.startsWith('/api/v1/') || url.startsWith('/api/v1?')) return 'avisi';
  return undefined;
}

export function problemBody(dialect: Dialect, problem: ApiProblem): unknown {
  if (dialect === 'avisi') {
    return { message: problem.message, details: [...(problem.fields ?? []).map((f) => `${f.field}: ${f.message}`), ...(problem.notes ?? [])] };
  }
  const details = problem.fields?.length ? problem.fields : undefined;
  return { error: { code: problem.code, message: problem.message, ...(details ? { details } : {}) } };
}

export function sendProblem(reply: FastifyReply, dialect: Dialect, problem: ApiProblem): FastifyReply {
  return reply.code(problem.status).type('application/json').send(problemBody(dialect, problem));
}

export const notFound = (what: string): ApiProblem => ({ status: 404, code: 'not_found', message: `${what} not found` });
