/**
 * The Aether platform, as the rest of fleetwave sees it (see ../descriptor.ts). Pure:
 * workflow code imports it. The dialect lives in client.ts, loaded on demand.
 */
import { isUuid, normaliseId } from '../../domain/ids.js';
import { quote } from '../../domain/quote.js';
import { definePlatform } from '../descriptor.js';
import { AETHER_DEFAULTS, AETHER_ENV, AETHER_MAX_PAGE_LIMIT } from './settings.js';
import { readAetherTokens } from './tokens.js';

export const aether = definePlatform({
  name: 'aether',
  label: 'Aether',
  env: AETHER_ENV,
  defaults: AETHER_DEFAULTS,
  // Tokens are per organisation.
  token: {
    needs: 'an API token (or orgId=token pairs)',
    parse: { read: readAetherTokens, expected: 'a token or orgId=token pairs separated by commas' },
  },
  organisation: {
    description: 'Aether organisation UUID',
    problem: (org) => (isUuid(org) ? undefined : `not an Aether organisation UUID: ${quote(org)}`),
    normalise: normaliseId,
  },
  // A cluster page carries `status` and both versions: polls read pages of the most clusters.
  statusPage: { clusters: AETHER_MAX_PAGE_LIMIT },
  // No version list: a target per minor comes from the spec (`targetVersions`).
  versionCatalog: false,
  // No windows: an upgrade that does not settle by its deadline is the analogue of MISSED.
  maintenanceWindows: false,
  // The upgrade is the cluster's desired `k8s_version`: undo writes the old one back, and a
  // failed upgrade stays desired until something does.
  undo: {
    withdrawnNote: 'restored k8s_version',
    // The cluster is the upgrade: its id is the upgrade's, and a failed one reads `failed`.
    restoreFailed: {
      failedUpgrade: (clusterId, toVersion) => ({
        upgradeId: clusterId,
        clusterId,
        toVersion,
        status: 'FAILED',
        rawStatus: 'failed',
      }),
      summary: 'restore k8s_version',
      restoredNote: 'restored k8s_version',
    },
  },
  loadClient: () => import(/* webpackIgnore: true */ './client.js').then((client) => client.createClient),
});

// Its name in `PlatformName` (names.ts), for files the registry's imports would make a circle with.
declare module '../names.js' {
  interface PlatformNames {
    aether: true;
  }
}
