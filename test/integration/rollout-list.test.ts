/**
 * `fleet rollout list` without noise (issue 18, point 7): dry runs are left out unless
 * asked for (`--dry-runs`), whoever started them (`fleet rollout plan`, or a raw start of
 * a spec with `dryRun: true`), and a rollout a schedule started is marked with its schedule.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { RolloutListing } from '../../src/cli/commands/rollout-list.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startHarness, type Harness } from './harness.js';

const temporalEnv = () => ({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
});
const fleet = (...args: string[]) => fleetWith(temporalEnv(), ...args);
/** Visibility is eventually consistent: wait for what a list shows. */
const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

describe('fleet rollout list', () => {
  let h: Harness;
  let organisation: string;
  let scheduleId: string;
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 177, avisi: { clusters: 1 }, aether: { clusters: 2 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'rollout-list',
    );
    organisation = h.sim.organisations.aether[0]!;
    scheduleId = `list-${h.taskQueue}`;
  });
  afterAll(async () => {
    await fleet('schedule', 'delete', scheduleId);
    await h?.close();
  });

  it('leaves dry runs out unless asked, and marks the runs a schedule started', async () => {
    const where = ['--platform', 'aether', '--organisation', organisation, '--target', '1.31'];
    const planned = await fleet(
      'rollout',
      'plan',
      ...where,
      '--task-queue',
      h.taskQueue,
      '--id',
      `plan-${h.taskQueue}`,
    );
    expect(planned.code).toBe(EXIT.OK);
    const rawDryRun = await h.startRollout({ platform: 'aether', organisation, targetVersion: '1.31', dryRun: true });
    await rawDryRun.result();
    const real = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
    });
    expect((await real.result()).status).toBe('SUCCEEDED');
    expect(
      (
        await fleet(
          'schedule',
          'create',
          scheduleId,
          ...where,
          '--poll-interval',
          '200ms',
          '--task-queue',
          h.taskQueue,
          '--cron',
          '0 2 * * 6',
        )
      ).code,
    ).toBe(EXIT.OK);
    expect((await fleet('schedule', 'trigger', scheduleId)).code).toBe(EXIT.OK);
    const scheduled = await eventually(async () => {
      const d = JSON.parse((await fleet('schedule', 'describe', scheduleId, '--json')).stdout) as {
        recentRollouts: { rolloutId: string }[];
      };
      expect(d.recentRollouts).toHaveLength(1);
      return d.recentRollouts[0]!.rolloutId;
    });
    await h.client.workflow.getHandle(scheduled).result();

    const list = async (...extra: string[]) =>
      JSON.parse(
        (await fleet('rollout', 'list', '--organisation', organisation, ...extra, '--json')).stdout,
      ) as RolloutListing[];
    // By default: the two real rollouts, newest first (visibility catches up first).
    await eventually(async () => expect((await list()).map((r) => r.rolloutId)).toEqual([scheduled, real.workflowId]));
    const rows = await list();
    const every = [scheduled, real.workflowId, rawDryRun.workflowId, `plan-${h.taskQueue}`];
    expect((await list('--dry-runs')).map((r) => r.rolloutId)).toEqual(every);
    expect(rows[0]).toMatchObject({ dryRun: false, scheduledBy: scheduleId });
    expect(rows[1]).toMatchObject({ dryRun: false });
    expect(rows[1]!.scheduledBy).toBeUndefined();
    expect((await list('--dry-runs')).filter((r) => r.dryRun).map((r) => r.rolloutId)).toEqual([
      rawDryRun.workflowId,
      `plan-${h.taskQueue}`,
    ]);
    // --limit counts the rows shown, not the dry runs skipped on the way.
    expect((await list('--limit', '2')).map((r) => r.rolloutId)).toEqual([scheduled, real.workflowId]);

    const table = (await fleet('rollout', 'list', '--organisation', organisation, '--dry-runs')).stdout;
    expect(table).toMatch(new RegExp(`^${scheduled} .* schedule ${scheduleId}$`, 'm'));
    expect(table).toMatch(new RegExp(`^plan-${h.taskQueue} .* dry run$`, 'm'));
    expect(table).toMatch(new RegExp(`^${real.workflowId} .*\\d\\d:\\d\\d *$`, 'm'));
  });
});
