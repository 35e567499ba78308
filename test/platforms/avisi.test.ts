/**
 * Contract tests: the Avisi Cloud client against the simulator on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import {
  createAvisiClient,
  PlatformApiError,
  type AvisiClientOptions,
  type ClusterSnapshot,
  type PlatformClient,
  type UpgradeState,
} from '../../src/platforms/index.js';
import { eventually, NO_FAULTS, setFaults, setOutcomes, simRequests } from './support/sim.js';
import { rejectionOf } from './support/fake-api.js';

const ORG = 'acme';
const FAST = { retryLimit: 2, backoffLimitMs: 20, maxRetryAfterMs: 2_000, timeoutMs: 5_000 };

let sim: Awaited<ReturnType<typeof startSimulator>>;
let client: PlatformClient;
let clusters: ClusterSnapshot[];
let next = 0;
/** A cluster no other test touched. */
const freshCluster = () => clusters[next++]!;

const GENERATE = { seed: 7, avisi: { organisation: ORG, clusters: 120 }, aether: { clusters: 1 }, minors: ['1.30'] };

const clientWith = (options: Partial<AvisiClientOptions> = {}) =>
  createAvisiClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.avisi, ...FAST, ...options });

/** Every cluster of the organisation, through a fresh client of `server`. */
async function readAll(server: Awaited<ReturnType<typeof startSimulator>>): Promise<ClusterSnapshot[]> {
  const read: ClusterSnapshot[] = [];
  const reader = createAvisiClient({ apiUrl: `${server.url}/api/v1`, token: server.tokens.avisi, ...FAST });
  for await (const cluster of reader.listClusters(ORG)) read.push(cluster);
  return read;
}

/** What operators group by, per cluster id. */
const grouping = (read: readonly ClusterSnapshot[]) =>
  Object.fromEntries(read.map((c) => [c.id, [c.environment, c.region, c.cloudProvider]]));

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    generate: GENERATE,
    // Hours of simulated maintenance windows pass in a blink.
    timeScale: 100_000,
    rateLimitPerMinute: { avisi: 1_000_000, aether: 1_000_000 },
  });
  client = clientWith();
  clusters = [];
  for await (const cluster of client.listClusters(ORG)) clusters.push(cluster);
});

afterAll(async () => {
  await sim?.close();
});

afterEach(async () => {
  await setFaults(sim.url, NO_FAULTS);
});

