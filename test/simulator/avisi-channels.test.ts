/**
 * Avisi's own upgrade model on the simulator's wire (issue 21, point 5), with plain fetch:
 * each cluster's `autoUpgrade` (from the fleet file, default false) and `updateChannel`,
 * `GET /orgs/{org}/update-channels` and `GET /orgs/{org}/clusters/{environment}` (go-client's
 * `GetUpdateChannels` and `GetClustersByOrgAndEnv`: Spring pages), under the same auth,
 * faults, rate limit and call log as every Avisi route; and the deprecated-API series on
 * `/_sim/metrics` that pre-upgrade checks read (point 3).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAvisiClient } from '../../src/platforms/index.js';
import { CATALOG, OFFERED_MINORS } from '../../src/simulator/catalog.js';
import { parseFleetDefinition, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { NO_FAULTS, setFaults } from '../platforms/support/sim.js';

const INGRESS_V1BETA1 = {
  group: 'networking.k8s.io',
  version: 'v1beta1',
  resource: 'ingresses',
  removedRelease: '1.22',
};
const FLOWSCHEMA = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1beta3',
  resource: 'flowschemas',
  removedRelease: '1.32',
};

const fleet = parseFleetDefinition({
  avisi: [
    {
      organisation: 'acme',
      clusters: [
        { name: 'web-1', environment: 'production', version: '1.31.2', autoUpgrade: true },
        { name: 'web-2', environment: 'production', version: '1.30.4', deprecatedApis: [FLOWSCHEMA, INGRESS_V1BETA1] },
        { name: 'api-1', environment: 'staging', version: '1.29.10', autoUpgrade: false },
        // A minor the catalog no longer offers: its channel is unavailable.
        { name: 'old-1', environment: 'staging', version: '1.27.3' },
      ],
    },
  ],
  aether: [
    {
      organisation: '0b6e9a52-1c1e-4f55-9d38-1f3c4f8b2a10',
      clusters: [{ name: 'edge-1', version: '1.31.4', deprecatedApis: [FLOWSCHEMA] }],
    },
  ],
});

let sim: RunningSimulator;
/** `auth` null sends no Authorization header. */
const get = async (path: string, auth: string | null = `Token ${sim.tokens.avisi}`) => {
  const response = await fetch(`${sim.url}/api/v1${path}`, { headers: auth ? { authorization: auth } : {} });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};
const latestAme = (minor: string) => CATALOG.filter((e) => e.plain.startsWith(`${minor}.`)).at(-1)!.ame;

beforeAll(async () => {
  sim = await startSimulator({ fleet, rateLimitPerMinute: { avisi: 0, aether: 0 } });
});
afterAll(() => sim?.close());
afterEach(() => setFaults(sim.url, NO_FAULTS));

describe('clusters: autoUpgrade and updateChannel', () => {
  it('serve the fleet file’s autoUpgrade (false when it says none) and the channel of the minor each runs', async () => {
    const { body } = await get('/orgs/acme/clusters');
    const bySlug = Object.fromEntries(
      (body.content as { slug: string; autoUpgrade: boolean; updateChannel: unknown }[]).map((c) => [
        c.slug,
        [c.autoUpgrade, c.updateChannel],
      ]),
    );
    expect(bySlug).toEqual({
      'web-1': [true, { name: 'v1.31', available: true, kubernetesClusterVersion: latestAme('1.31') }],
      'web-2': [false, { name: 'v1.30', available: true, kubernetesClusterVersion: latestAme('1.30') }],
      'api-1': [false, { name: 'v1.29', available: true, kubernetesClusterVersion: latestAme('1.29') }],
      'old-1': [false, { name: 'v1.27', available: false, kubernetesClusterVersion: 'v1.27.3-u-ame.1' }],
    });
  });

  it('are what the client reads, and what /_sim/clusters holds', async () => {
    const client = createAvisiClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.avisi });
    const read = new Map<string, { autoUpgrade?: boolean; channel?: string; version?: string }>();
    for await (const c of client.listClusters('acme'))
      read.set(c.id, { autoUpgrade: c.autoUpgrade, channel: c.updateChannel?.name, version: c.updateChannel?.version });
    const truth = (await (await fetch(`${sim.url}/_sim/clusters?platform=avisi`)).json()) as {
      clusters: {
        id: string;
        autoUpgrade: boolean;
        updateChannel: { name: string; kubernetesClusterVersion: string };
      }[];
    };
    expect(truth.clusters).toHaveLength(4);
    for (const held of truth.clusters)
      expect(read.get(held.id)).toEqual({
        autoUpgrade: held.autoUpgrade,
        channel: held.updateChannel.name,
        version: held.updateChannel.kubernetesClusterVersion.replace(/^v/, '').replace(/-.*$/, ''),
      });
  });

  it('a fleet file’s autoUpgrade must be a boolean', () => {
    expect(() =>
      parseFleetDefinition({
        avisi: [{ organisation: 'acme', clusters: [{ name: 'a', version: '1.30', autoUpgrade: 'yes' }] }],
      }),
    ).toThrow(/avisi\.0\.clusters\.0\.autoUpgrade/);
    expect(() =>
      parseFleetDefinition({
        avisi: [
          {
            organisation: 'acme',
            clusters: [{ name: 'a', version: '1.30', deprecatedApis: [{ ...FLOWSCHEMA, removedRelease: 'soon' }] }],
          },
        ],
      }),
    ).toThrow(/deprecatedApis\.0\.removedRelease: must be a minor/);
  });
});

