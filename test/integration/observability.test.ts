/**
 * What an operator sees of a worker process (src/worker.ts, as `fleet worker` runs it):
 * its Prometheus endpoint (fleetwave's metrics beside the SDK's), its JSON log lines
 * (each about a rollout and cluster says which, none holds a token), and its shutdown
 * on SIGTERM (running activities finish within the grace time, or are cancelled past
 * it; exit 0 either way). The harness runs no worker of its own here, so every task
 * goes to the processes this file starts.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_ERRORS_TOTAL,
  CLUSTER_OUTCOMES_TOTAL,
  CLUSTER_UPGRADE_DURATION_SECONDS,
} from '../../src/domain/metrics.js';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';
import { scrapeMetrics, type Scrape } from '../support/metrics-scrape.js';
import {
  freeLoopbackPort,
  startWorkerProcess,
  type WorkerExit,
  type WorkerProcess,
} from '../support/worker-process.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

const GRACE_SECONDS = 20;
const BASE = { platform: 'aether', targetVersion: '1.31', pollInterval: '250ms', clusterDeadline: '60s' } as const;

type LogLine = Record<string, unknown>;

describe('a worker process: metrics, logs and shutdown', () => {
  let h: Harness;
  let worker: WorkerProcess;
  let metrics: string;
  let clusters: SimCluster[];
  let failing: SimCluster;
  let rolloutId: string;
  // Every line must be JSON: JSON.parse throws on any that is not.
  const logLines = (): LogLine[] => worker.lines.map((line) => JSON.parse(line) as LogLine);
  const outcomes = async () => {
    const scrape = await scrapeMetrics(metrics);
    return {
      SUCCEEDED: scrape.value(CLUSTER_OUTCOMES_TOTAL, { platform: 'aether', outcome: 'SUCCEEDED' }),
      FAILED: scrape.value(CLUSTER_OUTCOMES_TOTAL, { platform: 'aether', outcome: 'FAILED' }),
    };
  };

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 85, avisi: { clusters: 1 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      undefined,
      {
        inProcessWorker: false,
      },
    );
    metrics = `127.0.0.1:${await freeLoopbackPort()}`;
    worker = await startWorkerProcess({
      taskQueue: h.taskQueue,
      // debug: the SDK's own lines too (activity and workflow lifecycle).
      env: {
        ...h.env,
        FLEET_METRICS_ADDRESS: metrics,
        FLEET_LOG_LEVEL: 'debug',
        FLEET_WORKER_SHUTDOWN_GRACE_TIME: `${GRACE_SECONDS}s`,
      },
    });
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    failing = clusters[0]!;
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
  });

  it('counts clusters by outcome, their upgrade durations and the API errors, beside the SDK metrics', async () => {
    await h.control(`/_sim/clusters/${failing.id}/outcomes`, { outcomes: ['FAILED'] });
    // Every API call is refused (429) until the error counter shows it; planning retries past it.
    await h.control('/_sim/faults', { rateLimitRate: 1, retryAfterSeconds: 1 });
    const handle = await h.startRollout({
      ...BASE,
      organisation: failing.organisation,
      retry: { maxAttempts: 0 },
      waves: [{ name: 'all' }],
    });
    rolloutId = handle.workflowId;
    await expect
      .poll(async () => (await scrapeMetrics(metrics)).value(API_ERRORS_TOTAL, { platform: 'aether', status: '429' }), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    await h.control('/_sim/faults', {});

    expect(await handle.result()).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: 3, FAILED: 1 } });
    await expect.poll(outcomes, { timeout: 10_000 }).toEqual({ SUCCEEDED: 3, FAILED: 1 });
    // A child closes just after its report reached the rollout, which may end first: wait for all four.
    await expect
      .poll(
        async () =>
          (await scrapeMetrics(metrics)).value('temporal_workflow_completed', { workflow_type: 'clusterUpgrade' }),
        { timeout: 10_000 },
      )
      .toBe(4);

    const scrape = await scrapeMetrics(metrics);
    expect(scrape.series(CLUSTER_OUTCOMES_TOTAL)).toHaveLength(2);
    expect(scrape.series(CLUSTER_OUTCOMES_TOTAL, { outcome: 'FAILED' })[0]?.labels).toMatchObject({
      platform: 'aether',
      workflowType: 'clusterUpgrade',
      taskQueue: h.taskQueue,
    });
    expect(scrape.count(CLUSTER_UPGRADE_DURATION_SECONDS, { platform: 'aether', outcome: 'SUCCEEDED' })).toBe(3);
    expect(scrape.count(CLUSTER_UPGRADE_DURATION_SECONDS, { platform: 'aether', outcome: 'FAILED' })).toBe(1);
    expect(scrape.sum(CLUSTER_UPGRADE_DURATION_SECONDS, { outcome: 'FAILED' })).toBeGreaterThan(0);
    expect(scrape.series(API_ERRORS_TOTAL, { status: '429' })[0]?.labels).toMatchObject({
      platform: 'aether',
      activityType: 'planRollout',
    });
    // The SDK's own, on the same endpoint.
    expect(scrape.value('temporal_workflow_completed', { workflow_type: 'clusterUpgrade' })).toBe(4);
    expect(scrape.value('temporal_workflow_completed', { workflow_type: 'fleetRollout' })).toBe(1);
    expect(scrape.count('temporal_activity_execution_latency', { activity_type: 'requestUpgrade' })).toBe(4);
  });

  it('counts each cluster once, however often its history is replayed', async () => {
    const answered = (scrape: Scrape) => scrape.value('temporal_request', { operation: 'RespondQueryTaskCompleted' });
    const before = await scrapeMetrics(metrics);
    // Nothing is cached once a workflow closed: to answer a query on one, the worker
    // replays its whole history, recordClusterEnd included.
    expect(before.value('temporal_sticky_cache_size')).toBe(0);
    for (const cluster of clusters)
      await h.client.workflow.getHandle(clusterLockId('aether', cluster.id)).query('__stack_trace');
    const after = await scrapeMetrics(metrics);

    expect(answered(after) - answered(before)).toBe(clusters.length);
    expect(await outcomes()).toEqual({ SUCCEEDED: 3, FAILED: 1 });
    expect(after.count(CLUSTER_UPGRADE_DURATION_SECONDS)).toBe(4);
  });

  it('writes JSON lines that say which rollout and cluster they are about, and no token', () => {
    const lines = logLines();
    const tokens = [h.env.AVISI_API_TOKEN, h.env.AETHER_API_TOKEN].filter((token): token is string => Boolean(token));
    expect(tokens).toHaveLength(2);
    for (const line of worker.lines) for (const token of tokens) expect(line).not.toContain(token);

    // The activities' own lines.
    const requested = lines.filter((line) => line.msg === 'upgrade requested');
    expect(requested.map((line) => line.clusterId).sort()).toEqual(clusters.map((c) => c.id).sort());
    for (const line of requested) {
      expect(line).toMatchObject({
        rolloutId,
        workflowId: clusterLockId('aether', line.clusterId as string),
        activityType: 'requestUpgrade',
        attempt: 1,
        platform: 'aether',
      });
    }
    // The platform client's, written inside an activity.
    expect(lines.find((line) => line.msg === 'platform API call failed, retrying')).toMatchObject({
      rolloutId,
      workflowId: rolloutId,
      activityType: 'planRollout',
      status: 429,
    });
    // Workflow code's, through the SDK's runtime logger (once per cluster: silent on replay).
    const ended = lines.filter((line) => line.msg === 'cluster upgrade ended');
    expect(ended).toHaveLength(4);
    expect(ended.find((line) => line.clusterId === failing.id)).toMatchObject({
      component: 'temporal-sdk',
      sdkComponent: 'workflow',
      workflowType: 'clusterUpgrade',
      workflowId: clusterLockId('aether', failing.id),
      rolloutId,
      outcome: 'FAILED',
    });
    // One cluster's story, by grep.
    const story = worker.lines
      .filter((line) => line.includes(failing.id))
      .map((line) => (JSON.parse(line) as LogLine).msg);
    expect(story).toEqual(
      expect.arrayContaining(['Activity started', 'upgrade requested', 'Activity completed', 'cluster upgrade ended']),
    );
  });

  /** Starts a rollout whose planning takes `latencyMs` a call, and sends SIGTERM while it runs. */
  async function sigtermWhilePlanning(target: WorkerProcess, latencyMs: number) {
    await h.control('/_sim/faults', { latencyMs });
    const handle = await h.startRollout({ ...BASE, organisation: failing.organisation, clusters: [failing.id] });
    const planning = (line: LogLine, msg: string) =>
      line.msg === msg && line.workflowId === handle.workflowId && line.activityType === 'planRollout';
    await target.waitForLine(
      (line) => line.includes('"Activity started"') && planning(JSON.parse(line) as LogLine, 'Activity started'),
    );
    target.child.kill('SIGTERM');
    return { handle, planning };
  }

  /** The process's exit, which must come within `seconds`. */
  function exitWithin(target: WorkerProcess, seconds: number): Promise<WorkerExit> {
    const late = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit within ${seconds} s of SIGTERM`)), seconds * 1000).unref(),
    );
    return Promise.race([target.exited, late]);
  }

  /** Whether the history has planRollout's activity completed (not any activity: the namespace check's comes first). */
  async function planningCompleted(handle: WorkflowHandle): Promise<boolean> {
    const events = (await handle.fetchHistory()).events ?? [];
    const isPlanning = (id: unknown) =>
      events.some(
        (e) =>
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'planRollout' &&
          Number(e.eventId) === Number(id),
      );
    return events.some(
      (e) =>
        e.activityTaskCompletedEventAttributes && isPlanning(e.activityTaskCompletedEventAttributes.scheduledEventId),
    );
  }

  const MARGIN_SECONDS = 15;

  it('on SIGTERM lets the running activity finish within the grace time, says so and exits 0', async () => {
    // Every API call takes 3 s: planning is still running when the signal comes.
    const { handle, planning } = await sigtermWhilePlanning(worker, 3_000);
    expect(await exitWithin(worker, GRACE_SECONDS + MARGIN_SECONDS)).toEqual({ code: 0, signal: null });
    await h.control('/_sim/faults', {});

    const lines = logLines();
    const completed = lines.findIndex((line) => planning(line, 'Activity completed'));
    expect(completed).toBeGreaterThan(-1);
    expect(lines.findIndex((line) => line.msg === 'worker stopped')).toBeGreaterThan(completed);
    expect(await planningCompleted(handle)).toBe(true);
    await handle.terminate('the test is over');
  });

  it('cancels an activity that outlives the grace time, its platform call included, and still exits 0', async () => {
    const short = await startWorkerProcess({
      taskQueue: h.taskQueue,
      env: { ...h.env, FLEET_LOG_LEVEL: 'debug', FLEET_WORKER_SHUTDOWN_GRACE_TIME: '1s' },
    });
    try {
      // A call that would take a minute: without cancellation the worker would wait for it.
      const { handle, planning } = await sigtermWhilePlanning(short, 60_000);
      expect(await exitWithin(short, 1 + MARGIN_SECONDS)).toEqual({ code: 0, signal: null });

      const lines = short.lines.map((line) => JSON.parse(line) as LogLine);
      expect(lines.some((line) => planning(line, 'Activity completed as cancelled'))).toBe(true);
      expect(lines.some((line) => planning(line, 'Activity completed'))).toBe(false);
      expect(lines.some((line) => line.msg === 'worker stopped')).toBe(true);
      expect(await planningCompleted(handle)).toBe(false);
      await handle.terminate('the test is over');
    } finally {
      await short.stop('SIGKILL');
      await h.control('/_sim/faults', {});
    }
  });
});
