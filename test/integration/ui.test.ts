/**
 * What an operator sees in the Temporal Web UI (the dev server's, UI 2.54 from Temporal
 * CLI 1.9.1), in a real headless Chromium: a rollout with one failed cluster listed by
 * the search-attribute filters docs/ui.md gives, absent from one it must not match, and
 * its page showing the summary, the spec in short and the live details, their per-wave
 * rows read as drawn (values apart, under their columns) and the canary's gate result.
 * Screenshots go to artifacts/ui/ (kept by CI). Every step waits on what the page
 * shows; visibility is eventually consistent, so the rollout's final attributes are
 * waited for through the client before the browser looks.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRollout } from '../../src/cli/rollouts.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { clusterLockId } from '../../src/workflows/cluster-upgrade.js';
import type { fleetRollout } from '../../src/workflows/fleet-rollout.js';
import { eventually } from '../platforms/support/sim.js';
import { CHROMIUM_MISSING, drawnLine, findChromium, launchChromium, oneLineError } from './chromium.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'ui');
const chromiumPath = findChromium();
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

describe('the Temporal Web UI', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let handle: WorkflowHandle<typeof fleetRollout>;
  let organisation: string;
  let failedCluster: SimCluster;
  const ui = inject('temporalUiUrl');
  const namespace = inject('temporalNamespace');
  const listUrl = (query: string) => `${ui}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`;
  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!chromiumPath) return;
    await mkdir(SCREENSHOTS, { recursive: true });
    // An organisation of its own, so its filters list this test's rollout only, whatever else runs on the server.
    h = await startHarness({ generate: { seed: 83, avisi: { organisation: `ui-${randomUUID().slice(0, 8)}`, clusters: 3 }, aether: { clusters: 1 }, minors: ['1.30'] }, timeScale: 86_400 });
    const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    organisation = clusters[0]!.organisation;
    failedCluster = clusters[2]!;
    await h.control(`/_sim/clusters/${failedCluster.id}/outcomes`, { outcomes: ['FAILED'] });
    // The canary's gate asks the simulator's fleet health API about the wave's clusters: its result is a line of the details.
    const gate = { name: 'canary-fleet', http: { url: `${h.sim.url}/_sim/fleet-health?clusters={waveClusters}`, json: { field: 'status', equals: 'ok' } }, passFor: '0s', interval: '300ms', timeout: '10s' };
    const waves = [{ name: 'canary', size: 1, gate }, { name: 'rest' }];
    const spec: RolloutSpec = { platform: 'avisi', organisation, targetVersion: '1.31', clusters: clusters.map((c) => c.id), waves, retry: { maxAttempts: 0 }, pollInterval: '200ms', clusterDeadline: '60s', ignoreMaintenanceSchedule: true };
    // The CLI's own start: it sets the summary and the spec-in-short details.
    handle = await startRollout(h.client, { taskQueue: h.taskQueue, spec, plan: parseRolloutSpec(spec), rolloutId: `rollout-${organisation}` });
    expect(await handle.result()).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: 2, FAILED: 1 } });
    const query = `FleetRolloutId = "${handle.workflowId}" AND FleetPhase = "done" AND FleetProgressPercent = 100 AND FleetFailedClusters = 1`;
    await eventually(async () => ((await h.client.workflow.count(query)).count === 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200, what: 'the final attributes in visibility' });

    browser = await launchChromium(chromiumPath);
    // Wide enough that the Fleet columns, added after the default ones, are in the screenshots.
    page = await browser.newPage({ viewport: { width: 2200, height: 1000 } });
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lists the rollout by its search attributes, with their values as columns', async (ctx) => {
    if (!chromiumPath) {
      if (inCi) throw oneLineError(CHROMIUM_MISSING);
      ctx.skip(CHROMIUM_MISSING);
    }
    // The organisation's rollouts (children carry no FleetOrganisation), with the Fleet columns an operator adds once.
    await page.goto(listUrl(`FleetOrganisation="${organisation}"`));
    const row = page.getByRole('row').filter({ hasText: handle.workflowId });
    await row.waitFor();
    await page.getByTestId('workflows-summary-table-configuration-button').click();
    for (const name of ['FleetPhase', 'FleetProgressPercent', 'FleetFailedClusters']) await page.getByRole('button', { name: `Add ${name} column` }).click();
    await page.getByTestId('drawer-close-button').click();
    await page.getByTestId('drawer-close-button').waitFor({ state: 'hidden' });
    await page.getByRole('columnheader', { name: 'FleetFailedClusters' }).waitFor();
    const headers = await page.getByRole('columnheader').allInnerTexts();
    const cells = await row.getByRole('cell').allInnerTexts();
    const cellUnder = (name: string) => cells[headers.findIndex((h) => h.trim() === name)]?.trim();
    expect({ phase: cellUnder('FleetPhase'), percent: cellUnder('FleetProgressPercent'), failed: cellUnder('FleetFailedClusters') }).toEqual({ phase: 'done', percent: '100', failed: '1' });
    await shoot('rollout-list');

    // What docs/ui.md tells operators to filter on: found by the ones that match ...
    await page.goto(listUrl(`FleetTargetVersion="1.31" AND FleetPhase="done" AND FleetFailedClusters > 0 AND FleetOrganisation="${organisation}"`));
    await page.getByRole('link', { name: handle.workflowId }).first().waitFor();
    await shoot('filter-failed');
    await page.goto(listUrl(`FleetClusterId="${failedCluster.id}"`));
    await page.getByRole('link', { name: clusterLockId('avisi', failedCluster.id) }).first().waitFor();
    await shoot('filter-cluster');

    // ... and not by one that does not.
    await page.goto(listUrl(`FleetTargetVersion="1.31" AND FleetPhase="halted" AND FleetOrganisation="${organisation}"`));
    await page.getByText('No Workflows Found').waitFor();
    expect(await page.getByRole('link', { name: handle.workflowId }).count()).toBe(0);
    await shoot('filter-no-match');
  });

  it("shows the rollout's summary, its spec in short and readable current details on its page", async (ctx) => {
    if (!chromiumPath) {
      if (inCi) throw oneLineError(CHROMIUM_MISSING);
      ctx.skip(CHROMIUM_MISSING);
    }
    const runId = (await handle.describe()).runId;
    await page.goto(`${ui}/namespaces/${namespace}/workflows/${encodeURIComponent(handle.workflowId)}/${runId}/user-metadata`);
    // The UI renders each markdown field in a frame of its own.
    const summary = page.frameLocator('#user-metadata-summary');
    const details = page.frameLocator('#user-metadata-details');
    const current = page.frameLocator('#user-metadata-current-details');
    await summary.getByText(`Upgrade avisi/${organisation} to 1.31`).waitFor();
    await details.getByText('clusters: 3 listed').waitFor();
    // The current details come from the worker (a query): a line, a row per wave, what failed.
    await current.getByText('100% ended (3 of 3 clusters)', { exact: false }).waitFor();
    // Readable as drawn, not just in the DOM: each value apart from the next (a markdown
    // table's cells ran together here, `canarydone`) and under its column's name.
    const main = current.locator('main');
    const header = await drawnLine(main, 'wave');
    expect(header.map((v) => v.text)).toEqual(['wave', 'state', 'ended', 'succeeded', 'failed']);
    const rows = { canary: await drawnLine(main, 'canary'), rest: await drawnLine(main, '>') };
    expect(rows.canary.map((v) => v.text)).toEqual(['canary', 'done', '1 of 1', '1', '0']);
    expect(rows.rest.map((v) => v.text)).toEqual(['> rest', 'done', '2 of 2', '1', '1']);
    for (const values of Object.values(rows)) {
      values.forEach((value, i) => {
        const column = header[i]!;
        // The current wave's marker stands left of the column; its name starts under it.
        expect({ value: value.text, under: column.text, overlaps: value.right > column.left && value.left < column.right }).toEqual({ value: value.text, under: column.text, overlaps: true });
      });
    }
    // The canary's gate: its verdict, value and bound on a line of its own.
    await current.getByText('Wave gates:').waitFor();
    const gate = await current.getByText('gate canary-fleet passed', { exact: false }).textContent();
    // (The UI's markdown turns straight quotes into typographic ones.)
    expect(gate).toMatch(/^wave canary: gate canary-fleet passed: status 200, status = [“"]ok[”"] \(bound status 200, status = [“"]ok[”"]\) at \S+ after 1 observation$/);
    await current.getByText(`${failedCluster.name} FAILED`, { exact: false }).waitFor();
    await shoot('rollout-page');
  });
});
