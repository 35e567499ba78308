/**
 * Tokens stay in the worker's environment. With distinctive tokens, a rollout per
 * platform (through injected 5xx and 429s, with a cluster that fails) and rollouts
 * started from the CLI against a worker holding wrong tokens, this file exports every
 * workflow history of both task queues (rollouts, cluster children, API
 * budgets, every run) and searches each as JSON and with every payload decoded; reads
 * every line both worker processes logged at debug level; and reads everything the CLI
 * printed. No token anywhere, while the bad-token rollouts fail with a clear 401/403.
 * The worker's metrics endpoint, given a port alone, listens on 127.0.0.1 only.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { PlatformName } from '../../src/domain/platform.js';
import type { RolloutReport } from '../../src/domain/report.js';
import { generateFleet } from '../../src/simulator/index.js';
import { fleet as fleetWith, type FleetResult } from '../support/fleet-cli.js';
import { accepts, listeningAddresses } from '../support/listening.js';
import { secretsIn } from '../support/secret-search.js';
import { freeLoopbackPort, startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';
import { historyToPlain } from './record-histories.js';

/** Distinctive, so a find is a leak and not a coincidence. */
const AVISI_TOKEN = 'fleetwave-secret-avisi-7c1e9a4f2b6d';
const AETHER_TOKEN = 'aether_5ec2e75ec2e75ec2e7a1b2c3d4e5f607';
const WRONG_AVISI_TOKEN = 'fleetwave-wrong-avisi-0d8b3e6a9c2f';
const WRONG_AETHER_TOKEN = 'aether_0bad7012bad7012bad7012bad70123';
const TOKENS = [AVISI_TOKEN, AETHER_TOKEN, WRONG_AVISI_TOKEN, WRONG_AETHER_TOKEN];
const PLATFORMS: readonly PlatformName[] = ['avisi', 'aether'];
const CLUSTERS = 5;

/** Every token found in `text`, as is or inside any base64 string in it (payload data, failure attributes). */
const tokensIn = (text: string): string[] => secretsIn(text, TOKENS);

