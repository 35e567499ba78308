/**
 * Per-minor rollouts (docs/spec.md "Target versions"): one rollout over a fleet on 1.29,
 * 1.30 and 1.31 takes each Avisi cluster to the latest patch of its own minor
 * (`latest-patch`) and each Aether cluster to its target's `targetVersions` entry,
 * proven from the simulator; a second run finds nothing to do, asks nothing of the
 * platforms and starts no child; `stable` and `rapid` resolve to minor N-1 and N.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RolloutReport } from '../../src/domain/report.js';
import { fleet } from '../support/fleet-cli.js';
import { listed } from './waits.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

/** The simulator's catalog: the latest patch of each minor (src/simulator/catalog.ts). */
const LATEST = { '1.29': '1.29.14', '1.30': '1.30.10', '1.31': '1.31.6' } as const;
/** Aether's targets: not always the latest, so the test tells the two rules apart. */
const AETHER_TARGETS = { '1.29': '1.29.14', '1.30': '1.30.8', '1.31': '1.31.6' } as const;

const minorOf = (version: string) => version.split('.').slice(0, 2).join('.') as keyof typeof LATEST;
const writes = (requests: readonly SimRequest[]) => requests.filter((r) => r.method !== 'GET');

describe('a per-minor rollout over Avisi and Aether on three minors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 2101, avisi: { clusters: 9 }, aether: { clusters: 6 }, minors: ['1.29', '1.30', '1.31'] },
        timeScale: 86_400,
      },
      'per-minor',
    );
  });
  afterAll(() => h?.close());

  const spec = () => ({
    targets: [
      { platform: 'avisi' as const, organisation: h.sim.organisations.avisi[0]! },
      { platform: 'aether' as const, organisation: h.sim.organisations.aether[0]!, targetVersions: AETHER_TARGETS },
    ],
    targetVersion: 'latest-patch',
    ignoreMaintenanceSchedule: true,
    pollInterval: '200ms',
    maxParallel: 5,
  });

  it('takes every cluster to its own minor target, and says so per cluster and per minor', async () => {
    const orgs = [h.sim.organisations.avisi[0], h.sim.organisations.aether[0]];
    const before = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters')).clusters.filter((c) =>
      orgs.includes(c.organisation),
    );
    const targetOf = (c: SimCluster) => (c.platform === 'avisi' ? LATEST : AETHER_TARGETS)[minorOf(c.version)];
    const patch = (version: string) => Number(version.split('.')[2]);
    // Aether clusters already past their minor's entry (1.30.10 against 1.30.8) are left alone.
    const past = before.filter((c) => patch(c.version) > patch(targetOf(c)));
    const moving = before.filter((c) => patch(c.version) < patch(targetOf(c)));
    expect(past.length).toBeGreaterThan(0);
    // The seed gives clusters on all three minors, some current and some behind, on both platforms.
    expect(new Set(before.map((c) => minorOf(c.version)))).toEqual(new Set(['1.29', '1.30', '1.31']));
    expect(moving.length).toBeGreaterThan(3);
    expect(moving.length).toBeLessThan(before.length);

    // The plan first: each cluster's line names where it goes.
    const plan = await h.runRollout({ ...spec(), dryRun: true });
    expect(plan.clusters.length).toBe(moving.length);
    for (const line of plan.clusters) {
      const cluster = moving.find((c) => c.id === line.clusterId)!;
      expect(line).toMatchObject({ toVersion: targetOf(cluster) });
      expect(line.message).toMatch(new RegExp(`^would upgrade via ${targetOf(cluster)}(;|$)`));
    }

    const report = await h.runRollout(spec());
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      targetVersion: 'latest-patch',
      total: before.length - past.length,
      counts: { SUCCEEDED: moving.length, SKIPPED: before.length - past.length - moving.length },
    });
    expect(report.leftAlone).toEqual([expect.objectContaining({ why: 'already past 1.30.8', count: past.length })]);
    const groups = report.minors!.map((g) => `${g.target ?? 0}:${g.minor}->${g.to}`).sort();
    expect(groups).toEqual(
      [
        ...Object.entries(LATEST).map(([m, v]) => `0:${m}->${v}`),
        ...Object.entries(AETHER_TARGETS).map(([m, v]) => `1:${m}->${v}`),
      ].sort(),
    );
    expect(report.minors!.reduce((n, g) => n + g.clusters, 0)).toBe(moving.length);

    const after = new Map(
      (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters')).clusters.map((c) => [c.id, c.version]),
    );
    for (const cluster of before)
      expect(after.get(cluster.id), cluster.name).toBe(past.includes(cluster) ? cluster.version : targetOf(cluster));
    // One request per cluster that moved, none for the rest.
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
    expect(
      writes(requests)
        .map((r) => r.clusterId)
        .sort(),
    ).toEqual(moving.map((c) => c.id).sort());
  });

  it('finds nothing to do the second time: no request, no child, a handful of events', async () => {
    const { requests: earlier } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
    const handle = await h.startRollout(spec());
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 0 } });
    expect(report.counts.SKIPPED).toBe(report.total);
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
    expect(writes(requests).length).toBe(writes(earlier).length);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    // 23 recorded (test/fixtures/histories/per-minor-03.json): planning, one page read, search attributes.
    expect(events.length).toBeLessThan(30);
  });

  it('kept current by one schedule: its run asks nothing of the platforms', async () => {
    const { requests: earlier } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
    const file = join(await mkdtemp(join(tmpdir(), 'per-minor-')), 'rollout.json');
    await writeFile(file, JSON.stringify(spec()));
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') };
    const id = `keep-current-${process.pid}-${Date.now()}`;
    const every = ['--every', '7d', '--task-queue', h.taskQueue, '--paused'];
    expect((await fleet(env, 'schedule', 'create', id, '-f', file, ...every)).code).toBe(0);
    try {
      expect((await fleet(env, 'schedule', 'trigger', id)).code).toBe(0);
      const [run] = await listed(h.client, `TemporalScheduledById = "${id}"`, 1);
      h.track(run!.workflowId);
      const report = (await h.client.workflow.getHandle(run!.workflowId).result()) as RolloutReport;
      expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 0 } });
      const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
      expect(writes(requests).length).toBe(writes(earlier).length);
    } finally {
      await fleet(env, 'schedule', 'delete', id);
    }
  });
});

