import { describe, expect, it } from 'vitest';
import { descriptorOf } from '../../src/domain/platform.js';
import { POLL_SHARE, spacedPollInterval, statusPagesFor } from '../../src/domain/polling.js';

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

  it('spaces polls by the pages a round lists where pages carry upgrade states (Aether)', () => {
    const pages = statusPagesFor(descriptorOf('aether').statusPage?.clusters, 300);
    expect(pages).toBe(3);
    // 100 in flight, three pages a round: 50 polls a minute allow a round every 3.6 s.
    expect(spacedPollInterval(1_000, 100, 100, pages)).toBe(3_600);
    // Fewer in flight than pages: one read each is cheaper, and spaced as such.
    expect(spacedPollInterval(1_000, 2, 100, 50)).toBe(2_400);
    expect(statusPagesFor(descriptorOf('avisi').statusPage?.clusters, 300)).toBeUndefined();
  });
});
