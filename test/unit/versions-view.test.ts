/** `fleet versions` as text (cli/versions-view.ts): names, the catalog, behind, unsupported, upgrading. */
import { describe, expect, it } from 'vitest';
import { formatVersions } from '../../src/cli/versions-view.js';
import { versionCensus, type CensusCluster } from '../../src/domain/version-census.js';

const OFFERED = ['1.29.14', '1.30.4', '1.30.10', '1.31.6', '1.32.2'];
const cluster = (name: string, version: string, extra: Partial<CensusCluster> = {}): CensusCluster => ({
  id: `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
  name,
  version,
  ...extra,
});

describe('formatVersions', () => {
  it('shows an organisation with a catalog', () => {
    const web = cluster('web-1', '1.30.4', { autoUpgrade: true, updateChannel: { name: 'v1.30' } });
    const text = formatVersions([
      versionCensus({
        platform: 'avisi',
        organisation: 'acme',
        clusters: [web, cluster('api-22', '1.31.6', { autoUpgrade: false }), cluster('old-333', '1.27.3')],
        offered: OFFERED,
        upgrades: [{ clusterId: web.id, toVersion: 'v1.30.10-u-ame.1', status: 'SCHEDULED', windowStart: 'Sat' }],
      }),
    ]);
    expect(text.split('\n')).toEqual([
      'avisi/acme (Avisi Cloud): 3 clusters',
      '  version catalog: 1.29 to 1.32; stable 1.31.6, rapid 1.32.2',
      '',
      '  MINOR  CLUSTERS  LATEST PATCH  BEHIND IT  PATCHES',
      '  1.27   1         unsupported   -          1.27.3: 1',
      '  1.30   1         1.30.10       1          1.30.4: 1',
      '  1.31   1         1.31.6        0          1.31.6: 1',
      '',
      '  1 cluster behind the latest patch of their minor, 2 behind stable (1.31.6), 3 behind rapid (1.32.2)',
      '  unsupported (minors no longer offered): 1.27 (1 cluster)',
      '  auto-upgrade: on for 1 of 2 clusters reporting it (update channels v1.30: 1): web-1',
      '  upgrades scheduled or in progress: 1 cluster',
      '    CLUSTER  NOW     TO       STATUS     WINDOW',
      '    web-1    1.30.4  1.30.10  SCHEDULED  Sat',
    ]);
  });

  it('says what a platform without a catalog cannot count', () => {
    const text = formatVersions([
      versionCensus({
        platform: 'aether',
        organisation: '2489e9ad-2ee2-4e00-8ec9-32d5f69181c0',
        clusters: [cluster('c-1', '1.30.4'), cluster('c-22', 'unreported')],
        offered: undefined,
        upgrades: [],
      }),
    ]);
    expect(text.split('\n')).toEqual([
      'aether/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0 (Aether): 2 clusters',
      '  no version catalog: Aether publishes none, so nothing is counted behind a latest patch or a channel',
      '',
      '  MINOR  CLUSTERS  PATCHES',
      '  1.30   1         1.30.4: 1',
      '',
      '  no version reported: 1 cluster (c-22)',
      '  auto-upgrade: not reported by Aether',
      '  upgrades scheduled or in progress: none',
    ]);
  });
});
