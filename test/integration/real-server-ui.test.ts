/**
 * The Temporal Web UI server (`npm run ui:install`'s: the release docker-compose.yml's
 * `temporal-ui` runs, built from the Go module proxy) in front of the real Temporal
 * server (`npm run server:install`'s, on a throwaway PostgreSQL with SQL visibility),
 * in a real headless Chromium, as `npm run server` starts them. The rollout and the
 * checks are ui.test.ts's (ui-pages.ts), against the other backend: the rollout, ended
 * with one failed cluster, is listed by its search attributes with their values as
 * columns (found by the filter docs/ui.md gives, absent from one it does not match),
 * and its page shows the summary, the spec in short and the current details, each
 * wave's row readable under its columns. Screenshots go to artifacts/ui-real/.
 *
 * Skipped, saying why, when the server or the UI server is not installed, or
 * PostgreSQL or Chromium is missing, and CI is unset; in CI that fails instead.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import {
  findTemporalServer,
  SERVER_INSTALL_HINT,
  TEMPORAL_SERVER_VERSION,
} from '../../src/devserver/install-server.js';
import { findTemporalUi, TEMPORAL_UI_VERSION, UI_INSTALL_HINT } from '../../src/devserver/install-ui-server.js';
import { findPostgres, POSTGRES_MISSING } from '../../src/devserver/postgres.js';
import { startTemporalServer, type RealTemporalServer } from '../../src/devserver/temporal-server.js';
import { startTemporalUi, type RunningTemporalUi } from '../../src/devserver/temporal-ui.js';
import { CHROMIUM_MISSING, findChromium, launchChromium } from './chromium.js';
import { startHarness, type Harness } from './harness.js';
import {
  expectCurrentDetails,
  expectFoundByFailedFilter,
  expectListedWithFleetColumns,
  expectNotFoundByHaltedFilter,
  expectSummaryAndSpec,
  rolloutPageUrl,
  runUiRollout,
  uiFleet,
  type UiRollout,
} from './ui-pages.js';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'ui-real');
const chromiumPath = findChromium();
const missing = [
  ...((await findTemporalServer())
    ? []
    : [`Temporal server ${TEMPORAL_SERVER_VERSION} is not installed: ${SERVER_INSTALL_HINT}`]),
  ...((await findTemporalUi())
    ? []
    : [`Temporal UI server ${TEMPORAL_UI_VERSION} is not installed: ${UI_INSTALL_HINT}`]),
  ...(findPostgres() ? [] : [POSTGRES_MISSING]),
  ...(chromiumPath ? [] : [CHROMIUM_MISSING]),
];
const CI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
if (missing.length > 0 && !CI) console.warn(`[real-server-ui] skipped (CI is unset): ${missing.join('; ')}`);

describe.skipIf(missing.length > 0 && !CI)(
  `the Temporal UI ${TEMPORAL_UI_VERSION} in front of a real Temporal server ${TEMPORAL_SERVER_VERSION}`,
  () => {
    let server: RealTemporalServer | undefined;
    let ui: RunningTemporalUi | undefined;
    let h: Harness | undefined;
    let browser: Browser | undefined;
    let page: Page;
    let rollout: UiRollout;
    const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      if (missing.length > 0)
        throw new Error(`CI is set and the UI test against the real server cannot run: ${missing.join('; ')}`);
      await mkdir(SCREENSHOTS, { recursive: true });
      const started = Date.now();
      // Error lines are routine while the services find each other: only a crash is news here.
      server = await startTemporalServer({
        onLog: (line) => /"level":"(dpanic|panic|fatal)"/.test(line) && console.error(`[temporal-server] ${line}`),
      });
      ui = await startTemporalUi(server);
      console.log(
        `[real-server-ui] Temporal server ${server.version} at ${server.address}, UI ${ui.version} at ${ui.url}, up in ${Date.now() - started} ms`,
      );

      h = await startHarness(uiFleet('ui-real'), undefined, {
        temporal: { address: server.address, namespace: server.namespace },
      });
      rollout = await runUiRollout(h);

      browser = await launchChromium(chromiumPath!);
      // Wide enough that the Fleet columns, added after the default ones, are in the screenshots.
      page = await browser.newPage({ viewport: { width: 2200, height: 1000 } });
      page.setDefaultTimeout(30_000);
    }, 240_000);
    // A failed check's page is the useful screenshot.
    afterEach(async (ctx) => {
      if (ctx.task.result?.state === 'fail' && browser)
        await shoot(`failed-${ctx.task.name.split(' ').slice(0, 3).join('-')}`).catch(() => {});
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
      await ui?.stop();
      await server?.stop();
    });

    it('lists the rollout by its search attributes, with their values as columns', async () => {
      await expectListedWithFleetColumns(page, ui!.url, server!.namespace, rollout);
      await shoot('rollout-list');
      await expectFoundByFailedFilter(page, ui!.url, server!.namespace, rollout);
      await shoot('filter-failed');
      await expectNotFoundByHaltedFilter(page, ui!.url, server!.namespace, rollout);
      await shoot('filter-no-match');
    });

    it("shows the rollout's summary, its spec in short and readable current details on its page", async () => {
      await page.goto(await rolloutPageUrl(ui!.url, server!.namespace, rollout));
      await expectSummaryAndSpec(page, rollout);
      await expectCurrentDetails(page, rollout);
      await shoot('rollout-page');
    });
  },
);
