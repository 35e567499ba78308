/**
 * One rollout over two platforms (`targets`: an Aether and an Avisi organisation) on a
 * real dev server against the simulator: a canary on Aether before anything on Avisi,
 * one failure budget that counts failures on both, and an abort that compensates on
 * both (Avisi's scheduled upgrades withdrawn, Aether's failed desired version put back).
 * Every claim is proven from the simulator's state and request log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { abortUpdate, progressQuery } from '../../src/workflows/messages.js';
import { FleetPlatforms } from '../../src/workflows/search-attributes.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const QUICK = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  ignoreMaintenanceSchedule: true,
} as const;

function fleetOf(h: Harness) {
  const targets = [
    { platform: 'aether' as const, organisation: h.sim.organisations.aether[0]! },
    { platform: 'avisi' as const, organisation: h.sim.organisations.avisi[0]! },
  ];
  const clusters = async (platform?: string) =>
    (
      await h.inspect<{ clusters: (SimCluster & { desiredVersion?: string })[] }>(
        `/_sim/clusters${platform ? `?platform=${platform}` : ''}`,
      )
    ).clusters;
  const requests = async () => (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests')).requests;
  return { targets, clusters, requests };
}

describe('a rollout over Aether and Avisi', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 65, avisi: { clusters: 6 }, aether: { clusters: 6 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'mixed-fleet',
    );
  });
  afterAll(() => h?.close());

  it('upgrades a canary on Aether first, then the rest of Aether, then Avisi: one report, each platform in its own spelling', async () => {
    const { targets, clusters, requests } = fleetOf(h);
    const spec: RolloutSpec = {
      ...QUICK,
      targets,
      maxParallel: 3,
      waves: [
        { name: 'canary', match: { platform: 'aether' }, size: 1 },
        { name: 'aether', match: { platform: 'aether' } },
        { name: 'avisi', match: { platform: 'avisi' } },
      ],
    };
    const handle = await h.startRollout(spec);
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: 12, counts: { SUCCEEDED: 12 }, clusters: [] });
    expect(report.waves.map((w) => [w.name, w.total])).toEqual([
      ['canary', 1],
      ['aether', 5],
      ['avisi', 6],
    ]);
    expect(report.targets).toEqual([
      { ...targets[0], resolvedVersion: '1.31' },
      { ...targets[1], resolvedVersion: expect.stringMatching(/^v1\.31\.\d+-u-ame\.\d+$/) },
    ]);

    for (const cluster of await clusters())
      expect(cluster.version, `${cluster.platform} ${cluster.name}`).toMatch(/^1\.31\./);
    // From the log: one upgrade per cluster, the canary (Aether) first, every Aether request before any Avisi one.
    const upgrades = (await requests()).filter((r) => r.method === 'PUT' || r.method === 'POST');
    expect(upgrades).toHaveLength(12);
    expect(new Set(upgrades.map((r) => r.clusterId)).size).toBe(12);
    const sorted = [...upgrades].sort((a, b) => a.seq - b.seq);
    expect(sorted[0]!.platform).toBe('aether');
    const lastAether = Math.max(...upgrades.filter((r) => r.platform === 'aether').map((r) => r.seq));
    const firstAvisi = Math.min(...upgrades.filter((r) => r.platform === 'avisi').map((r) => r.seq));
    expect(lastAether).toBeLessThan(firstAvisi);
    // The UI lists it under both platforms.
    expect((await handle.describe()).typedSearchAttributes.get(FleetPlatforms)).toEqual(['aether', 'avisi']);
  });

  it('then finds every cluster of both at the target: SKIPPED, and nothing asked', async () => {
    const { targets, requests } = fleetOf(h);
    const before = (await requests()).length;
    const report = await h.runRollout({ ...QUICK, targets, waves: [{ name: 'all', match: { name: '*' } }] });
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: 12, counts: { SKIPPED: 12, SUCCEEDED: 0 } });
    expect((await requests()).length).toBe(before);
  });
});

describe('one failure budget over two platforms', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 62, avisi: { clusters: 4 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'mixed-budget',
    );
  });
  afterAll(() => h?.close());

  it('halts at the second failure, one on each platform, and starts nothing more', async () => {
    const { targets, clusters, requests } = fleetOf(h);
    const avisi = (await clusters('avisi'))[0]!;
    const aether = (await clusters('aether'))[0]!;
    await h.control(`/_sim/clusters/${avisi.id}/outcomes`, { outcomes: ['FAILED'] });
    await h.control(`/_sim/clusters/${aether.id}/outcomes`, { outcomes: ['FAILED'] });
    const report = await h.runRollout({
      ...QUICK,
      targets,
      retry: { maxAttempts: 0 },
      failureBudget: { maxFailed: 1 },
      waves: [
        { name: 'first', match: { platform: 'avisi', name: avisi.name } },
        { name: 'second', match: { platform: 'aether', name: aether.name } },
        { name: 'rest' },
      ],
    });
    expect(report).toMatchObject({
      status: 'HALTED',
      stopReason: 'failure budget exceeded: 2 failed, 1 allowed (maxFailed 1 of 8)',
      counts: { FAILED: 2, NOT_STARTED: 6, SUCCEEDED: 0 },
    });
    const failed = report.clusters
      .filter((l) => l.outcome === 'FAILED')
      .map((l) => [l.platform, l.organisation, l.clusterId]);
    expect(failed.sort()).toEqual([
      ['aether', targets[0]!.organisation, aether.id],
      ['avisi', targets[1]!.organisation, avisi.id],
    ]);
    // The halt compensates on both: Aether's failed desired version is put back (Avisi's failed upgrade is over).
    expect(report.clusters.find((l) => l.clusterId === aether.id)?.compensation).toBe('restored k8s_version');
    // From the log: the two failing clusters were asked once each (and Aether's put back), nobody else at all.
    const changes = (await requests()).filter((r) => r.method === 'PUT' || r.method === 'POST');
    expect(changes.map((r) => `${r.method} ${r.clusterId}`).sort()).toEqual(
      [`POST ${avisi.id}`, `PUT ${aether.id}`, `PUT ${aether.id}`].sort(),
    );
    for (const cluster of await clusters())
      if (cluster.id !== avisi.id && cluster.id !== aether.id) expect(cluster.version).toMatch(/^1\.30\./);
  });
});

describe('aborting a rollout over two platforms', () => {
  let h: Harness;
  beforeAll(async () => {
    // An hour of simulated time per real minute; Aether upgrades take a real second.
    h = await startHarness(
      {
        generate: { seed: 63, avisi: { clusters: 3 }, aether: { clusters: 3 }, minors: ['1.30'] },
        timeScale: 60,
        aether: { upgradeDurationMs: 60_000 },
        rateLimitPerMinute: { aether: 0 },
      },
      'mixed-abort',
    );
  });
  afterAll(() => h?.close());

  it("compensates on both: Avisi's scheduled upgrades withdrawn, Aether's failed desired version put back", async () => {
    const { targets, clusters, requests } = fleetOf(h);
    const failing = (await clusters('aether'))[0]!;
    await h.control(`/_sim/clusters/${failing.id}/outcomes`, { outcomes: ['FAILED'] });
    // Avisi's windows are picked from a month ahead: its upgrades wait, scheduled, until the abort.
    const monthAhead = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const handle = await h.startRollout({
      targetVersion: '1.31',
      pollInterval: '200ms',
      clusterDeadline: '60d',
      retry: { maxAttempts: 0 },
      scheduleRequestDate: monthAhead,
      targets,
      waves: [
        { name: 'aether', match: { platform: 'aether' } },
        { name: 'avisi', match: { platform: 'avisi' } },
      ],
    });
    await eventually(
      async () => {
        const avisi = await clusters('avisi');
        return avisi.every((c) => c.upgrades.some((u) => u.status === 'SCHEDULED' || u.status === 'SCHEDULED_NOTIFIED'))
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, what: 'every Avisi upgrade scheduled' },
    );
    expect((await handle.query(progressQuery)).counts).toMatchObject({ SUCCEEDED: 2, FAILED: 1 });
    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'change freeze', by: 'dana' }] });
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'ABORTED', counts: { SUCCEEDED: 2, FAILED: 1, CANCELLED: 3 } });
    const lines = new Map(report.clusters.map((l) => [l.clusterId, l]));
    expect(lines.get(failing.id)).toMatchObject({
      outcome: 'FAILED',
      platform: 'aether',
      compensation: 'restored k8s_version',
    });
    for (const c of await clusters('avisi')) {
      expect(lines.get(c.id)).toMatchObject({ outcome: 'CANCELLED', platform: 'avisi', compensation: 'withdrawn' });
      expect(c.upgrades.map((u) => u.status)).toEqual(['CANCELLED']);
      expect(c.version).toMatch(/^1\.30\./);
    }
    // From the simulator: the failed Aether cluster wants the version it runs again, by one restoring PUT.
    const after = (await clusters('aether')).find((c) => c.id === failing.id)!;
    expect(after.version).toBe(failing.version);
    expect(after.desiredVersion ?? after.version).toBe(failing.version);
    const sent = await requests();
    expect(sent.filter((r) => r.platform === 'avisi' && r.method === 'DELETE')).toHaveLength(3);
    expect(
      sent.filter((r) => r.platform === 'aether' && r.method === 'PUT' && r.clusterId === failing.id),
    ).toHaveLength(2);
  });
});
