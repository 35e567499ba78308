/**
 * The clients against a scripted server: exact error bodies, headers and enum values
 * that the simulator does not produce on demand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import {
  createAetherClient,
  createAvisiClient,
  PlatformApiError,
  type ClusterSnapshot,
  type UpgradeState,
} from '../../src/platforms/index.js';
import { rejectionOf, startFakeApi, type FakeApi } from './support/fake-api.js';

const AVISI_TOKEN = 'avisi-secret-token-1234';
const AETHER_TOKEN = 'aether_0123456789abcdef';
const ORG_ID = 'A1B2C3D4-0000-4000-8000-000000000001';
const CLUSTER_ID = 'C0FFEE00-0000-4000-8000-0000000000AA';
const FAST = { retryLimit: 2, backoffLimitMs: 20, maxRetryAfterMs: 1_000, timeoutMs: 2_000 };

const avisiCluster = (over: Record<string, unknown> = {}) => ({
  identity: '5e08fe67-1274-475d-bd0c-a65b0330507f',
  name: 'Prod 1',
  slug: 'prod-1',
  environmentSlug: 'production',
  organisationSlug: 'acme',
  version: 'v1.30.4-u-ame.3',
  status: 'running',
  autoUpgrade: false,
  somethingNew: { nested: true },
  ...over,
});

const avisiUpgrade = (over: Record<string, unknown> = {}) => ({
  identity: '10a80a7a-1a32-4a74-b592-aa2a4ef691c5',
  clusterIdentity: '5e08fe67-1274-475d-bd0c-a65b0330507f',
  createdAt: '2025-01-01T10:00:00Z',
  modifiedAt: '2025-01-01T10:00:00Z',
  windowStart: '2025-01-02T02:00:00Z',
  windowEnd: '2025-01-02T06:00:00Z',
  reason: null,
  fromClusterVersion: 'v1.30.4-u-ame.3',
  toClusterVersion: 'v1.31.6-u-ame.1',
  status: 'SCHEDULED',
  clusterSlug: 'prod-1',
  environmentSlug: 'production',
  organisationSlug: 'acme',
  ...over,
});

const aetherCluster = (over: Record<string, unknown> = {}) => ({
  id: CLUSTER_ID,
  org_id: ORG_ID,
  name: 'edge-1',
  region: 'eu-west',
  k8s_version: '1.30.4',
  status: 'running',
  status_message: null,
  observed_kubernetes_version: '1.30.4',
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  ...over,
});

const page = (content: unknown[], last: boolean, number = 0) => ({
  content,
  last,
  first: number === 0,
  number,
  size: 50,
  empty: content.length === 0,
});

function capturingLogger() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }),
  );
  return { logger, lines };
}

let api: FakeApi;
beforeEach(async () => {
  api = await startFakeApi();
});
afterEach(async () => {
  await api.close();
});

describe('auth', () => {
  it('sends Avisi tokens as "Token <pat>" and Aether tokens as "Bearer <token>"', async () => {
    api.route('GET', '/cluster-versions', { body: [{ version: 'v1.31.6-u-ame.1' }] });
    api.route('GET', `/organizations/${ORG_ID.toLowerCase()}/clusters/${CLUSTER_ID.toLowerCase()}`, {
      body: aetherCluster(),
    });
    await createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN }).listVersions();
    await createAetherClient({ apiUrl: api.url, token: { [ORG_ID]: AETHER_TOKEN } }).getCluster(ORG_ID, CLUSTER_ID);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([
      `Token ${AVISI_TOKEN}`,
      `Bearer ${AETHER_TOKEN}`,
    ]);
  });

  it('refuses, without sending, an Aether organisation it has no token for', async () => {
    const client = createAetherClient({ apiUrl: api.url, token: { [ORG_ID]: AETHER_TOKEN } });
    const error = await rejectionOf(client.getCluster('00000000-0000-4000-8000-000000000000', CLUSTER_ID));
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({ code: 'missing_token', retryable: false });
    expect(api.requests).toHaveLength(0);
  });

  it('keeps the token out of errors even when the API echoes it', async () => {
    api.route('GET', '/cluster-versions', {
      status: 401,
      body: { message: `bad token ${AVISI_TOKEN}`, details: [`Authorization: Token ${AVISI_TOKEN}`] },
    });
    const error = (await rejectionOf(
      createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN }).listVersions(),
    )) as PlatformApiError;
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(AVISI_TOKEN);
    expect(error.cause).toBeUndefined();
  });
});

describe('error bodies', () => {
  it('maps the Avisi dialect: message and details, path without query', async () => {
    api.route('GET', '/orgs/acme/clusters', {
      status: 400,
      body: { message: 'Invalid request parameters', details: ['page must be >= 0'] },
    });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN });
    const error = (await rejectionOf(client.listClusters('acme')[Symbol.asyncIterator]().next())) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({
      platform: 'avisi',
      status: 400,
      code: 'bad_request',
      apiMessage: 'Invalid request parameters',
      details: ['page must be >= 0'],
      method: 'GET',
      path: '/api/v1/orgs/acme/clusters',
      retryable: false,
    });
    expect(error.message).toContain('Invalid request parameters');
  });

  it('maps the Aether dialect: code, message and field details', async () => {
    const path = `/organizations/${ORG_ID.toLowerCase()}/clusters/${CLUSTER_ID.toLowerCase()}`;
    api.route('PUT', path, {
      status: 409,
      body: {
        error: {
          code: 'cluster_not_running',
          message: 'cluster must be running',
          details: [{ field: 'k8s_version', code: 'skew', message: 'cannot skip a minor' }],
        },
      },
    });
    const client = createAetherClient({ apiUrl: api.url, token: AETHER_TOKEN });
    const cluster = { id: CLUSTER_ID.toLowerCase() } as ClusterSnapshot;
    const error = (await rejectionOf(client.requestUpgrade(ORG_ID, cluster, { version: '1.32' }))) as PlatformApiError;
    expect(error).toMatchObject({
      platform: 'aether',
      status: 409,
      code: 'cluster_not_running',
      apiMessage: 'cluster must be running',
      details: ['k8s_version: cannot skip a minor'],
      retryable: false,
    });
  });

  it('keeps the status when the body is not the dialect (a proxy page)', async () => {
    api.route('GET', '/cluster-versions', { status: 502, raw: '<html>Bad Gateway</html>' });
    const error = (await rejectionOf(
      createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST, retryLimit: 0 }).listVersions(),
    )) as PlatformApiError;
    expect(error).toMatchObject({ status: 502, code: 'server_error', retryable: true });
  });

  it('reports a body that fails the schema as invalid_response, naming the field', async () => {
    api.route('GET', '/orgs/acme/clusters', { body: page([avisiCluster({ identity: undefined })], true) });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN });
    const error = (await rejectionOf(client.listClusters('acme')[Symbol.asyncIterator]().next())) as PlatformApiError;
    expect(error).toMatchObject({ code: 'invalid_response', retryable: false });
    expect(error.message).toContain('content.0.identity');
  });

  it('reports a body that is not JSON as invalid_response', async () => {
    api.route('GET', '/cluster-versions', { raw: 'not json' });
    const error = (await rejectionOf(
      createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN }).listVersions(),
    )) as PlatformApiError;
    expect(error).toMatchObject({ code: 'invalid_response', retryable: false });
  });
});

describe('tolerance', () => {
  it('maps every Avisi status, keeps unknown ones as UNKNOWN and warns once', async () => {
    const { logger, lines } = capturingLogger();
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, logger });
    const expected: Record<string, string> = {
      REQUESTED: 'REQUESTED',
      SCHEDULED: 'SCHEDULED',
      SCHEDULED_NOTIFIED: 'SCHEDULED',
      IN_PROGRESS: 'IN_PROGRESS',
      SUCCEEDED: 'SUCCEEDED',
      FAILED: 'FAILED',
      MISSED: 'MISSED',
      SUPERSEDED: 'SUPERSEDED',
      CANCELLED: 'CANCELLED',
      UPDATED: 'SCHEDULED',
      SKIPPED: 'SUPERSEDED',
      PAUSED_BY_OPERATOR: 'UNKNOWN',
    };
    const upgrade = { upgradeId: '10a80a7a-1a32-4a74-b592-aa2a4ef691c5' } as UpgradeState;
    for (const [raw, status] of Object.entries(expected)) {
      api.route('GET', `/orgs/acme/scheduled-cluster-upgrades/${upgrade.upgradeId}`, {
        body: avisiUpgrade({ status: raw }),
      });
      await expect(client.getUpgrade('acme', upgrade)).resolves.toMatchObject({ status, rawStatus: raw });
    }
    await client.getUpgrade('acme', upgrade);
    expect(lines.filter((l) => l.includes('PAUSED_BY_OPERATOR'))).toHaveLength(1);
  });

  it('reads an Avisi cluster: plain version, state, locator; unknown status tolerated', async () => {
    api.route('GET', '/orgs/acme/clusters', {
      body: page(
        [
          avisiCluster(),
          avisiCluster({ identity: 'B'.repeat(8) + '-0000-4000-8000-000000000000', slug: 'old', status: 'started' }),
          avisiCluster({ slug: 'x', status: 'hibernating' }),
        ],
        true,
      ),
    });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN });
    const clusters: ClusterSnapshot[] = [];
    for await (const c of client.listClusters('acme')) clusters.push(c);
    expect(clusters[0]).toEqual({
      id: '5e08fe67-1274-475d-bd0c-a65b0330507f',
      name: 'Prod 1',
      locator: 'production/prod-1',
      version: '1.30.4',
      platformVersion: 'v1.30.4-u-ame.3',
      state: 'ready',
      rawStatus: 'running',
      // The body names no region or cloud provider: only the environment comes through.
      environment: 'production',
      // Sent as false, read as false (no update channel: none in the snapshot).
      autoUpgrade: false,
    });
    expect(clusters[1]).toMatchObject({ id: 'bbbbbbbb-0000-4000-8000-000000000000', state: 'ready' });
    expect(clusters[2]).toMatchObject({ state: 'unknown', rawStatus: 'hibernating' });
  });

  it('derives Aether upgrade states from the cluster', async () => {
    const path = `/organizations/${ORG_ID.toLowerCase()}/clusters/${CLUSTER_ID.toLowerCase()}`;
    const client = createAetherClient({ apiUrl: api.url, token: AETHER_TOKEN });
    const upgrade = {
      upgradeId: CLUSTER_ID.toLowerCase(),
      clusterId: CLUSTER_ID.toLowerCase(),
      toVersion: '1.31',
    } as UpgradeState;
    const cases: [Record<string, unknown>, string][] = [
      [{ k8s_version: '1.31', status: 'running', observed_kubernetes_version: '1.30.4' }, 'REQUESTED'],
      [{ k8s_version: '1.31', status: 'provisioning', observed_kubernetes_version: null }, 'REQUESTED'],
      [{ k8s_version: '1.31', status: 'upgrading' }, 'IN_PROGRESS'],
      [{ k8s_version: '1.31', status: 'degraded' }, 'IN_PROGRESS'],
      [{ k8s_version: '1.31', status: 'running', observed_kubernetes_version: '1.31.2' }, 'SUCCEEDED'],
      [{ k8s_version: '1.31', status: 'failed', status_message: 'etcd quorum lost' }, 'FAILED'],
      [{ k8s_version: '1.32', status: 'upgrading' }, 'SUPERSEDED'],
      [{ k8s_version: '1.31', status: 'deleting' }, 'SUPERSEDED'],
      [{ k8s_version: '1.31', status: 'frozen' }, 'UNKNOWN'],
    ];
    for (const [over, status] of cases) {
      api.route('GET', path, { body: aetherCluster(over) });
      await expect(client.getUpgrade(ORG_ID, upgrade), JSON.stringify(over)).resolves.toMatchObject({
        status,
        rawStatus: over.status,
        upgradeId: CLUSTER_ID.toLowerCase(),
      });
    }
    api.route('GET', path, {
      body: aetherCluster({ k8s_version: '1.31', status: 'failed', status_message: 'etcd quorum lost' }),
    });
    await expect(client.getUpgrade(ORG_ID, upgrade)).resolves.toMatchObject({ reason: 'etcd quorum lost' });
  });

  it('normalises upper-case Aether ids', async () => {
    api.route('GET', `/organizations/${ORG_ID.toLowerCase()}/clusters/${CLUSTER_ID.toLowerCase()}`, {
      body: aetherCluster({ k8s_version: '1.31.2', observed_kubernetes_version: '1.30.4' }),
    });
    const cluster = await createAetherClient({ apiUrl: api.url, token: AETHER_TOKEN }).getCluster(ORG_ID, CLUSTER_ID);
    expect(cluster).toEqual({
      id: CLUSTER_ID.toLowerCase(),
      name: 'edge-1',
      locator: CLUSTER_ID.toLowerCase(),
      version: '1.30.4',
      platformVersion: '1.30.4',
      desiredVersion: '1.31.2',
      state: 'ready',
      rawStatus: 'running',
      region: 'eu-west',
    });
  });
});

describe('retries', () => {
  it('retries a GET on 429, honouring Retry-After, then succeeds', async () => {
    api.route(
      'GET',
      '/cluster-versions',
      { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '0.2' } },
      { body: [{ version: 'v1.31.6-u-ame.1' }] },
    );
    const started = Date.now();
    const versions = await createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST }).listVersions();
    expect(versions).toEqual([{ version: '1.31.6', platformVersion: 'v1.31.6-u-ame.1' }]);
    expect(api.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('surfaces 429 with retryAfterMs once retries are exhausted', async () => {
    api.route('GET', '/cluster-versions', {
      status: 429,
      body: { message: 'Too many requests' },
      headers: { 'retry-after': '0' },
    });
    const error = (await rejectionOf(
      createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST }).listVersions(),
    )) as PlatformApiError;
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      retryAfterMs: 0,
      retryable: true,
      apiMessage: 'Too many requests',
    });
    expect(api.requests).toHaveLength(3);
  });

  it('does not wait in process for a Retry-After beyond the cap: it hands it back', async () => {
    api.route('GET', '/cluster-versions', {
      status: 503,
      body: { message: 'maintenance' },
      headers: { 'retry-after': '120' },
    });
    const error = (await rejectionOf(
      createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST }).listVersions(),
    )) as PlatformApiError;
    expect(error).toMatchObject({ status: 503, retryAfterMs: 120_000, retryable: true });
    expect(api.requests).toHaveLength(1);
  });

  it('never retries an Avisi POST', async () => {
    api.route('POST', '/orgs/acme/scheduled-cluster-upgrades', { status: 500, body: { message: 'internal error' } });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST });
    const cluster = { id: '5e08fe67-1274-475d-bd0c-a65b0330507f' } as ClusterSnapshot;
    const error = await rejectionOf(client.requestUpgrade('acme', cluster, { version: 'v1.31.6-u-ame.1' }));
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('retries the Aether PUT (it sets a desired state)', async () => {
    const path = `/organizations/${ORG_ID.toLowerCase()}/clusters/${CLUSTER_ID.toLowerCase()}`;
    api.route(
      'PUT',
      path,
      { status: 503, body: { error: { code: 'unavailable', message: 'try again' } } },
      { body: aetherCluster({ k8s_version: '1.31' }) },
    );
    const client = createAetherClient({ apiUrl: api.url, token: AETHER_TOKEN, ...FAST });
    const state = await client.requestUpgrade(ORG_ID, { id: CLUSTER_ID.toLowerCase() } as ClusterSnapshot, {
      version: '1.31',
    });
    expect(state).toMatchObject({ status: 'REQUESTED', toVersion: '1.31' });
    expect(api.requests.filter((r) => r.method === 'PUT').map((r) => JSON.parse(r.body))).toEqual([
      { k8s_version: '1.31' },
      { k8s_version: '1.31' },
    ]);
  });

  it('turns a hung response into a retryable timeout', async () => {
    api.route('GET', '/cluster-versions', { hang: true });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST, retryLimit: 1, timeoutMs: 150 });
    const error = (await rejectionOf(client.listVersions())) as PlatformApiError;
    expect(error).toMatchObject({ code: 'timeout', status: undefined, retryable: true });
    expect(api.requests).toHaveLength(2);
  });

  it('turns a refused connection into a retryable network error', async () => {
    await api.close();
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN, ...FAST, retryLimit: 0 });
    const error = (await rejectionOf(client.listVersions())) as PlatformApiError;
    expect(error).toMatchObject({ code: 'network', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
    api = await startFakeApi();
  });

  it('rethrows the abort reason when the caller aborts', async () => {
    api.route('GET', '/cluster-versions', { hang: true });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const pending = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN }).listVersions({
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('Avisi specifics', () => {
  it('translates a plain version to the AME spelling the API wants', async () => {
    api.route('GET', '/cluster-versions', {
      body: [{ version: 'v1.31.4-u-ame.1' }, { version: 'v1.31.6-u-ame.1' }, { version: 'v1.30.9-u-ame.2' }],
    });
    api.route('POST', '/orgs/acme/scheduled-cluster-upgrades', { body: avisiUpgrade({ status: 'REQUESTED' }) });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN });
    const cluster = { id: '5e08fe67-1274-475d-bd0c-a65b0330507f' } as ClusterSnapshot;
    await client.requestUpgrade('acme', cluster, { version: '1.31', ignoreMaintenanceSchedule: true });
    await client.requestUpgrade('acme', cluster, { version: '1.31.4' });
    await client.requestUpgrade('acme', cluster, { version: 'v1.31.6-u-ame.1' });
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body))).toEqual([
      { clusterIdentity: cluster.id, version: 'v1.31.6-u-ame.1', ignoreMaintenanceSchedule: true },
      { clusterIdentity: cluster.id, version: 'v1.31.4-u-ame.1' },
      { clusterIdentity: cluster.id, version: 'v1.31.6-u-ame.1' },
    ]);
  });

  it('findUpgrade picks the newest live upgrade to that version across pages', async () => {
    api.route(
      'GET',
      '/orgs/acme/scheduled-cluster-upgrades',
      {
        body: page(
          [
            avisiUpgrade({
              identity: 'a0000000-0000-4000-8000-000000000001',
              status: 'FAILED',
              createdAt: '2025-01-01T00:00:00Z',
            }),
          ],
          false,
          0,
        ),
      },
      {
        body: page(
          [
            avisiUpgrade({
              identity: 'a0000000-0000-4000-8000-000000000002',
              status: 'SCHEDULED',
              createdAt: '2025-01-02T00:00:00Z',
            }),
            avisiUpgrade({
              identity: 'a0000000-0000-4000-8000-000000000003',
              status: 'SUPERSEDED',
              createdAt: '2025-01-03T00:00:00Z',
            }),
            avisiUpgrade({
              identity: 'a0000000-0000-4000-8000-000000000004',
              status: 'SCHEDULED',
              toClusterVersion: 'v1.32.1-u-ame.1',
              createdAt: '2025-01-04T00:00:00Z',
            }),
          ],
          true,
          1,
        ),
      },
    );
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN });
    const cluster = { id: '5e08fe67-1274-475d-bd0c-a65b0330507f' } as ClusterSnapshot;
    await expect(client.findUpgrade('acme', cluster, '1.31.6')).resolves.toMatchObject({
      upgradeId: 'a0000000-0000-4000-8000-000000000002',
      status: 'SCHEDULED',
    });
    expect(api.requests.map((r) => new URL(r.url, 'http://x').searchParams.toString())).toEqual([
      'clusterIdentities=5e08fe67-1274-475d-bd0c-a65b0330507f&page=0',
      'clusterIdentities=5e08fe67-1274-475d-bd0c-a65b0330507f&page=1',
    ]);
    await expect(client.findUpgrade('acme', cluster, '1.33')).resolves.toBeUndefined();
  });

  it('cancelUpgrade returns the state unchanged when the upgrade already started (409)', async () => {
    const id = '10a80a7a-1a32-4a74-b592-aa2a4ef691c5';
    api.route('DELETE', `/orgs/acme/scheduled-cluster-upgrades/${id}`, {
      status: 409,
      body: { message: 'upgrade is in progress' },
    });
    api.route('GET', `/orgs/acme/scheduled-cluster-upgrades/${id}`, { body: avisiUpgrade({ status: 'IN_PROGRESS' }) });
    const client = createAvisiClient({ apiUrl: api.url, token: AVISI_TOKEN });
    await expect(client.cancelUpgrade('acme', { upgradeId: id } as UpgradeState, '1.30.4')).resolves.toMatchObject({
      status: 'IN_PROGRESS',
    });
  });
});