describe('a latest-patch rollout with a pre-upgrade check that blocks one cluster', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      { generate: { seed: 2104, avisi: { clusters: 9 }, minors: ['1.29', '1.30', '1.31'] }, timeScale: 86_400 },
      'per-minor-blocked',
    );
  });
  afterAll(() => h?.close());

  it('patches every other cluster to its minor latest; the blocked one is never asked, and the budget ignores it', async () => {
    const organisation = h.sim.organisations.avisi[0]!;
    const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters.filter(
      (c) => c.organisation === organisation,
    );
    const moving = clusters.filter((c) => c.version !== LATEST[minorOf(c.version)]);
    const blocked = moving[1]!;
    // Its workloads call an API its target minor removes (the simulator's data, for the check's sake).
    const api = {
      group: 'example.io',
      version: 'v1beta1',
      resource: 'widgets',
      removedRelease: minorOf(blocked.version),
    };
    await h.control(`/_sim/clusters/${blocked.id}/deprecated-apis`, { deprecatedApis: [api] });

    const report = await h.runRollout({
      platform: 'avisi',
      organisation,
      targetVersion: 'latest-patch',
      ignoreMaintenanceSchedule: true,
      pollInterval: '200ms',
      failureBudget: { maxFailed: 0 },
      preChecks: [
        {
          name: 'deprecated-apis',
          http: {
            url: `${h.sim.url}/_sim/deprecated-apis/{clusterId}?removedRelease={targetMinor}`,
            json: { field: 'count', equals: 0 },
          },
          timeout: '5s',
        },
      ],
    });
    expect(report).toMatchObject({
      status: 'PARTIAL',
      counts: { SUCCEEDED: moving.length - 1, BLOCKED: 1, FAILED: 0 },
    });
    expect(report.clusters.find((l) => l.clusterId === blocked.id)).toMatchObject({
      outcome: 'BLOCKED',
      toVersion: LATEST[minorOf(blocked.version)],
    });
    const after = new Map(
      (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters.map((c) => [
        c.id,
        c.version,
      ]),
    );
    for (const cluster of clusters)
      expect(after.get(cluster.id), cluster.name).toBe(
        cluster === blocked ? blocked.version : LATEST[minorOf(cluster.version)],
      );
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=avisi');
    expect(writes(requests).some((r) => r.clusterId === blocked.id)).toBe(false);
  });
});

describe('stable and rapid on Avisi', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      { generate: { seed: 2102, avisi: { clusters: 8 }, minors: ['1.30', '1.31', '1.32'] }, timeScale: 86_400 },
      'per-minor-channels',
    );
  });
  afterAll(() => h?.close());

  it('resolves stable to the latest patch of minor N-1 and rapid to N, leaving clusters past stable alone', async () => {
    const organisation = h.sim.organisations.avisi[0]!;
    const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters.filter(
      (c) => c.organisation === organisation,
    );
    const on132 = clusters.filter((c) => c.version.startsWith('1.32.'));
    expect(on132.length).toBeGreaterThan(0);
    const dry = (targetVersion: string, maxHops: number) =>
      h.runRollout({ platform: 'avisi', organisation, targetVersion, maxHops, dryRun: true });
    // The catalog offers 1.28 to 1.32: rapid is 1.32.2, stable 1.31.6.
    const stable = await dry('stable', 1);
    expect(stable.hops).toEqual(['1.31.6']);
    expect(stable.total).toBe(clusters.length - on132.length);
    expect(stable.leftAlone).toEqual([
      expect.objectContaining({ why: 'already past stable (1.31.6)', count: on132.length }),
    ]);
    const rapid = await dry('rapid', 2);
    expect(rapid.hops).toEqual(['1.31.6', '1.32.2']);
    expect(rapid.total).toBe(clusters.length);
    expect(rapid.leftAlone).toBeUndefined();
  });
});
