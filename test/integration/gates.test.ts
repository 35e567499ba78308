/**
 * Wave gates on a real dev server, against the simulator and a real Prometheus (Debian's,
 * scraping the simulator's per-cluster health metrics): a gate that passes opens the next
 * wave (a Prometheus gate over `{waveClusters}` after the canary, an HTTP gate against the
 * simulator's fleet health API after the last wave); one that fails halts the rollout
 * before the next wave asks for anything; one with `onFail: "pause"` pauses it, tells the
 * channel, and goes on when an operator resumes. Proven from the simulator's request log,
 * the workflow's history and the receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { progressQuery, resumeUpdate } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { startSimPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const SECRET = 'whsec_gates_0123456789abcdef';
const QUICK = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
  maxParallel: 3,
} as const;

describe('wave gates', () => {
  let h: Harness;
  let receiver: RunningSimulator;
  let prometheus: RunningPrometheus;
  let organisation: string;
  let clusters: SimCluster[];

  beforeAll(async () => {
    receiver = await startSimulator({
      generate: { seed: 2, avisi: { clusters: 1 }, aether: { clusters: 1 } },
      notifySecrets: { ops: SECRET },
    });
    const env = { FLEET_NOTIFY_OPS_URL: `${receiver.url}/_sim/notify/ops`, FLEET_NOTIFY_OPS_SECRET: SECRET };
    h = await startHarness(slowAetherFleet(193, 12, 1), 'gates', { env });
    organisation = h.sim.organisations.aether[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    prometheus = await startSimPrometheus(h.sim.url);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await h?.close();
    await receiver?.close();
  });

  /** Each test upgrades its own four clusters: a canary (listed) and the rest (the spec's `clusters`). */
  const fleetOf = (test: number) => {
    const [canary, ...rest] = clusters.slice(test * 4, test * 4 + 4);
    return { canary: canary!, rest };
  };
  const specFor = (test: number, gate: Record<string, unknown>, extra: Partial<RolloutSpec> = {}): RolloutSpec => {
    const { canary, rest } = fleetOf(test);
    return {
      ...QUICK,
      platform: 'aether',
      organisation,
      clusters: rest.map((c) => c.id),
      waves: [{ name: 'canary', clusters: [canary.id], gate } as never, { name: 'rest' }],
      ...extra,
    };
  };
  const canaryGate = (timeout: string, onFail?: 'pause') => ({
    name: 'canary-healthy',
    prometheus: {
      url: prometheus.url,
      query: 'min(fleet_sim_cluster_healthy{cluster_name=~"{waveClusters}"})',
      min: 1,
    },
    passFor: '1s',
    interval: '500ms',
    timeout,
    ...(onFail ? { onFail } : {}),
  });
  const putsTo = async (ids: readonly string[]) =>
    (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=aether')).requests.filter(
      (r) => r.method === 'PUT' && ids.includes(r.clusterId ?? ''),
    );
  const received = async (): Promise<NotifyDelivery[]> =>
    ((await (await fetch(`${receiver.url}/_sim/notifications`)).json()) as { notifications: NotifyDelivery[] })
      .notifications;

  it('opens the next wave when the gate passes, and shows its value, bound and time', async () => {
    const { canary, rest } = fleetOf(0);
    // A cluster outside the canary is unhealthy: {waveClusters} keeps the canary's gate to the canary.
    await h.control(`/_sim/health/${clusters[11]!.id}`, { healthy: false });
    const lastGate = {
      name: 'fleet-healthy',
      http: { url: `${h.sim.url}/_sim/fleet-health?clusters={waveClusters}`, json: { field: 'status', equals: 'ok' } },
      passFor: '0s',
      interval: '500ms',
      timeout: '10s',
    };
    const spec = specFor(0, canaryGate('10s'));
    spec.waves = [spec.waves![0]!, { name: 'rest', gate: lastGate } as never];
    const handle = await h.startRollout(spec);
    const report = await handle.result();

    expect(report.status).toBe('SUCCEEDED');
    expect(report.counts.SUCCEEDED).toBe(4);
    const [first, second] = report.waves;
    expect(first!.gate).toMatchObject({
      name: 'canary-healthy',
      verdict: 'passed',
      value: '1',
      bound: 'min 1',
      onFail: 'halt',
    });
    expect(Date.parse(first!.gate!.endedAt!) - Date.parse(first!.gate!.startedAt)).toBeGreaterThanOrEqual(1_000);
    expect(second!.gate).toMatchObject({
      name: 'fleet-healthy',
      verdict: 'passed',
      value: 'status 200, status = "ok"',
      bound: 'status 200, status = "ok"',
    });
    // The gate ran after the canary and before the rest: in the history, its activity ends before the rest's first child starts.
    const events = (await handle.fetchHistory()).events ?? [];
    const gateDone = events.findIndex(
      (e) =>
        e.activityTaskCompletedEventAttributes &&
        events.some(
          (s) =>
            s.activityTaskScheduledEventAttributes?.activityType?.name === 'runWaveGate' &&
            Number(s.eventId) === Number(e.activityTaskCompletedEventAttributes!.scheduledEventId),
        ),
    );
    const restStarts = events
      .map((e, i) => [e, i] as const)
      .filter(([e]) =>
        rest.some((c) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId?.endsWith(c.id)),
      );
    expect(gateDone).toBeGreaterThan(0);
    expect(restStarts.length).toBe(3);
    expect(restStarts.every(([, i]) => i > gateDone)).toBe(true);
    expect(await putsTo([canary.id])).toHaveLength(1);
  });

  it('halts the rollout when the gate fails: the next wave asks for nothing', async () => {
    const { canary, rest } = fleetOf(1);
    await h.control(`/_sim/health/${canary.id}`, { healthy: false });
    const report = await h.runRollout(specFor(1, canaryGate('3s')));

    expect(report.status).toBe('HALTED');
    expect(report.stopReason).toMatch(
      /^gate of wave canary failed: gate "canary-healthy" did not pass within 3s \(it must pass for 1s\): last value 0 \(below min 1\)$/,
    );
    expect(report.waves[0]!.gate).toMatchObject({
      verdict: 'failed',
      value: '0 (below min 1)',
      bound: 'min 1',
      onFail: 'halt',
    });
    // The canary upgraded (a gate cannot undo that); the rest never started, and the platform heard nothing of them.
    expect(report.clusters.find((l) => l.clusterId === canary.id)).toBeUndefined();
    expect(report.counts).toMatchObject({ SUCCEEDED: 1, NOT_STARTED: 3 });
    expect(await putsTo(rest.map((c) => c.id))).toHaveLength(0);
    expect(await putsTo([canary.id])).toHaveLength(1);
  });

  it('pauses on a failed gate with onFail "pause", tells the channel, and goes on when resumed', async () => {
    const { canary, rest } = fleetOf(2);
    await h.control(`/_sim/health/${canary.id}`, { healthy: false });
    const handle = await h.startRollout(
      specFor(2, canaryGate('2s', 'pause'), {
        notify: [{ channel: 'ops', events: ['gate.failed', 'rollout.paused'] }],
      }),
    );

    const paused = await eventually(
      async () => {
        const p = await handle.query(progressQuery);
        return p.paused && p.waves[0]?.gate?.verdict === 'failed' ? p : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the pause by the gate' },
    );
    expect(paused.waves[0]!.gate).toMatchObject({ verdict: 'failed', value: '0 (below min 1)', onFail: 'pause' });
    expect(paused.running).toEqual([]);
    // Both notices delivered, signed; nothing asked of the next wave while paused.
    const notices = await eventually(
      async () => {
        const ok = (await received()).filter((d) => d.status === 200 && !d.duplicate);
        return ok.length >= 2 ? ok : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the gate notices' },
    );
    expect(notices.map((d) => (d.body as { type: string }).type).sort()).toEqual(['gate.failed', 'rollout.paused']);
    expect(notices.every((d) => d.signature === 'valid')).toBe(true);
    expect(
      notices.find((d) => (d.body as { type: string }).type === 'gate.failed')!.body as Record<string, unknown>,
    ).toMatchObject({ gate: 'canary-healthy', wave: 'canary' });
    expect(await putsTo(rest.map((c) => c.id))).toHaveLength(0);

    // The gate has not passed: resume goes on without it only when told so (operator-events.test.ts tests the refusal).
    await handle.executeUpdate(resumeUpdate, {
      args: [{ by: 'erin', reason: 'canary checked by hand', skipGate: true }],
    });
    const report = await handle.result();
    expect(report.status).toBe('SUCCEEDED');
    expect(report.counts.SUCCEEDED).toBe(4);
    expect(report.waves[0]!.gate).toMatchObject({ verdict: 'failed', onFail: 'pause' });
    expect(report.actions.map((a) => a.action)).toEqual(['gatePaused', 'resume']);
    expect(report.actions[1]).toMatchObject({ by: 'erin' });
    expect(await putsTo(rest.map((c) => c.id))).toHaveLength(3);
  });
});
