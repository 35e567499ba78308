/**
 * `runHealthChecks` against the real simulator and a real Prometheus (Debian's, started
 * by test/support/prometheus.ts on loopback, scraping /_sim/metrics every second): a
 * healthy cluster passes after passFor; an unhealthy one fails naming the check and its
 * last value; one healthy only after a while passes within its timeout; an empty result
 * fails as such; an http check sends a header read from the worker's environment, and
 * that value is in no result, heartbeat, log line or error, even when the endpoint echoes it.
 */
import { createServer, type Server } from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createHealthActivities,
  type RunHealthChecksInput,
  type RunHealthChecksResult,
} from '../../src/activities/health.js';
import type { HealthCheck } from '../../src/domain/health.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { depsFromEnv } from '../../src/worker.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

/** Distinctive, so a find is a leak and not a coincidence. */
const SECRET = 'fleetwave-health-secret-3f9c1a7e5b2d';
const HEALTH_ENV = { FLEET_HEALTH_SIM_TOKEN: SECRET };

let sim: RunningSimulator;
let prometheus: RunningPrometheus;
let echo: Server;
let echoUrl: string;
let platformEnv: Record<string, string>;
let clusters: { id: string; platform: 'avisi' | 'aether'; organisation: string }[];
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 11, avisi: { clusters: 2 }, aether: { clusters: 6 } },
    rateLimitPerMinute: { aether: 0 },
  });
  const aetherOrg = sim.organisations.aether[0]!;
  platformEnv = {
    AETHER_API_URL: `${sim.url}/api/v1`,
    AETHER_API_TOKEN: sim.tokens.aether[aetherOrg]!,
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
  };
  clusters = ((await (await fetch(`${sim.url}/_sim/clusters`)).json()) as { clusters: typeof clusters }).clusters;
  // An endpoint that echoes the request's headers in its body, as some debug endpoints do.
  echo = createServer((request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: request.headers })),
  );
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
  prometheus = await startPrometheus({ scrapeUrl: `${sim.url}/_sim/metrics` });
  await prometheus.waitForSeries('fleet_sim_cluster_healthy');
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await sim?.close();
  await new Promise((resolve) => echo?.close(resolve));
});

beforeEach(async () => {
  await fetch(`${sim.url}/_sim/health`, { method: 'DELETE' });
});

