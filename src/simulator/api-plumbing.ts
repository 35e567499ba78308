/**
 * What happens to every `/api/v1` request around its route: injected faults, the
 * per-token rate limit, and the logs (mutations in the request log, every call in the
 * call log). The routes stay about the API.
 *
 * Order per request (a `preHandler`, so the body is parsed and the log can name the
 * cluster even for requests that never reach their route):
 *   latency -> hang (no response; the socket is closed after `hangSeconds`)
 *   -> injected 5xx -> injected 429 -> the real per-token rate limit -> the route
 *   -> a dropped response (the route applied the change; the socket is destroyed).
 * A request's arrival is taken in `onRequest`, before any of that (latency included).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import type { SimContext } from './context.js';
import { simDialect } from './dialect.js';
import { dialectOf, sendProblem, type Dialect } from './dialects.js';
import type { FaultKind } from './faults.js';
import { MUTATING_METHODS } from './http-methods.js';

interface Mark {
  dialect: Dialect;
  client: string;
  arrivedAt: number;
  fault?: FaultKind;
  retryAfterSeconds?: number;
  logged?: boolean;
}

/** Per-request notes, kept off the request object so fastify's types stay untouched. */
const marks = new WeakMap<FastifyRequest, Mark>();

export interface PlumbingOptions {
  /** The lower-case cluster id a request is about, for the log. */
  clusterIdOf(request: FastifyRequest, dialect: Dialect): string | undefined;
}

export function installApiPlumbing(app: FastifyInstance, ctx: SimContext, options: PlumbingOptions): { close(): void } {
  const hung = new Set<NodeJS.Timeout>();

  /** Logs a request once: when answered, when hung, or when its answer is dropped. */
  const log = (request: FastifyRequest, status: number, answered: boolean) => {
    const mark = marks.get(request);
    if (!mark || mark.logged) return;
    mark.logged = true;
    const path = request.url.split('?')[0] ?? request.url;
    ctx.calls.add({
      platform: mark.dialect,
      client: mark.client,
      method: request.method,
      path,
      arrivedAt: mark.arrivedAt,
      ...(answered ? { answeredAt: Date.now() } : {}),
      status,
      ...(mark.retryAfterSeconds !== undefined ? { retryAfterSeconds: mark.retryAfterSeconds } : {}),
      ...(mark.fault ? { fault: mark.fault } : {}),
    });
    if (!MUTATING_METHODS.has(request.method)) return;
    const clusterId = options.clusterIdOf(request, mark.dialect);
    ctx.requests.add({
      at: new Date(mark.arrivedAt).toISOString(),
      platform: mark.dialect,
      method: request.method,
      path,
      status,
      body: request.body ?? null,
      ...(clusterId ? { clusterId } : {}),
      ...(mark.fault ? { fault: mark.fault } : {}),
    });
  };

  const fault = (mark: Mark, kind: FaultKind) => {
    mark.fault = kind;
    ctx.traffic[mark.dialect]!.faults[kind]++;
  };

  const tooManyRequests = (reply: FastifyReply, mark: Mark, seconds: number): FastifyReply => {
    mark.retryAfterSeconds = seconds;
    reply.header('retry-after', String(seconds));
    return sendProblem(reply, mark.dialect, {
      status: 429,
      code: 'rate_limited',
      message: `too many requests; retry after ${seconds} s`,
    });
  };

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const dialect = dialectOf(request.url);
    if (!dialect) return;
    marks.set(request, {
      dialect,
      client: simDialect(dialect).clientLabel(request.headers.authorization, ctx.world),
      arrivedAt: Date.now(),
    });
    ctx.traffic[dialect]!.requests++;
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const mark = marks.get(request);
    if (!mark) return;
    const { dialect } = mark;

    const decision = ctx.faults.roll(dialect, request.method);
    if (decision.latencyMs > 0) await delay(decision.latencyMs);
    if (decision.hangMs !== undefined) {
      fault(mark, 'hung');
      log(request, 0, false);
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
      fault(mark, 'error');
      return sendProblem(reply, dialect, {
        status: decision.errorStatus,
        code: 'internal',
        message: 'An internal error occurred on the server. (injected fault)',
      });
    }
    if (decision.rateLimitSeconds !== undefined) {
      fault(mark, 'rate-limit');
      return tooManyRequests(reply, mark, decision.rateLimitSeconds);
    }
    // Keyed by the credential as sent: one bucket per token (anonymous callers share one per address).
    const limit = ctx.limiters[dialect]!.take(request.headers.authorization ?? `anonymous:${request.ip}`);
    if (!limit.allowed) {
      ctx.traffic[dialect]!.rateLimited++;
      return tooManyRequests(reply, mark, limit.retryAfterSeconds ?? 1);
    }
    if (decision.drop) fault(mark, 'dropped');
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const mark = marks.get(request);
    if (mark?.fault === 'dropped') {
      // The route has applied the change; the client never hears of it.
      log(request, reply.statusCode, false);
      request.raw.socket.destroy();
    }
    return payload;
  });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    log(request, reply.statusCode, true);
  });

  return {
    close() {
      for (const timer of hung) clearTimeout(timer);
      hung.clear();
    },
  };
}
