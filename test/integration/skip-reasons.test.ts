/**
 * Every skipped cluster has a reason (issue 18, point 4): `skipped 4` was one number for
 * clusters at the target already, clusters no wave matched and clusters an operator
 * skipped. The report, `status`, `watch`, the UI's current details and `rollout.finished`
 * now say how many of each (and the excluded beside them), and a line per operator's skip
 * with who and why.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderProgress } from '../../src/cli/progress-view.js';
import { progressLine } from '../../src/cli/rollouts.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { progressQuery, resumeUpdate, skipClusterUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

const fleet = (...args: string[]) =>
  fleetWith({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') }, ...args);

describe('skipped clusters, each with its reason', () => {
  let receiver: RunningSimulator;
  let h: Harness;
  let organisation: string;
  let clusters: SimCluster[];

  beforeAll(async () => {
    receiver = await startSimulator({ generate: { seed: 179, avisi: { clusters: 1 }, aether: { clusters: 1 } } });
    const env = { FLEET_NOTIFY_OPS_URL: `${receiver.url}/_sim/notify/ops` };
    h = await startHarness(
      {
        generate: { seed: 1819, avisi: { clusters: 1 }, aether: { clusters: 6 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'skip-reasons',
      { env },
    );
    organisation = h.sim.organisations.aether[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('counts and names at-target, unmatched, excluded and operator skips apart', async () => {
    const [a, b, c, skippedOne, unmatched, excluded] = clusters;
    // Two clusters at the target first.
    const first = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      clusters: [a!.id, b!.id],
    });
    expect((await first.result()).counts.SUCCEEDED).toBe(2);

    const handle = await h.startPaused({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      waves: [{ name: 'named', match: { name: [a!.name, b!.name, c!.name, skippedOne!.name] } }],
      unmatched: 'skip',
      exclude: [excluded!.id],
      notify: [{ channel: 'ops' }],
    });
    await eventually(async () => ((await handle.query(progressQuery)).resolvedVersion ? true : undefined), {
      timeoutMs: 60_000,
      what: 'planning done',
    });
    await handle.executeUpdate(skipClusterUpdate, {
      args: [{ clusterId: skippedOne!.name, by: 'alice', reason: 'INC-42 customer freeze' }],
    });
    await handle.executeUpdate(resumeUpdate, { args: [{}] });
    const report = await handle.result();

    expect(report.counts).toMatchObject({ SUCCEEDED: 1, SKIPPED: 4 });
    expect(report.skipped).toEqual({ atTarget: 2, unmatched: 1, byOperator: 1, excluded: 1 });
    expect(report.unmatched?.clusters.map((x) => x.id)).toEqual([unmatched!.id]);
    const line = report.clusters.find((x) => x.clusterId === skippedOne!.id);
    expect(line).toMatchObject({
      outcome: 'SKIPPED',
      skippedBy: { by: 'alice', reason: 'INC-42 customer freeze' },
      message: 'skipped by alice: INC-42 customer freeze',
    });

    // fleet rollout status (a finished rollout: its report).
    const status = await fleet('rollout', 'status', handle.workflowId);
    expect(status.stdout).toContain('\n  skipped 4: 2 at the target, 1 matched no wave, 1 by an operator\n');
    expect(status.stdout).toContain(
      `- ${skippedOne!.name} (${skippedOne!.id}): SKIPPED: skipped by alice: INC-42 customer freeze`,
    );

    // watch and the status line of a running rollout draw the progress: it carries the breakdown.
    const progress = await handle.query(progressQuery);
    expect(progress.skipped).toEqual(report.skipped);
    expect(renderProgress(progress)).toContain('  skipped: 2 at the target, 1 matched no wave, 1 by an operator');
    expect(progressLine(progress)).toContain(
      'skipped 4 failed 0 missed 0 superseded 0 (skipped: 2 at the target, 1 matched no wave, 1 by an operator)',
    );

    // The UI's current details.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('skipped 4: 2 at the target, 1 matched no wave, 1 by an operator');
    expect(metadata.currentDetails).toMatch(
      new RegExp(`- ${skippedOne!.name} \\(${skippedOne!.id}\\) by alice: INC-42 customer freeze`),
    );

    // rollout.finished.
    const finished = await eventually(
      async () => {
        const all = (
          (await (await fetch(`${receiver.url}/_sim/notifications`)).json()) as { notifications: NotifyDelivery[] }
        ).notifications;
        return all
          .map((d) => d.body as Record<string, unknown>)
          .find((body) => body.type === 'rollout.finished' && body.rolloutId === handle.workflowId);
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'rollout.finished' },
    );
    expect(finished).toMatchObject({
      summary: 'SUCCEEDED: 1 succeeded, 4 skipped of 5 (skipped: 2 at the target, 1 matched no wave, 1 by an operator)',
      skipped: { atTarget: 2, unmatched: 1, byOperator: 1, excluded: 1 },
      skippedByOperator: [
        { clusterId: skippedOne!.id, name: skippedOne!.name, by: 'alice', reason: 'INC-42 customer freeze' },
      ],
    });
  });
});
