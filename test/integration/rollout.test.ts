/**
 * Walking skeleton, end to end: a 20-cluster rollout per platform on a real Temporal
 * dev server against the simulator ends SUCCEEDED with every cluster at the target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformName } from '../../src/domain/platform.js';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const CLUSTERS = 20;

describe.each<PlatformName>(['avisi', 'aether'])('a %s rollout of 20 clusters', (platform) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 11, avisi: { clusters: CLUSTERS }, aether: { clusters: CLUSTERS }, minors: ['1.30'] },
        // A simulated day per real second: maintenance windows days away open within seconds.
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      `rollout-${platform}`,
    );
  });
  afterAll(() => h?.close());

  it('upgrades every cluster to the latest 1.31 patch and reports SUCCEEDED', async () => {
    const organisation = h.sim.organisations[platform][0]!;
    const report = await h.runRollout({
      platform,
      organisation,
      targetVersion: '1.31',
      maxParallel: 8,
      pollInterval: '250ms',
      clusterDeadline: '60s',
    });

    expect(report).toMatchObject({ status: 'SUCCEEDED', platform, organisation, total: CLUSTERS, clusters: [] });
    expect(report.counts.SUCCEEDED + report.counts.SKIPPED).toBe(CLUSTERS);
    expect(report.counts.SUCCEEDED).toBeGreaterThan(0);

    const { clusters } = await h.inspect<{ clusters: SimCluster[] }>(`/_sim/clusters?platform=${platform}`);
    expect(clusters).toHaveLength(CLUSTERS);
    const latest131 = clusters
      .map((c) => c.version)
      .sort()
      .at(-1)!;
    expect(latest131).toMatch(/^1\.31\.\d+$/);
    for (const cluster of clusters) expect(cluster.version, cluster.name).toBe(latest131);

    // One upgrade request per cluster that needed one: nothing twice.
    const { requests } = await h.inspect<{ requests: SimRequest[] }>(`/_sim/requests?platform=${platform}`);
    const perCluster = new Map<string, number>();
    for (const r of requests) if (r.clusterId) perCluster.set(r.clusterId, (perCluster.get(r.clusterId) ?? 0) + 1);
    expect(requests).toHaveLength(report.counts.SUCCEEDED);
    expect([...perCluster.values()].every((n) => n === 1)).toBe(true);

    // Each child asked, then polled until the upgrade settled; the poll that saw it succeed
    // read the version the cluster runs, so no child needed a verifying read of its own.
    for (const clusterId of perCluster.keys()) {
      const history = await h.client.workflow.getHandle(clusterLockId(platform, clusterId)).fetchHistory();
      const activities = new Set(
        (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
      );
      expect([...activities].sort(), clusterId).toEqual(['pollUpgrade', 'requestUpgrade']);
    }
  });
});
