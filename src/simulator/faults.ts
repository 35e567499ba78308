/**
 * Fault injection on `/api/v1` routes, replaceable at run time (`PUT /_sim/faults`).
 * Each request rolls once per fault kind, in this order: latency (always applied),
 * hang, error, rate limit; a drop is decided up front but applied after the handler,
 * so the mutation happens and only the response is lost: the case that makes clients
 * look before they retry.
 */
import { z } from 'zod';
import type { SeededRandom } from './random.js';

const rate = z.number().min(0).max(1);

export const faultOptionsSchema = z
  .object({
    /** Share of requests answered 500/502/503 (dialect shape) without being applied. */
    errorRate: rate.optional(),
    /** Share of requests answered 429 with `Retry-After: retryAfterSeconds`. */
    rateLimitRate: rate.optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** Added to every request. */
    latencyMs: z.number().min(0).max(120_000).optional(),
    /** Share of requests never answered; the socket is closed after `hangSeconds`. */
    hangRate: rate.optional(),
    hangSeconds: z.number().min(0).max(3600).optional(),
    /** Share of requests applied, then the socket destroyed without a response. */
    dropRate: rate.optional(),
    /** Only requests with these methods are faulted (e.g. `["POST", "PUT"]` to lose only mutations' responses); all when absent. */
    methods: z.array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])).optional(),
  })
  .strict();

export type FaultOptions = z.infer<typeof faultOptionsSchema>;

export interface FaultDecision {
  readonly latencyMs: number;
  readonly hangMs?: number;
  readonly errorStatus?: number;
  readonly rateLimitSeconds?: number;
  readonly drop: boolean;
}

const ERROR_STATUSES = [500, 502, 503] as const;

export class Faults {
  private options: FaultOptions;

  constructor(
    options: FaultOptions,
    private readonly random: SeededRandom,
  ) {
    this.options = faultOptionsSchema.parse(options);
  }

  get current(): FaultOptions {
    return { ...this.options };
  }

  replace(options: FaultOptions): void {
    this.options = { ...options };
  }

  /** The faults for one request; a method outside `methods` gets none (and consumes no randomness). */
  roll(method: string): FaultDecision {
    const o = this.options;
    if (o.methods && !o.methods.includes(method as NonNullable<FaultOptions['methods']>[number])) return { latencyMs: 0, drop: false };
    const hang = this.random.chance(o.hangRate ?? 0);
    const error = !hang && this.random.chance(o.errorRate ?? 0);
    const limited = !hang && !error && this.random.chance(o.rateLimitRate ?? 0);
    const drop = !hang && !error && !limited && this.random.chance(o.dropRate ?? 0);
    return {
      latencyMs: o.latencyMs ?? 0,
      hangMs: hang ? (o.hangSeconds ?? 60) * 1000 : undefined,
      errorStatus: error ? this.random.pick(ERROR_STATUSES) : undefined,
      rateLimitSeconds: limited ? (o.retryAfterSeconds ?? 1) : undefined,
      drop,
    };
  }
}
