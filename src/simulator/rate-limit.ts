/**
 * Token buckets per API token, on the real clock (a rate limit is about real request
 * rates, whatever the simulated calendar does). Aether documents 100 requests a minute
 * with a small burst; the simulator answers 429 with `Retry-After` (seconds), which
 * Aether does not document but clients must honour when present.
 */
import { TokenBucket } from '../domain/token-bucket.js';

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole seconds until one request will be allowed again (>= 1), when refused. */
  readonly retryAfterSeconds?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  /** `perMinute` 0 disables the limit. */
  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateLimitDecision {
    if (this.perMinute <= 0) return { allowed: true };
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.perMinute, this.burst, undefined, now)));
    const taken = bucket.take(now);
    return taken.allowed
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(taken.waitMs / 1000)) };
  }
}
