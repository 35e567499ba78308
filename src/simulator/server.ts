/**
 * `startSimulator`: both platforms' APIs and the `/_sim/` inspection API on one
 * fastify server, bound to loopback unless told otherwise.
 *
 * Durations of the simulated lifecycle (scheduling delay, upgrade duration) are in
 * *simulated* time; `timeScale` decides how fast that passes (86400: a day a second).
 * Every timestamp on the wire is a real instant, so clients sleep with their own clock.
 */
import Fastify, { type FastifyError } from 'fastify';
import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../logger.js';
import type { AetherLifecycleConfig } from './aether-upgrades.js';
import { installApiPlumbing } from './api-plumbing.js';
import type { AvisiLifecycleConfig } from './avisi-upgrades.js';
import { CallLog } from './call-log.js';
import { SimClock } from './clock.js';
import type { SimContext, Traffic } from './context.js';
import { simDialect, simDialects } from './dialect.js';
import './dialect-list.js';
import { dialectOf, sendProblem } from './dialects.js';
import { Faults, type FaultOptions } from './faults.js';
import type { FleetDefinition } from './fleet.js';
import { generateFleet, type GenerateOptions } from './generate.js';
import { registerDeprecatedApiRoutes } from './deprecated-api-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerInspectionRoutes } from './inspect-routes.js';
import { registerNotifyReceiver } from './notify-receiver.js';
import type { AetherOutcome, AvisiOutcome, OutcomeProbabilities } from './outcomes.js';
import { SeededRandom } from './random.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import type { MaintenanceWindow } from '../domain/windows.js';
import { buildWorld } from './world.js';

const MINUTE = 60_000;

export interface SimulatorOptions {
  /** Address to bind. @default '127.0.0.1' (loopback: the simulator has an unauthenticated control API) */
  readonly host?: string;
  /** @default 0 (any free port; read `url`) */
  readonly port?: number;
  /** The fleet to serve. Without it one is generated from `generate`. */
  readonly fleet?: FleetDefinition;
  /** Options for the generated fleet. @default 20 clusters per platform on 1.30 */
  readonly generate?: GenerateOptions;
  /** Seed of upgrade ids, outcome draws and fault streams. @default 1 */
  readonly seed?: number;
  /** Simulated milliseconds per real millisecond. @default 1 */
  readonly timeScale?: number;
  /** Where the simulated calendar starts, epoch ms. @default now */
  readonly simStart?: number;
  /**
   * Requests per minute per token, per dialect; 0 turns the limit off.
   * @default each dialect's (avisi: 0, none documented; aether: 100)
   */
  readonly rateLimitPerMinute?: { readonly [dialect: string]: number | undefined };
  /** Requests a token may send at once before the rate applies. @default 10 */
  readonly rateLimitBurst?: number;
  /**
   * Avisi lifecycle, simulated ms.
   * @default { schedulingDelayMs: 1 min, upgradeDurationMs: 30 min, defaultWindowMinutes: 240 }
   */
  readonly avisi?: Partial<AvisiLifecycleConfig>;
  /** Aether lifecycle, simulated ms. @default { upgradeDurationMs: 20 min } */
  readonly aether?: Partial<AetherLifecycleConfig>;
  /** How upgrades end when no outcome is forced. @default every upgrade succeeds */
  readonly outcomeProbabilities?: {
    readonly avisi?: OutcomeProbabilities<AvisiOutcome>;
    readonly aether?: OutcomeProbabilities<AetherOutcome>;
  };
  /** Fault injection at start; `PUT /_sim/faults` changes it later. @default none */
  readonly faults?: FaultOptions;
  /** Avisi tokens valid for every organisation. @default one derived from the seed */
  readonly avisiTokens?: readonly string[];
  /** Maintenance windows for Avisi clusters the fleet gives none. @default Saturday 02:00 UTC, 4 hours */
  readonly defaultWindows?: readonly MaintenanceWindow[];
  /**
   * Secrets by channel the notification receiver (`/_sim/notify/{channel}`) checks signatures
   * with; `PUT /_sim/notify/{channel}/secret` sets more.
   * @default none
   */
  readonly notifySecrets?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
}

