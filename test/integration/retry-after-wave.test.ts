/**
 * A retry accepted after the last wave's clusters ended (here: while its gate, failed with
 * `onFail: "pause"`, holds the rollout) runs before the rollout finishes; before the
 * `retry-after-wave` patch the rollout finished without it and its report lost the cluster.
 * Recorded as the patch's new-path fixture (`retry-after-wave-01`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery, resumeUpdate, retryClusterUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const FAST = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
} as const;

describe('a retry accepted after the last wave ended', () => {
  let h: Harness;
  let clusters: SimCluster[];
  let org: string;

  beforeAll(async () => {
    const simulator = {
      generate: { seed: 37, avisi: { clusters: 1 }, aether: { clusters: 2 }, minors: ['1.30'] },
      timeScale: 86_400,
      rateLimitPerMinute: { aether: 0 },
    };
    h = await startHarness(simulator, 'retry-after-wave');
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    org = h.sim.organisations.aether[0]!;
  });
  afterAll(() => h?.close());

  it('runs while the wave gate holds the rollout, before it finishes', async () => {
    const [failing, unhealthy] = clusters.map((c) => c.id) as [string, string];
    await h.control(`/_sim/clusters/${failing}/outcomes`, { outcomes: ['FAILED', 'SUCCEEDED'] });
    await h.control(`/_sim/health/${unhealthy}`, { healthy: false });
    const url = `${h.sim.url}/_sim/fleet-health?clusters={waveClusters}`;
    const gate = {
      name: 'fleet-healthy',
      http: { url, json: { field: 'status', equals: 'ok' } },
      passFor: '0s',
      interval: '300ms',
      timeout: '2s',
      onFail: 'pause',
    };
    const handle = await h.startRollout({
      ...FAST,
      platform: 'aether',
      organisation: org,
      clusters: [failing, unhealthy],
      waves: [{ name: 'all', gate } as never],
    });

    const held = await eventually(
      async () => {
        const p = await handle.query(progressQuery);
        return p.paused && p.waves[0]?.gate?.verdict === 'failed' ? p : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the pause by the gate' },
    );
    expect(held.counts).toMatchObject({ FAILED: 1, SUCCEEDED: 1 });
    await handle.executeUpdate(retryClusterUpdate, { args: [{ clusterId: failing, reason: 'node pool fixed' }] });
    await h.control(`/_sim/health/${unhealthy}`, { healthy: true });
    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'erin', reason: 'checked by hand', skipGate: true }] });
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 2, FAILED: 0 } });
    expect(report.actions.map((a) => a.action)).toEqual(['gatePaused', 'retryCluster', 'resume']);
    const requests = (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether')).requests;
    expect(requests.filter((r) => r.method === 'PUT' && r.clusterId === failing)).toHaveLength(2);
  });
});
