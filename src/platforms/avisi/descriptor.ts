/**
 * Avisi Cloud, as the rest of fleetwave sees it (see ../descriptor.ts). Pure: workflow
 * code imports it. The dialect lives in client.ts, loaded on demand.
 */
import { isSlug } from '../../domain/ids.js';
import { quote } from '../../domain/quote.js';
import { definePlatform } from '../descriptor.js';
import { AVISI_DEFAULTS, AVISI_ENV } from './settings.js';

export const avisi = definePlatform({
  name: 'avisi',
  label: 'Avisi Cloud',
  env: AVISI_ENV,
  defaults: AVISI_DEFAULTS,
  token: { needs: 'a personal access token' },
  organisation: {
    description: 'Avisi organisation slug',
    problem: (org) => (isSlug(org) ? undefined : `not an Avisi organisation slug: ${quote(org)}`),
    normalise: (org) => org,
  },
  // `GET /cluster-versions`: latest-patch and the channels resolve against it.
  versionCatalog: true,
  maintenanceWindows: true,
  // A scheduled upgrade that has not started is deleted; one that failed is over.
  undo: { withdrawnNote: 'withdrawn' },
  loadClient: () => import(/* webpackIgnore: true */ './client.js').then((client) => client.createClient),
});

// Its name in `PlatformName` (names.ts), for files the registry's imports would make a circle with.
declare module '../names.js' {
  interface PlatformNames {
    avisi: true;
  }
}