const aether = (index: number) => clusters.filter((c) => c.platform === 'aether')[index]!;
const setHealth = (id: string, body: object) =>
  fetch(`${sim.url}/_sim/health/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Until Prometheus has seen what the switch did (a scrape a second). */
const seen = (query: string) => prometheus.waitForSeries(query, 10_000);
async function vanished(query: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
      data: { result: unknown[] };
    };
    if (body.data.result.length === 0) return;
    if (Date.now() > until) throw new Error(`${query} still has samples`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const healthyQuery = 'fleet_sim_cluster_healthy{cluster_id="{clusterId}"}';
const promCheck = (timing: Partial<HealthCheck> = {}): HealthCheck =>
  ({
    name: 'cluster-healthy',
    prometheus: { url: prometheus.url, query: healthyQuery, min: 1 },
    passForMs: 2_000,
    intervalMs: 250,
    timeoutMs: 10_000,
    ...timing,
  }) as HealthCheck;

interface Run {
  readonly result: RunHealthChecksResult;
  readonly heartbeats: unknown[];
  readonly ms: number;
}

/** Runs the activity as the worker would (platform clients from the environment, logs captured at debug). */
async function run(
  cluster: (typeof clusters)[number],
  checks: HealthCheck[],
  env: NodeJS.ProcessEnv = HEALTH_ENV,
): Promise<Run> {
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const { runHealthChecks } = createHealthActivities({ ...depsFromEnv(logger, platformEnv), logger }, { env });
  const activity = new MockActivityEnvironment();
  const heartbeats: unknown[] = [];
  activity.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const input: RunHealthChecksInput = {
    platform: cluster.platform,
    organisation: cluster.organisation,
    clusterId: cluster.id,
    checks,
  };
  const started = Date.now();
  const result = (await activity.run(runHealthChecks, input)) as RunHealthChecksResult;
  return { result, heartbeats, ms: Date.now() - started };
}

describe('runHealthChecks against Prometheus', () => {
  it('passes a healthy cluster once the check has passed for passFor', async () => {
    const { result, heartbeats, ms } = await run(aether(0), [promCheck()]);
    expect(result).toEqual({
      passed: true,
      results: [{ name: 'cluster-healthy', verdict: 'passed', observations: expect.any(Number), last: '1' }],
    });
    expect(ms).toBeGreaterThanOrEqual(2_000);
    expect(ms).toBeLessThan(5_000);
    // About passFor / interval observations, each heartbeated with what it saw.
    expect(result.results[0]!.observations).toBeGreaterThanOrEqual(8);
    expect(heartbeats.at(-1)).toMatchObject({
      checks: { 'cluster-healthy': { verdict: 'passed', last: { ok: true, value: '1' } } },
    });
  });

  it('fails an unhealthy cluster at its timeout, naming the check and its last value', async () => {
    const cluster = aether(1);
    await setHealth(cluster.id, { healthy: false });
    await seen(`fleet_sim_cluster_healthy{cluster_id="${cluster.id}"} == 0`);
    const { result, ms } = await run(cluster, [promCheck({ timeoutMs: 2_000 })]);
    expect(result).toMatchObject({ passed: false, check: 'cluster-healthy' });
    // The reason names the series out of bounds, labels and all (issue 18: a failure says what failed).
    const reason = result.passed === false ? result.reason : '';
    expect(reason).toMatch(
      /^health check "cluster-healthy" did not pass within 2s \(it must pass for 2s\): last value 0 \(below min 1\); 1 of 1 series out of bounds: \{/,
    );
    expect(reason).toContain(`cluster_id="${cluster.id}"`);
    expect(reason).toMatch(/\} 0 \(below min 1\)$/);
    expect(ms).toBeGreaterThanOrEqual(2_000);
    expect(ms).toBeLessThan(4_000);
  });

  it('passes a cluster that becomes healthy after a while, within its timeout', async () => {
    const cluster = aether(2);
    await setHealth(cluster.id, { healthyAfterSeconds: 3 });
    await seen(`fleet_sim_cluster_healthy{cluster_id="${cluster.id}"} == 0`);
    const { result, heartbeats, ms } = await run(cluster, [promCheck({ passForMs: 1_500, timeoutMs: 15_000 })]);
    expect(result).toMatchObject({ passed: true, results: [{ verdict: 'passed', last: '1' }] });
    // Unhealthy until the switch flips (less what waiting for the scrape took), then passFor.
    expect(ms).toBeGreaterThanOrEqual(2_500);
    expect(JSON.stringify(heartbeats)).toContain('0 (below min 1)');
  });

  it('fails a query with an empty result, saying so', async () => {
    const cluster = aether(3);
    await setHealth(cluster.id, { reporting: false });
    await vanished(`fleet_sim_cluster_healthy{cluster_id="${cluster.id}"}`);
    const { result } = await run(cluster, [promCheck({ timeoutMs: 1_000 })]);
    expect(result).toMatchObject({
      passed: false,
      check: 'cluster-healthy',
      reason: expect.stringMatching(/: last value empty result$/),
    });
  });

  it('fails at once, without waiting for its timeout, a query Prometheus refuses', async () => {
    const check = promCheck({ timeoutMs: 60_000 });
    const { result, ms } = await run(aether(0), [
      { ...check, prometheus: { ...check.prometheus!, query: 'sum(' } } as HealthCheck,
    ]);
    expect(result).toMatchObject({
      passed: false,
      reason: expect.stringMatching(
        /^health check "cluster-healthy" cannot pass: last value Prometheus refused the query \(bad_data: /,
      ),
    });
    expect(ms).toBeLessThan(5_000);
  });
});

describe('http checks and their credentials', () => {
  const authorised: HealthCheck = {
    name: 'sim-health',
    http: {
      url: '',
      status: 200,
      json: { field: 'status', equals: 'ok' },
      headers: { Authorization: { fromEnv: 'FLEET_HEALTH_SIM_TOKEN', prefix: 'Bearer ' } },
    },
    passForMs: 1_000,
    intervalMs: 200,
    timeoutMs: 1_500,
  };
  const withUrl = (url: string, check = authorised): HealthCheck =>
    ({ ...check, http: { ...check.http!, url } }) as HealthCheck;

  beforeEach(async () => {
    await fetch(`${sim.url}/_sim/health-auth`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ header: 'Authorization', value: `Bearer ${SECRET}` }),
    });
    logLines.length = 0;
  });

  it('passes with the header from the environment, and the secret is nowhere it reports', async () => {
    const runs = [await run(aether(4), [withUrl(`${sim.url}/_sim/health/{clusterId}`)])];
    expect(runs[0]!.result).toMatchObject({
      passed: true,
      results: [{ name: 'sim-health', verdict: 'passed', last: 'status 200, status = "ok"' }],
    });
    // A wrong secret: 401, and the check fails naming the status.
    runs.push(
      await run(aether(4), [withUrl(`${sim.url}/_sim/health/{clusterId}`)], {
        FLEET_HEALTH_SIM_TOKEN: `${SECRET}-wrong`,
      }),
    );
    expect(runs[1]!.result).toMatchObject({
      passed: false,
      reason: expect.stringMatching(
        /last value status 401 \(expected 200\); the body said: .*wrong Authorization header/,
      ),
    });
    // An endpoint that echoes the header back: the value shown is redacted.
    const echoed = {
      ...authorised,
      http: {
        ...authorised.http!,
        url: `${echoUrl}/{clusterName}`,
        json: { field: 'headers.authorization', equals: 'nope' },
      },
    } as HealthCheck;
    runs.push(await run(aether(4), [echoed]));
    expect(runs[2]!.result).toMatchObject({
      passed: false,
      reason: expect.stringContaining('headers.authorization = "Bearer [redacted]" (expected "nope")'),
    });
    // Nobody answering: the error is described without the request.
    runs.push(await run(aether(4), [withUrl('http://127.0.0.1:9/{clusterId}')]));
    expect(runs[3]!.result).toMatchObject({
      passed: false,
      reason: expect.stringContaining('no answer (ECONNREFUSED)'),
    });

    const everything = JSON.stringify(runs) + logLines.join('\n');
    expect(logLines.some((line) => line.includes('health check observed'))).toBe(true);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(SECRET));
  });

  it('is cancelled without leaking the secret into the failure', async () => {
    const { runHealthChecks } = createHealthActivities(
      {
        ...depsFromEnv(createLogger({ level: 'debug' }, { write: (l: string) => void logLines.push(l) }), platformEnv),
      },
      { env: HEALTH_ENV },
    );
    const activity = new MockActivityEnvironment();
    const cluster = aether(5);
    await setHealth(cluster.id, { healthy: false });
    activity.once('heartbeat', () => activity.cancel('CANCELLED'));
    const check = withUrl(`${sim.url}/_sim/health/{clusterId}`, { ...authorised, timeoutMs: 60_000 });
    const error: unknown = await activity
      .run(runHealthChecks, {
        platform: cluster.platform,
        organisation: cluster.organisation,
        clusterId: cluster.id,
        checks: [check],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CancelledFailure' });
    expect(JSON.stringify(error) + String(error) + ((error as Error).stack ?? '') + logLines.join('\n')).not.toContain(
      SECRET,
    );
  });

  it("reads the cluster's facts from its platform: Aether's endpoint, Avisi's environment", async () => {
    const { clientFor } = depsFromEnv(createLogger({ level: 'silent' }), platformEnv);
    const avisi = clusters.find((c) => c.platform === 'avisi')!;
    expect(await clientFor('aether').getCluster(aether(0).organisation, aether(0).id)).toMatchObject({
      endpoint: expect.stringMatching(/^https:\/\/[0-9a-f]{8}\.[a-z0-9-]+\.k8s\.aetherplatform\.cloud:6443$/),
    });
    expect(await clientFor('avisi').getCluster(avisi.organisation, avisi.id)).not.toHaveProperty('endpoint');
  });

  it('fails at once naming a header variable that is not set, and a fact the cluster lacks', async () => {
    const unset = await run(aether(4), [withUrl(`${sim.url}/_sim/health/{clusterId}`)], {});
    expect(unset.result).toMatchObject({
      passed: false,
      reason:
        'health check "sim-health" cannot run: header Authorization reads FLEET_HEALTH_SIM_TOKEN, which is not set on this worker',
    });
    expect(unset.ms).toBeLessThan(1_000);
    const avisi = clusters.find((c) => c.platform === 'avisi')!;
    const noEndpoint = await run(avisi, [withUrl('{endpoint}/healthz')]);
    expect(noEndpoint.result).toMatchObject({
      passed: false,
      reason: 'health check "sim-health" cannot run: its url needs {endpoint}, which this cluster does not have',
    });
  });
});
