/**
 * Contract tests: the Aether client against the simulator on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import {
  ApiBudgetExhaustedError,
  createAetherClient,
  PlatformApiError,
  type AetherClientOptions,
  type ClusterSnapshot,
  type PlatformClient,
} from '../../src/platforms/index.js';
import { eventually, NO_FAULTS, setFaults, setOutcomes, simRequests } from './support/sim.js';
import { rejectionOf } from './support/fake-api.js';

const FAST = { retryLimit: 2, backoffLimitMs: 20, maxRetryAfterMs: 2_000, timeoutMs: 5_000 };

let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: string;
let client: PlatformClient;
let clusters: ClusterSnapshot[];
let next = 0;
/** A cluster no other test touched. */
const freshCluster = () => clusters[next++]!;

const clientWith = (options: Partial<AetherClientOptions> = {}) =>
  createAetherClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.aether, ...FAST, ...options });

/** API requests the simulator received for Aether so far. */
const aetherRequests = async () =>
  ((await (await fetch(`${sim.url}/_sim/traffic`)).json()) as { aether: { requests: number } }).aether.requests;

const putsFor = async (clusterId: string) =>
  (await simRequests(sim.url)).filter(
    (r) => r.method === 'PUT' && JSON.stringify(r).toLowerCase().includes(clusterId.toLowerCase()),
  );

const GENERATE = { seed: 11, aether: { clusters: 120 }, avisi: { clusters: 1 }, minors: ['1.30'] };

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    generate: GENERATE,
    timeScale: 100_000,
    rateLimitPerMinute: { avisi: 1_000_000, aether: 1_000_000 },
  });
  org = sim.organisations.aether[0]!;
  client = clientWith();
  clusters = [];
  for await (const cluster of client.listClusters(org)) clusters.push(cluster);
});

afterAll(async () => {
  await sim?.close();
});

afterEach(async () => {
  await setFaults(sim.url, NO_FAULTS);
});

describe('reading', () => {
  it('reads every cluster through the cursor pages, ids lower-cased', () => {
    expect(clusters).toHaveLength(120);
    expect(new Set(clusters.map((c) => c.id)).size).toBe(120);
    for (const cluster of clusters) {
      expect(cluster.id).toBe(cluster.id.toLowerCase());
      expect(cluster.locator).toBe(cluster.id);
      expect(cluster.version).toMatch(/^1\.30\.\d+$/);
      expect(cluster.state).toBe('ready');
      expect(cluster.desiredVersion).toBeUndefined();
    }
  });

  it("carries each cluster's region as the simulator holds it, and no environment or cloud provider", async () => {
    const truth = (await (await fetch(`${sim.url}/_sim/clusters?platform=aether`)).json()) as {
      clusters: { id: string; region: string }[];
    };
    const regions = new Map(truth.clusters.map((c) => [c.id, c.region]));
    for (const cluster of clusters) {
      expect(cluster.region).toBe(regions.get(cluster.id));
      expect(['nl-ams-1', 'nl-ams-2', 'de-fra-1', 'be-bru-1']).toContain(cluster.region);
      expect(cluster).not.toHaveProperty('environment');
      expect(cluster).not.toHaveProperty('cloudProvider');
    }
    expect(new Set(clusters.map((c) => c.region)).size).toBeGreaterThan(1);
  });

  it('reads the same regions from another simulator with the same seed', async () => {
    const twin = await startSimulator({ port: 0, generate: GENERATE, rateLimitPerMinute: { aether: 0 } });
    try {
      const twinOrg = twin.organisations.aether[0]!;
      const read: ClusterSnapshot[] = [];
      const reader = createAetherClient({ apiUrl: `${twin.url}/api/v1`, token: twin.tokens.aether, ...FAST });
      for await (const cluster of reader.listClusters(twinOrg)) read.push(cluster);
      expect(twinOrg).toBe(org);
      expect(read.map((c) => [c.id, c.region])).toEqual(clusters.map((c) => [c.id, c.region]));
    } finally {
      await twin.close();
    }
  });

  it('reads the same clusters with the largest page', async () => {
    const ids: string[] = [];
    for await (const cluster of clientWith({ pageLimit: 100 }).listClusters(org.toUpperCase())) ids.push(cluster.id);
    expect(ids).toEqual(clusters.map((c) => c.id));
  });

  it('gets one cluster by an upper-case id', async () => {
    const wanted = clusters[42]!;
    await expect(client.getCluster(org, wanted.id.toUpperCase())).resolves.toEqual(wanted);
  });

  it('has no version list', async () => {
    await expect(client.listVersions()).resolves.toBeUndefined();
  });

  it('answers 404 with the API code and message for an unknown cluster', async () => {
    const error = (await rejectionOf(
      client.getCluster(org, '00000000-0000-4000-8000-000000000000'),
    )) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({ status: 404, retryable: false, platform: 'aether' });
    expect(error.code.length).toBeGreaterThan(0);
    expect(error.apiMessage.length).toBeGreaterThan(0);
  });
});

