/**
 * A 1,000-cluster Aether rollout on the real dev server: every cluster upgraded, the
 * parent's history under Temporal's 10,240-event warning and no payload near the
 * 256 KB warning. (10,000 clusters: bench/rollout-scale.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const CLUSTERS = 1000;

describe('a 1,000-cluster rollout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      generate: { seed: 71, avisi: { clusters: 1 }, aether: { clusters: CLUSTERS }, minors: ['1.30'] },
      timeScale: 86_400,
      rateLimitPerMinute: { aether: 0 },
    });
  });
  afterAll(() => h?.close());

  it('upgrades every cluster within Temporal history and payload limits', async () => {
    const organisation = h.sim.organisations.aether[0]!;
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      maxParallel: 100,
      pollInterval: '500ms',
      clusterDeadline: '1h',
      waves: [{ name: 'all' }],
    });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: CLUSTERS, counts: { SUCCEEDED: CLUSTERS } });

    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(10_240);
    let largest = 0;
    const visit = (value: unknown): void => {
      if (value instanceof Uint8Array) largest = Math.max(largest, value.byteLength);
      else if (value && typeof value === 'object') for (const child of Object.values(value)) visit(child);
    };
    visit(history.events);
    expect(largest).toBeLessThan(256 * 1024);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThan(16 * 1024);
  }, 600_000);
});
