/** `fleet versions` keeps to a platform's configured rate in its own process (cli/versions-read.ts `paced`). */
import { describe, expect, it } from 'vitest';
import { paced } from '../../src/cli/versions-read.js';

describe('paced', () => {
  it('lets a burst go at once, then one call per 1/rate', async () => {
    const budget = paced({ ratePerMinute: 600, burst: 2 })!;
    const started = Date.now();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await budget.acquire();
      times.push(Date.now() - started);
    }
    // 600 a minute: 100 ms apart after the two of the burst.
    expect(times[1]).toBeLessThan(50);
    expect(times[2]).toBeGreaterThanOrEqual(95);
    expect(times[4]).toBeGreaterThanOrEqual(295);
  });

  it('waits for nothing without a limit', () => {
    expect(paced({ ratePerMinute: 0, burst: 5 })).toBeUndefined();
  });

  it('stops waiting when the read is given up', async () => {
    const budget = paced({ ratePerMinute: 1, burst: 1 })!;
    await budget.acquire();
    const stop = new AbortController();
    const waiting = budget.acquire(stop.signal);
    stop.abort(new Error('given up'));
    await expect(waiting).rejects.toThrow();
  });
});
