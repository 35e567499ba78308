/**
 * Waves that only list clusters by id (no wave selects by `match`) select too: a cluster
 * no wave lists is unmatched, as docs/spec.md says (`unmatched`). By default the plan is
 * refused before any change; with `"unmatched": "skip"` it is reported SKIPPED and never
 * asked for an upgrade, and a dry run shows it unmatched. Proven from the simulator's
 * request log and cluster versions, not from the report alone.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const QUICK = {
  targetVersion: '1.31',
  maxParallel: 4,
  pollInterval: '250ms',
  clusterDeadline: '60s',
  ignoreMaintenanceSchedule: true,
} as const;
const temporalEnv = () => ({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
});

describe('waves that only list clusters, and the clusters no wave lists', () => {
  let h: Harness;
  let fleet: SimCluster[];
  let spec: (unmatched?: 'skip') => RolloutSpec;
  let listed: SimCluster[];
  let others: SimCluster[];

  const clusters = async () => (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
  const requests = async () => (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=avisi')).requests;

  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 2741, avisi: { clusters: 8 }, aether: { clusters: 1 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'unmatched-listed',
    );
    const organisation = h.sim.organisations.avisi[0]!;
    fleet = await clusters();
    expect(fleet.every((c) => c.version.startsWith('1.30'))).toBe(true);
    listed = [fleet[1]!, fleet[4]!, fleet[6]!];
    others = fleet.filter((c) => !listed.includes(c));
    spec = (unmatched) => ({
      platform: 'avisi',
      organisation,
      ...QUICK,
      ...(unmatched ? { unmatched } : {}),
      waves: [
        { name: 'first', clusters: [listed[0]!.id] },
        { name: 'second', clusters: [listed[1]!.id, listed[2]!.id] },
      ],
    });
  });
  afterAll(() => h?.close());

  it('a dry run with "unmatched": "skip" shows them unmatched, not in a wave', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'fleet-unmatched-listed-')), 'spec.json');
    await writeFile(file, JSON.stringify(spec('skip')));
    const planned = await fleetWith(
      temporalEnv(),
      'rollout',
      'plan',
      '-f',
      file,
      '--task-queue',
      h.taskQueue,
      '--id',
      `plan-${h.taskQueue}`,
    );
    expect(planned.code, planned.stderr).toBe(EXIT.OK);
    expect(planned.stdout).toContain(
      `${fleet.length} clusters: ${listed.length} to upgrade, ${others.length} matching no wave`,
    );
    expect(planned.stdout).not.toMatch(/\brest\b/);
    const unmatchedLine = planned.stdout.split('\n').find((l) => l.trim().startsWith('unmatched:'));
    expect(unmatchedLine, planned.stdout).toBeDefined();
    for (const c of others) expect(unmatchedLine, c.name).toContain(c.name);
    // No table row (wave, name, id) for a cluster no wave lists.
    for (const c of others)
      expect(
        planned.stdout.split('\n').some((l) => l.includes(c.id)),
        c.name,
      ).toBe(false);
    expect(await requests()).toEqual([]);
  });

  it('with "unmatched": "skip" upgrades only the listed clusters and reports the others SKIPPED as unmatched', async () => {
    const report = await h.runRollout(spec('skip'));
    expect(report.waves.map((w) => w.name)).toEqual(['first', 'second']);
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: fleet.length });
    expect(report.counts).toMatchObject({ SUCCEEDED: listed.length, SKIPPED: others.length });
    expect(report.unmatched).toEqual({
      count: others.length,
      clusters: others.map((c) => ({ id: c.id, name: c.name })),
    });
    expect(report.skipped).toMatchObject({ unmatched: others.length, atTarget: 0 });

    // From the simulator: requests for the listed clusters only, and the others still run their version.
    const sent = await requests();
    expect([...new Set(sent.map((r) => r.clusterId))].sort()).toEqual(listed.map((c) => c.id).sort());
    const after = new Map((await clusters()).map((c) => [c.id, c]));
    for (const c of others) expect(after.get(c.id)!.version, c.name).toBe(c.version);
    for (const c of listed) expect(after.get(c.id)!.version, c.name).toMatch(/^1\.31\./);
  });

  it('by default refuses the plan, naming the clusters no wave lists, before any change', async () => {
    // Last: the listed clusters are at the target now, the others still on 1.30.
    const before = (await requests()).length;
    const error = await h.runRollout(spec()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.message).toContain(
      `${others.length} clusters match no wave (${others
        .slice(0, 5)
        .map((c) => c.name)
        .join(', ')}`,
    );
    expect((await requests()).length).toBe(before);
  });
});
