/**
 * The simulator's dialects behind one registry: each platform's API is a dialect (its
 * routes, its error bodies, which URLs are its, how its clusters look under `/_sim/`;
 * dialect.ts has the whole shape), listed once in dialect-list.ts. The shared parts
 * (server, plumbing, inspection and health routes) ask the dialect and never test its name.
 *
 * All dialects may share one prefix (Avisi and Aether both live under `/api/v1`): the
 * dialect with the longest `prefix` that `owns` a URL speaks it, so Aether's
 * `/api/v1/organizations` wins over Avisi's `/api/v1`.
 *
 * This file holds the wire part only (no server types), so the logs can name a dialect
 * without an import circle.
 */
import type { FastifyReply } from 'fastify';
import type { ApiProblem } from './problems.js';

/** A dialect's name: the `/_sim/` `platform` of its clusters, requests and calls. */
export type Dialect = string;

/** What the wire needs of a dialect: which URLs are its, and its error bodies. */
export interface DialectWire {
  readonly name: Dialect;
  /** The path its URLs start with; the longest matching prefix decides between dialects. */
  readonly prefix: string;
  /** Whether it speaks this URL (path and query, as received). */
  readonly owns: (url: string) => boolean;
  /** Its error body for a problem (status and headers are the same for all). */
  readonly problemBody: (problem: ApiProblem) => unknown;
}

const DIALECTS: DialectWire[] = [];

/** Every dialect, in registration order (the order of `/_sim/traffic`). */
export const DIALECT_WIRES: readonly DialectWire[] = DIALECTS;

/** Adds a dialect: dialect.ts `registerDialect` does, for the whole shape. */
export function addDialectWire(dialect: DialectWire): void {
  if (DIALECTS.some((d) => d.name === dialect.name))
    throw new Error(`simulator dialect ${dialect.name} is registered twice`);
  DIALECTS.push(dialect);
}

export function dialectWire(name: Dialect): DialectWire {
  const dialect = DIALECTS.find((d) => d.name === name);
  if (!dialect) throw new TypeError(`unknown simulator dialect ${JSON.stringify(name)}`);
  return dialect;
}

export function dialectOf(url: string): Dialect | undefined {
  let best: DialectWire | undefined;
  for (const dialect of DIALECTS) {
    if (dialect.owns(url) && (!best || dialect.prefix.length > best.prefix.length)) best = dialect;
  }
  return best?.name;
}

export const problemBody = (dialect: Dialect, problem: ApiProblem): unknown =>
  dialectWire(dialect).problemBody(problem);

export function sendProblem(reply: FastifyReply, dialect: Dialect, problem: ApiProblem): FastifyReply {
  return reply.code(problem.status).type('application/json').send(problemBody(dialect, problem));
}

export const notFound = (what: string): ApiProblem => ({
  status: 404,
  code: 'not_found',
  message: `${what} not found`,
});

/** `/api/v1` itself, or anything under it: what a dialect living at `prefix` owns. */
export const underPrefix =
  (prefix: string) =>
  (url: string): boolean =>
    url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
