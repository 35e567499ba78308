/**
 * docs/ui.md's filters, every row run against real rollouts (issue
 * 18, point 5): one cluster fails, is retried and succeeds; another fails for good. A
 * child run keeps the phase it ended with, so `FleetPhase="failed"` finds failed runs
 * (attempts), the retried cluster's first run among them: the docs must not call that
 * "the clusters that failed". What failed for good is the rollout's (FleetFailedClusters,
 * the report's lines), and the docs' rows must say so, each one true here.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { approveUpdate, progressQuery, retryClusterUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
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
  return vi.waitFor(async () => {
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const info of client.workflow.list({ query })) runs.push({ workflowId: info.workflowId, runId: info.runId });
    expect(runs).toHaveLength(count);
    return runs;
  }, { timeout: 30_000, interval: 250 });
}

describe("docs/ui.md's filters, each run against real rollouts", () => {
  let h: Harness;
  let clusters: SimCluster[];
  beforeAll(async () => {
    h = await startHarness({ generate: { seed: 1823, avisi: { clusters: 1 }, aether: { clusters: 5 }, minors: ['1.30'] }, timeScale: 86_400, rateLimitPerMinute: { aether: 0 } }, 'doc-filters');
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(() => h?.close());

  it('a cluster retried to success is a failed attempt, not a cluster that failed', async () => {
    const [retried, failing, rest, halting, spare] = clusters;
    const organisation = h.sim.organisations.aether[0]!;
    await h.control(`/_sim/clusters/${retried!.id}/outcomes`, { outcomes: ['FAILED'] });
    await h.control(`/_sim/clusters/${failing!.id}/outcomes`, { outcomes: ['FAILED', 'FAILED'] });
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      retry: { maxAttempts: 0 },
      clusters: [retried!.id, failing!.id, rest!.id],
      waves: [{ name: 'first', match: { name: [retried!.name, failing!.name] } }, { name: 'second', approval: true }],
    });
    await eventually(async () => ((await handle.query(progressQuery)).phase === 'awaiting-approval' ? true : undefined), { timeoutMs: 60_000, what: 'the second wave waiting' });
    await handle.executeUpdate(retryClusterUpdate, { args: [{ clusterId: retried!.id, by: 'test' }] });
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'second', by: 'test' }] });
    const report = await handle.result();
    expect(report.status).toBe('PARTIAL');
    expect(report.clusters.map((c) => [c.clusterId, c.outcome])).toEqual([[failing!.id, 'FAILED']]);

    // A row that promises clusters "that failed" lists only the one that failed for good (on main: both).
    const doc = readFileSync(new URL('../../docs/ui.md', import.meta.url), 'utf8');
    const promising = doc.split('\n').filter((l) => /^\| [^|]*clusters[^|]*that failed(?! for good)[^|]*\|/.test(l) && l.includes('clusterUpgrade'));
    for (const line of promising) {
      const query = /\| `([^`]+)` \|$/.exec(line)![1]!.replaceAll('"acme-1.31"', `"${handle.workflowId}"`);
      const runs = await listed(h.client, query, 2).catch(() => []);
      expect(runs.map((r) => r.workflowId), line).toEqual([`fleet-cluster/aether/${failing!.id}`]);
    }

    // Failed attempts: both clusters' first runs, the retried one's included.
    const attempts = await listed(h.client, filterOf("the failed attempts of one rollout's clusters (a retried cluster's too)", handle.workflowId), 2);
    expect(attempts.map((r) => r.workflowId).sort()).toEqual([`fleet-cluster/aether/${retried!.id}`, `fleet-cluster/aether/${failing!.id}`].sort());
    // The retried cluster's later run succeeded.
    await listed(h.client, `FleetRolloutId="${handle.workflowId}" AND FleetClusterId="${retried!.id}" AND FleetPhase="succeeded"`, 1);
    // Failed for good: the rollout counts one, and its report names it (fleet rollout status).
    await listed(h.client, filterOf('rollouts with clusters that failed for good, and how many (their names: `fleet rollout status <id>`)', handle.workflowId), 1);

    // Every other row, on rollouts that are what the rows look for: halted, paused, waiting for an approval.
    await h.control(`/_sim/clusters/${halting!.id}/outcomes`, { outcomes: ['FAILED'] });
    const halted = await h.startRollout({ platform: 'aether', organisation, targetVersion: '1.31', pollInterval: '200ms', retry: { maxAttempts: 0 }, clusters: [halting!.id], failureBudget: { maxFailed: 0 } });
    expect((await halted.result()).status).toBe('HALTED');
    const paused = await h.startPaused({ platform: 'aether', organisation, targetVersion: '1.31', clusters: [spare!.id] });
    const gated = await h.startRollout({ platform: 'aether', organisation, targetVersion: '1.31', clusters: [failing!.id], waves: [{ name: 'gated', approval: true }] });
    await eventually(async () => ((await gated.query(progressQuery)).phase === 'awaiting-approval' ? true : undefined), { timeoutMs: 60_000, what: 'the gate' });
    const ids = { partial: handle.workflowId, halted: halted.workflowId, paused: paused.workflowId, gated: gated.workflowId };
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
      'every upgrade of one cluster, in any rollout': [`fleet-cluster/aether/${retried!.id}`, `fleet-cluster/aether/${retried!.id}`],
    };
    // Each row's filters (a cell may hold several), scoped to this file's rollouts and their children.
    const scope = `FleetRolloutId IN (${rollouts.map((id) => `"${id}"`).join(', ')})`;
    const table = doc.split('\n').filter((l) => l.startsWith('| ') && l.includes(' | `'));
    const rows = table.filter((l) => !l.startsWith('| `') && /^\| [^|]+ \| `.*`? \|$/.test(l) && /Fleet|ExecutionStatus|Temporal/.test(l));
    for (const [row, want] of Object.entries(expected)) {
      const line = rows.find((l) => l.startsWith(`| ${row} |`));
      expect(line, `docs/ui.md has the row "${row}"`).toBeDefined();
      const filters = [...line!.split(' | ')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!
        .replaceAll('"acme"', `"${organisation}"`)
        .replaceAll('"9f0c…"', `"${retried!.id}"`));
      const found = await vi.waitFor(async () => {
        const all: string[] = [];
        for (const filter of filters) for await (const info of h.client.workflow.list({ query: `(${filter}) AND ${scope}` })) all.push(info.workflowId);
        expect(all.sort(), `${row}: ${filters.join(' ; ')}`).toEqual([...want].sort());
        return all;
      }, { timeout: 30_000, interval: 500 }).catch((error: unknown) => error);
      expect(found instanceof Error ? found.message : 'ok', row).toBe('ok');
    }
    // The schedule's row is run by cli-operate.test and rollout-list.test (they start a schedule).
    expect(rows.some((l) => l.includes('TemporalScheduledById'))).toBe(true);
    await paused.terminate('test over');
    await gated.terminate('test over');
  });
});
