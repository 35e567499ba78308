/**
 * `Retry-After`, honoured for the whole client, not just the request it came with.
 *
 * Both platforms rate-limit per token (Aether documents 100 requests a minute per
 * token, then 429: platform-apis.md), and RFC 9110 gives a 429's
 * `Retry-After` as how long the *user agent* ought to wait before its next request. A
 * worker polls many clusters at once with one token, so a 429 to one poll speaks for
 * all of them: every request with that token waits until the time is up. A 503's
 * `Retry-After` (how long the service expects to be unavailable) is held the same way.
 *
 * The gate is per process: a worker learns of a 429 from its own requests. Across
 * worker processes, the API budget (workflows/api-budget/workflow.ts) keeps the fleet under the
 * documented rate in the first place.
 */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The platform asked this client to wait longer than a call may wait in process:
 * nothing was sent. Retryable after `retryAfterMs`, which the activity hands to
 * Temporal (`nextRetryDelay`), so the wait holds no worker slot.
 */
export class RetryAfterPendingError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`the platform asked this client to wait ${Math.ceil(retryAfterMs / 1000)} s more (Retry-After)`);
    this.name = 'RetryAfterPendingError';
  }
}

export class RetryAfterGate {
  /** Epoch ms until which each credential must not send. Keys are held in memory only, never shown. */
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The server told `key`'s client to wait `ms` from now. A shorter wait never shortens a longer one. */
  hold(key: string, ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until > (this.until.get(key) ?? 0)) this.until.set(key, until);
  }

  /** Milliseconds `key` must still wait (0: it may send). */
  remaining(key: string): number {
    const until = this.until.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.until.delete(key);
    return 0;
  }

  /**
   * Resolves once `key` may send, waiting again if a new `Retry-After` came meanwhile.
   * Rejects with `RetryAfterPendingError` (at once, or when a new hold lengthens the
   * wait) when the wait is longer than `maxWaitMs`, and with the signal's reason when
   * the caller gives up.
   */
  async pass(key: string, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    for (let left = this.remaining(key); left > 0; left = this.remaining(key)) {
      if (left > maxWaitMs) throw new RetryAfterPendingError(left);
      await delay(left, undefined, signal ? { signal } : {});
    }
  }
}
