/**
 * Answers that are well-formed but do not say what they seem to: a body about another
 * upgrade or cluster, and an Aether cluster whose operator has reported no version.
 * Neither may pass for "this cluster is upgraded" (the property tests in
 * test/unit/properties/client-bodies.property.test.ts found both).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAetherClient,
  createAvisiClient,
  PlatformApiError,
  type UpgradeState,
} from '../../src/platforms/index.js';
import { UNREPORTED_VERSION } from '../../src/platforms/aether/client.js';
import { rejectionOf, startFakeApi, type FakeApi } from './support/fake-api.js';

const ORG = 'a1b2c3d4-0000-4000-8000-000000000001';
const CLUSTER = '5e08fe67-1274-475d-bd0c-a65b0330507f';
const OTHER = '7d3c2f10-8a4b-4c5d-9e6f-0a1b2c3d4e5f';
const UPGRADE = '10a80a7a-1a32-4a74-b592-aa2a4ef691c5';

const aetherCluster = (over: Record<string, unknown> = {}) => ({
  id: CLUSTER,
  org_id: ORG,
  name: 'edge-1',
  region: 'eu-west',
  k8s_version: '1.31',
  status: 'running',
  observed_kubernetes_version: '1.31.2',
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  ...over,
});

let api: FakeApi;
beforeEach(async () => {
  api = await startFakeApi();
});
afterEach(() => api.close());

describe('an answer about something else', () => {
  it('Avisi: an upgrade SUCCEEDED for another upgrade id is not this upgrade succeeding', async () => {
    api.route('GET', `/orgs/acme/scheduled-cluster-upgrades/${UPGRADE}`, {
      body: { identity: OTHER, clusterIdentity: CLUSTER, toClusterVersion: 'v1.31.6-u-ame.1', status: 'SUCCEEDED' },
    });
    const client = createAvisiClient({ apiUrl: api.url, token: 'pat' });
    const upgrade: UpgradeState = {
      upgradeId: UPGRADE,
      clusterId: CLUSTER,
      toVersion: 'v1.31.6-u-ame.1',
      status: 'SCHEDULED',
      rawStatus: 'SCHEDULED',
    };
    const error = (await rejectionOf(client.getUpgrade('acme', upgrade))) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({ code: 'invalid_response', retryable: false });
    expect(error.message).toBe(
      `avisi GET /api/v1/orgs/acme/scheduled-cluster-upgrades/${UPGRADE} failed: invalid_response: the answer is about upgrade ${OTHER}, not ${UPGRADE}`,
    );
  });

  it("Aether: another cluster's body, at the target, is not this cluster at the target", async () => {
    api.route('GET', `/organizations/${ORG}/clusters/${CLUSTER}`, { body: aetherCluster({ id: OTHER }) });
    const error = (await rejectionOf(
      createAetherClient({ apiUrl: api.url, token: 'aether_00ff' }).getCluster(ORG, CLUSTER),
    )) as PlatformApiError;
    expect(error).toMatchObject({
      code: 'invalid_response',
      apiMessage: `the answer is about cluster ${OTHER}, not ${CLUSTER}`,
    });
  });
});

describe('an Aether cluster that reports no version', () => {
  it('runs an unknown version, whatever it is meant to run, unless it is being created', async () => {
    const client = createAetherClient({ apiUrl: api.url, token: 'aether_00ff' });
    const path = `/organizations/${ORG}/clusters/${CLUSTER}`;
    for (const status of ['running', 'upgrading', 'degraded']) {
      api.route('GET', path, { body: aetherCluster({ status, observed_kubernetes_version: null }) });
      await expect(client.getCluster(ORG, CLUSTER), status).resolves.toMatchObject({
        version: UNREPORTED_VERSION,
        desiredVersion: '1.31',
      });
    }
    // A new cluster is created at its desired version: planning may count it there.
    api.route('GET', path, { body: aetherCluster({ status: 'provisioning', observed_kubernetes_version: null }) });
    await expect(client.getCluster(ORG, CLUSTER)).resolves.toMatchObject({ version: '1.31', platformVersion: '1.31' });
  });
});
