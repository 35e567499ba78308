/**
 * The Avisi calls around clusters, on the wire with plain fetch: `GET /memberships`,
 * `GET /orgs/{org}/environments[/{env}]` with and without `show-compute`, and the
 * grouping fields every cluster carries. Same auth, errors, paging and faults as the
 * other Avisi routes. The fleet is given as a fleet file would give it, so every
 * expected value is known.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetDefinition, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { NO_FAULTS, setFaults } from '../platforms/support/sim.js';

const SCOPED_TOKEN = 'globex-only-token';

const fleet = parseFleetDefinition({
  avisi: [
    {
      organisation: 'acme',
      clusters: [
        { name: 'web-1', environment: 'production', region: 'eu-west-1', cloudProvider: 'aws', version: '1.30.4' },
        { name: 'web-2', environment: 'production', region: 'westeurope', cloudProvider: 'azure', version: '1.30.4' },
        { name: 'api-1', environment: 'staging', region: 'eu-central-1', cloudProvider: 'aws', version: '1.30.4' },
        // A lab on its own nodes: the fleet names no region or cloud provider.
        { name: 'lab-1', environment: 'edge-lab', version: '1.30.4' },
      ],
    },
    {
      organisation: 'globex',
      token: SCOPED_TOKEN,
      clusters: [
        { name: 'db-1', environment: 'development', region: 'fsn1', cloudProvider: 'hetzner', version: '1.30.4' },
      ],
    },
  ],
  aether: [],
});

let sim: RunningSimulator;
/** `auth` null sends no Authorization header. */
const get = async (path: string, auth: string | null = `Token ${sim.tokens.avisi}`) => {
  const response = await fetch(`${sim.url}/api/v1${path}`, { headers: auth ? { authorization: auth } : {} });
  // Parsed untyped on purpose: each test states the shape it expects.
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};
const errorFaults = async (): Promise<number> =>
  ((await (await fetch(`${sim.url}/_sim/traffic`)).json()) as { avisi: { faults: { error: number } } }).avisi.faults
    .error;

interface WireCluster {
  slug: string;
  environmentSlug: string;
  environmentIdentity: string;
  region: string | null;
  cloudProvider: string | null;
  cpu: number;
  memory: number;
}

beforeAll(async () => {
  sim = await startSimulator({ fleet, rateLimitPerMinute: { avisi: 0, aether: 0 } });
});
afterAll(() => sim?.close());
afterEach(() => setFaults(sim.url, NO_FAULTS));

describe('clusters', () => {
  it('carry environmentIdentity, cloudProvider, region and compute as the public API names them; null where the fleet gave none', async () => {
    const { body } = await get('/orgs/acme/clusters');
    const bySlug = new Map((body.content as WireCluster[]).map((c) => [c.slug, c]));
    expect(bySlug.get('web-1')).toMatchObject({
      environmentSlug: 'production',
      region: 'eu-west-1',
      cloudProvider: 'aws',
    });
    expect(bySlug.get('web-2')).toMatchObject({ region: 'westeurope', cloudProvider: 'azure' });
    expect(bySlug.get('lab-1')).toMatchObject({ environmentSlug: 'edge-lab', region: null, cloudProvider: null });
    expect(bySlug.get('web-1')!.environmentIdentity).toBe(bySlug.get('web-2')!.environmentIdentity);
    expect(bySlug.get('web-1')!.environmentIdentity).not.toBe(bySlug.get('api-1')!.environmentIdentity);
    for (const cluster of bySlug.values())
      expect(cluster).toMatchObject({ cpu: expect.any(Number), memory: expect.any(Number) });
  });
});