describe('auth', () => {
  it('rejects a wrong token with a final 401 carrying the API message, not the token', async () => {
    const token = 'aether_00000000000000000000000000000000';
    const error = (await rejectionOf(clientWith({ token }).getCluster(org, clusters[0]!.id))) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect([401, 403]).toContain(error.status);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(error.apiMessage);
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(token);
  });

  it('picks the token of the organisation addressed', async () => {
    const perOrg = clientWith({ token: { [org.toUpperCase()]: sim.tokens.aether[org]! } });
    await expect(perOrg.getCluster(org, clusters[0]!.id)).resolves.toMatchObject({ id: clusters[0]!.id });
  });
});

describe('upgrades', () => {
  it('PUTs the desired version and reads the cluster until SUCCEEDED', async () => {
    const cluster = freshCluster();
    await setOutcomes(sim.url, cluster.id, ['SUCCEEDED']);
    const requested = await client.requestUpgrade(org, cluster, { version: '1.31' });
    expect(requested).toMatchObject({ upgradeId: cluster.id, clusterId: cluster.id, toVersion: '1.31' });
    expect(['REQUESTED', 'IN_PROGRESS']).toContain(requested.status);
    const done = await eventually(async () => {
      const state = await client.getUpgrade(org, requested);
      return state.status === 'SUCCEEDED' ? state : undefined;
    });
    expect(done.observedVersion).toMatch(/^1\.31\.\d+$/);
    await expect(client.getCluster(org, cluster.id)).resolves.toMatchObject({
      version: done.observedVersion,
      state: 'ready',
    });
  });

  it('reports FAILED with the status message as the reason', async () => {
    const cluster = freshCluster();
    await setOutcomes(sim.url, cluster.id, ['FAILED']);
    const requested = await client.requestUpgrade(org, cluster, { version: '1.31.6' });
    const failed = await eventually(async () => {
      const state = await client.getUpgrade(org, requested);
      return state.status === 'FAILED' ? state : undefined;
    });
    expect(failed.reason).toBeTruthy();
    expect(failed.rawStatus).toBe('failed');
  });

  it('findUpgrade finds an earlier PUT, and nothing for another version', async () => {
    const cluster = freshCluster();
    await client.requestUpgrade(org, cluster, { version: '1.31.6' });
    // Read off the snapshot it is handed (the cluster is the upgrade): a read from after the PUT.
    const after = await clientWith().getCluster(org, cluster.id);
    await expect(clientWith().findUpgrade(org, after, '1.31.6')).resolves.toMatchObject({
      upgradeId: cluster.id,
      toVersion: '1.31.6',
    });
    await expect(client.findUpgrade(org, after, '1.32')).resolves.toBeUndefined();
    await expect(client.findUpgrade(org, freshCluster(), '1.31')).resolves.toBeUndefined();
  });

  it('maps 400 field details and 409 conflicts', async () => {
    const cluster = freshCluster();
    const skew = (await rejectionOf(client.requestUpgrade(org, cluster, { version: '1.32' }))) as PlatformApiError;
    expect(skew).toMatchObject({ status: 409, retryable: false, method: 'PUT' });
    expect(skew.code.length).toBeGreaterThan(0);
    const invalid = (await rejectionOf(client.requestUpgrade(org, cluster, { version: 'latest' }))) as PlatformApiError;
    expect(invalid).toMatchObject({ status: 400, retryable: false });
    expect(invalid.details.join(' ')).toContain('k8s_version');
  });

  it('leaves an upgrade in flight alone when asked to cancel it', async () => {
    const cluster = freshCluster();
    await setOutcomes(sim.url, cluster.id, ['STUCK']);
    const requested = await client.requestUpgrade(org, cluster, { version: '1.31' });
    const state = await client.cancelUpgrade(org, requested, cluster.version);
    expect(state).toMatchObject({ status: 'IN_PROGRESS', rawStatus: 'upgrading' });
    expect(await putsFor(cluster.id)).toHaveLength(1);
  });

  it('rolls a failed upgrade back to the previous version on cancel', async () => {
    const cluster = freshCluster();
    await setOutcomes(sim.url, cluster.id, ['FAILED']);
    const requested = await client.requestUpgrade(org, cluster, { version: '1.31' });
    await eventually(async () => ((await client.getUpgrade(org, requested)).status === 'FAILED' ? true : undefined));
    const state = await client.cancelUpgrade(org, requested, cluster.version);
    expect(state.status).toBe('CANCELLED');
    await expect(client.getCluster(org, cluster.id)).resolves.toMatchObject({
      version: cluster.version,
      state: 'ready',
    });
  });
});

