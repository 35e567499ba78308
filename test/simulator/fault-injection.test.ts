/**
 * Fault injection on the wire, with plain fetch: each of the four faults as a client
 * meets it (5xx, 429 with Retry-After, a hang past the client's timeout, a response
 * lost after the change was applied), per dialect, and what the simulator records of
 * them: the call log (client label, arrival and answer times, Retry-After) and the
 * fault counts under /_sim/traffic.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedCall } from '../../src/simulator/call-log.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let aetherOrg: string;
let aetherClusters: string[];

const simGet = async <T>(path: string): Promise<T> => (await (await fetch(`${sim.url}${path}`)).json()) as T;
const setFaults = async (faults: unknown) => {
  const response = await fetch(`${sim.url}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`PUT /_sim/faults: ${response.status} ${await response.text()}`);
};
const aether = (method: string, path: string, options: { body?: unknown; token?: string; signal?: AbortSignal } = {}) =>
  fetch(`${sim.url}/api/v1/organizations/${aetherOrg}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? sim.tokens.aether[aetherOrg]}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
const avisi = (path: string) =>
  fetch(`${sim.url}/api/v1${path}`, { headers: { authorization: `Token ${sim.tokens.avisi}` } });
const calls = async () => (await simGet<{ calls: LoggedCall[] }>('/_sim/calls')).calls;
const faultCounts = async () => simGet<Record<'avisi' | 'aether', { faults: Record<string, number> }>>('/_sim/traffic');
const clusterState = async (id: string) => simGet<{ desiredVersion: string; status: string }>(`/_sim/clusters/${id}`);

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 9, avisi: { clusters: 2 }, aether: { clusters: 4 }, minors: ['1.30'] },
    rateLimitPerMinute: { avisi: 0, aether: 0 },
  });
  aetherOrg = sim.organisations.aether[0]!;
  aetherClusters = (await simGet<{ clusters: { id: string }[] }>('/_sim/clusters?platform=aether')).clusters.map(
    (c) => c.id,
  );
});
afterEach(async () => {
  await setFaults({});
  await fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' });
});
afterAll(() => sim?.close());

describe('fault injection on the wire', () => {
  it('faults one dialect only when told, and counts every fault it injected', async () => {
    const before = await faultCounts();
    await setFaults({ aether: { errorRate: 1 } });
    const faulted = await aether('GET', '/clusters');
    expect([500, 502, 503]).toContain(faulted.status);
    expect(await faulted.json()).toMatchObject({ error: { code: 'internal' } });
    expect((await avisi('/cluster-versions')).status).toBe(200);
    const after = await faultCounts();
    expect(after.aether.faults.error).toBe(before.aether.faults.error! + 1);
    expect(after.avisi.faults.error).toBe(before.avisi.faults.error);
  });

  it('answers 429 with Retry-After and logs it with the client, arrival and answer times, never the token', async () => {
    await setFaults({ rateLimitRate: 1, retryAfterSeconds: 7 });
    const limited = await aether('GET', '/clusters');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await avisi('/cluster-versions')).status).toBe(429);
    await setFaults({});
    expect((await aether('GET', '/clusters', { token: 'aether_0123abcd' })).status).toBe(401);

    const log = await calls();
    expect(log).toEqual([
      expect.objectContaining({
        platform: 'aether',
        client: `aether:org/${aetherOrg}`,
        method: 'GET',
        status: 429,
        retryAfterSeconds: 7,
        fault: 'rate-limit',
      }),
      expect.objectContaining({
        platform: 'avisi',
        client: 'avisi:token-1',
        status: 429,
        retryAfterSeconds: 7,
        fault: 'rate-limit',
      }),
      expect.objectContaining({ platform: 'aether', client: 'aether:unrecognised', status: 401 }),
    ]);
    for (const call of log) expect(call.answeredAt).toBeGreaterThanOrEqual(call.arrivedAt);
    const text = JSON.stringify(log);
    expect(text).not.toContain(sim.tokens.aether[aetherOrg]!);
    expect(text).not.toContain(sim.tokens.avisi);
    expect(text).not.toContain('aether_0123abcd');
  });

  it('hangs past the client timeout without applying the change, and logs it unanswered', async () => {
    const id = aetherClusters[0]!;
    const before = await clusterState(id);
    await setFaults({ hangRate: 1, hangSeconds: 30, methods: ['PUT'] });
    const put = aether('PUT', `/clusters/${id}`, { body: { k8s_version: '1.31' }, signal: AbortSignal.timeout(300) });
    await expect(put).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(await clusterState(id)).toEqual(before);
    expect(await calls()).toEqual([expect.objectContaining({ method: 'PUT', status: 0, fault: 'hung' })]);
    expect((await calls())[0]!.answeredAt).toBeUndefined();
    expect((await faultCounts()).aether.faults.hung).toBeGreaterThanOrEqual(1);
  });

  it('applies a change and then loses its response', async () => {
    const id = aetherClusters[1]!;
    await setFaults({ dropRate: 1, methods: ['PUT'] });
    await expect(aether('PUT', `/clusters/${id}`, { body: { k8s_version: '1.31' } })).rejects.toThrow();
    expect(await clusterState(id)).toMatchObject({ desiredVersion: '1.31', status: 'upgrading' });
    const { requests } = await simGet<{ requests: { clusterId: string; status: number; fault?: string }[] }>(
      '/_sim/requests',
    );
    expect(requests).toEqual([expect.objectContaining({ clusterId: id, status: 200, fault: 'dropped' })]);
    expect((await calls())[0]).toMatchObject({ status: 200, fault: 'dropped' });
    expect((await calls())[0]!.answeredAt).toBeUndefined();
  });

  it('repeats the same faults for the same seed', async () => {
    const statuses = async () => {
      const seen: number[] = [];
      for (let i = 0; i < 30; i++) seen.push((await aether('GET', '/clusters?limit=1')).status);
      return seen;
    };
    await setFaults({ seed: 4, errorRate: 0.3, rateLimitRate: 0.3 });
    const first = await statuses();
    await setFaults({ seed: 4, errorRate: 0.3, rateLimitRate: 0.3 });
    expect(await statuses()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('rejects settings whose rates add up to more than 1', async () => {
    const response = await fetch(`${sim.url}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 0.7, aether: { dropRate: 0.5 } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()) as { error: string }).toMatchObject({
      error: expect.stringContaining('aether: errorRate + rateLimitRate + hangRate + dropRate must not exceed 1'),
    });
  });
});
