/**
 * A token bucket: `ratePerMinute` tokens a minute, at most `burst` saved up. One
 * implementation for both sides of a rate limit: the simulator's per-token limit
 * (what the platform enforces) and the worker's API budget (what the worker keeps to,
 * see workflows/api-budget/workflow.ts). Time is passed in, so a workflow can drive it with its
 * deterministic clock. Plain state, so it survives continue-as-new.
 */
export interface TokenBucketState {
  readonly tokens: number;
  /** When `tokens` was last brought up to date, ms since the epoch. */
  readonly at: number;
}

export type TokenTake =
  | { readonly allowed: true }
  | { readonly allowed: false; /** Until one token is there, > 0. */ readonly waitMs: number };

/** A reservation: use the token after `waitMs`; or, not reserved, the wait that was too long. */
export interface TokenReservation {
  readonly reserved: boolean;
  readonly waitMs: number;
}

export class TokenBucket {
  #tokens: number;
  #at: number;
  readonly #perMs: number;

  /** A full bucket, or one restored from `state`. `ratePerMinute` must be > 0 and `burst` >= 1. */
  constructor(
    readonly ratePerMinute: number,
    readonly burst: number,
    state?: TokenBucketState,
    now = 0,
  ) {
    if (!(ratePerMinute > 0)) throw new RangeError(`ratePerMinute must be > 0, got ${ratePerMinute}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.#perMs = ratePerMinute / 60_000;
    this.#tokens = state ? Math.min(burst, state.tokens) : burst;
    this.#at = state?.at ?? now;
  }

  /** Takes one token at `now` if there is one; else says how long until there is. */
  take(now: number): TokenTake {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, waitMs: Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs)) };
  }

  /**
   * Reserves the next token, one not there yet included (the bucket goes into debt), and
   * says how long to wait before using it, like Go's `rate.Limiter.Reserve`. Reserves
   * nothing when the wait would be longer than `maxWaitMs`.
   */
  reserve(now: number, maxWaitMs = Number.POSITIVE_INFINITY): TokenReservation {
    this.#refill(now);
    const after = this.#tokens - 1;
    const waitMs = after >= 0 ? 0 : Math.ceil(-after / this.#perMs);
    if (waitMs > maxWaitMs) return { reserved: false, waitMs };
    this.#tokens = after;
    return { reserved: true, waitMs };
  }

  state(): TokenBucketState {
    return { tokens: this.#tokens, at: this.#at };
  }

  #refill(now: number): void {
    // A clock that went backwards refills nothing (and takes nothing back).
    if (now > this.#at) {
      this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#at) * this.#perMs);
      this.#at = now;
    }
  }
}
