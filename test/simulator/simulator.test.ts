/**
 * The simulator on the wire, with plain fetch (no fleetwave client in the way): each
 * dialect's auth, error shapes, validation and state machine, the per-token rate
 * limit, the request log and loopback binding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { eventually, setOutcomes } from '../platforms/support/sim.js';

let sim: RunningSimulator;
let aetherOrg: string;

const call = async (method: string, path: string, auth: string | undefined, body?: unknown) => {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
};
const avisi = (method: string, path: string, body?: unknown) =>
  call(method, `/api/v1${path}`, `Token ${sim.tokens.avisi}`, body);
const aether = (method: string, path: string, body?: unknown) =>
  call(method, `/api/v1/organizations/${aetherOrg}${path}`, `Bearer ${sim.tokens.aether[aetherOrg]}`, body);

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 3, avisi: { organisation: 'acme', clusters: 60 }, aether: { clusters: 8 }, minors: ['1.30'] },
    timeScale: 20_000,
    // Two simulated hours per step (360 ms real): long enough for a poll to see every status, even on a busy machine.
    avisi: { schedulingDelayMs: 2 * 3_600_000, upgradeDurationMs: 2 * 3_600_000 },
    rateLimitPerMinute: { avisi: 0, aether: 0 },
  });
  aetherOrg = sim.organisations.aether[0]!;
});
afterAll(() => sim?.close());

describe('binding', () => {
  it('listens on loopback by default', () => {
    expect(new URL(sim.url).hostname).toBe('127.0.0.1');
  });
});

describe('Avisi dialect', () => {
  it('answers 401 without a token or with a Bearer one, in {message, details}', async () => {
    for (const auth of [undefined, `Bearer ${sim.tokens.avisi}`, 'Token nope']) {
      const res = await call('GET', '/api/v1/cluster-versions', auth);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: expect.any(String), details: expect.any(Array) });
    }
  });

  it('pages clusters in the Spring envelope until last', async () => {
    const first = await avisi('GET', '/orgs/acme/clusters?page=0');
    expect(first.body).toMatchObject({
      number: 0,
      size: 50,
      totalElements: 60,
      totalPages: 2,
      first: true,
      last: false,
      numberOfElements: 50,
    });
    const second = await avisi('GET', '/orgs/acme/clusters?page=1');
    expect(second.body).toMatchObject({ number: 1, last: true, numberOfElements: 10 });
    expect((await avisi('GET', '/orgs/acme/clusters?page=-1')).status).toBe(400);
  });

  it('serves each cluster with its environment, cloud provider and region, as the public API names them', async () => {
    const { content } = (await avisi('GET', '/orgs/acme/clusters?size=60')).body as {
      content: Record<string, unknown>[];
    };
    for (const cluster of content) {
      expect(cluster).toMatchObject({
        environmentSlug: expect.stringMatching(/^(production|staging|development)$/),
        environmentIdentity: expect.stringMatching(/^[0-9a-f-]{36}$/),
        cloudProvider: expect.stringMatching(/^(aws|azure|hetzner)$/),
        region: expect.any(String),
      });
    }
  });

  it('answers 404 for an unknown organisation and upgrade', async () => {
    expect((await avisi('GET', '/orgs/nobody/clusters')).status).toBe(404);
    const res = await avisi('GET', '/orgs/acme/scheduled-cluster-upgrades/00000000-0000-4000-8000-000000000000');
    expect(res).toMatchObject({ status: 404, body: { message: expect.stringContaining('not found') } });
  });

  it('validates the POST body, naming each field', async () => {
    const res = await avisi('POST', '/orgs/acme/scheduled-cluster-upgrades', { clusterIdentity: 'nope', version: '' });
    expect(res.status).toBe(400);
    expect(res.body.details.join(' ')).toMatch(/clusterIdentity: must be a UUID/);
    expect(res.body.details.join(' ')).toMatch(/version: must not be empty/);
  });

  it('moves an upgrade REQUESTED -> SCHEDULED -> SCHEDULED_NOTIFIED -> IN_PROGRESS -> SUCCEEDED inside its window', async () => {
    const cluster = (await avisi('GET', '/orgs/acme/clusters?page=0')).body.content[0];
    // The window opens 1.5 s from now (about eight simulated hours).
    const scheduleRequestDate = new Date(Date.now() + 1_500).toISOString();
    const posted = await avisi('POST', '/orgs/acme/scheduled-cluster-upgrades', {
      clusterIdentity: cluster.identity,
      version: 'v1.31.6-u-ame.1',
      scheduleRequestDate,
      ignoreMaintenanceSchedule: true,
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({
      status: 'REQUESTED',
      clusterIdentity: cluster.identity,
      toClusterVersion: 'v1.31.6-u-ame.1',
      windowStart: null,
    });
    const seen: string[] = [posted.body.status];
    const done = await eventually(
      async () => {
        const res = await avisi('GET', `/orgs/acme/scheduled-cluster-upgrades/${posted.body.identity}`);
        if (seen.at(-1) !== res.body.status) seen.push(res.body.status);
        return res.body.status === 'SUCCEEDED' ? res.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'SUCCEEDED' },
    );
    expect(seen).toEqual(['REQUESTED', 'SCHEDULED', 'SCHEDULED_NOTIFIED', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(Date.parse(done.windowStart)).toBeGreaterThanOrEqual(Date.parse(scheduleRequestDate) - 1);
    const after = await avisi('GET', `/orgs/acme/clusters/${cluster.environmentSlug}/${cluster.slug}`);
    expect(after.body.version).toBe('v1.31.6-u-ame.1');
  }, 40_000);

  it('rejects a skipped minor and withdraws a pending upgrade with DELETE, idempotently', async () => {
    const cluster = (await avisi('GET', '/orgs/acme/clusters?page=0')).body.content[1];
    const skip = await avisi('POST', '/orgs/acme/scheduled-cluster-upgrades', {
      clusterIdentity: cluster.identity,
      version: 'v1.32.2-u-ame.1',
    });
    expect(skip).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('one minor version at a time') },
    });
    const posted = await avisi('POST', '/orgs/acme/scheduled-cluster-upgrades', {
      clusterIdentity: cluster.identity,
      version: 'v1.31.6-u-ame.1',
      scheduleRequestDate: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    });
    for (let i = 0; i < 2; i++) {
      const res = await avisi('DELETE', `/orgs/acme/scheduled-cluster-upgrades/${posted.body.identity}`);
      expect(res).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    }
    const list = await avisi(
      'GET',
      `/orgs/acme/scheduled-cluster-upgrades?clusterIdentities=${cluster.identity}&statuses=CANCELLED`,
    );
    expect(list.body.content.map((u: { identity: string }) => u.identity)).toEqual([posted.body.identity]);
  });
});

describe('Aether dialect', () => {
  it('answers 401 without a token and 403 for another organisation, in {error: {code, message}}', async () => {
    const none = await call('GET', `/api/v1/organizations/${aetherOrg}/clusters`, undefined);
    expect(none).toMatchObject({
      status: 401,
      body: { error: { code: expect.any(String), message: expect.any(String) } },
    });
    const other = await call(
      'GET',
      '/api/v1/organizations/00000000-0000-4000-8000-000000000000/clusters',
      `Bearer ${sim.tokens.aether[aetherOrg]}`,
    );
    expect(other.status).toBe(403);
  });

  it('serves each cluster with its region', async () => {
    const { items } = (await aether('GET', '/clusters?limit=100')).body as { items: { region: string }[] };
    for (const cluster of items) expect(['nl-ams-1', 'nl-ams-2', 'de-fra-1', 'be-bru-1']).toContain(cluster.region);
  });

  it('pages with cursors until next_cursor is null, and rejects a forged cursor', async () => {
    const ids: string[] = [];
    let cursor: string | null = '';
    do {
      const res: { body: { items: { id: string }[]; next_cursor: string | null } } = await aether(
        'GET',
        `/clusters?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...res.body.items.map((c) => c.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(ids).toHaveLength(8);
    expect((await aether('GET', '/clusters?cursor=forged')).status).toBe(400);
    expect((await aether('GET', '/clusters?limit=101')).status).toBe(400);
  });

  it('moves a PUT cluster to upgrading, then running at the new observed version; 409 on a skew; 400 with field details', async () => {
    const cluster = (await aether('GET', '/clusters?limit=1')).body.items[0];
    expect((await aether('PUT', `/clusters/${cluster.id}`, { k8s_version: '1.32' })).body).toMatchObject({
      error: { code: 'version_skew' },
    });
    const invalid = await aether('PUT', `/clusters/${cluster.id}`, { k8s_version: 'latest', colour: 'blue' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['(body)']),
    );
    const put = await aether('PUT', `/clusters/${cluster.id}`, { k8s_version: '1.31' });
    expect(put.body).toMatchObject({
      status: 'upgrading',
      k8s_version: '1.31',
      observed_kubernetes_version: cluster.observed_kubernetes_version,
    });
    const settled = await eventually(async () => {
      const res = await aether('GET', `/clusters/${cluster.id}`);
      return res.body.status === 'running' ? res.body : undefined;
    });
    expect(settled.observed_kubernetes_version).toBe('1.31.6');
  });

  it('ends an upgrade failed when the outcome is forced', async () => {
    const cluster = (await aether('GET', '/clusters?limit=2')).body.items[1];
    await setOutcomes(sim.url, cluster.id, ['FAILED']);
    await aether('PUT', `/clusters/${cluster.id}`, { k8s_version: '1.31' });
    const failed = await eventually(async () => {
      const res = await aether('GET', `/clusters/${cluster.id}`);
      return res.body.status === 'failed' ? res.body : undefined;
    });
    expect(failed).toMatchObject({
      observed_kubernetes_version: cluster.observed_kubernetes_version,
      status_message: expect.stringContaining('failed'),
    });
  });
});

describe('/_sim/', () => {
  it('logs every mutating request with its cluster, never the token', async () => {
    const { requests } = (await call('GET', '/_sim/requests', undefined)).body as {
      requests: { method: string; clusterId?: string; platform: string }[];
    };
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => ['POST', 'PUT', 'DELETE'].includes(r.method))).toBe(true);
    expect(requests.filter((r) => r.platform === 'aether').every((r) => typeof r.clusterId === 'string')).toBe(true);
    const text = JSON.stringify(requests);
    expect(text).not.toContain(sim.tokens.avisi);
    expect(text).not.toContain(sim.tokens.aether[aetherOrg]);
  });

  it('rejects an unknown forced outcome', async () => {
    const cluster = (await aether('GET', '/clusters?limit=1')).body.items[0];
    const res = await call('PUT', `/_sim/clusters/${cluster.id}/outcomes`, undefined, { outcomes: ['MISSED'] });
    expect(res).toMatchObject({ status: 400, body: { error: expect.stringContaining('unknown aether outcome') } });
  });
});

describe('per-token rate limit', () => {
  it('answers 429 with Retry-After past the budget, per token', async () => {
    const limited = await startSimulator({
      generate: { seed: 4, avisi: { clusters: 1 }, aether: { clusters: 1 } },
      rateLimitPerMinute: { aether: 60 },
      rateLimitBurst: 5,
    });
    try {
      const org = limited.organisations.aether[0]!;
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${limited.url}/api/v1/organizations/${org}/clusters`, {
          headers: { authorization: `Bearer ${limited.tokens.aether[org]}` },
        });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
        await res.text();
      }
      // A burst of 5, then one a second: the next three are refused.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // Another token has its own bucket (401 here, but not 429: the limit counts per credential).
      const other = await fetch(`${limited.url}/api/v1/organizations/${org}/clusters`, {
        headers: { authorization: 'Bearer aether_00' },
      });
      expect(other.status).toBe(401);
      const traffic = await (await fetch(`${limited.url}/_sim/traffic`)).json();
      const noFaults = { error: 0, 'rate-limit': 0, hung: 0, dropped: 0 };
      expect(traffic).toEqual({
        avisi: { requests: 0, rateLimited: 0, faults: noFaults },
        aether: { requests: 9, rateLimited: 3, faults: noFaults },
      });
      // The call log has every refusal with the Retry-After it sent, by client label.
      const { calls } = (await (await fetch(`${limited.url}/_sim/calls?client=aether:org/${org}`)).json()) as {
        calls: { status: number; retryAfterSeconds?: number }[];
      };
      expect(calls.map((c) => c.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(calls.filter((c) => c.status === 429).every((c) => c.retryAfterSeconds! >= 1)).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
