/**
 * Pre-upgrade checks on a real dev server (issue 21.3), against the simulator and a real
 * Prometheus scraping its `/_sim/metrics`: the deprecated-API check of docs/spec.md holds
 * back the one cluster whose workloads still call an API the target minor removes. It
 * ends BLOCKED with the check's reason and last value, is never asked for its upgrade
 * (the simulator's request log), the failure budget (`maxFailed: 0`) ignores it, the
 * channel hears `cluster.blocked`; once its workloads moved off the API (the simulator's
 * marking removed), `retryCluster` runs its checks again and upgrades it.
 *
 * The query is the documented one with a window of seconds instead of a day (`[5s]`), so
 * that the marking's removal shows within the test; the rest is as written in the docs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { approveUpdate, retryClusterUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { startSimPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';
import { progressUntil } from './waits.js';

const SECRET = 'whsec_prechecks_0123456789abcdef';
// Kubernetes 1.32 removed flowcontrol.apiserver.k8s.io/v1beta3.
const REMOVED_IN_132 = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas' };
const QUERY =
  'sum(max_over_time(apiserver_requested_deprecated_apis{cluster="{clusterName}",removed_release="{targetMinor}"}[5s])) or vector(0)';

describe('pre-upgrade checks', () => {
  let h: Harness;
  let receiver: RunningSimulator;
  let prometheus: RunningPrometheus;
  let clusters: SimCluster[];

  beforeAll(async () => {
    receiver = await startSimulator({
      generate: { seed: 2106, avisi: { clusters: 1 }, aether: { clusters: 1 } },
      notifySecrets: { ops: SECRET },
    });
    const env = { FLEET_NOTIFY_OPS_URL: `${receiver.url}/_sim/notify/ops`, FLEET_NOTIFY_OPS_SECRET: SECRET };
    h = await startHarness(
      {
        generate: { seed: 2132, avisi: { clusters: 2 }, aether: { clusters: 4 }, minors: ['1.31'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'pre-checks',
      { env },
    );
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    // One cluster calls an API 1.32 removes; another one an API a later minor removes (not this upgrade's concern).
    await h.control(`/_sim/clusters/${clusters[0]!.id}/deprecated-apis`, {
      deprecatedApis: [{ ...REMOVED_IN_132, removedRelease: '1.32' }],
    });
    await h.control(`/_sim/clusters/${clusters[1]!.id}/deprecated-apis`, {
      deprecatedApis: [{ group: 'example.io', version: 'v1beta1', resource: 'widgets', removedRelease: '1.35' }],
    });
    const avisi = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    for (const cluster of avisi)
      await h.control(`/_sim/clusters/${cluster.id}/deprecated-apis`, {
        deprecatedApis: [{ ...REMOVED_IN_132, removedRelease: '1.32' }],
      });
    prometheus = await startSimPrometheus(h.sim.url);
    await prometheus.waitForSeries('apiserver_requested_deprecated_apis{removed_release="1.32"}');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await h?.close();
    await receiver?.close();
  });

  const received = async (): Promise<NotifyDelivery[]> =>
    ((await (await fetch(`${receiver.url}/_sim/notifications`)).json()) as { notifications: NotifyDelivery[] })
      .notifications;
  const upgradeRequests = async (clusterId: string) =>
    (await h.inspect<{ requests: SimRequest[] }>(`/_sim/requests?clusterId=${clusterId}`)).requests;
  const promValue = async (query: string): Promise<string | undefined> => {
    const url = `${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`;
    const body = (await (await fetch(url)).json()) as { data?: { result?: { value: [number, string] }[] } };
    return body.data?.result?.[0]?.value[1];
  };

  it('blocks the cluster that calls an API the target removes, outside the budget, and retry upgrades it once moved off', async () => {
    const [blocked, later, plain, last] = clusters;
    const organisation = h.sim.organisations.aether[0]!;
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.32',
      pollInterval: '200ms',
      retry: { maxAttempts: 0 },
      failureBudget: { maxFailed: 0 },
      waves: [
        { name: 'first', match: { name: [blocked!.name, later!.name, plain!.name] } },
        { name: 'second', approval: true, match: { name: [last!.name] } },
      ],
      preChecks: [
        {
          name: 'deprecated-apis',
          prometheus: { url: prometheus.url, query: QUERY, max: 0 },
          interval: '500ms',
          timeout: '10s',
        },
      ],
      notify: [{ channel: 'ops' }],
    });
    const waiting = await progressUntil(
      handle,
      (p) => p.phase === 'awaiting-approval' && p.counts.BLOCKED === 1 && p.counts.SUCCEEDED === 2,
      'the first wave ended with one cluster blocked',
    );
    // The budget (maxFailed 0) ignored it: the rollout waits for the next wave's approval, not halted.
    expect(waiting.stopReason).toBeUndefined();
    expect(waiting.counts.FAILED).toBe(0);
    expect(await upgradeRequests(blocked!.id)).toEqual([]);
    expect((await upgradeRequests(later!.id)).length).toBe(1);

    const notice = await eventually(
      async () =>
        (await received()).find((d) => (d.body as { type: string }).type === 'cluster.blocked' && d.status === 200),
      { timeoutMs: 30_000, intervalMs: 200, what: 'a cluster.blocked notice' },
    );
    expect(notice.body).toMatchObject({ type: 'cluster.blocked', clusterId: blocked!.id, name: blocked!.name });
    expect((notice.body as { reason: string }).reason).toMatch(
      /^pre-check "deprecated-apis" did not pass: last value 1 /,
    );

    // The workloads moved off the API: once Prometheus's window no longer holds it, the check passes.
    await h.control(`/_sim/clusters/${blocked!.id}/deprecated-apis`, { deprecatedApis: [] });
    const filled = QUERY.replace('{clusterName}', blocked!.name).replace('{targetMinor}', '1.32');
    await eventually(async () => ((await promValue(filled)) === '0' ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'the deprecated API gone from the window',
    });
    await handle.executeUpdate(retryClusterUpdate, {
      args: [{ clusterId: blocked!.id, by: 'test', reason: 'moved off' }],
    });
    // The retry runs beside the next wave's clusters.
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'second', by: 'test' }] });

    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 4, BLOCKED: 0, FAILED: 0 } });
    expect((await upgradeRequests(blocked!.id)).length).toBe(1);
    const after = (await h.inspect<SimCluster>(`/_sim/clusters/${blocked!.id}`)).version;
    expect(after).toMatch(/^1\.32\./);
  });

  const deprecatedApis = (extra: object = {}) => [
    {
      name: 'deprecated-apis',
      prometheus: { url: prometheus.url, query: QUERY, max: 0 },
      interval: '500ms',
      timeout: '10s',
      ...extra,
    },
  ];

  it('ends a rollout whose only non-success is BLOCKED PARTIAL; onFail "fail" makes it FAILED, counted', async () => {
    const avisi = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    const organisation = h.sim.organisations.avisi[0]!;
    const base = { platform: 'avisi', organisation, targetVersion: '1.32', pollInterval: '200ms' } as const;
    const blocked = await h.runRollout({
      ...base,
      clusters: [avisi[0]!.id],
      failureBudget: { maxFailed: 0 },
      waves: [{ name: 'all' }],
      preChecks: deprecatedApis(),
    });
    expect(blocked).toMatchObject({ status: 'PARTIAL', counts: { BLOCKED: 1, FAILED: 0 } });
    expect(blocked.clusters).toEqual([
      expect.objectContaining({ clusterId: avisi[0]!.id, outcome: 'BLOCKED', requests: 0 }),
    ]);
    expect(blocked.clusters[0]!.message).toMatch(
      /^pre-check "deprecated-apis" did not pass: last value 1 \(above max 0\); not upgraded \(retryCluster runs its checks again\)$/,
    );

    const failed = await h.runRollout({
      ...base,
      clusters: [avisi[1]!.id],
      failureBudget: { maxFailed: 0 },
      waves: [{ name: 'all' }],
      preChecks: deprecatedApis({ onFail: 'fail' }),
    });
    expect(failed).toMatchObject({ status: 'HALTED', counts: { FAILED: 1, BLOCKED: 0 } });
    expect(failed.stopReason).toMatch(/^failure budget exceeded: 1 failed, 0 allowed/);
    expect(await upgradeRequests(avisi[0]!.id)).toEqual([]);
    expect(await upgradeRequests(avisi[1]!.id)).toEqual([]);
  });
});
