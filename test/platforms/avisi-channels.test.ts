/**
 * Avisi's own upgrade model (issue 21, point 5): each cluster's `autoUpgrade` and
 * `updateChannel`, and the organisation's update channels (`GET /orgs/{org}/update-channels`),
 * read field for field as avisi-cloud/go-client's `Cluster` and `UpdateChannelResponse`.
 * Bodies the simulator does not send (null, missing, malformed) come from a scripted server
 * or straight through the mapping; the real shapes from the simulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotOf } from '../../src/platforms/avisi/mapping.js';
import { avisiClusterSchema } from '../../src/platforms/avisi/schemas.js';
import { createAetherClient, createAvisiClient, type ClusterSnapshot } from '../../src/platforms/index.js';
import { startFakeApi, type FakeApi } from './support/fake-api.js';

const body = (over: Record<string, unknown>) => ({
  identity: 'aaaaaaaa-0000-4000-8000-000000000000',
  name: 'web-1',
  slug: 'web-1',
  environmentSlug: 'production',
  version: 'v1.30.4-u-ame.3',
  status: 'running',
  ...over,
});

/** The snapshot of `over`'s cluster body, and what the mapping reported as unknown. */
function read(over: Record<string, unknown>): { snapshot: ClusterSnapshot; reported: string[] } {
  const reported: string[] = [];
  const snapshot = snapshotOf(avisiClusterSchema.parse(body(over)), (field, value) =>
    reported.push(`${field}=${value}`),
  );
  return { snapshot, reported };
}

describe('a cluster: autoUpgrade and updateChannel', () => {
  it('reads both, with the plain version parsed from the AME string', () => {
    const { snapshot, reported } = read({
      autoUpgrade: true,
      updateChannel: { name: 'v1.31', available: true, kubernetesClusterVersion: 'v1.31.6-u-ame.1', extra: 1 },
    });
    expect(snapshot.autoUpgrade).toBe(true);
    expect(snapshot.updateChannel).toEqual({
      name: 'v1.31',
      available: true,
      version: '1.31.6',
      platformVersion: 'v1.31.6-u-ame.1',
    });
    expect(reported).toEqual([]);
  });

  it('leaves both out when null or missing: no guess', () => {
    for (const over of [{}, { autoUpgrade: null, updateChannel: null }]) {
      const { snapshot, reported } = read(over);
      expect(snapshot).not.toHaveProperty('autoUpgrade');
      expect(snapshot).not.toHaveProperty('updateChannel');
      expect(reported).toEqual([]);
    }
    expect(read({ autoUpgrade: false }).snapshot.autoUpgrade).toBe(false);
  });

  it('reads a channel without `available` as go-client does (false), and keeps one whose version it cannot parse', () => {
    const { snapshot, reported } = read({
      updateChannel: { name: 'edge', kubernetesClusterVersion: 'nightly' },
    });
    expect(snapshot.updateChannel).toEqual({ name: 'edge', available: false, platformVersion: 'nightly' });
    expect(reported).toEqual(['updateChannel.kubernetesClusterVersion=nightly']);
  });

  it('reports values in another shape and reads the cluster without them', () => {
    const { snapshot, reported } = read({ autoUpgrade: 'yes', updateChannel: { available: true } });
    expect(snapshot).not.toHaveProperty('autoUpgrade');
    expect(snapshot).not.toHaveProperty('updateChannel');
    expect(snapshot.version).toBe('1.30.4');
    expect(reported).toEqual(['cluster.autoUpgrade="yes"', 'cluster.updateChannel={"available":true}']);
  });
});

describe('listUpdateChannels against a scripted server', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it('reads every page of GET /orgs/{org}/update-channels', async () => {
    api.route(
      'GET',
      '/orgs/acme/update-channels',
      {
        body: {
          content: [{ name: 'v1.31', available: true, kubernetesClusterVersion: 'v1.31.6-u-ame.1' }],
          last: false,
          number: 0,
        },
      },
      {
        body: {
          content: [{ name: 'v1.28', available: false, kubernetesClusterVersion: 'v1.28.15-u-ame.1' }],
          last: true,
          number: 1,
        },
      },
    );
    const channels = await createAvisiClient({ apiUrl: api.url, token: 't' }).listUpdateChannels!('acme');
    expect(channels).toEqual([
      { name: 'v1.31', available: true, version: '1.31.6', platformVersion: 'v1.31.6-u-ame.1' },
      { name: 'v1.28', available: false, version: '1.28.15', platformVersion: 'v1.28.15-u-ame.1' },
    ]);
    expect(api.requests.map((r) => r.url)).toEqual([
      '/api/v1/orgs/acme/update-channels?page=0',
      '/api/v1/orgs/acme/update-channels?page=1',
    ]);
  });

  it('refuses a listing whose channel has no name, as an invalid response', async () => {
    api.route('GET', '/orgs/acme/update-channels', {
      body: { content: [{ available: true, kubernetesClusterVersion: 'v1.31.6-u-ame.1' }], last: true },
    });
    const client = createAvisiClient({ apiUrl: api.url, token: 't', retryLimit: 0 });
    await expect(client.listUpdateChannels!('acme')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('Aether has no channels: the method is absent', () => {
    const aether = createAetherClient({ apiUrl: api.url, token: 'aether_0123456789abcdef' });
    expect(aether.listUpdateChannels).toBeUndefined();
  });
});