describe('GET /orgs/{org}/environments', () => {
  it('lists the environments of the clusters in a Spring page, by slug, typed', async () => {
    const { status, body } = await get('/orgs/acme/environments');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      number: 0,
      size: 50,
      first: true,
      last: true,
      totalPages: 1,
      totalElements: 3,
      numberOfElements: 3,
      empty: false,
    });
    expect(body.content.map((e: { slug: string; type: string; name: string }) => [e.slug, e.type, e.name])).toEqual([
      ['edge-lab', 'other', 'Edge Lab'],
      ['production', 'production', 'Production'],
      ['staging', 'staging', 'Staging'],
    ]);
    for (const environment of body.content) {
      expect(environment).toEqual({
        id: expect.any(Number),
        identity: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: expect.any(String),
        purpose: expect.any(String),
        type: expect.any(String),
        description: expect.any(String),
        createdAt: expect.any(String),
        modifiedAt: expect.any(String),
        deletedAt: null,
        slug: expect.any(String),
        organisationSlug: 'acme',
      });
    }
  });

  it('adds the totals of its clusters with show-compute=true, matching the clusters', async () => {
    const clusters = (await get('/orgs/acme/clusters')).body.content as WireCluster[];
    const { body } = await get('/orgs/acme/environments?show-compute=true');
    for (const environment of body.content) {
      const members = clusters.filter((c) => c.environmentSlug === environment.slug);
      expect(members[0]?.environmentIdentity).toBe(environment.identity);
      expect(environment).toMatchObject({
        totalClusters: members.length,
        totalCpu: members.reduce((sum, c) => sum + c.cpu, 0),
        totalMemory: members.reduce((sum, c) => sum + c.memory, 0),
      });
    }
    expect(body.content.find((e: { slug: string }) => e.slug === 'production').totalClusters).toBe(2);
  });

  it('pages with ?page and ?size until last, and rejects bad paging and a bad show-compute', async () => {
    const slugs: string[] = [];
    for (let page = 0; ; page++) {
      const { body } = await get(`/orgs/acme/environments?size=2&page=${page}`);
      expect(body).toMatchObject({ number: page, size: 2, totalElements: 3, totalPages: 2 });
      slugs.push(...body.content.map((e: { slug: string }) => e.slug));
      if (body.last) break;
    }
    expect(slugs).toEqual(['edge-lab', 'production', 'staging']);
    expect(await get('/orgs/acme/environments?page=-1')).toMatchObject({
      status: 400,
      body: { message: expect.any(String), details: expect.any(Array) },
    });
    expect(await get('/orgs/acme/environments?show-compute=yes')).toMatchObject({
      status: 400,
      body: { details: ['show-compute: true or false'] },
    });
  });
});

describe('GET /orgs/{org}/environments/{env}', () => {
  it('answers one environment, with totals only when asked', async () => {
    const plain = await get('/orgs/acme/environments/staging');
    expect(plain).toMatchObject({ status: 200, body: { slug: 'staging', type: 'staging', organisationSlug: 'acme' } });
    expect(plain.body).not.toHaveProperty('totalClusters');
    const computed = await get('/orgs/acme/environments/staging?show-compute=true');
    expect(computed.body).toMatchObject({
      ...plain.body,
      totalClusters: 1,
      totalCpu: expect.any(Number),
      totalMemory: expect.any(Number),
    });
  });

  it('answers 404 for an unknown environment or organisation, in {message, details}', async () => {
    expect(await get('/orgs/acme/environments/nowhere')).toEqual({
      status: 404,
      body: { message: 'environment nowhere not found', details: [] },
    });
    expect(await get('/orgs/nobody/environments/production')).toMatchObject({
      status: 404,
      body: { message: expect.stringContaining('not found') },
    });
    // Another organisation's environment is not this one's.
    expect((await get('/orgs/acme/environments/development')).status).toBe(404);
  });
});

describe('GET /memberships', () => {
  it('lists every organisation for a global token, paged', async () => {
    const { status, body } = await get('/memberships');
    expect(status).toBe(200);
    expect(body).toMatchObject({ totalElements: 2, last: true, number: 0 });
    expect(body.content).toEqual([
      { email: expect.stringContaining('@'), id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Acme', slug: 'acme' },
      {
        email: expect.stringContaining('@'),
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Globex',
        slug: 'globex',
      },
    ]);
    const second = await get('/memberships?size=1&page=1');
    expect(second.body).toMatchObject({ number: 1, size: 1, totalPages: 2, last: true, content: [{ slug: 'globex' }] });
  });

  it("lists only its own organisation for an organisation's token, which is refused elsewhere", async () => {
    const { body } = await get('/memberships', `Token ${SCOPED_TOKEN}`);
    expect(body.content.map((m: { slug: string }) => m.slug)).toEqual(['globex']);
    expect((await get('/orgs/globex/environments', `Token ${SCOPED_TOKEN}`)).status).toBe(200);
    expect((await get('/orgs/acme/environments', `Token ${SCOPED_TOKEN}`)).status).toBe(403);
  });
});

describe('shared plumbing', () => {
  it('answers 401 without a token, with a Bearer one or a wrong one, on every new route', async () => {
    for (const path of ['/memberships', '/orgs/acme/environments', '/orgs/acme/environments/production']) {
      for (const auth of [null, `Bearer ${sim.tokens.avisi}`, 'Token nope']) {
        const res = await get(path, auth);
        expect(res.status, `${path} with ${auth}`).toBe(401);
        expect(res.body).toEqual({ message: expect.any(String), details: expect.any(Array) });
      }
    }
  });

  it('meets injected faults like every Avisi route, and counts them', async () => {
    const before = await errorFaults();
    await setFaults(sim.url, { avisi: { errorRate: 1 } });
    for (const path of ['/memberships', '/orgs/acme/environments', '/orgs/acme/environments/production']) {
      const res = await get(path);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body).toEqual({ message: expect.stringContaining('injected'), details: expect.any(Array) });
    }
    expect((await errorFaults()) - before).toBe(3);
  });
});
