/**
 * The ideal of a benchmark scenario (bench/scenarios.ts): ceil(N/c) x T, or, under a rate
 * limit, the API floor when that is larger (the requests the work needs over the rate).
 */
import { describe, expect, it } from 'vitest';
import { apiFloorSeconds, idealMakespanSeconds, SCENARIOS } from '../../bench/scenarios.js';

const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;

describe('benchmark ideals', () => {
  it('is ceil(N/c) x T without a limit', () => {
    expect(idealMakespanSeconds(scenario('n1000-c100-t5'), 500)).toBe(50);
    expect(apiFloorSeconds(scenario('n1000-c100-t5'), 500)).toBe(0);
  });

  it('counts a PUT a cluster, the inventory once and the cheaper status read of every poll round under a limit', () => {
    const limited = scenario('n300-c100-t12-rl500');
    // 300 PUTs + 3 inventory pages + 3 batches x 6 rounds x 3 pages = 357 requests at 500 a minute.
    expect(apiFloorSeconds(limited, 2000)).toBe(42.8);
    expect(idealMakespanSeconds(limited, 2000)).toBe(42.8);
    // With few clusters in flight, reading them one by one is cheaper than listing every page.
    expect(apiFloorSeconds({ ...limited, clusters: 1000, maxParallel: 2 }, 2000)).toBe(
      Math.round((((1000 + 10 + 500 * 6 * 2) * 60) / 500) * 10) / 10,
    );
  });
});
