/**
 * Fleets targeted the way operators group them, on a real dev server against the
 * simulator: waves development -> staging -> production by `match`, a canary by name,
 * an `exclude`, clusters that match no wave refused (nothing changed) or, with
 * `"unmatched": "skip"`, reported SKIPPED, and a dry run that shows each wave's clusters
 * as the selectors took them. Every claim is proven from the simulator's own state and
 * request log, not from the report alone.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

type GroupedCluster = SimCluster & { environment?: string; region?: string; cloudProvider?: string };

const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
const QUICK = {
  targetVersion: '1.31',
  maxParallel: 4,
  pollInterval: '250ms',
  clusterDeadline: '60s',
  ignoreMaintenanceSchedule: true,
} as const;

const envWave = (environment: string) => ({ name: environment, match: { environment } });

describe('targeting by what clusters are', () => {
  let h: Harness;
  let org: string;
  let fleet: GroupedCluster[];

  const clusters = async () =>
    (await h.inspect<{ clusters: GroupedCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
  const requests = async () => (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=avisi')).requests;
  const byEnvironment = (environment: string) => fleet.filter((c) => c.environment === environment);

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 21, avisi: { clusters: 24 }, aether: { clusters: 1 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'targeting',
    );
    org = h.sim.organisations.avisi[0]!;
    fleet = await clusters();
    // The seed gives every environment clusters, and web-* clusters in development: the test needs both.
    for (const environment of ENVIRONMENTS) expect(byEnvironment(environment).length, environment).toBeGreaterThan(1);
    expect(fleet.some((c) => c.name.startsWith('data-'))).toBe(true);
  });
  afterAll(() => h?.close());

  it('refuses clusters that match no wave, naming how many and the first few, before any change', async () => {
    const error = await h
      .runRollout({ platform: 'avisi', organisation: org, ...QUICK, waves: [envWave('staging')] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    const others = fleet.filter((c) => c.environment !== 'staging');
    expect(cause.message).toMatch(
      new RegExp(
        `${others.length} clusters match no wave \\(${others
          .slice(0, 5)
          .map((c) => c.name)
          .join(', ')}, and ${others.length - 5} more\\)`,
      ),
    );
    expect(cause.message).toContain('"unmatched": "skip"');
    expect(await requests()).toEqual([]);
  });

  it('refuses a wave whose match selects no cluster (a typo), naming the value, before any change', async () => {
    const error = await h
      .runRollout({ platform: 'avisi', organisation: org, ...QUICK, waves: [envWave('stagin'), { name: 'rest' }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).message).toContain(
      'waves[0] (stagin): match selects no cluster of the fleet (environment "stagin": no cluster of the fleet has it; did you mean "staging"?)',
    );
    expect(await requests()).toEqual([]);
  });

  it('plans without changing anything: each wave lists the clusters its selector took, the excluded apart', async () => {
    const waves = [
      envWave('development'),
      { name: 'staging', match: { environment: ['staging', 'stagin'] } },
      envWave('production'),
    ];
    const report = await h.runRollout({
      platform: 'avisi',
      organisation: org,
      ...QUICK,
      dryRun: true,
      exclude: [{ name: 'data-*' }],
      waves,
    });
    // A value no cluster has, in a selector that still matches: a warning, not silence.
    expect(report.warnings).toEqual([
      'waves[1] (staging).match environment "stagin": no cluster of the fleet has it; did you mean "staging"?',
    ]);
    const kept = fleet.filter((c) => !c.name.startsWith('data-'));
    for (const environment of ENVIRONMENTS) {
      const listed = report.clusters
        .filter((l) => l.wave === environment)
        .map((l) => l.name)
        .sort();
      expect(listed, environment).toEqual(
        kept
          .filter((c) => c.environment === environment)
          .map((c) => c.name)
          .sort(),
      );
    }
    expect(report.excluded?.count).toBe(fleet.length - kept.length);
    expect(report.total).toBe(kept.length);
    expect(await requests()).toEqual([]);
  });

  it('upgrades a canary by name, then development, staging and production in order; never touches the excluded', async () => {
    const excludedId = byEnvironment('production')[0]!.id;
    const spec: RolloutSpec = {
      platform: 'avisi',
      organisation: org,
      ...QUICK,
      exclude: [{ name: 'data-*' }, excludedId],
      waves: [
        { name: 'canary', match: { name: 'web-*', environment: 'development' }, size: 1 },
        ...ENVIRONMENTS.map(envWave),
      ],
    };
    const report = await h.runRollout(spec);
    const excluded = fleet.filter((c) => c.name.startsWith('data-') || c.id === excludedId);
    const upgraded = fleet.filter((c) => !excluded.includes(c));
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: upgraded.length, excluded: { count: excluded.length } });
    expect(report.counts.SUCCEEDED).toBe(upgraded.length);

    // From the simulator: one request per upgraded cluster, none for an excluded one, which still runs 1.30.
    const sent = await requests();
    expect(sent.map((r) => r.clusterId).sort()).toEqual(upgraded.map((c) => c.id).sort());
    const after = new Map((await clusters()).map((c) => [c.id, c]));
    for (const c of excluded) expect(after.get(c.id)!.version, c.name).toBe(c.version);
    for (const c of upgraded) expect(after.get(c.id)!.version, c.name).toMatch(/^1\.31\./);

    // Order, from the request log: the canary first, then every development request before any staging one, and so on.
    const order = new Map(sent.map((r) => [r.clusterId!, r.seq]));
    const canary = report.waves.find((w) => w.name === 'canary')!;
    expect(canary.total).toBe(1);
    const canaryId = sent.reduce((a, b) => (a.seq < b.seq ? a : b)).clusterId!;
    const canaryCluster = fleet.find((c) => c.id === canaryId)!;
    expect(canaryCluster.name).toMatch(/^web-/);
    expect(canaryCluster.environment).toBe('development');
    const seqs = (environment: string) =>
      upgraded.filter((c) => c.environment === environment && c.id !== canaryId).map((c) => order.get(c.id)!);
    expect(Math.max(...seqs('development'))).toBeLessThan(Math.min(...seqs('staging')));
    expect(Math.max(...seqs('staging'))).toBeLessThan(Math.min(...seqs('production')));
    for (const environment of ENVIRONMENTS)
      expect(report.waves.find((w) => w.name === environment)!.total, environment).toBe(seqs(environment).length);
  });

  it('with "unmatched": "skip", reports the clusters no wave took SKIPPED and upgrades only the selected', async () => {
    // The fleet is at 1.31 now but for the clusters the last test excluded: select one of them by name.
    const left = (await clusters()).filter((c) => c.version.startsWith('1.30'));
    expect(left.length).toBeGreaterThan(1);
    const chosen = left[0]!;
    const report = await h.runRollout({
      platform: 'avisi',
      organisation: org,
      ...QUICK,
      unmatched: 'skip',
      waves: [{ name: 'one', match: { name: chosen.name } }],
    });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.unmatched).toEqual({
      count: left.length - 1,
      clusters: left.slice(1).map((c) => ({ id: c.id, name: c.name })),
    });
    expect(report.counts).toMatchObject({ SUCCEEDED: 1, SKIPPED: fleet.length - 1 });
    const after = new Map((await clusters()).map((c) => [c.id, c]));
    for (const c of left) expect(after.get(c.id)!.version.startsWith('1.31'), c.name).toBe(c.id === chosen.id);
  });
});
