/**
 * Steering a running rollout from the `fleet` CLI, against the real dev server: each
 * command prints the progress, records who and why, and a rejection is one line with
 * the workflow's reason and exit 1.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

describe('fleet rollout pause | resume | approve | abort | skip | retry | set-max-parallel', () => {
  let h: Harness;
  const fleet = (...args: string[]) =>
    fleetWith(
      { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') },
      ...args,
    );
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 61, avisi: { clusters: 1 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'cli-steering',
    );
  });
  afterAll(() => h?.close());

  it('steers a rollout and reports rejections in one line', async () => {
    const ids = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters.map(
      (c) => c.id,
    );
    const handle = await h.startPaused({
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      clusters: ids,
      pollInterval: '200ms',
      waves: [
        { name: 'canary', size: 1 },
        { name: 'rest', approval: true },
      ],
    });
    const id = handle.workflowId;

    const wrongWave = await fleet('rollout', 'approve', id, 'nope');
    expect(wrongWave).toMatchObject({ code: 1, stdout: '' });
    expect(wrongWave.stderr).toBe('fleet: approve nope rejected: no wave "nope"; waves: canary, rest\n');
    expect(
      await fleet('rollout', 'approve', id, 'rest', '--by', 'erin', '--reason', 'canary looks fine'),
    ).toMatchObject({ code: 0, stdout: expect.stringMatching(/^approve rest: /) });

    const twice = await fleet('rollout', 'pause', id);
    expect(twice).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'fleet: pause rejected: the rollout is already paused\n',
    });
    expect(await fleet('rollout', 'abort', id)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/abort needs --reason/),
    });
    expect(await fleet('rollout', 'set-max-parallel', id, 'many')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/a whole number from 1 to 1000, got "many"/),
    });

    const last = ids.at(-1)!;
    expect(await fleet('rollout', 'skip', id, last, '--by', 'dave', '--reason', 'customer freeze')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`^skip ${last}: `)),
    });
    expect(await fleet('rollout', 'retry', id, last)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        new RegExp(
          `^fleet: retry ${last} rejected: only a cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED can be retried`,
        ),
      ),
    });

    const resumed = await fleet('rollout', 'resume', id, '--by', 'carol', '--reason', 'window confirmed', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ rolloutId: id, paused: false });

    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 3, SKIPPED: 1 } });
    expect(report.actions.map((a) => [a.action, a.by, a.reason])).toEqual([
      ['pause', 'test', 'start paused'],
      ['approve', 'erin', 'canary looks fine'],
      ['skipCluster', 'dave', 'customer freeze'],
      ['resume', 'carol', 'window confirmed'],
    ]);
    expect(await fleet('rollout', 'pause', id)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^fleet: (pause rejected: the rollout has finished|no running rollout)/),
    });
  });
});
