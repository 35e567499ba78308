/**
 * The operator's loop from the terminal, against the real dev server: plan a rollout,
 * watch one to its end (the exit code says how it ended), list rollouts, and run them on
 * a Temporal Schedule (create, list, describe, pause, unpause, trigger, delete).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RolloutListing } from '../../src/cli/commands/rollout-list.js';
import type { RolloutReport } from '../../src/domain/report.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const temporalEnv = () => ({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
});
const fleet = (...args: string[]) => fleetWith(temporalEnv(), ...args);
/** Visibility is eventually consistent: wait for what a list shows. */
const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

describe('fleet rollout plan | watch | list', () => {
  let h: Harness;
  let organisation: string;
  let clusters: SimCluster[];
  let gatedSpec: string;
  beforeAll(async () => {
    // One wave behind an approval gate nobody gives: a rollout (of a cluster not at the target) that waits until stopped.
    gatedSpec = join(await mkdtemp(join(tmpdir(), 'fleet-cli-')), 'gated.yaml');
    await writeFile(gatedSpec, 'waves:\n  - name: gated\n    approval: true\n');
    h = await startHarness(
      {
        generate: { seed: 75, avisi: { clusters: 1 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'cli-operate',
    );
    organisation = h.sim.organisations.aether[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(() => h?.close());

  it('plans without changing anything', async () => {
    const planned = await fleet(
      'rollout',
      'plan',
      '--platform',
      'aether',
      '--organisation',
      organisation,
      '--target',
      '1.31',
      '--task-queue',
      h.taskQueue,
      '--id',
      `plan-${h.taskQueue}`,
    );
    expect(planned.code).toBe(EXIT.OK);
    expect(planned.stdout).toMatch(
      /^plan plan-test-.*: aether\/.* -> 1\.31 \(1\.31(\.\d+)?\)\n {2}4 clusters; path 1\.31(\.\d+)?\n {2}waves: canary \(1, 1 at once\), rest \(3, 3 at once\)\n {2}forecast, if started now: ends \S+ \(30m a cluster, assumed \(expectedClusterDuration\)\)\n\nWAVE +CLUSTER +ID +NOW +PLAN\n/,
    );
    for (const cluster of clusters)
      expect(planned.stdout).toMatch(
        new RegExp(`(canary|rest) +${cluster.name} +${cluster.id} +1\\.30\\.\\d+ +would upgrade via 1\\.31`),
      );
    // The spec as it is, under the table: a dry run says it changes nothing.
    expect(planned.stdout).toMatch(/\n\nspec:\n {2}target: aether\/\S+ → 1\.31 \(dry run: nothing is changed\)\n/);
    const mutating = (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests')).requests.filter(
      (r) => r.platform === 'aether',
    );
    expect(mutating).toEqual([]);
  });

  it('watches a rollout to its end and exits with the code of how it ended', async () => {
    const failing = clusters[1]!;
    await h.control(`/_sim/clusters/${failing.id}/outcomes`, { outcomes: ['FAILED'] });
    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      retry: { maxAttempts: 0 },
      clusters: clusters.map((c) => c.id),
    });

    const watched = await fleet('rollout', 'watch', handle.workflowId, '--interval', '0.2');
    expect(watched.code).toBe(EXIT.PARTIAL);
    expect(watched.stdout).toMatch(new RegExp(`^${handle.workflowId} -> 1\\.31(\\.\\d+)? `, 'm'));
    expect(watched.stdout).toMatch(/^[ >] canary +\S+ +\[[#.]{20}\] +\d\/1 /m);
    expect(watched.stdout).toMatch(new RegExp(`^rollout ${handle.workflowId}: PARTIAL\\n`, 'm'));
    expect(watched.stdout).toMatch(new RegExp(`- ${failing.name} \\(${failing.id}\\): FAILED`));

    // Attaching after the end: the ending at once, as JSON lines.
    const json = await fleet('rollout', 'watch', handle.workflowId, '--json');
    expect(json.code).toBe(EXIT.PARTIAL);
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { report: RolloutReport };
    expect(last.report).toMatchObject({
      rolloutId: handle.workflowId,
      status: 'PARTIAL',
      counts: { SUCCEEDED: 3, FAILED: 1 },
    });

    const listed = await eventually(async () => {
      const result = await fleet('rollout', 'list', '--platform', 'aether', '--organisation', organisation, '--json');
      const rows = JSON.parse(result.stdout) as RolloutListing[];
      const row = rows.find((r) => r.rolloutId === handle.workflowId);
      expect(row?.status).toBe('COMPLETED');
      return row!;
    });
    expect(listed).toMatchObject({ platform: 'aether', organisation, targetVersion: '1.31' });
    const table = await fleet('rollout', 'list', '--platform', 'aether', '--organisation', organisation);
    expect(table.stdout).toMatch(
      new RegExp(
        `^ROLLOUT +STATUS +PHASE +DONE +FAILED +PLATFORM/ORG +TARGET +STARTED \\(UTC\\)\\n(.*\\n)*${handle.workflowId} +COMPLETED `,
        'm',
      ),
    );
  });

  it('says so when the rollout workflow was terminated, or does not exist', async () => {
    const handle = await h.startPaused({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      clusters: [clusters[0]!.id],
    });
    await handle.terminate('test: an operator pulled the plug');
    const watched = await fleet('rollout', 'watch', handle.workflowId);
    expect(watched.code).toBe(EXIT.ROLLOUT_FAILED);
    expect(
      watched.stdout.endsWith(`\nrollout ${handle.workflowId}: TERMINATED: test: an operator pulled the plug\n`),
    ).toBe(true);
    // `start --wait` says the same when the workflow it follows is terminated.
    const id = `gated-${h.taskQueue}`;
    const waiting = fleet(
      'rollout',
      'start',
      '--platform',
      'aether',
      '--organisation',
      organisation,
      '--target',
      '1.31',
      '--clusters',
      clusters[1]!.id,
      '--task-queue',
      h.taskQueue,
      '--id',
      id,
      '--wait',
      '--file',
      gatedSpec,
    );
    await vi.waitFor(() => h.client.workflow.getHandle(id).describe(), { timeout: 30_000, interval: 200 });
    await h.client.workflow.getHandle(id).terminate('test: pulled while waiting at its gate');
    expect(await waiting).toMatchObject({
      code: EXIT.ROLLOUT_FAILED,
      stdout: `rollout ${id}: TERMINATED: test: pulled while waiting at its gate\n`,
    });

    const missing = await fleet('rollout', 'watch', 'no-such-rollout');
    expect(missing).toMatchObject({
      code: EXIT.ERROR,
      stderr: `fleet: no rollout with id no-such-rollout in namespace ${inject('temporalNamespace')}\n`,
    });
  });
});

describe('fleet schedule', () => {
  let h: Harness;
  let scheduleId: string;
  beforeAll(async () => {
    h = await startHarness({
      generate: { seed: 76, avisi: { clusters: 1 }, aether: { clusters: 3 }, minors: ['1.30'] },
      timeScale: 86_400,
      rateLimitPerMinute: { aether: 0 },
    });
    scheduleId = `weekly-${h.taskQueue}`;
  });
  afterAll(async () => {
    await fleet('schedule', 'delete', scheduleId);
    await h?.close();
  });

  it('creates, shows, pauses, triggers and deletes a rollout schedule', async () => {
    const organisation = h.sim.organisations.aether[0]!;
    const spec = [
      '--platform',
      'aether',
      '--organisation',
      organisation,
      '--target',
      '1.31',
      '--poll-interval',
      '200ms',
      '--task-queue',
      h.taskQueue,
    ];
    const created = await fleet(
      'schedule',
      'create',
      scheduleId,
      ...spec,
      '--cron',
      '0 2 * * 6',
      '--timezone',
      'Europe/Amsterdam',
      '--catchup-window',
      '2h',
      '--paused',
      '--note',
      'until the canary review',
      '--json',
    );
    expect(created.code).toBe(EXIT.OK);
    expect(JSON.parse(created.stdout)).toMatchObject({
      scheduleId,
      paused: true,
      nextActionTimes: [expect.any(String), expect.any(String), expect.any(String)],
    });
    // Saturdays at 02:00 Amsterdam time: 01:00 or 00:00 UTC.
    for (const at of JSON.parse(created.stdout).nextActionTimes as string[])
      expect(new Date(at).getUTCDay() === 6 && [0, 1].includes(new Date(at).getUTCHours())).toBe(true);

    expect(await fleet('schedule', 'create', scheduleId, ...spec, '--cron', '0 2 * * 6')).toMatchObject({
      code: EXIT.ERROR,
      stderr: `fleet: schedule ${scheduleId} exists already; delete it first or choose another id\n`,
    });

    const described = JSON.parse((await fleet('schedule', 'describe', scheduleId, '--json')).stdout);
    expect(described).toMatchObject({
      scheduleId,
      policies: { overlap: 'SKIP', catchupWindow: 7_200_000, pauseOnFailure: false },
      state: { paused: true, note: 'until the canary review' },
      action: {
        workflowType: 'fleetRollout',
        workflowId: scheduleId,
        taskQueue: h.taskQueue,
        spec: { platform: 'aether', organisation, targetVersion: '1.31' },
      },
    });
    const text = await fleet('schedule', 'describe', scheduleId);
    expect(text.stdout).toMatch(
      new RegExp(`^schedule ${scheduleId}: PAUSED \\(until the canary review\\)\\n {2}when: +.*(Europe/Amsterdam)`),
    );

    await eventually(async () => {
      const list = JSON.parse((await fleet('schedule', 'list', '--json')).stdout) as {
        scheduleId: string;
        paused: boolean;
      }[];
      expect(list.find((s) => s.scheduleId === scheduleId)).toMatchObject({ paused: true });
    });

    expect(await fleet('schedule', 'unpause', scheduleId)).toMatchObject({
      code: EXIT.OK,
      stdout: `unpaused schedule ${scheduleId}\n`,
    });
    expect(await fleet('schedule', 'trigger', scheduleId)).toMatchObject({ code: EXIT.OK });
    const rolloutId = await eventually(async () => {
      const d = JSON.parse((await fleet('schedule', 'describe', scheduleId, '--json')).stdout) as {
        recentRollouts: { rolloutId: string }[];
      };
      expect(d.recentRollouts).toHaveLength(1);
      return d.recentRollouts[0]!.rolloutId;
    });
    expect(rolloutId.startsWith(`${scheduleId}-`)).toBe(true);
    const watched = await fleet('rollout', 'watch', rolloutId, '--json');
    expect(watched.code).toBe(EXIT.OK);
    expect(JSON.parse(watched.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      report: { status: 'SUCCEEDED', counts: { SUCCEEDED: 3 } },
    });
    await eventually(async () => {
      const rows = JSON.parse(
        (await fleet('rollout', 'list', '--query', `TemporalScheduledById = "${scheduleId}"`, '--json')).stdout,
      ) as RolloutListing[];
      expect(rows.map((r) => r.rolloutId)).toEqual([rolloutId]);
    });

    expect(await fleet('schedule', 'pause', scheduleId, '--note', 'change freeze')).toMatchObject({ code: EXIT.OK });
    expect(JSON.parse((await fleet('schedule', 'describe', scheduleId, '--json')).stdout)).toMatchObject({
      state: { paused: true, note: 'change freeze' },
    });
    expect(await fleet('schedule', 'delete', scheduleId)).toMatchObject({
      code: EXIT.OK,
      stdout: `deleted schedule ${scheduleId}\n`,
    });
    expect(await fleet('schedule', 'describe', scheduleId)).toMatchObject({
      code: EXIT.ERROR,
      stderr: `fleet: no schedule ${scheduleId} in namespace ${inject('temporalNamespace')}\n`,
    });
  });
});
