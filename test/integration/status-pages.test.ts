/**
 * Status by the page under Aether's real limit (issue 20): 300 clusters of one
 * organisation, the simulator at its default 100 requests a minute, the workers' API
 * budget told the same, two worker processes. Requests come from the simulator's own
 * log (`/_sim/calls`, `/_sim/traffic`), and are held to what docs/operations.md
 * "Requests and the platform's rate limit" states: one PUT per cluster, at most one read
 * per cluster before it, and per poll interval one round of list pages per worker
 * process. One worker is SIGKILLed mid-rollout: its reads and polls go with it, and
 * the rollout still loses no cluster and asks for no upgrade twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_BUDGET_WAIT_SECONDS } from '../../src/domain/metrics.js';
import { descriptorOf } from '../../src/domain/platform.js';
import { spacedPollInterval, statusPagesFor } from '../../src/domain/polling.js';
import { scrapeMetrics } from '../support/metrics-scrape.js';
import { freeLoopbackPort, startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';
import { eventually } from '../platforms/support/sim.js';

const CLUSTERS = 300;
const IN_FLIGHT = 100;
const POLL_MS = 10_000;
/** Aether's documented limit, the simulator's default: the workers' budget keeps to it. */
const RATE = 100;
/** The inventory's pages, at the client's default 50 clusters a page. */
const INVENTORY_PAGES = Math.ceil(CLUSTERS / 50);

interface Call {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

describe('status by the page under the platform rate limit', () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];
  const metrics: string[] = [];
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 20, avisi: { clusters: 1 }, aether: { clusters: CLUSTERS }, minors: ['1.30'] },
        // An upgrade takes 20 simulated minutes: 20 real seconds.
        timeScale: 60,
        aether: { upgradeDurationMs: 20 * 60_000 },
      },
      'status-pages',
      { env: { AETHER_API_RATE_PER_MINUTE: String(RATE) }, inProcessWorker: false },
    );
    for (let i = 0; i < 2; i++) {
      const env = { ...h.env, FLEET_METRICS_ADDRESS: (metrics[i] = `127.0.0.1:${await freeLoopbackPort()}`) };
      workers.push(await startWorkerProcess({ taskQueue: h.taskQueue, env }));
    }
  }, 120_000);
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await h?.close();
  });

  it(
    'upgrades 300 clusters within the stated requests, no 429 unanswered, a worker killed on the way',
    { timeout: 600_000 },
    async () => {
      const organisation = h.sim.organisations.aether[0]!;
      const started = Date.now();
      const handle = await h.startRollout({
        platform: 'aether',
        organisation,
        targetVersion: '1.31',
        maxParallel: IN_FLIGHT,
        pollInterval: `${POLL_MS}ms`,
        clusterDeadline: '2h',
        waves: [{ name: 'all' }],
      });

      // Mid-rollout, with both workers busy: kill one without a word, its budget waits read first.
      await expect
        .poll(async () => (await scrapeMetrics(metrics[0]!)).count(API_BUDGET_WAIT_SECONDS, { platform: 'aether' }), {
          timeout: 60_000,
        })
        .toBeGreaterThan(0);
      await eventually(async () => ((await upgraded(h)) >= CLUSTERS / 4 ? true : undefined), {
        timeoutMs: 400_000,
        intervalMs: 1_000,
        what: 'a quarter of the fleet upgraded',
      });
      expect(workers.every((w) => w.lines.some((line) => line.includes('upgrade requested')))).toBe(true);
      await workers[0]!.stop('SIGKILL');

      const report = await handle.result();
      const elapsed = Date.now() - started;
      expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: CLUSTERS } });
      const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
      expect(clusters.filter((c) => c.version.startsWith('1.31.')).length).toBe(CLUSTERS);

      const { calls } = await h.inspect<{ calls: Call[] }>('/_sim/calls?platform=aether');
      const puts = calls.filter((c) => c.method === 'PUT');
      // Asked nothing twice: one PUT per cluster, each answered.
      expect(puts.length).toBe(CLUSTERS);
      expect(new Set(puts.map((c) => c.path)).size).toBe(CLUSTERS);
      // The budget binds: the survivor's calls waited for it, and say how long.
      const survivor = await scrapeMetrics(metrics[1]!);
      expect(survivor.count(API_BUDGET_WAIT_SECONDS, { platform: 'aether' })).toBeGreaterThan(CLUSTERS / 4);
      expect(survivor.sum(API_BUDGET_WAIT_SECONDS, { platform: 'aether' })).toBeGreaterThan(0);
      const traffic = await h.inspect<{ aether: { requests: number; rateLimited: number } }>('/_sim/traffic');
      expect(traffic.aether.rateLimited).toBe(0);

      // Reads: the inventory, at most one per cluster before its PUT, and a round of status pages per
      // poll interval per worker process (docs/operations.md). By the cluster, polls alone would be ~100 a round.
      const pages = statusPagesFor(descriptorOf('aether').statusPage?.clusters, CLUSTERS)!;
      const interval = spacedPollInterval(POLL_MS, IN_FLIGHT, RATE, pages);
      const rounds = workers.length * (Math.ceil(elapsed / interval) + 1);
      const reads = calls.filter((c) => c.method === 'GET').length;
      expect(reads).toBeLessThanOrEqual(INVENTORY_PAGES + CLUSTERS + rounds * pages);
      console.info(
        `status pages: ${calls.length} requests for ${CLUSTERS} clusters (${(calls.length / CLUSTERS).toFixed(2)} each): ` +
          `${puts.length} PUTs, ${reads} reads, in ${Math.round(elapsed / 1000)} s`,
      );
    },
  );
});

async function upgraded(h: Harness): Promise<number> {
  const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  return clusters.filter((c) => c.version.startsWith('1.31.')).length;
}
