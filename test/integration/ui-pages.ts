/**
 * What the browser tests of the Temporal Web UI share (ui.test.ts: the dev server's
 * built-in UI; real-server-ui.test.ts: the UI server in front of a real server): the
 * rollout they look at, and the checks of what an operator sees, each step waiting on
 * what the page shows.
 *
 * The rollout: three Avisi clusters of an organisation of its own (so its filters list
 * this rollout only, whatever else runs on the server), one of them failing, started
 * by the CLI's own start (summary and spec-in-short details), a canary wave with a gate
 * on the simulator's fleet health API. It ends PARTIAL, and its final search attributes
 * are waited for through the client before any browser looks (visibility is
 * eventually consistent).
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { startRollout } from '../../src/cli/rollouts.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import type { SimulatorOptions } from '../../src/simulator/index.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { eventually } from '../platforms/support/sim.js';
import { drawnLine } from './chromium.js';
import type { Harness, SimCluster } from './harness.js';

export interface UiRollout {
  readonly handle: WorkflowHandle<typeof fleetRollout>;
  readonly organisation: string;
  readonly failedCluster: SimCluster;
  /** The canary wave's cluster (the first). */
  readonly canaryCluster: SimCluster;
}

/** The fleet: an organisation named `<prefix>-<random>` with three Avisi clusters on 1.30. */
export const uiFleet = (prefix: string): SimulatorOptions => ({
  generate: {
    seed: 83,
    avisi: { organisation: `${prefix}-${randomUUID().slice(0, 8)}`, clusters: 3 },
    aether: { clusters: 1 },
    minors: ['1.30'],
  },
  timeScale: 86_400,
});

/**
 * What the described-spec check adds to the rollout: the canary selects by `match`, an
 * `exclude` (an id and a selector that take none of its clusters), a health check per
 * cluster on the simulator, a freeze long past, and a notify channel (the worker must
 * define `FLEET_NOTIFY_<NAME>_URL`).
 */
export interface DescribedSpecOptions {
  readonly notifyChannel: string;
}

/** Runs the rollout to its end (PARTIAL: 2 succeeded, 1 failed) and waits until visibility has its final attributes. */
export async function runUiRollout(h: Harness, described?: DescribedSpecOptions): Promise<UiRollout> {
  const clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
  const organisation = clusters[0]!.organisation;
  const failedCluster = clusters[2]!;
  await h.control(`/_sim/clusters/${failedCluster.id}/outcomes`, { outcomes: ['FAILED'] });
  // The canary's gate asks the simulator's fleet health API about the wave's clusters: its result is a line of the details.
  const gate = {
    name: 'canary-fleet',
    http: { url: `${h.sim.url}/_sim/fleet-health?clusters={waveClusters}`, json: { field: 'status', equals: 'ok' } },
    passFor: '0s',
    interval: '300ms',
    timeout: '10s',
  };
  const waves = [
    { name: 'canary', size: 1, gate, ...(described ? { match: { name: clusters[0]!.name } } : {}) },
    { name: 'rest' },
  ];
  const base: RolloutSpec = {
    platform: 'avisi',
    organisation,
    targetVersion: '1.31',
    clusters: clusters.map((c) => c.id),
    waves,
    retry: { maxAttempts: 0 },
    pollInterval: '200ms',
    clusterDeadline: '60s',
    ignoreMaintenanceSchedule: true,
  };
  const spec: RolloutSpec = described ? { ...base, ...describedExtras(h, described) } : base;
  // The CLI's own start: it sets the summary and the spec-in-short details.
  const handle = await startRollout(h.client, {
    taskQueue: h.taskQueue,
    spec,
    plan: parseRolloutSpec(spec),
    rolloutId: `rollout-${organisation}`,
  });
  expect(await handle.result()).toMatchObject({ status: 'PARTIAL', counts: { SUCCEEDED: 2, FAILED: 1 } });
  const query = `FleetRolloutId = "${handle.workflowId}" AND FleetPhase = "done" AND FleetProgressPercent = 100 AND FleetFailedClusters = 1`;
  await eventually(async () => ((await h.client.workflow.count(query)).count === 1 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'the final attributes in visibility',
  });
  return { handle, organisation, failedCluster, canaryCluster: clusters[0]! };
}

