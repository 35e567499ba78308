/**
 * Nothing to do is cheap and quiet (issue 21): a rollout that finds every cluster at its
 * target starts no child and tells the channels nothing, except a channel that asked for
 * `rollout.finished` by name; proven from the receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness } from './harness.js';

const SECRET = 'whsec_quiet_0123456789abcdef';

describe('a rollout with nothing to do', () => {
  let receiver: RunningSimulator;
  let h: Harness;

  beforeAll(async () => {
    receiver = await startSimulator({
      generate: { seed: 2105, avisi: { clusters: 1 }, aether: { clusters: 1 } },
      notifySecrets: { ops: SECRET, audit: SECRET },
    });
    const env = {
      FLEET_NOTIFY_OPS_URL: `${receiver.url}/_sim/notify/ops`,
      FLEET_NOTIFY_OPS_SECRET: SECRET,
      FLEET_NOTIFY_AUDIT_URL: `${receiver.url}/_sim/notify/audit`,
      FLEET_NOTIFY_AUDIT_SECRET: SECRET,
    };
    h = await startHarness(
      { generate: { seed: 2103, avisi: { clusters: 4 }, minors: ['1.30', '1.31'] }, timeScale: 86_400 },
      'quiet-current',
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

  it('tells only the channel that asked for rollout.finished', async () => {
    const spec = {
      platform: 'avisi' as const,
      organisation: h.sim.organisations.avisi[0]!,
      targetVersion: 'latest-patch',
      ignoreMaintenanceSchedule: true,
      pollInterval: '200ms',
    };
    // The first run patches the fleet; the second finds it current.
    expect(await h.runRollout(spec)).toMatchObject({ status: 'SUCCEEDED' });
    const handle = await h.startRollout({
      ...spec,
      notify: [{ channel: 'ops' }, { channel: 'audit', events: ['rollout.finished'] }],
    });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 0 } });
    const events = (await handle.fetchHistory()).events ?? [];
    expect(
      events.filter(
        (e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === 'clusterUpgrade',
      ),
    ).toEqual([]);
    const told = await eventually(
      async () => {
        const mine = (await received()).filter((d) => JSON.stringify(d.body).includes(handle.workflowId));
        return mine.length > 0 ? mine : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the finished notice' },
    );
    expect(told.map((d) => `${d.channel} ${(d.body as { type: string }).type}`)).toEqual(['audit rollout.finished']);
  });
});
