/**
 * The simulator's cluster health (src/simulator/health-routes.ts): metrics in
 * Prometheus's text format, the per-cluster health endpoint, the switches that make a
 * cluster unhealthy, healthy after a while, or silent, and the header the endpoint may
 * require, whose value it never echoes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let clusters: { id: string; name: string; platform: string }[];

beforeAll(async () => {
  sim = await startSimulator({ generate: { seed: 5, avisi: { clusters: 2 }, aether: { clusters: 2 } } });
  clusters = ((await (await fetch(`${sim.url}/_sim/clusters`)).json()) as { clusters: typeof clusters }).clusters;
});
afterAll(() => sim?.close());
beforeEach(() => fetch(`${sim.url}/_sim/health`, { method: 'DELETE' }));

const put = (path: string, body: unknown) =>
  fetch(`${sim.url}/_sim/${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const metrics = async () => (await fetch(`${sim.url}/_sim/metrics`)).text();
const healthyLine = (text: string, id: string) =>
  text.split('\n').find((line) => line.startsWith('fleet_sim_cluster_healthy{') && line.includes(`cluster_id="${id}"`));

describe('GET /_sim/metrics', () => {
  it('exposes every cluster as healthy, with the labels checks select by', async () => {
    const response = await fetch(`${sim.url}/_sim/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE fleet_sim_cluster_healthy gauge');
    for (const cluster of clusters)
      expect(healthyLine(text, cluster.id)).toMatch(
        new RegExp(`cluster_name="${cluster.name}",platform="${cluster.platform}",organisation="[^"]+".* 1$`),
      );
    expect(text).toMatch(/^fleet_sim_cluster_api_latency_seconds\{[^}]+\} 0\.04$/m);
  });

  it('shows a switched cluster as 0, its latency, and leaves out one that does not report', async () => {
    const [a, b] = clusters;
    expect(await (await put(`health/${a!.id}`, { healthy: false, latencyMs: 250 })).json()).toEqual({
      clusterId: a!.id,
      healthy: false,
      reporting: true,
      latencyMs: 250,
    });
    await put(`health/${b!.id}`, { reporting: false });
    const text = await metrics();
    expect(healthyLine(text, a!.id)).toMatch(/ 0$/);
    expect(text).toMatch(
      new RegExp(`^fleet_sim_cluster_api_latency_seconds\\{cluster_id="${a!.id}"[^}]*\\} 0\\.25$`, 'm'),
    );
    expect(text).not.toContain(b!.id);
    await fetch(`${sim.url}/_sim/health`, { method: 'DELETE' });
    expect(healthyLine(await metrics(), b!.id)).toMatch(/ 1$/);
  });
});

describe('GET /_sim/health/{id}', () => {
  it('answers 200 ok while healthy, 503 degraded while not, and 404 for no cluster', async () => {
    const id = clusters[2]!.id;
    const ok = await fetch(`${sim.url}/_sim/health/${id.toUpperCase()}`);
    expect([ok.status, await ok.json()]).toEqual([200, { status: 'ok', clusterId: id, name: clusters[2]!.name }]);
    await put(`health/${id}`, { healthy: false });
    const degraded = await fetch(`${sim.url}/_sim/health/${id}`);
    expect([degraded.status, ((await degraded.json()) as { status: string }).status]).toEqual([503, 'degraded']);
    expect((await fetch(`${sim.url}/_sim/health/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('becomes healthy after the seconds it was told (real time)', async () => {
    const id = clusters[3]!.id;
    const view = (await (await put(`health/${id}`, { healthyAfterSeconds: 1 })).json()) as {
      healthy: boolean;
      healthyFrom: string;
    };
    expect(view.healthy).toBe(false);
    expect(Date.parse(view.healthyFrom) - Date.now()).toBeGreaterThan(500);
    expect((await fetch(`${sim.url}/_sim/health/${id}`)).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(view.healthyFrom) - Date.now() + 50));
    expect((await fetch(`${sim.url}/_sim/health/${id}`)).status).toBe(200);
    expect(healthyLine(await metrics(), id)).toMatch(/ 1$/);
  });

  it('requires the header it was given, never echoing its value', async () => {
    const secret = 'sim-health-secret-91b2c3';
    expect(await (await put('health-auth', { header: 'X-Health-Token', value: secret })).json()).toEqual({
      header: 'X-Health-Token',
    });
    const id = clusters[0]!.id;
    const refused = await fetch(`${sim.url}/_sim/health/${id}`, { headers: { 'x-health-token': `${secret}-wrong` } });
    expect([refused.status, await refused.text()]).toEqual([
      401,
      JSON.stringify({ error: 'missing or wrong X-Health-Token header' }),
    ]);
    expect((await fetch(`${sim.url}/_sim/health/${id}`, { headers: { 'x-health-token': secret } })).status).toBe(200);
    await fetch(`${sim.url}/_sim/health-auth`, { method: 'DELETE' });
    expect((await fetch(`${sim.url}/_sim/health/${id}`)).status).toBe(200);
  });

  it('refuses switches that make no sense', async () => {
    const id = clusters[0]!.id;
    expect((await put(`health/${id}`, { healthy: true, healthyAfterSeconds: 5 })).status).toBe(400);
    expect((await put(`health/${id}`, { healthy: 'yes' })).status).toBe(400);
    expect((await put('health/nope', { healthy: false })).status).toBe(404);
    expect((await put('health-auth', { header: 'Bad Header', value: 'x' })).status).toBe(400);
  });
});
