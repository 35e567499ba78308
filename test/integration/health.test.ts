/**
 * Health checks on a real dev server, against the simulator and a real Prometheus
 * (Debian's, scraping the simulator's per-cluster health metrics): a check that fails on
 * one cluster makes it FAILED with the check's reason and counts against the budget; a
 * check that passes only after a while holds the cluster until it has passed for
 * `passFor`; a header variable the worker lacks refuses the rollout before any upgrade.
 * Proven from the simulator's request log and health switches.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const QUICK = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
} as const;

describe('health checks after each upgrade', () => {
  let h: Harness;
  let prometheus: RunningPrometheus;
  let organisation: string;
  let clusters: SimCluster[];

  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(191, 6, 1), 'health');
    organisation = h.sim.organisations.aether[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    prometheus = await startSimPrometheus(h.sim.url);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await h?.close();
  });

  const check = (passFor: string, timeout: string) => ({
    name: 'cluster-healthy',
    prometheus: { url: prometheus.url, query: 'min(fleet_sim_cluster_healthy{cluster_id="{clusterId}"})', min: 1 },
    passFor,
    interval: '500ms',
    timeout,
  });

  it('fails a cluster whose check does not pass, with the check and its last value, and counts it against the budget', async () => {
    const sick = clusters[0]!;
    await h.control(`/_sim/health/${sick.id}`, { healthy: false });
    const waves = [{ name: 'first', match: { name: sick.name } }, { name: 'rest' }];
    const report = await h.runRollout({
      ...QUICK,
      platform: 'aether',
      organisation,
      maxParallel: 4,
      failureBudget: { maxFailed: 0 },
      waves,
      healthChecks: [check('2s', '4s')],
    });
    expect(report.status).toBe('HALTED');
    expect(report.stopReason).toMatch(/^failure budget exceeded: 1 failed, 0 allowed/);
    const line = report.clusters.find((l) => l.clusterId === sick.id)!;
    expect(line).toMatchObject({ outcome: 'FAILED' });
    expect(line.message).toMatch(
      /^health check "cluster-healthy" did not pass within 4s .*last value 0 \(below min 1\).*; the upgrade stays \(never downgraded\)$/,
    );
    // Upgraded all the same (a check cannot undo an upgrade), and asked for once.
    const after = (await h.inspect<{ clusters: SimCluster[] }>(`/_sim/clusters/${sick.id}`)) as unknown as SimCluster;
    expect(after.version).toMatch(/^1\.31\./);
    const sent = (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether')).requests.filter(
      (r) => r.clusterId === sick.id && r.method === 'PUT',
    );
    expect(sent).toHaveLength(1);
  });

  it('holds a cluster that becomes healthy only after a while until it has passed for passFor', async () => {
    await fetch(`${h.sim.url}/_sim/health`, { method: 'DELETE' });
    const fresh = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters.filter((c) =>
      c.version.startsWith('1.30'),
    );
    expect(fresh.length).toBeGreaterThan(0);
    const slow = fresh[0]!;
    await h.control(`/_sim/health/${slow.id}`, { healthyAfterSeconds: 4 });
    const started = Date.now();
    const report = await h.runRollout({
      ...QUICK,
      platform: 'aether',
      organisation,
      maxParallel: 4,
      waves: [{ name: 'all' }],
      healthChecks: [check('2s', '30s')],
    });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.counts.SUCCEEDED).toBe(fresh.length);
    // Healthy after 4 s, then passing for 2 s: the rollout cannot have ended sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(6_000);
  });

  it('refuses a rollout whose check reads a header variable the worker lacks, before any upgrade', async () => {
    const before = (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests')).requests.length;
    const withHeader = {
      ...check('1s', '5s'),
      prometheus: {
        ...check('1s', '5s').prometheus,
        headers: { Authorization: { fromEnv: 'FLEET_HEALTH_NOT_SET_ANYWHERE', prefix: 'Bearer ' } },
      },
    };
    const error = await h.runRollout({ ...QUICK, platform: 'aether', organisation, healthChecks: [withHeader] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidSpec');
    expect(cause.message).toContain('FLEET_HEALTH_NOT_SET_ANYWHERE');
    expect((await h.inspect<{ requests: SimRequest[] }>('/_sim/requests')).requests.length).toBe(before);
  });
});