describe('GET /orgs/{org}/update-channels', () => {
  it('lists a channel per offered minor, following its latest build, in a Spring page', async () => {
    const { status, body } = await get('/orgs/acme/update-channels');
    expect(status).toBe(200);
    expect(body).toMatchObject({ number: 0, last: true, totalElements: OFFERED_MINORS.length });
    expect(body.content).toEqual(
      OFFERED_MINORS.map((minor) => ({
        name: `v${minor}`,
        available: true,
        kubernetesClusterVersion: latestAme(minor),
      })),
    );
    const second = await get('/orgs/acme/update-channels?size=2&page=1');
    expect(second.body).toMatchObject({ number: 1, size: 2, content: body.content.slice(2, 4) });
  });

  it('is what listUpdateChannels reads, page by page', async () => {
    const client = createAvisiClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.avisi });
    const channels = await client.listUpdateChannels!('acme');
    expect(channels.map((c) => [c.name, c.version, c.available])).toEqual(
      OFFERED_MINORS.map((minor) => [`v${minor}`, latestAme(minor).replace(/^v/, '').replace(/-.*$/, ''), true]),
    );
  });
});

describe('GET /orgs/{org}/clusters/{environment}', () => {
  it("pages the environment's clusters, each as the organisation's listing serves it", async () => {
    const all = (await get('/orgs/acme/clusters')).body.content as { environmentSlug: string }[];
    const { status, body } = await get('/orgs/acme/clusters/production');
    expect(status).toBe(200);
    expect(body).toMatchObject({ number: 0, last: true, totalElements: 2 });
    expect(body.content).toEqual(all.filter((c) => c.environmentSlug === 'production'));
    const paged = await get('/orgs/acme/clusters/staging?size=1&page=1');
    expect(paged.body).toMatchObject({ totalPages: 2, last: true, content: [{ slug: 'old-1' }] });
  });

  it('answers 404 for an environment the organisation has not, and 400 for bad paging', async () => {
    const missing = await get('/orgs/acme/clusters/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: expect.stringContaining('nowhere'), details: expect.any(Array) });
    expect((await get('/orgs/acme/clusters/production?page=-1')).status).toBe(400);
    expect((await get('/orgs/globex/clusters/production')).status).toBe(404);
  });
});

describe('shared plumbing', () => {
  const NEW_ROUTES = ['/orgs/acme/update-channels', '/orgs/acme/clusters/production'];

  it('answers 401 without a token or with a wrong one', async () => {
    for (const path of NEW_ROUTES)
      for (const auth of [null, `Bearer ${sim.tokens.avisi}`, 'Token nope']) {
        const res = await get(path, auth);
        expect(res.status, `${path} with ${auth}`).toBe(401);
        expect(res.body).toEqual({ message: expect.any(String), details: expect.any(Array) });
      }
  });

  it('meets injected faults, and every call is in the call log', async () => {
    await setFaults(sim.url, { avisi: { errorRate: 1 } });
    for (const path of NEW_ROUTES) {
      const res = await get(path);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body).toEqual({ message: expect.stringContaining('injected'), details: expect.any(Array) });
    }
    const { calls } = (await (await fetch(`${sim.url}/_sim/calls?platform=avisi`)).json()) as {
      calls: { path: string; status: number; fault?: string }[];
    };
    for (const path of NEW_ROUTES)
      expect(calls.filter((c) => c.path === `/api/v1${path}` && c.fault === 'error').length).toBeGreaterThan(0);
  });

  it('is rate limited per token like every route', async () => {
    const limited = await startSimulator({ fleet, rateLimitPerMinute: { avisi: 1 }, rateLimitBurst: 1 });
    try {
      const call = () =>
        fetch(`${limited.url}/api/v1/orgs/acme/update-channels`, {
          headers: { authorization: `Token ${limited.tokens.avisi}` },
        });
      expect((await call()).status).toBe(200);
      const second = await call();
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await limited.close();
    }
  });
});

describe('deprecated API use on /_sim/metrics', () => {
  it('serves apiserver_requested_deprecated_apis per API a cluster still calls, for clusters of both platforms', async () => {
    const text = await (await fetch(`${sim.url}/_sim/metrics`)).text();
    const series = text.split('\n').filter((line) => line.startsWith('apiserver_requested_deprecated_apis{'));
    const held = (await (await fetch(`${sim.url}/_sim/clusters`)).json()) as {
      clusters: { id: string; name: string }[];
    };
    const idOf = (name: string) => held.clusters.find((c) => c.name === name)!.id;
    expect(series).toEqual([
      `apiserver_requested_deprecated_apis{cluster="web-2",cluster_id="${idOf('web-2')}",group="flowcontrol.apiserver.k8s.io",version="v1beta3",resource="flowschemas",removed_release="1.32"} 1`,
      `apiserver_requested_deprecated_apis{cluster="web-2",cluster_id="${idOf('web-2')}",group="networking.k8s.io",version="v1beta1",resource="ingresses",removed_release="1.22"} 1`,
      `apiserver_requested_deprecated_apis{cluster="edge-1",cluster_id="${idOf('edge-1')}",group="flowcontrol.apiserver.k8s.io",version="v1beta3",resource="flowschemas",removed_release="1.32"} 1`,
    ]);
    expect(text).toContain('# TYPE apiserver_requested_deprecated_apis gauge');
  });

  it('leaves out the series of a cluster that stopped reporting', async () => {
    const held = (await (await fetch(`${sim.url}/_sim/clusters`)).json()) as {
      clusters: { id: string; name: string }[];
    };
    const id = held.clusters.find((c) => c.name === 'edge-1')!.id;
    const put = (body: unknown) =>
      fetch(`${sim.url}/_sim/health/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await put({ reporting: false });
    try {
      const text = await (await fetch(`${sim.url}/_sim/metrics`)).text();
      expect(text).not.toContain('cluster="edge-1"');
      expect(text).toContain('cluster="web-2"');
    } finally {
      await put({ reporting: true });
    }
  });
});
