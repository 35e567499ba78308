/**
 * docs/ui.md's filters, every row run against real rollouts (issue
 * 18, point 5): one cluster fails, is retried and succeeds; another fails for good. A
 * lean child whose cluster failed stays open, holding the cluster, until its rollout
 * retries it (the same run upgrades again, its phase moves on) or ends (it closes as it
 * is): so `FleetPhase="failed"` lists exactly the clusters that failed for good, while
 * the rollout runs and after it ended.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { approveUpdate, progressQuery, retryClusterUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { progressUntil } from './waits.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

/** The filter of the docs/ui.md row whose first cell is `row`, with the example rollout id replaced. */
function filterOf(row: string, rolloutId: string): string {
  const doc = readFileSync(new URL('../../docs/ui.md', import.meta.url), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith(`| ${row} |`));
  expect(line, `docs/ui.md has a row "${row}"`).toBeDefined();
  const filter = /\| `([^`]+)` \|$/.exec(line!)?.[1];
  expect(filter, `the row "${row}" ends with a filter`).toBeDefined();
  return filter!.replaceAll('"acme-1.31"', `"${rolloutId}"`);
}

/** The runs a filter lists, once visibility has caught up to `count` of them. */
async function listed(client: Client, query: string, count: number): Promise<{ workflowId: string; runId: string }[]> {
  return vi.waitFor(
    async () => {
      const runs: { workflowId: string; runId: string }[] = [];
      for await (const info of client.workflow.list({ query }))
        runs.push({ workflowId: info.workflowId, runId: info.runId });
      expect(runs).toHaveLength(count);
      return runs;
    },
    { timeout: 30_000, interval: 250 },
  );
}

/** The workflow ids a filter lists, once they are exactly `want` (visibility lags); the last list seen if they never are. */
async function listedExactly(client: Client, query: string, want: readonly string[]): Promise<string[]> {
  let seen: string[] = [];
  await vi
    .waitFor(
      async () => {
        seen = [];
        for await (const info of client.workflow.list({ query })) seen.push(info.workflowId);
        expect(seen.sort()).toEqual([...want].sort());
      },
      { timeout: 30_000, interval: 250 },
    )
    .catch(() => undefined);
  return seen;
}

describe("docs/ui.md's filters, each run against real rollouts", () => {
  let h: Harness;
  let clusters: SimCluster[];
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 1823, avisi: { clusters: 1 }, aether: { clusters: 6 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'doc-filters',
    );
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(() => h?.close());

  it('lists the clusters that failed for good, not one retried to success, before and after the rollout ends', async () => {
    const [retried, failing, rest, later] = clusters;
    const organisation = h.sim.organisations.aether[0]!;
    await h.control(`/_sim/clusters/${retried!.id}/outcomes`, { outcomes: ['FAILED'] });
    await h.control(`/_sim/clusters/${failing!.id}/outcomes`, { outcomes: ['FAILED', 'FAILED'] });
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      retry: { maxAttempts: 0 },
      clusters: [retried!.id, failing!.id, rest!.id, later!.id],
      waves: [
        { name: 'first', match: { name: [retried!.name, failing!.name] } },
        { name: 'second', approval: true, match: { name: [rest!.name] } },
        { name: 'third', approval: true, match: { name: [later!.name] } },
      ],
    });
    const failedRow = filterOf(
      'the clusters of one rollout that failed (a cluster retried to success is not one)',
      handle.workflowId,
    );
    const child = (c: SimCluster) => `fleet-cluster/aether/${c.id}`;
    await progressUntil(
      handle,
      (p) => p.phase === 'awaiting-approval' && p.counts.FAILED === 2,
      'the first wave failed twice',
    );
    await handle.executeUpdate(retryClusterUpdate, { args: [{ clusterId: retried!.id, by: 'test' }] });
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'second', by: 'test' }] });
    await progressUntil(
      handle,
      (p) => p.phase === 'awaiting-approval' && p.counts.SUCCEEDED === 2,
      'the retried cluster and the second wave succeeded',
    );

    // While the rollout runs: the cluster that failed, and only it.
    expect(await listedExactly(h.client, failedRow, [child(failing!)]), 'before the rollout ends').toEqual([
      child(failing!),
    ]);
    await listedExactly(
      h.client,
      `FleetRolloutId="${handle.workflowId}" AND FleetClusterId="${retried!.id}" AND FleetPhase="succeeded"`,
      [child(retried!)],
    );

    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'third', by: 'test' }] });
    const report = await handle.result();
    expect(report.status).toBe('PARTIAL');
    expect(report.clusters.map((c) => [c.clusterId, c.outcome])).toEqual([[failing!.id, 'FAILED']]);
    // Once it ended: the same, the cluster's child closed with its phase.
    expect(await listedExactly(h.client, failedRow, [child(failing!)]), 'after the rollout ended').toEqual([
      child(failing!),
    ]);
    await listedExactly(
      h.client,
      `FleetClusterId="${failing!.id}" AND ExecutionStatus="Completed" AND FleetPhase="failed"`,
      [child(failing!)],
    );
    // Failed for good: the rollout counts one, and its report names it (fleet rollout status).
    await listed(
      h.client,
      filterOf(
        'rollouts with clusters that failed for good, and how many (their names: `fleet rollout status <id>`)',
        handle.workflowId,
      ),
      1,
    );

    // Every other row, on rollouts that are what the rows look for: halted, paused, waiting for an approval.
    const [, , , , halting, spare] = clusters;
    await h.control(`/_sim/clusters/${halting!.id}/outcomes`, { outcomes: ['FAILED'] });
    const halted = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      retry: { maxAttempts: 0 },
      clusters: [halting!.id],
      failureBudget: { maxFailed: 0 },
    });
    expect((await halted.result()).status).toBe('HALTED');
    const paused = await h.startPaused({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      clusters: [spare!.id],
    });
    const gated = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      clusters: [failing!.id],
      waves: [{ name: 'gated', approval: true }],
    });
    await eventually(
      async () => ((await gated.query(progressQuery)).phase === 'awaiting-approval' ? true : undefined),
      { timeoutMs: 60_000, what: 'the gate' },
    );
    const ids = {
      partial: handle.workflowId,
      halted: halted.workflowId,
      paused: paused.workflowId,
      gated: gated.workflowId,
    };
    const rollouts = Object.values(ids);
    const expected: Record<string, readonly string[]> = {
      'rollouts running now': [ids.paused, ids.gated],
      'halted rollouts': [ids.halted],
      'rollouts waiting for an approval, or paused': [ids.gated, ids.paused],
      'rollouts to 1.31 with clusters in trouble': [ids.partial, ids.halted],
      'rollouts to 1.31 that are halted': [ids.halted],
      'running rollouts nearly through': [],
      "one organisation's rollouts": rollouts,
      'every rollout that touches Aether, alone or beside other platforms': rollouts,
      // One run: its retry was the same run upgrading again.
      'every upgrade of one cluster, in any rollout': [`fleet-cluster/aether/${retried!.id}`],
    };
    const doc = readFileSync(new URL('../../docs/ui.md', import.meta.url), 'utf8');
    // Each row's filters (a cell may hold several), scoped to this file's rollouts and their children.
    const scope = `FleetRolloutId IN (${rollouts.map((id) => `"${id}"`).join(', ')})`;
    const table = doc.split('\n').filter((l) => l.startsWith('| ') && l.includes(' | `'));
    const rows = table.filter(
      (l) => !l.startsWith('| `') && /^\| [^|]+ \| `.*`? \|$/.test(l) && /Fleet|ExecutionStatus|Temporal/.test(l),
    );
    for (const [row, want] of Object.entries(expected)) {
      const line = rows.find((l) => l.startsWith(`| ${row} |`));
      expect(line, `docs/ui.md has the row "${row}"`).toBeDefined();
      const filters = [...line!.split(' | ')[1]!.matchAll(/`([^`]+)`/g)].map((m) =>
        m[1]!.replaceAll('"acme"', `"${organisation}"`).replaceAll('"9f0c…"', `"${retried!.id}"`),
      );
      const found = await vi
        .waitFor(
          async () => {
            const all: string[] = [];
            for (const filter of filters)
              for await (const info of h.client.workflow.list({ query: `(${filter}) AND ${scope}` }))
                all.push(info.workflowId);
            expect(all.sort(), `${row}: ${filters.join(' ; ')}`).toEqual([...want].sort());
            return all;
          },
          { timeout: 30_000, interval: 500 },
        )
        .catch((error: unknown) => error);
      expect(found instanceof Error ? found.message : 'ok', row).toBe('ok');
    }
    // The schedule's row is run by cli-operate.test and rollout-list.test (they start a schedule).
    expect(rows.some((l) => l.includes('TemporalScheduledById'))).toBe(true);
    await paused.terminate('test over');
    await gated.terminate('test over');
  });
});
