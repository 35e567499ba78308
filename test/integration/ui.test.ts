/**
 * What an operator sees in the Temporal Web UI (the dev server's, UI 2.54 from Temporal
 * CLI 1.9.1), in a real headless Chromium: a rollout with one failed cluster listed by
 * the search-attribute filters docs/ui.md gives, absent from one it must not match, and
 * its page showing the summary, the spec in short and the live details, their per-wave
 * rows read as drawn (values apart, under their columns) and the canary's gate result.
 * Screenshots go to artifacts/ui/ (kept by CI). Every step waits on what the page
 * shows; visibility is eventually consistent, so the rollout's final attributes are
 * waited for through the client before the browser looks. The rollout and the checks
 * are ui-pages.ts's, shared with real-server-ui.test.ts (the UI server in front of a
 * real Temporal server).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';
import { CHROMIUM_MISSING, findChromium, launchChromium, oneLineError } from './chromium.js';
import { startHarness, type Harness } from './harness.js';
import {
  expectCurrentDetails,
  expectFoundByFailedFilter,
  expectListedWithFleetColumns,
  expectNotFoundByHaltedFilter,
  expectSpecDescribed,
  expectSummaryAndSpec,
  rolloutPageUrl,
  runUiRollout,
  uiFleet,
  workflowListUrl,
  type UiRollout,
} from './ui-pages.js';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'ui');
const chromiumPath = findChromium();
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

describe('the Temporal Web UI', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let rollout: UiRollout;
  // The notify channel the spec names: the worker must define it, so a receiver of its own.
  let receiver: RunningSimulator;
  const channel = 'ops';
  const ui = inject('temporalUiUrl');
  const namespace = inject('temporalNamespace');
  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!chromiumPath) return;
    await mkdir(SCREENSHOTS, { recursive: true });
    receiver = await startSimulator({ generate: { seed: 9, avisi: { clusters: 1 }, aether: { clusters: 1 } } });
    h = await startHarness(uiFleet('ui'), undefined, {
      env: { FLEET_NOTIFY_OPS_URL: `${receiver.url}/_sim/notify/${channel}` },
    });
    rollout = await runUiRollout(h, { notifyChannel: channel });

    browser = await launchChromium(chromiumPath);
    // Wide enough that the Fleet columns, added after the default ones, are in the screenshots.
    page = await browser.newPage({ viewport: { width: 2200, height: 1000 } });
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await receiver?.close();
  });

  it('lists the rollout by its search attributes, with their values as columns', async (ctx) => {
    if (!chromiumPath) {
      if (inCi) throw oneLineError(CHROMIUM_MISSING);
      ctx.skip(CHROMIUM_MISSING);
    }
    await expectListedWithFleetColumns(page, ui, namespace, rollout);
    await shoot('rollout-list');

    // What docs/ui.md tells operators to filter on: found by the ones that match ...
    await expectFoundByFailedFilter(page, ui, namespace, rollout);
    await shoot('filter-failed');
    await page.goto(workflowListUrl(ui, namespace, `FleetClusterId="${rollout.failedCluster.id}"`));
    await page
      .getByRole('link', { name: clusterLockId('avisi', rollout.failedCluster.id) })
      .first()
      .waitFor();
    await shoot('filter-cluster');

    // ... and not by one that does not.
    await expectNotFoundByHaltedFilter(page, ui, namespace, rollout);
    await shoot('filter-no-match');
  });

  it("shows the rollout's summary, its spec in short and readable current details on its page", async (ctx) => {
    if (!chromiumPath) {
      if (inCi) throw oneLineError(CHROMIUM_MISSING);
      ctx.skip(CHROMIUM_MISSING);
    }
    await page.goto(await rolloutPageUrl(ui, namespace, rollout));
    await expectSummaryAndSpec(page, rollout);
    await expectCurrentDetails(page, rollout);
    await shoot('rollout-page');
  });

  it('describes the spec as it is: selectors, exclude, health checks, gates, freezes and notify', async (ctx) => {
    if (!chromiumPath) {
      if (inCi) throw oneLineError(CHROMIUM_MISSING);
      ctx.skip(CHROMIUM_MISSING);
    }
    await page.goto(await rolloutPageUrl(ui, namespace, rollout));
    await expectSpecDescribed(page, rollout, channel);
    await shoot('rollout-spec');
  });
});
