/**
 * What happens to every `/api/v1` request around its route: injected faults, the
 * per-token rate limit, and the request log. The routes stay about the API.
 *
 * Order per request (a `preHandler`, so the body is parsed and the log can name the
 * cluster even for requests that never reach their route):
 *   latency -> hang (no response; the socket is closed after `hangSeconds`)
 *   -> injected 5xx -> injected 429 -> the real per-token rate limit -> the route
 *   -> a dropped response (the route applied the change; the socket is destroyed).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import { dialectOf, sendProblem, type Dialect } from './dialects.js';
import type { SimContext } from './context.js';
import { MUTATING_METHODS, type LoggedRequest } from './request-log.js';

type Fault = NonNullable<LoggedRequest['fault']>;

interface Mark {
  dialect: Dialect;
  fault?: Fault;
  logged?: boolean;
}

/** Per-request notes, kept off the request object so fastify's types stay untouched. */
const marks = new WeakMap<FastifyRequest, Mark>();

export interface PlumbingOptions {
  /** The lower-case cluster id a request is about, for the log. */
  clusterIdOf(request: FastifyRequest): string | undefined;
}

export function installApiPlumbing(app: FastifyInstance, ctx: SimContext, options: PlumbingOptions): { close(): void } {
  const hung = new Set<NodeJS.Timeout>();

  const log = (request: FastifyRequest, status: number) => {
    const mark = marks.get(request);
    if (!mark || mark.logged || !MUTATING_METHODS.has(request.method)) return;
    mark.logged = true;
    const clusterId = options.clusterIdOf(request);
    ctx.requests.add({
      at: new Date().toISOString(),
      platform: mark.dialect,
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      status,
      body: request.body ?? null,
      ...(clusterId ? { clusterId } : {}),
      ...(mark.fault ? { fault: mark.fault } : {}),
    });
  };

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const dialect = dialectOf(request.url);
    if (!dialect) return;
    const mark: Mark = { dialect };
    marks.set(request, mark);
    ctx.traffic[dialect].requests++;

    const decision = ctx.faults.roll(request.method);
    if (decision.latencyMs > 0) await delay(decision.latencyMs);
    if (decision.hangMs !== undefined) {
      mark.fault = 'hung';
      log(request, 0);
      reply.hijack();
      const socket = request.raw.socket;
      const timer = setTimeout(() => {
        hung.delete(timer);
        socket.destroy();
      }, decision.hangMs);
      hung.add(timer);
      socket.once('close', () => {
        clearTimeout(timer);
        hung.delete(timer);
      });
      return reply;
    }
    if (decision.errorStatus !== undefined) {
      mark.fault = 'error';
      return sendProblem(reply, dialect, { status: decision.errorStatus, code: 'internal', message: 'An internal error occurred on the server. (injected fault)' });
    }
    if (decision.rateLimitSeconds !== undefined) {
      mark.fault = 'rate-limit';
      return tooManyRequests(reply, dialect, decision.rateLimitSeconds);
    }
    // Keyed by the credential as sent: one bucket per token (anonymous callers share one per address).
    const limit = ctx.limiters[dialect].take(request.headers.authorization ?? `anonymous:${request.ip}`);
    if (!limit.allowed) {
      ctx.traffic[dialect].rateLimited++;
      return tooManyRequests(reply, dialect, limit.retryAfterSeconds ?? 1);
    }
    if (decision.drop) mark.fault = 'dropped';
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const mark = marks.get(request);
    if (mark?.fault === 'dropped') {
      // The route has applied the change; the client never hears of it.
      log(request, reply.statusCode);
      request.raw.socket.destroy();
    }
    return payload;
  });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    log(request, reply.statusCode);
  });

  return {
    close() {
      for (const timer of hung) clearTimeout(timer);
      hung.clear();
    },
  };
}

function tooManyRequests(reply: FastifyReply, dialect: Dialect, seconds: number): FastifyReply {
  reply.header('retry-after', String(seconds));
  return sendProblem(reply, dialect, { status: 429, code: 'rate_limited', message: `too many requests; retry after ${seconds} s` });
}