/** The spec fields the described-spec check adds; none of them changes which clusters the rollout upgrades. */
function describedExtras(h: Harness, described: DescribedSpecOptions): Partial<RolloutSpec> {
  return {
    exclude: [EXCLUDED_ID, { environment: 'nowhere' }],
    healthChecks: [
      {
        name: 'cluster-health',
        http: { url: `${h.sim.url}/_sim/health/{clusterId}` },
        passFor: '0s',
        interval: '300ms',
        timeout: '10s',
      },
    ],
    freeze: [{ from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z', reason: 'new year' }],
    notify: [{ channel: described.notifyChannel, events: ['rollout.finished'] }],
  };
}

const EXCLUDED_ID = '0b7e2c4a-7d1f-4e55-9a8e-3f2d1c0b9a87';

/**
 * The spec as it is, in the static details (the CLI's start) and in the current details
 * (the worker's, for a rollout started by any client): how each wave selects, the
 * exclusions, the health check, the gate, the freeze and the notify channel.
 */
export async function expectSpecDescribed(page: Page, rollout: UiRollout, notifyChannel: string): Promise<void> {
  const lines = [
    'clusters: 3 listed',
    `wave canary: match name=${rollout.canaryCluster.name}, first 1`,
    'gate canary-fleet (http status 200, status = ',
    'wave rest: the rest',
    `exclude: 2 excluded: ${EXCLUDED_ID}, environment=nowhere`,
    'health checks: cluster-health (http status 200; pass for 0ms, every 300ms, within 10s)',
    'freeze: 2020-01-01T00:00:00Z to 2020-01-02T00:00:00Z (new year)',
    `notify: ${notifyChannel} (rollout.finished)`,
  ];
  for (const frame of ['#user-metadata-details', '#user-metadata-current-details']) {
    for (const line of lines) await page.frameLocator(frame).getByText(line, { exact: false }).first().waitFor();
  }
}

/** The workflow list of `namespace`, filtered by a visibility query. */
export const workflowListUrl = (ui: string, namespace: string, query: string): string =>
  `${ui}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`;

/** The page of the rollout's run that shows its user metadata (summary, details, current details). */
export async function rolloutPageUrl(ui: string, namespace: string, rollout: UiRollout): Promise<string> {
  const runId = (await rollout.handle.describe()).runId;
  return `${ui}/namespaces/${namespace}/workflows/${encodeURIComponent(rollout.handle.workflowId)}/${runId}/user-metadata`;
}

/**
 * The organisation's rollouts (children carry no FleetOrganisation) list this one, and
 * with the Fleet columns an operator adds once its row reads done, 100 and 1 under them.
 */
export async function expectListedWithFleetColumns(
  page: Page,
  ui: string,
  namespace: string,
  rollout: UiRollout,
): Promise<void> {
  await page.goto(workflowListUrl(ui, namespace, `FleetOrganisation="${rollout.organisation}"`));
  const row = page.getByRole('row').filter({ hasText: rollout.handle.workflowId });
  await row.waitFor();
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const name of ['FleetPhase', 'FleetProgressPercent', 'FleetFailedClusters'])
    await page.getByRole('button', { name: `Add ${name} column` }).click();
  await page.getByTestId('drawer-close-button').click();
  await page.getByTestId('drawer-close-button').waitFor({ state: 'hidden' });
  await page.getByRole('columnheader', { name: 'FleetFailedClusters' }).waitFor();
  const headers = await page.getByRole('columnheader').allInnerTexts();
  const cells = await row.getByRole('cell').allInnerTexts();
  const cellUnder = (name: string) => cells[headers.findIndex((h) => h.trim() === name)]?.trim();
  expect({
    phase: cellUnder('FleetPhase'),
    percent: cellUnder('FleetProgressPercent'),
    failed: cellUnder('FleetFailedClusters'),
  }).toEqual({ phase: 'done', percent: '100', failed: '1' });
}

/** What docs/ui.md tells operators to filter on: the rollout is found by the filters that match. */
export async function expectFoundByFailedFilter(
  page: Page,
  ui: string,
  namespace: string,
  rollout: UiRollout,
): Promise<void> {
  await page.goto(
    workflowListUrl(
      ui,
      namespace,
      `FleetTargetVersion="1.31" AND FleetPhase="done" AND FleetFailedClusters > 0 AND FleetOrganisation="${rollout.organisation}"`,
    ),
  );
  await page.getByRole('link', { name: rollout.handle.workflowId }).first().waitFor();
}

/** ... and not by one that does not match. */
export async function expectNotFoundByHaltedFilter(
  page: Page,
  ui: string,
  namespace: string,
  rollout: UiRollout,
): Promise<void> {
  await page.goto(
    workflowListUrl(
      ui,
      namespace,
      `FleetTargetVersion="1.31" AND FleetPhase="halted" AND FleetOrganisation="${rollout.organisation}"`,
    ),
  );
  await page.getByText('No Workflows Found').waitFor();
  expect(await page.getByRole('link', { name: rollout.handle.workflowId }).count()).toBe(0);
}

/** The rollout's page, its summary and its spec in short (set by the CLI's start). The page must be open at `rolloutPageUrl`. */
export async function expectSummaryAndSpec(page: Page, rollout: UiRollout): Promise<void> {
  // The UI renders each markdown field in a frame of its own.
  await page
    .frameLocator('#user-metadata-summary')
    .getByText(`Upgrade avisi/${rollout.organisation} to 1.31`)
    .waitFor();
  await page.frameLocator('#user-metadata-details').getByText('clusters: 3 listed').waitFor();
}

/**
 * The rollout's page, its current details (from the worker, a query): the line, a row
 * per wave readable as drawn (each value apart from the next, under its column's name;
 * a markdown table's cells ran together once, `canarydone`), the canary's gate result
 * and the failed cluster. The page must be open at `rolloutPageUrl`.
 */
export async function expectCurrentDetails(page: Page, rollout: UiRollout): Promise<void> {
  const current = page.frameLocator('#user-metadata-current-details');
  await current.getByText('100% ended (3 of 3 clusters)', { exact: false }).waitFor();
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
      expect({
        value: value.text,
        under: column.text,
        overlaps: value.right > column.left && value.left < column.right,
      }).toEqual({ value: value.text, under: column.text, overlaps: true });
    });
  }
  // The canary's gate: its verdict, value and bound on a line of its own.
  await current.getByText('Wave gates:').waitFor();
  const gate = await current.getByText('gate canary-fleet passed', { exact: false }).textContent();
  // (The UI's markdown turns straight quotes into typographic ones.)
  expect(gate).toMatch(
    /^wave canary: gate canary-fleet passed: status 200, status = [“"]ok[”"] \(bound status 200, status = [“"]ok[”"]\) at \S+ after 1 observation$/,
  );
  await current.getByText(`${rollout.failedCluster.name} FAILED`, { exact: false }).waitFor();
}
