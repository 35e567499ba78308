/**
 * Notification and health-check secrets stay in the worker's environment (issue 11;
 * docs/security.md). A worker process, logging at debug level, holds distinctive ones:
 * a channel whose webhook URL carries a token in its path (the receiver's channel, which
 * the receiver names back when it is down) and one in its query, with an HMAC secret;
 * and three health-check headers read from FLEET_HEALTH_* variables: one the simulator's
 * `/_sim/health/{id}` requires (`PUT /_sim/health-auth`), a Prometheus check's
 * Authorization (Prometheus ignores it), and one a test server echoes back in the body
 * the check judges. The spec is planned (`fleet rollout plan`), started, watched and
 * read (`fleet rollout watch`, `status --json`) from the CLI; the receiver is down for the
 * first seconds, so deliveries are retried; one cluster is unhealthy and one runs the
 * echo check, so two fail with reasons that carry values; the last wave's gate reads the
 * echo too, fails with it and halts the rollout.
 *
 * Then no secret, nor the webhook URL, is in any workflow history of the task queue
 * (rollout, dry run, cluster children, every notifyQueue of deliveries; as JSON
 * and with every payload decoded), in the worker's stdout or stderr, in the report, or
 * in anything the CLI printed; and each of those holds what the secrets would have
 * travelled with (the failures, the retries, the echoed body), so the searches are not
 * of empty places.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RolloutReport } from '../../src/domain/report.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { fleet as fleetWith, type FleetResult } from '../support/fleet-cli.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { secretsIn } from '../support/secret-search.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';
import { historyToPlain } from './record-histories.js';

/** Distinctive, so a find is a leak and not a coincidence. */
const HOOK_PATH_TOKEN = 'hook5d1f0c7a9e3b4268';
const HOOK_QUERY_TOKEN = 'whq4b8e2a6c0d9f1357';
const HOOK_SECRET = 'whsec-fleetwave-8a3c5e7b1d9f0246';
const SIM_HEALTH_KEY = 'hkey-sim-2e6a0c4b8d1f5937';
const PROM_TOKEN = 'hkey-prom-9c1e5a3f7b0d2648';
const ECHO_KEY = 'hkey-echo-6f2b8d0a4c9e1357';
const CLUSTERS = 4;

