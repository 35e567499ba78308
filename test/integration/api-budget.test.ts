/**
 * A platform's API budget holds across worker processes: two workers (this test's and
 * a second `src/worker.ts` process) run one Aether rollout against a simulator that
 * enforces the budget itself, answering 429 past it. With polls at 200 ms and every
 * cluster in flight at once, the rollout would blow through the limit unchecked; with
 * the budget, the simulator refuses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBudgetWorkflowId } from '../../src/workflows/api-budget/workflow.js';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startHarness, type Harness } from './harness.js';

const RATE = 240;
const BUDGET = { AETHER_API_RATE_PER_MINUTE: String(RATE), AETHER_API_BURST: '3' };

describe('API budget across worker processes', () => {
  let h: Harness;
  let second: WorkerProcess | undefined;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 95, avisi: { clusters: 1 }, aether: { clusters: 16 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: RATE },
        rateLimitBurst: 10,
      },
      'api-budget',
      { env: BUDGET },
    );
    second = await startWorkerProcess({ taskQueue: h.taskQueue, env: h.env });
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await h?.close();
  });

  it('never exceeds the platform rate limit, both workers calling, polls spaced', async () => {
    const organisation = h.sim.organisations.aether[0]!;
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      maxParallel: 16,
      pollInterval: '200ms',
      clusterDeadline: '5m',
      waves: [{ name: 'all' }],
    });
    h.track(apiBudgetWorkflowId(h.taskQueue, 'aether'));
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 16 } });
    const traffic = await h.inspect<Record<'aether', { requests: number; rateLimited: number }>>('/_sim/traffic');
    // Planning, a PUT per cluster and the reads around them: polls go by the page (one page holds all 16).
    expect(traffic.aether.requests).toBeGreaterThan(16);
    expect(traffic.aether.rateLimited).toBe(0);

    // Both processes ran activities that called the API.
    const identities = new Set<string>();
    for (const cluster of (await h.inspect<{ clusters: { id: string }[] }>('/_sim/clusters?platform=aether'))
      .clusters) {
      const history = await h.client.workflow.getHandle(clusterLockId('aether', cluster.id)).fetchHistory();
      for (const event of history.events ?? []) {
        const identity = event.activityTaskStartedEventAttributes?.identity;
        if (identity) identities.add(identity);
      }
    }
    expect(identities.size).toBe(2);

    // Children poll by the page (16 clusters fit one): one request a round, so no faster than half the
    // budget allows for that (every 500 ms), not every 200 ms; by the cluster it would be every 8 s.
    const child = await h.client.workflow
      .getHandle(clusterLockId('aether', report.clusters[0]?.clusterId ?? (await firstCluster(h))))
      .fetchHistory();
    const poll = child.events?.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollUpgrade',
    )?.activityTaskScheduledEventAttributes;
    const { seconds, nanos } = poll?.retryPolicy?.initialInterval ?? {};
    expect(Number(seconds ?? 0) * 1_000 + (nanos ?? 0) / 1e6).toBe(500);
  });
});

async function firstCluster(h: Harness): Promise<string> {
  return (await h.inspect<{ clusters: { id: string }[] }>('/_sim/clusters?platform=aether')).clusters[0]!.id;
}
