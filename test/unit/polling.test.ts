import { describe, expect, it } from 'vitest';
import { POLL_SHARE, spacedPollInterval } from '../../src/domain/polling.js';

describe('spacedPollInterval', () => {
  it('keeps the spec interval without a budget, or when the budget leaves room', () => {
    expect(spacedPollInterval(30_000, 50, 0)).toBe(30_000);
    expect(spacedPollInterval(30_000, 10, 100)).toBe(30_000);
  });

  it('spaces polls so the clusters in flight use at most POLL_SHARE of the budget', () => {
    // 100 calls a minute, half for polls: 50 polls a minute over 100 clusters is one every 2 minutes each.
    expect(spacedPollInterval(1_000, 100, 100)).toBe(120_000);
    const interval = spacedPollInterval(200, 37, 240);
    expect((37 * 60_000) / interval).toBeLessThanOrEqual(240 * POLL_SHARE);
  });
});
