/**
 * Maintenance windows in a dry run: the rollout predicts, for every Avisi cluster, the
 * window the platform's scheduler will pick, honouring `scheduleRequestDate` and
 * `ignoreMaintenanceSchedule`; the prediction is checked against the window the
 * simulator then really assigns. Real time (time scale 1), and nothing is upgraded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

describe('predicted maintenance windows', () => {
  let h: Harness;
  let organisation: string;
  let clusters: SimCluster[];
  // Three days ahead, on the minute: far enough that no window opens during the test.
  // (The simulated scheduler picks a window one second after a request: see schedulingDelayMs.)
  const from = new Date(Math.floor((Date.now() + 3 * 86_400_000) / 60_000) * 60_000).toISOString();

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 87, avisi: { clusters: 5 }, aether: { clusters: 1 }, minors: ['1.30'] },
        timeScale: 1,
        avisi: { schedulingDelayMs: 1_000 },
      },
      'windows',
    );
    organisation = h.sim.organisations.avisi[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
  });
  afterAll(() => h?.close());

  it('predicts the window the scheduler picks, and changes nothing', async () => {
    const report = await h.runRollout({
      platform: 'avisi',
      organisation,
      targetVersion: '1.31',
      dryRun: true,
      scheduleRequestDate: from,
    });
    expect(report.clusters).toHaveLength(5);
    const predicted = new Map(
      report.clusters.map((c) => [c.clusterId, /first window (\S+) to (\S+)$/.exec(c.message ?? '')]),
    );
    const { requests } = await h.inspect<{ requests: unknown[] }>('/_sim/requests');
    expect(requests).toEqual([]);
    // The dry run's forecast ends no earlier than the last first window opens, plus a cluster's assumed duration.
    const opens = [...predicted.values()].map((m) => Date.parse(m![1]!));
    expect(Date.parse(report.forecast!.at)).toBeGreaterThanOrEqual(Math.max(...opens) + report.forecast!.clusterMs);

    // Now ask the platform for real, from the same date: it picks the predicted window.
    for (const cluster of clusters.slice(0, 3)) {
      const response = await fetch(`${h.sim.url}/api/v1/orgs/${organisation}/scheduled-cluster-upgrades`, {
        method: 'POST',
        headers: { authorization: `Token ${h.sim.tokens.avisi}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clusterIdentity: cluster.id, version: 'v1.31.6-u-ame.1', scheduleRequestDate: from }),
      });
      const requested = (await response.json()) as { identity: string };
      // REQUESTED first; the window is chosen when the scheduler gets to it.
      const upgrade = await eventually(
        async () => {
          const read = await fetch(
            `${h.sim.url}/api/v1/orgs/${organisation}/scheduled-cluster-upgrades/${requested.identity}`,
            { headers: { authorization: `Token ${h.sim.tokens.avisi}` } },
          );
          const body = (await read.json()) as { windowStart: string | null; windowEnd: string };
          return body.windowStart ? (body as { windowStart: string; windowEnd: string }) : undefined;
        },
        { what: 'a scheduled window' },
      );
      const match = predicted.get(cluster.id);
      expect(match, cluster.name).toBeTruthy();
      expect(Date.parse(match![1]!)).toBe(Date.parse(upgrade.windowStart));
      expect(Date.parse(match![2]!)).toBe(Date.parse(upgrade.windowEnd));
      expect(Date.parse(upgrade.windowStart)).toBeGreaterThanOrEqual(Date.parse(from));
    }
  });

  it('with ignoreMaintenanceSchedule predicts the request date itself', async () => {
    const report = await h.runRollout({
      platform: 'avisi',
      organisation,
      targetVersion: '1.31',
      dryRun: true,
      scheduleRequestDate: from,
      ignoreMaintenanceSchedule: true,
      clusters: [clusters[4]!.id],
    });
    expect(report.clusters[0]!.message).toBe(`would upgrade via 1.31.6; first window ${from}`);
  });
});
