/**
 * What operators do, told and undone (issue 18, point 6), on a real dev server against
 * the simulator: operators' own actions reach a channel that names them (`operator.*`)
 * with who and why, and not one that lists no events; an HTTP gate's failure names the
 * clusters the fleet health API named; a gate that paused the rollout runs again with
 * `fleet rollout recheck-gate`, `resume` is refused while it has not passed, and
 * `resume --skip-gate` goes on without it, in the action log.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import {
  approveUpdate,
  freezeUpdate,
  progressQuery,
  resumeUpdate,
  skipClusterUpdate,
  unfreezeUpdate,
} from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster } from './harness.js';

const SECRET = 'whsec_operator_events_0123456789';
const QUICK = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
  maxParallel: 3,
} as const;
const WAIT = { timeoutMs: 30_000, intervalMs: 200 };

interface Notice {
  readonly type: string;
  readonly rolloutId: string;
  readonly by?: string;
  readonly reason?: string;
  readonly target?: string;
}

describe('operator events and gates run again', () => {
  let h: Harness;
  let receiver: RunningSimulator;
  let organisation: string;
  let clusters: SimCluster[];
  const fleet = (...args: string[]) =>
    fleetWith(
      { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') },
      ...args,
    );

  beforeAll(async () => {
    receiver = await startSimulator({
      generate: { seed: 15, avisi: { clusters: 1 }, aether: { clusters: 1 } },
      notifySecrets: { ops: SECRET, quiet: SECRET },
    });
    const env = Object.fromEntries(
      ['ops', 'quiet'].flatMap((c) => [
        [`FLEET_NOTIFY_${c.toUpperCase()}_URL`, `${receiver.url}/_sim/notify/${c}`],
        [`FLEET_NOTIFY_${c.toUpperCase()}_SECRET`, SECRET],
      ]),
    );
    h = await startHarness(slowAetherFleet(218, 12, 1), 'operator-events', { env });
    organisation = h.sim.organisations.aether[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  /** Each test upgrades its own four clusters. */
  const fleetOf = (test: number) => clusters.slice(test * 4, test * 4 + 4);
  /** The notices of one rollout a channel took (2xx, first delivery of each), in the order they came. */
  const noticesOf = async (rolloutId: string, channel: string): Promise<Notice[]> => {
    const all = (
      (await (await fetch(`${receiver.url}/_sim/notifications`)).json()) as { notifications: NotifyDelivery[] }
    ).notifications;
    return all
      .filter((d) => d.channel === channel && d.status === 200 && !d.duplicate)
      .map((d) => d.body as Notice)
      .filter((n) => n.rolloutId === rolloutId);
  };
  const finishedOn = (rolloutId: string, channel: string) =>
    eventually(
      async () => {
        const notices = await noticesOf(rolloutId, channel);
        return notices.some((n) => n.type === 'rollout.finished') ? notices : undefined;
      },
      { ...WAIT, what: `rollout.finished on ${channel}` },
    );

  /** A canary behind an HTTP gate on the simulator's fleet health API that pauses the rollout when it fails. */
  const gated = (test: number, extra: Partial<RolloutSpec> = {}): { spec: RolloutSpec; canary: SimCluster } => {
    const [canary, ...rest] = fleetOf(test);
    const gate = {
      name: 'fleet-healthy',
      http: { url: `${h.sim.url}/_sim/fleet-health?clusters={waveClusters}`, json: { field: 'status', equals: 'ok' } },
      passFor: '1s',
      interval: '300ms',
      timeout: '2s',
      onFail: 'pause',
    };
    const waves = [{ name: 'canary', clusters: [canary!.id], gate } as never, { name: 'rest' }];
    return {
      canary: canary!,
      spec: { ...QUICK, platform: 'aether', organisation, clusters: rest.map((c) => c.id), waves, ...extra },
    };
  };
  const pausedByGate = (handle: Awaited<ReturnType<Harness['startRollout']>>) =>
    eventually(
      async () => {
        const p = await handle.query(progressQuery);
        return p.paused && p.waves[0]?.gate?.verdict === 'failed' ? p : undefined;
      },
      { ...WAIT, what: 'the pause by the gate' },
    );

  it("tells operators' actions, with who and why, to a channel that names them and not to one that lists no events", async () => {
    const ids = fleetOf(0).map((c) => c.id);
    const notify = [
      { channel: 'ops', events: ['operator.*', 'rollout.finished'] },
      { channel: 'quiet' },
    ] as RolloutSpec['notify'];
    const spec: RolloutSpec = {
      ...QUICK,
      platform: 'aether',
      organisation,
      clusters: ids,
      waves: [
        { name: 'canary', size: 1 },
        { name: 'rest', approval: true },
      ],
      notify,
    };
    const handle = await h.startPaused(spec);
    await eventually(async () => ((await handle.query(progressQuery)).waves.length > 0 ? true : undefined), {
      ...WAIT,
      what: 'the waves',
    });
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'rest', by: 'erin', reason: 'canary looks fine' }] });
    await handle.executeUpdate(skipClusterUpdate, {
      args: [{ clusterId: ids[3]!, by: 'dave', reason: 'customer freeze' }],
    });
    await handle.executeUpdate(freezeUpdate, {
      args: [{ until: new Date(Date.now() + 3_600_000).toISOString(), by: 'fay', reason: 'INC-42' }],
    });
    await handle.executeUpdate(unfreezeUpdate, { args: [{ by: 'fay', reason: 'INC-42 resolved' }] });
    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'carol', reason: 'window confirmed' }] });
    expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 3, SKIPPED: 1 } });

    const ops = await finishedOn(handle.workflowId, 'ops');
    expect(ops.map((n) => [n.type, n.by, n.reason])).toEqual([
      ['operator.paused', 'test', 'start paused'],
      ['operator.approved', 'erin', 'canary looks fine'],
      ['operator.skipped', 'dave', 'customer freeze'],
      ['operator.frozen', 'fay', 'INC-42'],
      ['operator.unfrozen', 'fay', 'INC-42 resolved'],
      ['operator.resumed', 'carol', 'window confirmed'],
      ['rollout.finished', undefined, undefined],
    ]);
    expect(ops[1]).toMatchObject({ target: 'rest' });
    const quiet = await finishedOn(handle.workflowId, 'quiet');
    expect(quiet[0]?.type).toBe('rollout.started');
    expect(quiet.filter((n) => n.type.startsWith('operator.'))).toEqual([]);
  });

  it("names the clusters an HTTP gate's body named, refuses resume while the gate has not passed, and goes on when it passes again", async () => {
    const { spec, canary } = gated(1, { notify: [{ channel: 'ops', events: ['gate.failed'] }] });
    await h.control(`/_sim/health/${canary.id}`, { healthy: false });
    const handle = await h.startRollout(spec);
    const paused = await pausedByGate(handle);
    expect(paused.waves[0]!.gate!.reason).toContain(canary.name);
    const failed = await eventually(
      async () => (await noticesOf(handle.workflowId, 'ops')).find((n) => n.type === 'gate.failed'),
      { ...WAIT, what: 'gate.failed' },
    );
    expect(failed.reason).toContain(canary.name);

    const refused = await fleet('rollout', 'resume', handle.workflowId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^fleet: resume rejected: gate fleet-healthy of wave canary failed and has not passed: .*--skip-gate/,
    );

    await h.control(`/_sim/health/${canary.id}`, { healthy: true });
    const rechecked = await fleet(
      'rollout',
      'recheck-gate',
      handle.workflowId,
      '--by',
      'gina',
      '--reason',
      'canary fixed',
    );
    expect(rechecked).toMatchObject({ code: 0, stdout: expect.stringMatching(/^recheck-gate: /) });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 4 } });
    expect(report.waves[0]!.gate).toMatchObject({ verdict: 'passed' });
    expect(report.actions.map((a) => [a.action, a.by])).toEqual([
      ['gatePaused', undefined],
      ['recheckGate', 'gina'],
      ['gatePassed', undefined],
    ]);
  });

  it('resume --skip-gate goes on without the gate, and the action log and the channel say so', async () => {
    const { spec, canary } = gated(2, {
      notify: [{ channel: 'ops', events: ['operator.resumed'] }] as RolloutSpec['notify'],
    });
    await h.control(`/_sim/health/${canary.id}`, { healthy: false });
    const handle = await h.startRollout(spec);
    await pausedByGate(handle);
    const resumed = await fleet(
      'rollout',
      'resume',
      handle.workflowId,
      '--skip-gate',
      '--by',
      'hal',
      '--reason',
      'known flaky',
    );
    expect(resumed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^resume \(gate skipped\): /) });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 4 } });
    expect(report.waves[0]!.gate).toMatchObject({ verdict: 'failed', onFail: 'pause' });
    expect(report.actions.at(-1)).toMatchObject({
      action: 'resume',
      by: 'hal',
      reason: 'known flaky',
      target: 'without gate fleet-healthy of wave canary (skipped)',
    });
    const told = await eventually(
      async () => (await noticesOf(handle.workflowId, 'ops')).find((n) => n.type === 'operator.resumed'),
      { ...WAIT, what: 'operator.resumed' },
    );
    expect(told).toMatchObject({ by: 'hal', target: 'without gate fleet-healthy of wave canary (skipped)' });
  });
});
