/**
 * `patchOnly`: the rollout behind "every Saturday, keep the fleet on the latest patch of
 * its minor". Only clusters already on the target's minor take part; the others are
 * left out (not upgraded a minor, not rejected), and nothing is asked of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

describe('patchOnly on a fleet spread over two minors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 59, avisi: { clusters: 12 }, aether: { clusters: 1 }, minors: ['1.30', '1.31'] },
        timeScale: 86_400,
      },
      'patch-only',
    );
  });
  afterAll(() => h?.close());

  it('brings the 1.31 clusters to 1.31 latest and leaves the 1.30 ones alone', async () => {
    const before = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    const on131 = before.filter((c) => c.version.startsWith('1.31.'));
    const behind = on131.filter((c) => c.version !== '1.31.6');
    // The seed gives a fleet that tests every case.
    expect([on131.length > behind.length, behind.length > 0, before.length > on131.length]).toEqual([true, true, true]);

    const report = await h.runRollout({
      platform: 'avisi',
      organisation: h.sim.organisations.avisi[0]!,
      targetVersion: '1.31',
      patchOnly: true,
      ignoreMaintenanceSchedule: true,
      pollInterval: '200ms',
    });
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      total: on131.length,
      counts: { SUCCEEDED: behind.length, SKIPPED: on131.length - behind.length },
    });

    const after = new Map(
      (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters.map((c) => [
        c.id,
        c.version,
      ]),
    );
    for (const cluster of before)
      expect(after.get(cluster.id)).toBe(cluster.version.startsWith('1.31.') ? '1.31.6' : cluster.version);
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=avisi');
    expect(new Set(requests.map((r) => r.clusterId))).toEqual(new Set(behind.map((c) => c.id)));
  });
});