describe('no token in histories, logs or error messages', () => {
  let h: Harness;
  let worker: WorkerProcess;
  let badWorker: WorkerProcess;
  let metricsPort: number;
  const badTaskQueue = () => `${h.taskQueue}-bad-tokens`;
  const reports = new Map<PlatformName, RolloutReport>();
  const cli: FleetResult[] = [];
  const fleet = async (...args: string[]) => {
    const result = await fleetWith(
      { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') },
      ...args,
    );
    cli.push(result);
    return result;
  };

  beforeAll(async () => {
    const generated = generateFleet({
      seed: 97,
      avisi: { clusters: CLUSTERS },
      aether: { clusters: CLUSTERS },
      minors: ['1.30'],
    });
    h = await startHarness(
      {
        fleet: { avisi: generated.avisi, aether: generated.aether!.map((org) => ({ ...org, token: AETHER_TOKEN })) },
        avisiTokens: [AVISI_TOKEN],
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
        // Failures on the way, so error paths (retries, failed attempts) reach histories and logs.
        faults: { errorRate: 0.1, rateLimitRate: 0.05, retryAfterSeconds: 1, seed: 7 },
      },
      undefined,
      // API budgets on (generous), so their workflows run and are searched too.
      { inProcessWorker: false, env: { AVISI_API_RATE_PER_MINUTE: '6000', AETHER_API_RATE_PER_MINUTE: '6000' } },
    );
    expect(h.env).toMatchObject({ AVISI_API_TOKEN: AVISI_TOKEN, AETHER_API_TOKEN: AETHER_TOKEN });
    metricsPort = await freeLoopbackPort();
    [worker, badWorker] = await Promise.all([
      startWorkerProcess({
        taskQueue: h.taskQueue,
        env: { ...h.env, FLEET_LOG_LEVEL: 'debug', FLEET_METRICS_ADDRESS: String(metricsPort) },
      }),
      startWorkerProcess({
        taskQueue: badTaskQueue(),
        env: {
          ...h.env,
          AVISI_API_TOKEN: WRONG_AVISI_TOKEN,
          AETHER_API_TOKEN: WRONG_AETHER_TOKEN,
          FLEET_LOG_LEVEL: 'debug',
        },
      }),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([worker?.stop(), badWorker?.stop()]);
    await h?.close();
  });

  it.each(PLATFORMS)('runs a %s rollout with a failing cluster', async (platform) => {
    const { clusters } = await h.inspect<{ clusters: SimCluster[] }>(`/_sim/clusters?platform=${platform}`);
    await h.control(`/_sim/clusters/${clusters[0]!.id}/outcomes`, { outcomes: ['FAILED'] });
    const report = await h.runRollout({
      platform,
      organisation: h.sim.organisations[platform][0]!,
      targetVersion: '1.31',
      retry: { maxAttempts: 0 },
      pollInterval: '250ms',
      clusterDeadline: '60s',
    });
    reports.set(platform, report);
    expect(report).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: CLUSTERS - 1, FAILED: 1 } });
    expect(tokensIn(JSON.stringify(report))).toEqual([]);
  });

  it('fails a rollout on a wrong Avisi token with a clear 401, naming no token', async () => {
    const started = await fleet(
      'rollout',
      'start',
      '--platform',
      'avisi',
      '--organisation',
      'acme',
      '--target',
      '1.31',
      '--task-queue',
      badTaskQueue(),
      '--id',
      `${badTaskQueue()}-avisi`,
      '--wait',
    );
    // Planning failed for the worker's token, not the spec: an error (exit 1), not bad input.
    expect(started.code).toBe(EXIT.ERROR);
    expect(started.stderr).toMatch(
      /^fleet: rollout \S+ failed at planning \(nothing was changed\): avisi GET \/api\/v1\/\S+ failed: 401 unauthorized: Unauthorized \(invalid or expired token\); .*check AVISI_API_TOKEN$/m,
    );
    const status = await fleet('rollout', 'status', `${badTaskQueue()}-avisi`);
    expect(status.stdout).toMatch(/FAILED: .*401 unauthorized/);
  });

  it("fails a rollout on a wrong Aether token with a clear 401, and on another organisation's with a 403", async () => {
    const organisation = h.sim.organisations.aether[0]!;
    const wrong = await fleet(
      'rollout',
      'start',
      '--platform',
      'aether',
      '--organisation',
      organisation,
      '--target',
      '1.31',
      '--task-queue',
      badTaskQueue(),
      '--wait',
    );
    expect(wrong.code).toBe(EXIT.ERROR);
    expect(wrong.stderr).toMatch(
      /^fleet: rollout \S+ failed at planning \(nothing was changed\): aether GET \S+ failed: 401 invalid_credentials: invalid or revoked token; .*check AETHER_API_TOKEN$/m,
    );
    // The right token, for an organisation it does not belong to.
    const other = await fleet(
      'rollout',
      'start',
      '--platform',
      'aether',
      '--organisation',
      '00000000-0000-4000-8000-0000000000aa',
      '--target',
      '1.31',
      '--task-queue',
      h.taskQueue,
      '--wait',
    );
    expect(other.code).toBe(EXIT.ERROR);
    expect(other.stderr).toMatch(
      /^fleet: rollout \S+ failed at planning \(nothing was changed\): aether GET \S+ failed: 403 forbidden: token is not valid for this organization; .*check that AETHER_API_TOKEN holds a token for this organisation$/m,
    );
  });

  it('prints no token on the command line', () => {
    expect(cli.length).toBeGreaterThanOrEqual(4);
    for (const result of cli) expect(tokensIn(`${result.stdout}\n${result.stderr}`)).toEqual([]);
  });

  it('keeps every token out of every history of both task queues', async () => {
    const rolloutIds = [...reports.values()].map((r) => r.rolloutId);
    const list = async (): Promise<WorkflowExecutionInfo[]> => {
      const found: WorkflowExecutionInfo[] = [];
      for (const queue of [h.taskQueue, badTaskQueue()]) {
        for await (const execution of h.client.workflow.list({ query: `TaskQueue = "${queue}"` }))
          found.push(execution);
      }
      return found;
    };
    // Visibility lags: wait until it lists every kind of workflow this file ran.
    const executions = await vi.waitFor(
      async () => {
        const found = await list();
        const types = new Set(found.map((e) => e.type));
        for (const type of ['fleetRollout', 'clusterUpgrade', 'apiBudget'])
          if (!types.has(type)) throw new Error(`no ${type} listed yet`);
        for (const id of rolloutIds)
          if (!found.some((e) => e.workflowId === id)) throw new Error(`${id} not listed yet`);
        if (found.filter((e) => e.type === 'clusterUpgrade').length < 2 * CLUSTERS)
          throw new Error('children not all listed yet');
        if (found.filter((e) => e.type === 'fleetRollout').length < 5)
          throw new Error('failed rollouts not all listed yet');
        return found;
      },
      { timeout: 60_000, interval: 500 },
    );

    let searched = 0;
    for (const execution of executions) {
      const history = await h.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      // As exported (enums by name, bytes such as payload data in base64), then searched as is and decoded.
      const json = JSON.stringify(historyToPlain(history));
      expect(json.length).toBeGreaterThan(0);
      expect(tokensIn(json), `${execution.type} ${execution.workflowId} ${execution.runId}`).toEqual([]);
      searched++;
    }
    expect(searched).toBe(executions.length);
    // The search finds what it looks for: a history-shaped text with a token in a payload.
    expect(
      tokensIn(
        JSON.stringify({
          payloads: [{ data: Buffer.from(JSON.stringify({ note: AETHER_TOKEN })).toString('base64') }],
        }),
      ),
    ).toEqual([AETHER_TOKEN]);
  });

  it("keeps every token out of both workers' logs, which did log the failures", () => {
    const logs = [...worker.lines, ...worker.errorLines, ...badWorker.lines, ...badWorker.errorLines];
    expect(tokensIn(logs.join('\n'))).toEqual([]);
    // Debug level, with the API errors that carried the wrong tokens' refusals and the retries.
    expect(worker.lines.some((line) => line.includes('"level":"debug"') || line.includes('"level":20'))).toBe(true);
    expect(badWorker.lines.some((line) => line.includes('401'))).toBe(true);
    expect(worker.lines.some((line) => line.includes('platform API call failed, retrying'))).toBe(true);
  });

  it('serves metrics on 127.0.0.1 only when FLEET_METRICS_ADDRESS is a port alone', async () => {
    expect(listeningAddresses(metricsPort)).toEqual(['127.0.0.1']);
    expect(await accepts('127.0.0.1', metricsPort)).toBe(true);
    expect(await accepts('127.0.0.2', metricsPort)).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('temporal_');
    expect(tokensIn(metrics)).toEqual([]);
  });
});
