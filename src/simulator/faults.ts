/**
 * Fault injection on `/api/v1` routes, replaceable at run time (`PUT /_sim/faults`).
 *
 * Four faults, each at its own rate, plus latency on every request:
 * - `error`: a 500/502/503 in the dialect's shape; nothing is applied.
 * - `rate-limit`: a 429 with `Retry-After: retryAfterSeconds`; nothing is applied.
 * - `hung`: no answer; the socket is closed after `hangSeconds` (set it past the client's
 *   timeout to see the client give up); nothing is applied.
 * - `dropped`: the route applies the request, then the socket is destroyed without a
 *   response: the case that makes clients look before they send a mutation again.
 *
 * One draw per request picks at most one fault, so each rate is the share of requests
 * that get that fault (`errorRate: 0.1` faults one request in ten with a 5xx), which
 * is why the four rates may add up to 1 at most.
 *
 * Determinism: the draws come from seeded streams, one per dialect and per kind of
 * request (reads, mutations), all derived from `seed` (the simulator's unless the
 * settings name one). So the n-th mutation an Aether client sends meets the same fault
 * for a seed however many reads run beside it, and Avisi traffic never shifts Aether's
 * faults. Settings at the top apply to both dialects; `avisi` or `aether` override them
 * for one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Dialect } from './dialects.js';
import { SeededRandom } from './random.js';
import { MUTATING_METHODS } from './http-methods.js';

const rate = z.number().min(0).max(1);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const dialectFaultsShape = {
  /** Share of requests answered 500/502/503 (dialect shape) without being applied. */
  errorRate: rate.optional(),
  /** Share of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitRate: rate.optional(),
  /** @default 1 */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** Added to every request. */
  latencyMs: z.number().min(0).max(120_000).optional(),
  /** Share of requests never answered; the socket is closed after `hangSeconds`. */
  hangRate: rate.optional(),
  /** @default 60 */
  hangSeconds: z.number().min(0).max(3600).optional(),
  /** Share of requests applied, then the socket destroyed without a response. */
  dropRate: rate.optional(),
  /**
   * Only requests with these methods are faulted (e.g. `["POST", "PUT"]` to lose only
   * mutations' responses); all when absent.
   */
  methods: z.array(z.enum(METHODS)).optional(),
};

const ratesAtMostOne = (o: { errorRate?: number; rateLimitRate?: number; hangRate?: number; dropRate?: number }) =>
  (o.errorRate ?? 0) + (o.rateLimitRate ?? 0) + (o.hangRate ?? 0) + (o.dropRate ?? 0) <= 1 + 1e-9;
const RATES_MESSAGE =
  'errorRate + rateLimitRate + hangRate + dropRate must not exceed 1 (each is the share of requests that get that fault)';

export const dialectFaultsSchema = z.object(dialectFaultsShape).strict();

export const faultOptionsSchema = z
  .object({
    ...dialectFaultsShape,
    /** Restarts the fault streams from this seed. @default the simulator's seed */
    seed: z.number().int().optional(),
    /** Avisi only: overrides the settings above field by field. */
    avisi: dialectFaultsSchema.optional(),
    /** Aether only: overrides the settings above field by field. */
    aether: dialectFaultsSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    // The top-level settings, then each dialect's own (every other key).
    for (const dialect of [
      undefined,
      ...Object.keys(o).filter((key) => key !== 'seed' && !(key in dialectFaultsShape)),
    ]) {
      if (!ratesAtMostOne(effective(o, dialect)))
        ctx.addIssue({ code: 'custom', path: dialect ? [dialect] : [], message: RATES_MESSAGE });
    }
  });

export type FaultOptions = z.infer<typeof faultOptionsSchema>;
export type DialectFaults = z.infer<typeof dialectFaultsSchema>;
export type FaultKind = 'error' | 'rate-limit' | 'hung' | 'dropped';

export interface FaultDecision {
  readonly latencyMs: number;
  readonly hangMs?: number;
  readonly errorStatus?: number;
  readonly rateLimitSeconds?: number;
  readonly drop: boolean;
}

const ERROR_STATUSES = [500, 502, 503] as const;
const NONE: FaultDecision = { latencyMs: 0, drop: false };

/** The settings one dialect runs with: the top-level ones, overridden by its own. */
function effective(options: Omit<FaultOptions, 'seed'>, dialect: Dialect | undefined): DialectFaults {
  const shared = Object.fromEntries(Object.entries(options).filter(([key]) => key in dialectFaultsShape));
  const own =
    dialect === undefined ? undefined : (options as Readonly<Record<string, DialectFaults | undefined>>)[dialect];
  return { ...shared, ...own };
}

type RequestClass = 'read' | 'mutation';

/** A stream seed per (seed, dialect, request class): hashed, so neighbouring seeds give unrelated streams. */
function streamSeed(seed: number, dialect: Dialect, kind: RequestClass): number {
  return createHash('sha256').update(`fleetwave-sim-faults/${seed}/${dialect}/${kind}`).digest().readInt32BE(0);
}

export class Faults {
  private options: FaultOptions;
  private streams = new Map<string, SeededRandom>();
  private seed: number;

  /** `seed`: the simulator's, used unless `options.seed` names another. */
  constructor(options: FaultOptions, seed: number) {
    this.options = faultOptionsSchema.parse(options);
    this.seed = this.options.seed ?? seed;
  }

  /** The settings as last given. */
  get current(): FaultOptions {
    return structuredClone(this.options);
  }

  /** New settings (already validated by `faultOptionsSchema`); a `seed` among them restarts the streams. */
  replace(options: FaultOptions): void {
    this.options = structuredClone(options);
    if (options.seed !== undefined) {
      this.seed = options.seed;
      this.streams.clear();
    }
  }

  /** The settings `dialect` runs with now. */
  forDialect(dialect: Dialect): DialectFaults {
    return effective(this.options, dialect);
  }

  /** The faults for one request; a method outside `methods` gets none (and consumes no randomness). */
  roll(dialect: Dialect, method: string): FaultDecision {
    const o = this.forDialect(dialect);
    if (o.methods && !o.methods.includes(method as (typeof METHODS)[number])) return NONE;
    const hang = o.hangRate ?? 0;
    const error = hang + (o.errorRate ?? 0);
    const limited = error + (o.rateLimitRate ?? 0);
    const drop = limited + (o.dropRate ?? 0);
    const latencyMs = o.latencyMs ?? 0;
    // No fault configured: no draw, so turning faults on later starts every stream at its beginning.
    if (drop <= 0) return { ...NONE, latencyMs };
    const random = this.stream(dialect, MUTATING_METHODS.has(method) ? 'mutation' : 'read');
    const u = random.float();
    if (u < hang) return { latencyMs, hangMs: (o.hangSeconds ?? 60) * 1000, drop: false };
    if (u < error) return { latencyMs, errorStatus: random.pick(ERROR_STATUSES), drop: false };
    if (u < limited) return { latencyMs, rateLimitSeconds: o.retryAfterSeconds ?? 1, drop: false };
    return { latencyMs, drop: u < drop };
  }

  private stream(dialect: Dialect, kind: RequestClass): SeededRandom {
    const key = `${dialect}/${kind}`;
    let random = this.streams.get(key);
    if (!random) this.streams.set(key, (random = new SeededRandom(streamSeed(this.seed, dialect, kind))));
    return random;
  }
}
