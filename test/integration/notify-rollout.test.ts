/**
 * A rollout's notifications on a real dev server, proven from the receiver (a simulator
 * of its own, its `/_sim/notify` routes): started, approval needed (with the commands to
 * give it), cluster failed, wave done, finished, each delivered once and signed, while
 * the receiver is down for the first seconds (retried with backoff; the rollout neither
 * waits nor fails for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { approveUpdate, progressQuery } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

const SECRET = 'whsec_rollout_0123456789abcdef';

describe('a rollout that notifies', () => {
  let receiver: RunningSimulator;
  let h: Harness;

  beforeAll(async () => {
    receiver = await startSimulator({
      generate: { seed: 1, avisi: { clusters: 1 }, aether: { clusters: 1 } },
      notifySecrets: { ops: SECRET },
    });
    const env = { FLEET_NOTIFY_OPS_URL: `${receiver.url}/_sim/notify/ops`, FLEET_NOTIFY_OPS_SECRET: SECRET };
    h = await startHarness(
      {
        generate: { seed: 101, avisi: { clusters: 1 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'notify-rollout',
      { env },
    );
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const received = async (): Promise<NotifyDelivery[]> =>
    ((await (await fetch(`${receiver.url}/_sim/notifications`)).json()) as { notifications: NotifyDelivery[] })
      .notifications;

  it('tells the channel each event once, signed, through an outage, without holding the rollout up', async () => {
    const organisation = h.sim.organisations.aether[0]!;
    const failing = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters[0]!;
    await h.control(`/_sim/clusters/${failing.id}/outcomes`, { outcomes: ['FAILED'] });
    // Down for the first 4 seconds: the first deliveries are answered 503 and retried.
    await fetch(`${receiver.url}/_sim/notify/ops/outage`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ forMs: 4_000 }),
    });

    const handle = await h.startRollout({
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      pollInterval: '200ms',
      clusterDeadline: '60s',
      retry: { maxAttempts: 0 },
      notify: [{ channel: 'ops' }],
      waves: [
        { name: 'canary', match: { name: failing.name } },
        { name: 'rest', approval: true },
      ],
    });
    // The rollout goes on while the receiver is down: it reaches the gate with the channel still failing.
    await eventually(
      async () => ((await handle.query(progressQuery)).phase === 'awaiting-approval' ? true : undefined),
      { timeoutMs: 30_000, what: 'the approval gate' },
    );
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'rest', by: 'frank' }] });
    const report = await handle.result();
    expect(report.status).toBe('PARTIAL');

    const types = ['rollout.started', 'cluster.failed', 'wave.done', 'approval.needed', 'rollout.finished'];
    const delivered = await eventually(
      async () => {
        const all = (await received()).filter((d) => d.status === 200 && !d.duplicate);
        const seen = new Set(all.map((d) => (d.body as { type: string }).type));
        return types.every((t) => seen.has(t)) &&
          all.filter((d) => (d.body as { type: string }).type === 'wave.done').length === 2
          ? all
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every notice delivered' },
    );

    const all = await received();
    // Each event delivered once (2xx once per id), every delivery signed, and the outage was real.
    const okPerId = new Map<string, number>();
    for (const d of all.filter((x) => x.status === 200 && !x.duplicate))
      okPerId.set(d.eventId!, (okPerId.get(d.eventId!) ?? 0) + 1);
    expect([...okPerId.values()].every((n) => n === 1)).toBe(true);
    expect(all.every((d) => d.signature === 'valid')).toBe(true);
    expect(all.some((d) => d.status === 503)).toBe(true);
    const body = (type: string) =>
      delivered.find((d) => (d.body as { type: string }).type === type)!.body as Record<string, unknown>;
    expect(body('approval.needed')).toMatchObject({
      wave: 'rest',
      commands: { fleet: `fleet rollout approve ${handle.workflowId} rest` },
    });
    expect(body('cluster.failed')).toMatchObject({ clusterId: failing.id, outcome: 'FAILED' });
    expect(body('rollout.finished')).toMatchObject({ status: 'PARTIAL', counts: { FAILED: 1, SUCCEEDED: 3 } });
    // No secret or webhook URL in the rollout's own history.
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(SECRET);
    expect(history).not.toContain(`${receiver.url}/_sim/notify`);
  });
});
