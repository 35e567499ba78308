/**
 * Token buckets per API token, on the real clock (a rate limit is about real request
 * rates, whatever the simulated calendar does). Aether documents 100 requests a minute
 * with a small burst; the simulator answers 429 with `Retry-After` (seconds), which
 * Aether does not document but clients must honour when present.
 */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole seconds until one request will be allowed again (>= 1), when refused. */
  readonly retryAfterSeconds?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  /** `perMinute` 0 disables the limit. */
  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): RateLimitDecision {
    if (this.perMinute <= 0) return { allowed: true };
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }
}
