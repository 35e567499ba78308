/**
 * A throwaway third platform, Nimbus, written as docs/adding-a-platform.md says a real
 * one is: this file is `src/platforms/nimbus/descriptor.ts`. Pure: workflow code imports it.
 */
import { isSlug } from '../../../src/domain/ids.js';
import { quote } from '../../../src/domain/quote.js';
import { definePlatform } from '../../../src/platforms/descriptor.js';

export const nimbus = definePlatform({
  name: 'nimbus',
  label: 'Nimbus',
  env: {
    url: 'NIMBUS_API_URL',
    token: 'NIMBUS_API_TOKEN',
    ratePerMinute: 'NIMBUS_API_RATE_PER_MINUTE',
    burst: 'NIMBUS_API_BURST',
  },
  defaults: { apiUrl: 'https://api.nimbus.example/nimbus/v1', ratePerMinute: 0, burst: 5 },
  token: { needs: 'a project token' },
  organisation: {
    description: 'Nimbus project slug',
    problem: (org) => (isSlug(org) ? undefined : `not a Nimbus project slug: ${quote(org)}`),
    normalise: (org) => org,
  },
  versionCatalog: true,
  maintenanceWindows: false,
  // The desired version is the upgrade, as on Aether: a failed one stays desired until put back.
  undo: {
    withdrawnNote: 'restored desired version',
    restoreFailed: {
      failedUpgrade: (clusterId, toVersion) => ({
        upgradeId: clusterId,
        clusterId,
        toVersion,
        status: 'FAILED',
        rawStatus: 'failed',
      }),
      summary: 'restore desired version',
      restoredNote: 'restored desired version',
    },
  },
  loadClient: () => import(/* webpackIgnore: true */ './client.js').then((client) => client.createClient),
});

// A real platform adds `nimbus: true` to PlatformNames here (declare module '../names.js'); this
// throwaway one does not, or the whole project would type-check with a third platform.