describe('no notification or health-check secret in histories, logs, the report or CLI output', () => {
  let h: Harness;
  let prometheus: RunningPrometheus;
  let echo: Server;
  let worker: WorkerProcess;
  let dir: string;
  let webhookUrl: string;
  let secrets: string[];
  const echoed: string[] = [];
  const rolloutId = `secrets-${Date.now()}`;
  const planId = `${rolloutId}-plan`;
  let sick: SimCluster;
  let echoing: SimCluster;
  let report: RolloutReport;
  const cli = new Map<string, FleetResult>();
  const fleet = async (name: string, ...args: string[]) => {
    const result = await fleetWith(
      { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') },
      ...args,
    );
    cli.set(name, result);
    return result;
  };
  const found = (text: string) => secretsIn(text, secrets);
  const received = async (): Promise<NotifyDelivery[]> =>
    (await h.inspect<{ notifications: NotifyDelivery[] }>(`/_sim/notifications?channel=${HOOK_PATH_TOKEN}`))
      .notifications;

  beforeAll(async () => {
    // A health endpoint that answers 200 with the header it was sent: the check judges the echo.
    echo = createServer((request, response) => {
      const key = request.headers['x-echo-key'];
      echoed.push(typeof key === 'string' ? key : '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: key ?? null }));
    }).listen(0, '127.0.0.1');
    await once(echo, 'listening');

    h = await startHarness(
      {
        generate: { seed: 113, avisi: { clusters: 1 }, aether: { clusters: CLUSTERS }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
        // The receiver checks signatures with the channel's secret.
        notifySecrets: { [HOOK_PATH_TOKEN]: HOOK_SECRET },
      },
      undefined,
      { inProcessWorker: false },
    );
    webhookUrl = `${h.sim.url}/_sim/notify/${HOOK_PATH_TOKEN}?key=${HOOK_QUERY_TOKEN}`;
    secrets = [HOOK_PATH_TOKEN, HOOK_QUERY_TOKEN, HOOK_SECRET, SIM_HEALTH_KEY, PROM_TOKEN, ECHO_KEY, webhookUrl];
    await h.control('/_sim/health-auth', { header: 'X-Health-Key', value: SIM_HEALTH_KEY });
    const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    [sick, echoing] = [clusters[0]!, clusters[1]!];
    await h.control(`/_sim/health/${sick.id}`, { healthy: false });

    prometheus = await startPrometheus({ scrapeUrl: `${h.sim.url}/_sim/metrics` });
    await prometheus.waitForSeries(`fleet_sim_cluster_healthy{cluster_id="${sick.id}"} == 0`);

    const timing = { passFor: '1s', interval: '300ms', timeout: '4s' };
    const spec = {
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      pollInterval: '200ms',
      clusterDeadline: '60s',
      retry: { maxAttempts: 0 },
      maxParallel: 4,
      failureBudget: { maxFailed: 2 },
      // dryRun: the plan's notices go through the channel too.
      notify: [{ channel: 'ops', dryRun: true }],
      healthChecks: [
        {
          name: 'sim-health',
          http: {
            url: `${h.sim.url}/_sim/health/{clusterId}`,
            json: { field: 'status', equals: 'ok' },
            headers: { 'X-Health-Key': { fromEnv: 'FLEET_HEALTH_SIM_KEY' } },
          },
          ...timing,
        },
        {
          name: 'prom-healthy',
          prometheus: {
            url: prometheus.url,
            query: 'min(fleet_sim_cluster_healthy{cluster_id="{clusterId}"})',
            min: 1,
            headers: { Authorization: { fromEnv: 'FLEET_HEALTH_PROM_TOKEN', prefix: 'Bearer ' } },
          },
          ...timing,
        },
      ],
      waves: [
        { name: 'canary', match: { name: sick.name } },
        {
          name: 'echo',
          match: { name: echoing.name },
          healthChecks: [
            {
              name: 'echo',
              http: {
                url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/health/{clusterId}`,
                json: { field: 'status', equals: 'ok' },
                headers: { 'X-Echo-Key': { fromEnv: 'FLEET_HEALTH_ECHO_KEY' } },
              },
              passFor: '0s',
              interval: '300ms',
              timeout: '1s',
            },
          ],
        },
        {
          name: 'rest',
          // The last wave's gate reads the echo too: it fails (the echo is not "ok") and halts the rollout with that value.
          gate: {
            name: 'echo-gate',
            http: {
              url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/gate/{wave}`,
              json: { field: 'status', equals: 'ok' },
              headers: { 'X-Echo-Key': { fromEnv: 'FLEET_HEALTH_ECHO_KEY' } },
            },
            passFor: '0s',
            interval: '300ms',
            timeout: '1s',
          },
        },
      ],
    };
    dir = await mkdtemp(join(tmpdir(), 'fleet-secrets-'));
    await writeFile(join(dir, 'spec.json'), JSON.stringify(spec, null, 2));

    worker = await startWorkerProcess({
      taskQueue: h.taskQueue,
      env: {
        ...h.env,
        FLEET_LOG_LEVEL: 'debug',
        FLEET_NOTIFY_OPS_URL: webhookUrl,
        FLEET_NOTIFY_OPS_SECRET: HOOK_SECRET,
        FLEET_HEALTH_SIM_KEY: SIM_HEALTH_KEY,
        FLEET_HEALTH_PROM_TOKEN: PROM_TOKEN,
        FLEET_HEALTH_ECHO_KEY: ECHO_KEY,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await prometheus?.stop();
    await h?.close();
    echo?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("plans, runs, watches and reads the rollout from the CLI: two clusters fail their checks, the last wave's gate fails, deliveries are retried", async () => {
    const specFile = join(dir, 'spec.json');
    const plan = await fleet('plan', 'rollout', 'plan', '-f', specFile, '--task-queue', h.taskQueue, '--id', planId);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`plan ${planId}:`);
    expect(plan.stdout).toContain(sick.name);
    await fleet(
      'plan --json',
      'rollout',
      'plan',
      '-f',
      specFile,
      '--task-queue',
      h.taskQueue,
      '--id',
      `${planId}-json`,
      '--json',
    );

    // Down for the next deliveries (a count, not seconds: the CLI's start may take longer than an outage): answered 503 and retried.
    await h.control(`/_sim/notify/${HOOK_PATH_TOKEN}/outage`, { failures: 3 });
    const started = await fleet(
      'start',
      'rollout',
      'start',
      '-f',
      specFile,
      '--task-queue',
      h.taskQueue,
      '--id',
      rolloutId,
    );
    expect(started.code, started.stderr).toBe(0);
    const watched = await fleet('watch', 'rollout', 'watch', rolloutId, '--interval', '0.5');
    expect(watched.code, watched.stderr).toBe(EXIT.HALTED);
    await fleet('watch --json', 'rollout', 'watch', rolloutId, '--json');
    await fleet('status', 'rollout', 'status', rolloutId);
    const status = await fleet('status --json', 'rollout', 'status', rolloutId, '--json');
    expect(status.code, status.stderr).toBe(0);
    report = (JSON.parse(status.stdout) as { report: RolloutReport }).report;

    expect(report).toMatchObject({ status: 'HALTED', counts: { SUCCEEDED: CLUSTERS - 2, FAILED: 2 } });
    // The gate's failure carries the echo, redacted: in the stop reason and the wave's gate result.
    expect(report.stopReason).toMatch(
      /^gate of wave rest failed: gate "echo-gate" did not pass within 1s .*: last value status 200, status = "\[redacted\]" \(expected "ok"\)/,
    );
    expect(report.waves.at(-1)!.gate).toMatchObject({
      name: 'echo-gate',
      verdict: 'failed',
      value: 'status 200, status = "[redacted]" (expected "ok")',
    });
    const line = (id: string) => report.clusters.find((l) => l.clusterId === id)!;
    // The unhealthy cluster: one of the two checks failed with its last value.
    expect(line(sick.id).message).toMatch(
      /^health check "(sim-health|prom-healthy)" did not pass within 4s .*: last value (status 503 \(expected 200\)|0 \(below min 1\))/,
    );
    // The echo reached the worker, and left it redacted.
    expect(line(echoing.id).message).toMatch(
      /^health check "echo" did not pass within 1s .*: last value status 200, status = "\[redacted\]" \(expected "ok"\)/,
    );
    expect(echoed).toContain(ECHO_KEY);
    // (The other two passed both checks, counted above: the simulator got its header, it answers 401 without it.)
    // The failures are what the CLI printed.
    expect(watched.stdout).toContain('did not pass within');
    expect(status.stdout).toContain('[redacted]');

    // Every event of both runs delivered in the end, signed, after 503s.
    const deliveries = await vi.waitFor(
      async () => {
        const all = await received();
        const ok = all.filter((d) => d.status === 200);
        const types = ok.map(
          (d) => `${(d.body as { rolloutId: string }).rolloutId} ${(d.body as { type: string }).type}`,
        );
        for (const id of [planId, rolloutId])
          if (!types.includes(`${id} rollout.finished`)) throw new Error(`${id}: not finished yet`);
        if (types.filter((t) => t === `${rolloutId} cluster.failed`).length < 2)
          throw new Error('cluster failures not delivered yet');
        if (!types.includes(`${rolloutId} gate.failed`)) throw new Error('the gate failure not delivered yet');
        return all;
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(deliveries.some((d) => d.status === 503)).toBe(true);
    expect(deliveries.every((d) => d.signature === 'valid')).toBe(true);
  });

  it('prints no secret on the command line', () => {
    expect([...cli.keys()]).toEqual([
      'plan',
      'plan --json',
      'start',
      'watch',
      'watch --json',
      'status',
      'status --json',
    ]);
    for (const [name, result] of cli) expect(result.stdout.length, name).toBeGreaterThan(0);
    // Every command's finds at once, so a failure names each command that printed a secret.
    const leaks = [...cli]
      .map(([name, result]) => ({ name, found: found(`${result.stdout}\n${result.stderr}`) }))
      .filter((l) => l.found.length > 0);
    expect(leaks).toEqual([]);
  });

  it('keeps every secret out of the report', async () => {
    expect(found(JSON.stringify(report))).toEqual([]);
    // As the client reads it too (the workflow's result), and the dry run's.
    const fromClient = await h.client.workflow.getHandle(rolloutId).result();
    expect(JSON.stringify(fromClient)).toContain('[redacted]');
    expect(found(JSON.stringify(fromClient))).toEqual([]);
    expect(found(JSON.stringify(await h.client.workflow.getHandle(planId).result()))).toEqual([]);
  });

  it('keeps every secret out of every history of the task queue', async () => {
    const list = async (): Promise<WorkflowExecutionInfo[]> => {
      const all: WorkflowExecutionInfo[] = [];
      for await (const execution of h.client.workflow.list({ query: `TaskQueue = "${h.taskQueue}"` }))
        all.push(execution);
      return all;
    };
    const deliveredFrom = new Set(
      (await received()).filter((d) => d.status === 200).map((d) => (d.body as { rolloutId: string }).rolloutId),
    );
    // Visibility lags, and deliveries outlive the rollout: wait until every kind is listed and every delivery closed.
    const executions = await vi.waitFor(
      async () => {
        const all = await list();
        const types = new Set(all.map((e) => e.type));
        for (const type of ['fleetRollout', 'clusterUpgrade', 'notifyQueue'])
          if (!types.has(type)) throw new Error(`no ${type} listed yet`);
        for (const id of [rolloutId, planId, `${planId}-json`])
          if (!all.some((e) => e.workflowId === id)) throw new Error(`${id} not listed yet`);
        if (all.filter((e) => e.type === 'clusterUpgrade').length < CLUSTERS)
          throw new Error('children not all listed yet');
        const notices = all.filter((e) => e.type === 'notifyQueue');
        for (const id of deliveredFrom)
          if (!notices.some((e) => e.workflowId === `${id}/notify/ops`))
            throw new Error('delivery queues not all listed yet');
        if (notices.some((e) => e.status.name !== 'COMPLETED')) throw new Error('deliveries still running');
        return all;
      },
      { timeout: 60_000, interval: 500 },
    );

    let retried = 0;
    const leaks: { workflow: string; found: string[] }[] = [];
    for (const execution of executions) {
      const history = await h.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      // As exported (enums by name, bytes such as payload data in base64), then searched as is and decoded.
      const json = JSON.stringify(historyToPlain(history));
      expect(json.length).toBeGreaterThan(0);
      const inHistory = found(json);
      if (inHistory.length > 0)
        leaks.push({ workflow: `${execution.type} ${execution.workflowId} ${execution.runId}`, found: inHistory });
      // A delivery that took more than one attempt keeps the last failed one's message (ActivityTaskStarted.lastFailure).
      if (
        execution.type === 'notifyQueue' &&
        (history.events ?? []).some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)
      )
        retried++;
    }
    // Every kind searched: the dry runs and the rollout, its cluster children, each delivery queue.
    expect(new Set(executions.map((e) => e.type))).toEqual(new Set(['fleetRollout', 'clusterUpgrade', 'notifyQueue']));
    expect(leaks).toEqual([]);
    expect(retried).toBeGreaterThan(0);
    // The search finds what it looks for: a history-shaped text with a secret in a payload.
    expect(
      found(
        JSON.stringify({ payloads: [{ data: Buffer.from(JSON.stringify({ note: webhookUrl })).toString('base64') }] }),
      ),
    ).toEqual([HOOK_PATH_TOKEN, HOOK_QUERY_TOKEN, webhookUrl]);
  });

  it("keeps every secret out of the worker's logs, which did log the retries and the failed checks", () => {
    expect(found(worker.lines.join('\n'))).toEqual([]);
    expect(found(worker.errorLines.join('\n'))).toEqual([]);
    expect(worker.lines.some((line) => line.includes('"level":"debug"') || line.includes('"level":20'))).toBe(true);
    expect(worker.lines.some((line) => line.includes('health check observed'))).toBe(true);
    expect(worker.lines.some((line) => line.includes('health check failed') && line.includes('[redacted]'))).toBe(true);
    expect(worker.lines.some((line) => line.includes('gate failed') && line.includes('[redacted]'))).toBe(true);
    expect(worker.lines.some((line) => line.includes('notification not delivered; it will be retried'))).toBe(true);
    expect(worker.lines.some((line) => line.includes('notification delivered'))).toBe(true);
  });
});
