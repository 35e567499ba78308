import { describe, expect, it } from 'vitest';
import { versionCensus, type CensusCluster, type CensusInput } from '../../src/domain/version-census.js';

/** The simulator's catalog, as Avisi spells it: 1.28 to 1.32, so stable is 1.31.6 and rapid 1.32.2. */
const OFFERED = [
  'v1.28.12-u-ame.2',
  'v1.28.15-u-ame.1',
  'v1.29.10-u-ame.4',
  'v1.29.14-u-ame.1',
  'v1.30.4-u-ame.3',
  'v1.30.8-u-ame.2',
  'v1.30.10-u-ame.1',
  'v1.31.2-u-ame.2',
  'v1.31.4-u-ame.1',
  'v1.31.6-u-ame.1',
  'v1.32.0-u-ame.2',
  'v1.32.2-u-ame.1',
];

let ids = 0;
const cluster = (name: string, version: string, extra: Partial<CensusCluster> = {}): CensusCluster => ({
  id: `id-${++ids}`,
  name,
  version,
  ...extra,
});

const census = (clusters: CensusCluster[], more: Partial<CensusInput> = {}) =>
  versionCensus({ platform: 'avisi', organisation: 'acme', clusters, offered: OFFERED, upgrades: [], ...more });

describe('versionCensus', () => {
  const fleet = [
    cluster('web-1', '1.29.10'),
    cluster('web-2', '1.29.14'),
    cluster('web-10', '1.30.4'),
    cluster('api-1', '1.30.4'),
    cluster('api-2', '1.30.10'),
    cluster('data-1', '1.31.6'),
    cluster('old-1', '1.27.16'),
    cluster('old-2', '1.27.3'),
    cluster('edge-1', '1.32.2'),
  ];

  it('counts clusters per minor and per patch, oldest first', () => {
    const result = census(fleet);
    expect(result.clusters).toBe(9);
    expect(result.minors.map((m) => [m.minor, m.clusters])).toEqual([
      ['1.27', 2],
      ['1.29', 2],
      ['1.30', 3],
      ['1.31', 1],
      ['1.32', 1],
    ]);
    expect(result.minors.find((m) => m.minor === '1.30')).toEqual({
      minor: '1.30',
      clusters: 3,
      offered: true,
      latestPatch: '1.30.10',
      behindLatestPatch: 2,
      patches: [
        { version: '1.30.4', clusters: 2 },
        { version: '1.30.10', clusters: 1 },
      ],
    });
  });

  it('counts clusters behind the latest patch of their minor and behind each channel', () => {
    const result = census(fleet);
    expect(result.catalog).toEqual({
      minors: ['1.28', '1.29', '1.30', '1.31', '1.32'],
      stable: '1.31.6',
      rapid: '1.32.2',
    });
    // 1.29.10, 1.30.4 twice; not the unsupported 1.27s (their minor has no latest patch).
    expect(result.behind).toEqual({ latestPatch: 3, stable: 7, rapid: 8 });
  });

  it('names the minors the platform no longer offers', () => {
    const result = census(fleet);
    expect(result.unsupported).toEqual([{ minor: '1.27', clusters: 2 }]);
    expect(result.minors[0]).toMatchObject({
      minor: '1.27',
      offered: false,
      latestPatch: null,
      behindLatestPatch: null,
    });
  });

  it('says there is no catalog instead of inventing "behind" numbers', () => {
    const result = census(fleet, { platform: 'aether', offered: undefined });
    expect(result.catalog).toBeNull();
    expect(result.behind).toBeNull();
    expect(result.unsupported).toBeNull();
    expect(
      result.minors.every((m) => m.offered === null && m.latestPatch === null && m.behindLatestPatch === null),
    ).toBe(true);
    expect(result.minors.map((m) => m.clusters)).toEqual([2, 2, 3, 1, 1]);
  });

  it('lists clusters whose version does not read as one apart', () => {
    const result = census([cluster('new-1', 'unreported'), cluster('web-1', '1.30.4')]);
    expect(result.clusters).toBe(2);
    expect(result.unreadable).toEqual([{ id: expect.any(String), name: 'new-1', version: 'unreported' }]);
    expect(result.minors).toHaveLength(1);
  });

  it('counts auto-upgrading clusters per update channel, and says nothing when no cluster reports it', () => {
    expect(census(fleet).autoUpgrade).toBeNull();
    const result = census([
      cluster('a-1', '1.30.4', { autoUpgrade: true, updateChannel: { name: 'v1.30' } }),
      cluster('a-2', '1.31.4', { autoUpgrade: true, updateChannel: { name: 'v1.31' } }),
      cluster('a-10', '1.31.4', { autoUpgrade: true, updateChannel: { name: 'v1.31' } }),
      cluster('b-1', '1.31.4', { autoUpgrade: false, updateChannel: { name: 'v1.31' } }),
      cluster('c-1', '1.31.4', { autoUpgrade: true }),
    ]);
    expect(result.autoUpgrade).toMatchObject({
      reported: 5,
      on: 4,
      channels: [
        { channel: 'none', clusters: 1 },
        { channel: 'v1.30', clusters: 1 },
        { channel: 'v1.31', clusters: 2 },
      ],
    });
    expect(result.autoUpgrade?.clusters.map((c) => [c.name, c.channel])).toEqual([
      ['a-1', 'v1.30'],
      ['a-2', 'v1.31'],
      ['a-10', 'v1.31'],
      ['c-1', null],
    ]);
  });

  it('lists upgrades by cluster name, versions plain, from what runs', () => {
    const web = cluster('web-1', '1.30.4');
    const api = cluster('api-1', '1.29.10');
    const result = census([web, api], {
      upgrades: [
        {
          clusterId: web.id.toUpperCase(),
          toVersion: 'v1.30.10-u-ame.1',
          status: 'SCHEDULED',
          windowStart: '2026-12-12T02:00:00Z',
        },
        { clusterId: api.id, toVersion: '1.30', status: 'IN_PROGRESS' },
        { clusterId: 'gone', toVersion: '1.31.6', status: 'REQUESTED' },
      ],
    });
    expect(result.upgrades).toEqual([
      { id: api.id, name: 'api-1', from: '1.29.10', to: '1.30', status: 'IN_PROGRESS' },
      { id: 'gone', name: 'gone', from: null, to: '1.31.6', status: 'REQUESTED' },
      {
        id: web.id,
        name: 'web-1',
        from: '1.30.4',
        to: '1.30.10',
        status: 'SCHEDULED',
        windowStart: '2026-12-12T02:00:00Z',
      },
    ]);
  });

  it('takes an empty catalog as offering nothing', () => {
    const result = census([cluster('web-1', '1.30.4')], { offered: [] });
    expect(result.catalog).toEqual({ minors: [], stable: null, rapid: null });
    expect(result.behind).toEqual({ latestPatch: 0, stable: 0, rapid: 0 });
    expect(result.unsupported).toEqual([{ minor: '1.30', clusters: 1 }]);
  });

  it('counts an empty organisation', () => {
    const result = census([]);
    expect(result).toMatchObject({ clusters: 0, minors: [], behind: { latestPatch: 0, stable: 0, rapid: 0 } });
  });
});