describe('faults', () => {
  it('retries the PUT on 5xx (it is idempotent) and surfaces the error when retries run out', async () => {
    const cluster = freshCluster();
    await setFaults(sim.url, { errorRate: 1 });
    const error = (await rejectionOf(client.requestUpgrade(org, cluster, { version: '1.31' }))) as PlatformApiError;
    expect(error.status).toBeGreaterThanOrEqual(500);
    expect(error.retryable).toBe(true);
    await setFaults(sim.url, NO_FAULTS);
    expect(await putsFor(cluster.id)).toHaveLength(3);
  });

  it('retries a rate-limited GET and surfaces 429 with retryAfterMs when retries run out', async () => {
    await setFaults(sim.url, { rateLimitRate: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const error = (await rejectionOf(
      clientWith({ retryLimit: 1 }).getCluster(org, clusters[0]!.id),
    )) as PlatformApiError;
    expect(error).toMatchObject({ status: 429, retryAfterMs: 1_000, retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('asks its API budget before every request and every retry of one', async () => {
    await setFaults(sim.url, { errorRate: 1, methods: ['GET'] });
    let asked = 0;
    const budgeted = clientWith({ retryLimit: 2, budget: { acquire: async () => void asked++ } });
    const before = await aetherRequests();
    await rejectionOf(budgeted.getCluster(org, clusters[0]!.id));
    const after = await aetherRequests();
    expect(asked).toBe(3);
    expect(after - before).toBe(asked);
  });

  it('sends nothing when the budget is spent too far ahead, and says when to come back', async () => {
    const spent = clientWith({ budget: { acquire: () => Promise.reject(new ApiBudgetExhaustedError(12_000)) } });
    const before = await aetherRequests();
    const error = (await rejectionOf(spent.getCluster(org, clusters[0]!.id))) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({ code: 'budget_exhausted', retryAfterMs: 12_000, retryable: true });
    expect(await aetherRequests()).toBe(before);
  });

  it('turns a hanging response into a retryable timeout', async () => {
    await setFaults(sim.url, { hangRate: 1 });
    const error = (await rejectionOf(
      clientWith({ timeoutMs: 200, retryLimit: 1 }).getCluster(org, clusters[0]!.id),
    )) as PlatformApiError;
    expect(error).toMatchObject({ code: 'timeout', status: undefined, retryable: true });
  });

  it('turns a dropped connection into a retryable network error', async () => {
    await setFaults(sim.url, { dropRate: 1 });
    const error = (await rejectionOf(
      clientWith({ retryLimit: 0 }).getCluster(org, clusters[0]!.id),
    )) as PlatformApiError;
    expect(error).toMatchObject({ code: 'network', retryable: true });
  });
});