export interface RunningSimulator {
  /** `http://host:port`; the APIs live under `${url}/api/v1`. */
  readonly url: string;
  /** Organisations served: Avisi slugs and Aether ids (lower-case). */
  readonly organisations: { readonly avisi: readonly string[]; readonly aether: readonly string[] };
  /** Tokens that work: one Avisi token for every organisation, one Aether token per organisation id. */
  readonly tokens: { readonly avisi: string; readonly aether: Readonly<Record<string, string>> };
  readonly clock: SimClock;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const logger = options.logger ?? silentLogger;
  const seed = options.seed ?? 1;
  const clock = new SimClock({
    timeScale: options.timeScale ?? 1,
    ...(options.simStart !== undefined ? { simStart: options.simStart } : {}),
  });
  const random = new SeededRandom(seed);
  const avisiTokens = options.avisiTokens ?? [
    `sim-avisi-${createHash('sha256').update(`avisi-token/${seed}`).digest('hex').slice(0, 24)}`,
  ];
  const world = buildWorld(options.fleet ?? generateFleet(options.generate), {
    simStart: clock.simStart,
    avisiTokens,
    defaultWindows: options.defaultWindows ?? [{ day: 'SATURDAY', startTime: '02:00', duration: 240 }],
  });
  const burst = options.rateLimitBurst ?? 10;
  const ctx: SimContext = {
    world,
    clock,
    avisi: { schedulingDelayMs: MINUTE, upgradeDurationMs: 30 * MINUTE, defaultWindowMinutes: 240, ...options.avisi },
    aether: { upgradeDurationMs: 20 * MINUTE, ...options.aether },
    random,
    probabilities: options.outcomeProbabilities ?? {},
    faults: new Faults(options.faults ?? {}, seed),
    limiters: Object.fromEntries(
      simDialects().map((d) => [
        d.name,
        new RateLimiter(options.rateLimitPerMinute?.[d.name] ?? d.defaultRatePerMinute, burst),
      ]),
    ),
    requests: new RequestLog(),
    calls: new CallLog(),
    traffic: Object.fromEntries(simDialects().map((d) => [d.name, emptyTraffic()])),
    logger,
  };

  // forceCloseConnections: close() must not wait for a client's keep-alive socket or a hung request.
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });
  const plumbing = installApiPlumbing(app, ctx, {
    clusterIdOf: (request, dialect) => simDialect(dialect).clusterIdOf(request, ctx),
  });
  for (const dialect of simDialects()) dialect.register(app, ctx);
  registerInspectionRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  registerDeprecatedApiRoutes(app, ctx);
  registerNotifyReceiver(app, { ...(options.notifySecrets ? { secrets: options.notifySecrets } : {}) });

  app.setNotFoundHandler((request, reply) => {
    const dialect = dialectOf(request.url);
    if (!dialect) return reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
    return sendProblem(reply, dialect, {
      status: 404,
      code: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Bodies that are not JSON, or too large, come here before any route: answer in the dialect.
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500)
      logger.error({ err: error, method: request.method, path: request.url.split('?')[0] }, 'simulator route failed');
    const message = status === 500 ? 'An internal error occurred on the server.' : error.message;
    const dialect = dialectOf(request.url);
    if (!dialect) return reply.code(status).send({ error: message });
    return sendProblem(reply, dialect, { status, code: status === 500 ? 'internal' : 'bad_request', message });
  });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('simulator: could not read the bound address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info(
    {
      url,
      avisi: world.avisi.size,
      aether: world.aether.size,
      clusters: world.clusters.size,
      timeScale: clock.timeScale,
    },
    'simulator listening',
  );

  return {
    url,
    organisations: { avisi: [...world.avisi.keys()], aether: [...world.aether.keys()] },
    tokens: {
      avisi: avisiTokens[0]!,
      aether: Object.fromEntries([...world.aether.values()].map((org) => [org.id, org.token])),
    },
    clock,
    close: async () => {
      plumbing.close();
      await app.close();
    },
  };
}

const emptyTraffic = (): Traffic => ({
  requests: 0,
  rateLimited: 0,
  faults: { error: 0, 'rate-limit': 0, hung: 0, dropped: 0 },
});