describe('reading', () => {
  it('reads every cluster, page by page to the last', () => {
    expect(clusters).toHaveLength(120);
    expect(new Set(clusters.map((c) => c.id)).size).toBe(120);
    for (const cluster of clusters) {
      expect(cluster.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(cluster.locator).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
      expect(cluster.version).toMatch(/^1\.30\.\d+$/);
      expect(cluster.platformVersion).toMatch(/^v1\.30\.\d+-u-ame\.\d+$/);
      expect(cluster.state).toBe('ready');
    }
  });

  it("carries each cluster's environment, region and cloud provider, as the simulator holds them", async () => {
    type Held = { id: string; environment: string; region: string; cloudProvider: string };
    const truth = (await (await fetch(`${sim.url}/_sim/clusters?platform=avisi`)).json()) as { clusters: Held[] };
    const byId = new Map(truth.clusters.map((c) => [c.id, c]));
    for (const cluster of clusters) {
      const held = byId.get(cluster.id)!;
      expect(cluster).toMatchObject({
        environment: held.environment,
        region: held.region,
        cloudProvider: held.cloudProvider,
      });
      expect(cluster.locator.startsWith(`${cluster.environment}/`)).toBe(true);
    }
    expect(new Set(clusters.map((c) => c.environment))).toEqual(new Set(['production', 'staging', 'development']));
    expect(new Set(clusters.map((c) => c.cloudProvider)).size).toBeGreaterThan(1);
  });

  it('reads the same grouping from another simulator with the same seed', async () => {
    const twin = await startSimulator({ port: 0, generate: GENERATE, rateLimitPerMinute: { avisi: 0 } });
    try {
      expect(grouping(await readAll(twin))).toEqual(grouping(clusters));
    } finally {
      await twin.close();
    }
  });

  it('leaves out the region and cloud provider of a cluster the fleet file placed nowhere', async () => {
    const fleet = {
      avisi: [{ organisation: ORG, clusters: [{ name: 'lab-1', environment: 'edge-lab', version: '1.30.4' }] }],
    };
    const bare = await startSimulator({ port: 0, fleet });
    try {
      const [cluster] = await readAll(bare);
      expect(cluster).toMatchObject({ environment: 'edge-lab', locator: 'edge-lab/lab-1' });
      expect(cluster).not.toHaveProperty('region');
      expect(cluster).not.toHaveProperty('cloudProvider');
    } finally {
      await bare.close();
    }
  });

  it('gets a cluster by identity, in a fresh client that must resolve its slugs', async () => {
    const wanted = clusters[117]!;
    await expect(clientWith().getCluster(ORG, wanted.id.toUpperCase())).resolves.toEqual(wanted);
  });

  it('answers 404 for an unknown identity and an unknown upgrade', async () => {
    const cluster = await rejectionOf(client.getCluster(ORG, '00000000-0000-4000-8000-000000000000'));
    expect(cluster).toMatchObject({ status: 404, retryable: false });
    const upgrade = (await rejectionOf(
      client.getUpgrade(ORG, { upgradeId: '00000000-0000-4000-8000-000000000000' } as UpgradeState),
    )) as PlatformApiError;
    expect(upgrade).toBeInstanceOf(PlatformApiError);
    expect(upgrade).toMatchObject({ status: 404, code: 'not_found', retryable: false });
    expect(upgrade.apiMessage.length).toBeGreaterThan(0);
  });

  it('lists the offered versions in both spellings', async () => {
    const versions = await client.listVersions();
    expect(versions).toContainEqual({ version: '1.31.6', platformVersion: 'v1.31.6-u-ame.1' });
    for (const v of versions ?? []) expect(v.platformVersion).toContain(v.version);
  });
});

describe('auth', () => {
  it('rejects a wrong token with a final 401/403 carrying the API message, not the token', async () => {
    const token = 'wrong-token-do-not-leak';
    const error = (await rejectionOf(clientWith({ token }).listVersions())) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect([401, 403]).toContain(error.status);
    expect(error.retryable).toBe(false);
    expect(error.apiMessage.length).toBeGreaterThan(0);
    expect(error.message).toContain(error.apiMessage);
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(token);
  });
});

describe('upgrades', () => {
  it('runs the lifecycle: request, then poll until SUCCEEDED; the cluster moves', async () => {
    const cluster = freshCluster();
    await setOutcomes(sim.url, cluster.id, ['SUCCEEDED']);
    const requested = await client.requestUpgrade(ORG, cluster, { version: '1.31', ignoreMaintenanceSchedule: true });
    expect(requested).toMatchObject({ clusterId: cluster.id, toVersion: 'v1.31.6-u-ame.1' });
    expect(['REQUESTED', 'SCHEDULED', 'IN_PROGRESS']).toContain(requested.status);

    const seen = new Set<string>([requested.status]);
    const done = await eventually(
      async () => {
        const state = await client.getUpgrade(ORG, requested);
        seen.add(state.status);
        return state.status === 'SUCCEEDED' ? state : undefined;
      },
      { what: 'SUCCEEDED' },
    );
    expect(done.upgradeId).toBe(requested.upgradeId);
    expect([...seen].every((s) => ['REQUESTED', 'SCHEDULED', 'IN_PROGRESS', 'SUCCEEDED'].includes(s))).toBe(true);
    await expect(client.getCluster(ORG, cluster.id)).resolves.toMatchObject({
      version: '1.31.6',
      platformVersion: 'v1.31.6-u-ame.1',
    });
  });

  it('reports FAILED with the reason', async () => {
    const cluster = freshCluster();
    await setOutcomes(sim.url, cluster.id, ['FAILED']);
    const requested = await client.requestUpgrade(ORG, cluster, { version: '1.31.6', ignoreMaintenanceSchedule: true });
    const failed = await eventually(async () => {
      const state = await client.getUpgrade(ORG, requested);
      return state.status === 'FAILED' ? state : undefined;
    });
    expect(failed.rawStatus).toBe('FAILED');
  });

  it('findUpgrade finds an earlier request (a lost response), and nothing for another version', async () => {
    const cluster = freshCluster();
    const requested = await client.requestUpgrade(ORG, cluster, { version: '1.31' });
    const found = await clientWith().findUpgrade(ORG, cluster, '1.31.6');
    expect(found).toMatchObject({ upgradeId: requested.upgradeId, clusterId: cluster.id });
    await expect(client.findUpgrade(ORG, cluster, 'v1.31.6-u-ame.1')).resolves.toMatchObject({
      upgradeId: requested.upgradeId,
    });
    await expect(client.findUpgrade(ORG, cluster, '1.32')).resolves.toBeUndefined();
  });

  it('a newer request supersedes the older one, and findUpgrade skips the superseded', async () => {
    const cluster = freshCluster();
    const first = await client.requestUpgrade(ORG, cluster, { version: '1.31.4' });
    const second = await client.requestUpgrade(ORG, cluster, { version: '1.31.6' });
    await expect(client.getUpgrade(ORG, first)).resolves.toMatchObject({ status: 'SUPERSEDED' });
    await expect(client.findUpgrade(ORG, cluster, '1.31.4')).resolves.toBeUndefined();
    await expect(client.findUpgrade(ORG, cluster, '1.31')).resolves.toMatchObject({ upgradeId: second.upgradeId });
  });

  it('cancels an upgrade that waits for its window', async () => {
    const cluster = freshCluster();
    // Far in the future: the window cannot open during the test.
    const requested = await client.requestUpgrade(ORG, cluster, {
      version: '1.31',
      scheduleRequestDate: '2099-01-01T00:00:00Z',
    });
    const cancelled = await client.cancelUpgrade(ORG, requested, cluster.platformVersion);
    expect(cancelled).toMatchObject({ upgradeId: requested.upgradeId, status: 'CANCELLED' });
    await expect(client.findUpgrade(ORG, cluster, '1.31')).resolves.toBeUndefined();
  });

  it('maps a 400 with the API message and details (a version not offered)', async () => {
    const error = (await rejectionOf(
      client.requestUpgrade(ORG, freshCluster(), { version: 'v9.99.0-u-ame.1' }),
    )) as PlatformApiError;
    expect(error).toMatchObject({
      status: 400,
      retryable: false,
      method: 'POST',
      path: `/api/v1/orgs/${ORG}/scheduled-cluster-upgrades`,
    });
    expect(error.apiMessage.length).toBeGreaterThan(0);
  });
});

describe('faults', () => {
  it('never retries a POST: one request reaches the simulator despite a 5xx', async () => {
    const cluster = freshCluster();
    await setFaults(sim.url, { errorRate: 1 });
    const error = (await rejectionOf(
      client.requestUpgrade(ORG, cluster, { version: 'v1.31.6-u-ame.1' }),
    )) as PlatformApiError;
    expect(error.status).toBeGreaterThanOrEqual(500);
    expect(error.retryable).toBe(true);
    await setFaults(sim.url, NO_FAULTS);
    const posts = (await simRequests(sim.url)).filter(
      (r) => r.method === 'POST' && JSON.stringify(r).includes(cluster.id),
    );
    expect(posts).toHaveLength(1);
  });

  it('retries a rate-limited GET and surfaces 429 with retryAfterMs when retries run out', async () => {
    await setFaults(sim.url, { rateLimitRate: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const error = (await rejectionOf(clientWith({ retryLimit: 1 }).listVersions())) as PlatformApiError;
    expect(error).toMatchObject({ status: 429, retryAfterMs: 1_000, retryable: true });
    // One retry, after the second the server asked for.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('rides out a 429 on GET when a retry gets through', async () => {
    await setFaults(sim.url, { rateLimitRate: 0.5, retryAfterSeconds: 0 });
    // Each attempt passes with probability 1/2: 21 attempts all failing is a 1 in 2 million event.
    const reads = await Promise.all(Array.from({ length: 5 }, () => clientWith({ retryLimit: 20 }).listVersions()));
    for (const versions of reads) expect(versions?.length).toBeGreaterThan(0);
  });

  it('turns a hanging response into a retryable timeout', async () => {
    await setFaults(sim.url, { hangRate: 1 });
    const error = (await rejectionOf(clientWith({ timeoutMs: 200, retryLimit: 1 }).listVersions())) as PlatformApiError;
    expect(error).toMatchObject({ code: 'timeout', status: undefined, retryable: true });
  });
});
