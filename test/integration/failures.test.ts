/**
 * What a rollout does with FAILED and MISSED: a failed upgrade is asked again (up to
 * `retry.maxAttempts`), a missed one is rescheduled into a later window (up to
 * `reschedule.maxAttempts`), and the report says what could not be done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const BASE = { targetVersion: '1.31', pollInterval: '250ms', clusterDeadline: '60s' } as const;

describe('failures on a real dev server', () => {
  let h: Harness;
  let avisi: SimCluster[];
  let aether: SimCluster[];
  const requestsFor = async (clusterId: string) =>
    (await h.inspect<{ requests: SimRequest[] }>(`/_sim/requests?clusterId=${clusterId}`)).requests.filter(
      (r) => r.status < 400,
    );
  const cluster = async (id: string) => h.inspect<SimCluster>(`/_sim/clusters/${id}`);

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 23, avisi: { clusters: 6 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'failures',
    );
    avisi = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    aether = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(() => h?.close());

  it('retries an Avisi upgrade forced to FAILED and succeeds on the next attempt', async () => {
    const target = avisi[0]!;
    await h.control(`/_sim/clusters/${target.id}/outcomes`, { outcomes: ['FAILED', 'SUCCEEDED'] });
    const report = await h.runRollout({
      ...BASE,
      platform: 'avisi',
      organisation: target.organisation,
      clusters: [target.id],
      retry: { maxAttempts: 2 },
    });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.counts.SUCCEEDED).toBe(1);
    const after = await cluster(target.id);
    expect(after.version).toMatch(/^1\.31\./);
    expect(after.upgrades.map((u) => u.status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(await requestsFor(target.id)).toHaveLength(2);
  });

  it('gives up after retry.maxAttempts and reports the cluster FAILED with the reason', async () => {
    const target = avisi[1]!;
    await h.control(`/_sim/clusters/${target.id}/outcomes`, { outcomes: ['FAILED', 'FAILED', 'FAILED'] });
    const report = await h.runRollout({
      ...BASE,
      platform: 'avisi',
      organisation: target.organisation,
      clusters: [target.id, avisi[2]!.id],
      retry: { maxAttempts: 1 },
    });

    expect(report.status).toBe('PARTIAL');
    expect(report.counts).toMatchObject({ SUCCEEDED: 1, FAILED: 1 });
    expect(report.clusters).toEqual([
      expect.objectContaining({
        clusterId: target.id,
        outcome: 'FAILED',
        retries: 1,
        requests: 2,
        message: expect.any(String),
      }),
    ]);
    expect(await requestsFor(target.id)).toHaveLength(2);
    expect((await cluster(target.id)).version).toBe(target.version);
  });

  it('reschedules an Avisi upgrade forced to MISSED into a later window', async () => {
    const target = avisi[3]!;
    await h.control(`/_sim/clusters/${target.id}/outcomes`, { outcomes: ['MISSED', 'SUCCEEDED'] });
    const report = await h.runRollout({
      ...BASE,
      platform: 'avisi',
      organisation: target.organisation,
      clusters: [target.id],
    });

    expect(report.status).toBe('SUCCEEDED');
    const after = await cluster(target.id);
    expect(after.upgrades.map((u) => u.status)).toEqual(['MISSED', 'SUCCEEDED']);
    const [missed, rescheduled] = after.upgrades;
    expect(Date.parse(rescheduled!.windowStart!)).toBeGreaterThanOrEqual(Date.parse(missed!.windowEnd!));
    expect(after.version).toMatch(/^1\.31\./);
  });

  it('retries an Aether upgrade forced to FAILED by setting k8s_version again', async () => {
    const target = aether[0]!;
    await h.control(`/_sim/clusters/${target.id}/outcomes`, { outcomes: ['FAILED', 'SUCCEEDED'] });
    const report = await h.runRollout({
      ...BASE,
      platform: 'aether',
      organisation: target.organisation,
      clusters: [target.id],
    });

    expect(report.status).toBe('SUCCEEDED');
    expect((await cluster(target.id)).version).toMatch(/^1\.31\./);
    expect(await requestsFor(target.id)).toHaveLength(2);
  });
});
