/**
 * Multi-hop paths on a real dev server: 1.29 -> 1.31 is two full passes over the fleet
 * (1.30 at its latest patch, then 1.31), never a skipped minor; a dry run predicts the
 * path and changes nothing; without `maxHops` the same spec is rejected up front.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformName } from '../../src/domain/platform.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const SPEC = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  ignoreMaintenanceSchedule: true,
  maxHops: 2,
} as const;

describe.each<[PlatformName, string[]]>([
  ['avisi', ['1.30.10', '1.31.6']],
  ['aether', ['1.30', '1.31']],
])('%s: 1.29 -> 1.31', (platform, hops) => {
  let h: Harness;
  let organisation: string;
  const clusters = () =>
    h.inspect<{ clusters: SimCluster[] }>(`/_sim/clusters?platform=${platform}`).then((r) => r.clusters);
  const requests = () =>
    h.inspect<{ requests: SimRequest[] }>(`/_sim/requests?platform=${platform}`).then((r) => r.requests);

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 51, avisi: { clusters: 4 }, aether: { clusters: 4 }, minors: ['1.29'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      `hops-${platform}`,
    );
    organisation = h.sim.organisations[platform][0]!;
  });
  afterAll(() => h?.close());

  it('is rejected without maxHops, before any change', async () => {
    const error = await h.runRollout({ ...SPEC, platform, organisation, maxHops: 1 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(String((error as { cause?: Error })?.cause?.message)).toMatch(/skips a minor version .*set maxHops to 2/);
    expect(await requests()).toEqual([]);
  });

  it('predicts the path in a dry run and changes nothing', async () => {
    const report = await h.runRollout({ ...SPEC, platform, organisation, dryRun: true });
    expect(report.hops).toEqual(hops);
    expect(report.clusters).toHaveLength(4);
    for (const line of report.clusters)
      expect(line.message).toMatch(new RegExp(`^would upgrade via ${hops.join(' -> ')}(; first window \\S+)?$`));
    expect(await requests()).toEqual([]);
  });

  it('upgrades every cluster in two hops, one minor at a time', async () => {
    const report = await h.runRollout({
      ...SPEC,
      platform,
      organisation,
      waves: [{ name: 'canary', size: 1 }, { name: 'rest' }],
    });
    expect(report).toMatchObject({ status: 'SUCCEEDED', hops, counts: { SUCCEEDED: 4 } });
    for (const cluster of await clusters()) {
      expect(cluster.version).toBe('1.31.6');
      // Through 1.30, never straight from 1.29 to 1.31.
      expect(cluster.upgrades.map((u) => [u.toVersion, u.status])).toEqual([
        ['1.30.10', 'SUCCEEDED'],
        ['1.31.6', 'SUCCEEDED'],
      ]);
    }
    const perCluster = new Map<string, number>();
    for (const r of await requests()) perCluster.set(r.clusterId!, (perCluster.get(r.clusterId!) ?? 0) + 1);
    expect([...perCluster.values()]).toEqual([2, 2, 2, 2]);
  });
});
