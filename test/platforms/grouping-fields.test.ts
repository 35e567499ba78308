/**
 * The fields operators group clusters by (environment, region, cloud provider), against
 * a scripted server: bodies the simulator does not send, with the fields null, empty or
 * missing. A selector must never match a field the platform did not fill in, so those
 * are left out of the snapshot rather than passed on as `''` or `null`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAetherClient, createAvisiClient, type ClusterSnapshot } from '../../src/platforms/index.js';
import { startFakeApi, type FakeApi } from './support/fake-api.js';

const ORG_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const CLUSTER_ID = 'c0ffee00-0000-4000-8000-0000000000aa';

const avisiCluster = (slug: string, over: Record<string, unknown>) => ({
  identity: `${slug.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-000000000000`,
  name: slug,
  slug,
  environmentSlug: 'production',
  version: 'v1.30.4-u-ame.3',
  status: 'running',
  ...over,
});

const aetherCluster = (region: string) => ({
  id: CLUSTER_ID,
  org_id: ORG_ID,
  name: 'edge-1',
  region,
  k8s_version: '1.30.4',
  status: 'running',
  observed_kubernetes_version: '1.30.4',
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
});

let api: FakeApi;
beforeEach(async () => {
  api = await startFakeApi();
});
afterEach(async () => {
  await api.close();
});

describe('Avisi', () => {
  it('maps environmentSlug, region and cloudProvider; null, empty and missing ones are left out', async () => {
    const content = [
      avisiCluster('aaaa', { environmentSlug: 'staging', region: 'eu-west-1', cloudProvider: 'aws' }),
      avisiCluster('bbbb', { region: '', cloudProvider: null }),
      avisiCluster('cccc', { region: '  ' }),
    ];
    api.route('GET', '/orgs/acme/clusters', { body: { content, last: true, number: 0 } });
    const clusters: ClusterSnapshot[] = [];
    for await (const cluster of createAvisiClient({ apiUrl: api.url, token: 't' }).listClusters('acme'))
      clusters.push(cluster);
    expect(clusters[0]).toMatchObject({ environment: 'staging', region: 'eu-west-1', cloudProvider: 'aws' });
    for (const cluster of clusters.slice(1)) {
      expect(cluster.environment).toBe('production');
      expect(cluster).not.toHaveProperty('region');
      expect(cluster).not.toHaveProperty('cloudProvider');
    }
  });

  it('still refuses a cluster without an environment: the API addresses clusters by it', async () => {
    api.route('GET', '/orgs/acme/clusters', {
      body: { content: [avisiCluster('dddd', { environmentSlug: '' })], last: true },
    });
    const read = async () => {
      for await (const cluster of createAvisiClient({ apiUrl: api.url, token: 't', retryLimit: 0 }).listClusters(
        'acme',
      ))
        void cluster;
    };
    await expect(read()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('Aether', () => {
  it('maps region, and names no environment or cloud provider', async () => {
    const path = `/organizations/${ORG_ID}/clusters/${CLUSTER_ID}`;
    const client = createAetherClient({ apiUrl: api.url, token: 'aether_0123456789abcdef' });
    api.route('GET', path, { body: aetherCluster('de-fra-1') });
    const cluster = await client.getCluster(ORG_ID, CLUSTER_ID);
    expect(cluster.region).toBe('de-fra-1');
    expect(cluster).not.toHaveProperty('environment');
    expect(cluster).not.toHaveProperty('cloudProvider');
    api.route('GET', path, { body: aetherCluster(' ') });
    expect(await client.getCluster(ORG_ID, CLUSTER_ID)).not.toHaveProperty('region');
  });
});
