/**
 * Workers scale out and fail over: two worker processes on one task queue share one
 * rollout (both run its activities), and when one is killed outright (SIGKILL, no
 * graceful shutdown) the rollout finishes on the other: every cluster upgraded, none
 * asked twice.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const CLUSTERS = 12;

describe('two worker processes on one task queue', () => {
  let h: Harness;
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(181, CLUSTERS, 2), 'scale-out', { inProcessWorker: false });
    workers = await Promise.all([
      startWorkerProcess({ taskQueue: h.taskQueue, env: h.env }),
      startWorkerProcess({ taskQueue: h.taskQueue, env: h.env }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h?.close();
  });

  /** Which worker identities (`pid@host`) ran the activities of the clusters' children so far. */
  async function activityIdentities(rolloutId: string, clusters: readonly SimCluster[]): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    for (const cluster of clusters) {
      const history = await h.client.workflow
        .getHandle(clusterLockId('aether', cluster.id))
        .fetchHistory()
        .catch(() => undefined);
      for (const event of history?.events ?? []) {
        const identity = event.activityTaskStartedEventAttributes?.identity;
        if (identity) seen.set(identity, (seen.get(identity) ?? 0) + 1);
      }
    }
    return seen;
  }

  it('shares one rollout between both, and finishes it when one is killed', async () => {
    const organisation = h.sim.organisations.aether[0]!;
    const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      maxParallel: 4,
      pollInterval: '200ms',
      clusterDeadline: '10m',
      waves: [{ name: 'all' }],
    });
    const [doomed, survivor] = workers.map((w) => `${w.child.pid}@`) as [string, string];

    // Both processes take part before one is lost.
    await vi.waitFor(
      async () => {
        const identities = [...(await activityIdentities(handle.workflowId, clusters)).keys()];
        expect(identities.some((i) => i.startsWith(doomed)) && identities.some((i) => i.startsWith(survivor))).toBe(
          true,
        );
      },
      { timeout: 60_000, interval: 500 },
    );
    const progress = await handle.query(progressQuery);
    expect(progress.counts.SUCCEEDED).toBeLessThan(CLUSTERS); // mid-rollout

    const killed = await workers[0]!.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: CLUSTERS } });
    const after = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    expect(after.map((c) => c.version.split('.').slice(0, 2).join('.'))).toEqual(Array(CLUSTERS).fill('1.31'));
    // Nothing asked twice: one PUT of k8s_version per cluster, whoever sent it.
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether');
    const upgrades = requests.filter((r) => r.method === 'PUT' && r.status < 300);
    expect(new Set(upgrades.map((r) => r.clusterId)).size).toBe(CLUSTERS);
    expect(upgrades).toHaveLength(CLUSTERS);
    expect(workers[1]!.child.exitCode).toBeNull(); // the survivor still serves
  });
});
