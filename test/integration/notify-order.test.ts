/**
 * Notices in order, and only the ones wanted (issue 18, point 6), proven from the
 * receiver (a simulator of its own): one that holds every delivery for a random 0-3 s
 * and answers 503 at random gets every notice of a halted rollout, an aborted one and a
 * finished one, each once and in the order it happened, `rollout.finished` last, while
 * another channel that stays down holds up neither it nor the rollout. A dry run tells
 * no channel, unless the channel's `notify` entry says `dryRun: true`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { abortUpdate, progressQuery } from '../../src/workflows/messages.js';
import { notifyQueueId } from '../../src/workflows/notify/queue.js';
import { eventually } from '../platforms/support/sim.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

interface Notice {
  readonly id: string;
  readonly type: string;
  readonly rolloutId: string;
  readonly wave?: string;
  readonly dryRun?: boolean;
}

describe('notices in order, and only the ones wanted', () => {
  let receiver: RunningSimulator;
  let h: Harness;
  let clusters: SimCluster[];

  beforeAll(async () => {
    receiver = await startSimulator({ generate: { seed: 7, avisi: { clusters: 1 }, aether: { clusters: 1 } } });
    const env = Object.fromEntries(
      ['ops', 'plans', 'dead'].map((c) => [`FLEET_NOTIFY_${c.toUpperCase()}_URL`, `${receiver.url}/_sim/notify/${c}`]),
    );
    h = await startHarness(
      {
        generate: { seed: 118, avisi: { clusters: 1 }, aether: { clusters: 48 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'notify-order',
      { env },
    );
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  /** Every attempt of `rolloutId`'s notices on `channel`, in the order the receiver answered them. */
  const attempts = async (channel: string, rolloutId: string): Promise<NotifyDelivery[]> => {
    const all = (
      (await (await fetch(`${receiver.url}/_sim/notifications?channel=${channel}`)).json()) as {
        notifications: NotifyDelivery[];
      }
    ).notifications;
    return all.filter((d) => (d.body as Notice).rolloutId === rolloutId).sort((a, b) => a.seq - b.seq);
  };
  /** What the receiver took (2xx), in the order it took it: `type` or `type:wave`. */
  const taken = async (channel: string, rolloutId: string): Promise<string[]> =>
    (await attempts(channel, rolloutId))
      .filter((d) => d.status < 300)
      .map((d) => {
        const body = d.body as Notice;
        return body.wave ? `${body.type}:${body.wave}` : body.type;
      });

  const spec = (group: SimCluster[], waves: RolloutSpec['waves'], extra: Partial<RolloutSpec> = {}): RolloutSpec => ({
    platform: 'aether',
    organisation: h.sim.organisations.aether[0]!,
    targetVersion: '1.31',
    clusters: group.map((c) => c.id),
    pollInterval: '200ms',
    clusterDeadline: '60s',
    retry: { maxAttempts: 0 },
    notify: [{ channel: 'ops' }],
    waves,
    ...extra,
  });

  it("a slow receiver that fails at random gets a halted, an aborted and a finished rollout's notices, each once, in order", async () => {
    const [halting, aborting, finishing] = [clusters.slice(0, 4), clusters.slice(4, 8), clusters.slice(8, 12)];
    for (const failing of [halting[0]!, finishing[1]!])
      await h.control(`/_sim/clusters/${failing.id}/outcomes`, { outcomes: ['FAILED'] });
    const faults = { maxDelayMs: 3_000, errorRate: 0.3, seed: 18 };
    const put = (path: string, body: unknown) =>
      fetch(`${receiver.url}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put('/_sim/notify/ops/faults', faults)).ok).toBe(true);
    // A second channel of the finished rollout is down throughout: it holds up neither ops nor the rollout.
    expect((await put('/_sim/notify/dead/outage', { forMs: 600_000 })).ok).toBe(true);

    const halted = await h.startRollout(
      spec(halting, [{ name: 'canary', clusters: [halting[0]!.id] }, { name: 'rest' }], {
        failureBudget: { maxFailed: 0 },
      }),
    );
    const aborted = await h.startRollout(
      spec(aborting, [
        { name: 'canary', clusters: [aborting[0]!.id] },
        { name: 'rest', approval: true },
      ]),
    );
    const waves = [
      { name: 'w1', clusters: [finishing[0]!.id] },
      { name: 'w2', clusters: [finishing[1]!.id] },
      { name: 'w3', clusters: [finishing[2]!.id] },
      { name: 'rest' },
    ];
    const finished = await h.startRollout(
      spec(finishing, waves, { notify: [{ channel: 'ops' }, { channel: 'dead' }] }),
    );

    await eventually(
      async () => ((await aborted.query(progressQuery)).phase === 'awaiting-approval' ? true : undefined),
      { timeoutMs: 30_000, what: 'the approval gate' },
    );
    await aborted.executeUpdate(abortUpdate, { args: [{ reason: 'wrong week', by: 'frank' }] });
    expect((await halted.result()).status).toBe('HALTED');
    expect((await aborted.result()).status).toBe('ABORTED');
    expect((await finished.result()).status).toBe('PARTIAL');

    const expected = new Map([
      [halted.workflowId, ['rollout.started', 'cluster.failed:canary', 'rollout.halted', 'rollout.finished']],
      [
        aborted.workflowId,
        ['rollout.started', 'wave.done:canary', 'approval.needed:rest', 'rollout.aborted', 'rollout.finished'],
      ],
      [
        finished.workflowId,
        [
          'rollout.started',
          'wave.done:w1',
          'cluster.failed:w2',
          'wave.done:w2',
          'wave.done:w3',
          'wave.done:rest',
          'rollout.finished',
        ],
      ],
    ]);
    // Wait until every notice was taken (however out of order), then judge the order.
    for (const [rolloutId, types] of expected) {
      await eventually(async () => ((await taken('ops', rolloutId)).length >= types.length ? true : undefined), {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: `${types.length} notices of ${rolloutId}`,
      });
    }
    const got = new Map<string, string[]>();
    for (const rolloutId of expected.keys()) got.set(rolloutId, await taken('ops', rolloutId));
    expect(got).toEqual(expected);
    // Each once: one 2xx per event id, and the faults were real (503s and retries).
    const all = (await Promise.all([...expected.keys()].map((id) => attempts('ops', id)))).flat();
    const okPerId = new Map<string, number>();
    for (const d of all.filter((x) => x.status < 300)) okPerId.set(d.eventId!, (okPerId.get(d.eventId!) ?? 0) + 1);
    expect([...okPerId.values()].every((n) => n === 1)).toBe(true);
    expect(all.some((d) => d.status === 503)).toBe(true);
    expect(all.every((d) => !d.duplicate)).toBe(true);
    // One queue per rollout and channel, ended after its rollout.finished with everything delivered.
    for (const [rolloutId, types] of expected) {
      const result = await h.client.workflow.getHandle(notifyQueueId(rolloutId, 'ops')).result();
      expect(result).toEqual({
        channel: 'ops',
        rolloutId,
        delivered: types.length,
        notDeliveredCount: 0,
        notDelivered: [],
        ended: 'finished',
      });
    }
    const dead = h.client.workflow.getHandle(notifyQueueId(finished.workflowId, 'dead'));
    expect((await dead.describe()).status.name).toBe('RUNNING');
    const tried = await attempts('dead', finished.workflowId);
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.every((d) => d.status === 503 && (d.body as Notice).type === 'rollout.started')).toBe(true);
    await dead.terminate('test over: its channel stays down');
  }, 240_000);

  it("keeps the order across the rollout's continue-as-new, each notice once", async () => {
    const group = clusters.slice(12, 48);
    await h.control(`/_sim/clusters/${group[12]!.id}/outcomes`, { outcomes: ['FAILED'] });
    const waves = [
      { name: 'w1', clusters: group.slice(0, 9).map((c) => c.id) },
      { name: 'w2', clusters: group.slice(9, 18).map((c) => c.id) },
      { name: 'w3', size: 9 },
      { name: 'rest' },
    ];
    const handle = await h.startRollout(spec(group, waves, { maxParallel: 3, historyEventsPerRun: 200 }));
    expect((await handle.result()).status).toBe('PARTIAL');
    expect((await handle.describe()).runId, 'the rollout continued as new').not.toBe(handle.firstExecutionRunId);
    const expected = [
      'rollout.started',
      'wave.done:w1',
      'cluster.failed:w2',
      'wave.done:w2',
      'wave.done:w3',
      'wave.done:rest',
      'rollout.finished',
    ];
    const result = await h.client.workflow.getHandle(notifyQueueId(handle.workflowId, 'ops')).result();
    expect(await taken('ops', handle.workflowId)).toEqual(expected);
    expect(result).toMatchObject({ delivered: expected.length, ended: 'finished' });
  });

  it('a dry run tells no channel by default', async () => {
    const handle = await h.startRollout(
      spec(clusters.slice(0, 4), [{ name: 'canary', size: 1 }, { name: 'rest' }], { dryRun: true }),
    );
    await handle.result();
    // Nothing was handed to a channel: no delivery workflow started, no notice signalled.
    const history = await handle.fetchHistory();
    const sent = (history.events ?? []).filter(
      (e) =>
        e.startChildWorkflowExecutionInitiatedEventAttributes ||
        e.signalExternalWorkflowExecutionInitiatedEventAttributes,
    );
    expect(sent).toEqual([]);
    expect(await attempts('ops', handle.workflowId)).toEqual([]);
  });

  it('a channel with dryRun: true hears the dry run, started then finished, and the others nothing', async () => {
    const notify = [{ channel: 'ops' }, { channel: 'plans', dryRun: true }];
    const handle = await h.startRollout(
      spec(clusters.slice(0, 4), [{ name: 'canary', size: 1 }, { name: 'rest' }], {
        dryRun: true,
        notify,
      } as Partial<RolloutSpec>),
    );
    await handle.result();
    const plans = await eventually(
      async () => {
        const got = await taken('plans', handle.workflowId);
        return got.includes('rollout.finished') ? got : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: "the dry run's rollout.finished on plans" },
    );
    expect(plans).toEqual(['rollout.started', 'rollout.finished']);
    expect(((await attempts('plans', handle.workflowId))[0]!.body as Notice).dryRun).toBe(true);
    expect(await attempts('ops', handle.workflowId)).toEqual([]);
  });
});
