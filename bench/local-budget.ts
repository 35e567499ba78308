/**
 * What a careful script does under a documented rate limit: keep to it in process. A
 * `CallBudget` (the hook the worker's API budget uses) over one token bucket, so every
 * request the client sends, retries included, waits for its token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenBucket } from '../src/domain/token-bucket.js';
import type { CallBudget } from '../src/platforms/http-options.js';

export function localBudget(ratePerMinute: number): CallBudget | undefined {
  if (ratePerMinute <= 0) return undefined;
  const bucket = new TokenBucket(ratePerMinute, 1, undefined, Date.now());
  return {
    async acquire() {
      const { waitMs } = bucket.reserve(Date.now());
      if (waitMs > 0) await sleep(waitMs);
    },
  };
}
