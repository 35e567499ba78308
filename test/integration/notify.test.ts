/**
 * Notifications on a real dev server: the `notifyChannel` workflow against the
 * simulator's receiver over loopback. Started twice with the same id it delivers once;
 * a receiver down for a few seconds is retried with backoff and delivered; one that
 * stays down, or refuses, ends `{delivered: false}` without failing. Then the API the
 * rollout calls (test workflows in notify-workflows.ts): startNotifications starts one
 * abandoned child per subscribed channel and delivers an event emitted twice once, as
 * does a Notifier flushed before the run ends; requireNotifyChannels refuses a channel the worker lacks as an invalid spec.
 * Then the delivery queue a rollout has used since the `ordered-notices` patch
 * (`notifyQueue`, one per rollout and channel): in order through a slow, flaky receiver,
 * a repeated notice once, a notice past its deadline given up while the next goes on,
 * continue-as-new; and the rollout's side (NoticeLanes) across runs and a queue that ended.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { WorkflowIdReusePolicy, type ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { INVALID_SPEC } from '../../src/domain/failure-types.js';
import { notifyEvents } from '../../src/domain/notify-builders.js';
import type { NotifyEvent } from '../../src/domain/notify-events.js';
import { emptyCounts } from '../../src/domain/outcomes.js';
import { silentLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { depsFromEnv } from '../../src/worker.js';
import { workerConfigFromEnv } from '../../src/worker-config.js';
import {
  notifyWorkflowId,
  type NotifyChannelInput,
  type NotifyChannelResult,
} from '../../src/workflows/notify/channel.js';
import { startHarness, type Harness } from './harness.js';
import {
  noticesSignal,
  notifyQueueId,
  type NotifyQueueInput,
  type NotifyQueueResult,
} from '../../src/workflows/notify/queue.js';
import type { checkChannels, emitApprovalNeeded, emitThroughLanes, emitThroughNotifier } from './notify-workflows.js';

const SECRET = 'whsec_integration_0123456789';
const CHANNELS = ['ops', 'flaky', 'dead', 'refusing', 'slow', 'down', 'lanes'] as const;

let receiver: RunningSimulator;
let h: Harness;
let env: Record<string, string>;

const deliveries = async (eventId: string): Promise<NotifyDelivery[]> =>
  (
    (await (await fetch(`${receiver.url}/_sim/notifications?eventId=${eventId}`)).json()) as {
      notifications: NotifyDelivery[];
    }
  ).notifications;
const outage = async (channel: string, body: unknown) => {
  const response = await fetch(`${receiver.url}/_sim/notify/${channel}/outage`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
};

/** An event of its own per test, so deliveries never mix. */
const event = (): NotifyEvent =>
  notifyEvents.rolloutHalted(
    { rolloutId: `notify-it-${randomUUID()}`, firstRunId: 'run-1' },
    { reason: 'failure budget exceeded' },
  );

const start = (channel: string, e: NotifyEvent, extra: Partial<NotifyChannelInput> = {}) =>
  h.client.workflow.start('notifyChannel', {
    workflowId: notifyWorkflowId(e, channel),
    taskQueue: h.taskQueue,
    args: [{ channel, event: e, ...extra } satisfies NotifyChannelInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });

beforeAll(async () => {
  // The receiver is a simulator of its own: the harness's does not exist before its worker starts.
  receiver = await startSimulator({
    generate: { seed: 3, avisi: { clusters: 1 }, aether: { clusters: 1 } },
    notifySecrets: { ops: SECRET },
  });
  env = Object.fromEntries(
    CHANNELS.map((c) => [`FLEET_NOTIFY_${c.toUpperCase()}_URL`, `${receiver.url}/_sim/notify/${c}`]),
  );
  env.FLEET_NOTIFY_OPS_SECRET = SECRET;
  h = await startHarness({ generate: { seed: 13, avisi: { clusters: 1 }, aether: { clusters: 1 } } }, undefined, {
    env,
  });
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('notifyChannel', () => {
  it('started twice with the same id delivers once, signed', async () => {
    const e = event();
    const handle = await start('ops', e);
    await expect(start('ops', e)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(await handle.result()).toEqual({ delivered: true, channel: 'ops', eventId: e.id, status: 200, attempts: 1 });
    // Closed, the id is still taken: a rollout that sends the event again later changes nothing.
    await expect(start('ops', e)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const got = await deliveries(e.id);
    expect(got.map((d) => [d.channel, d.status, d.signature])).toEqual([['ops', 200, 'valid']]);
    expect(got[0]!.body).toEqual(e);
  });

  it('retries a receiver that is down for a few seconds, with backoff, and delivers', async () => {
    const e = event();
    await outage('flaky', { forMs: 2_500 });
    const began = Date.now();
    const result = (await (await start('flaky', e)).result()) as NotifyChannelResult;
    expect(result).toMatchObject({ delivered: true, status: 200 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(2_500);
    const got = await deliveries(e.id);
    expect(got.at(-1)!.status).toBe(200);
    expect(got.slice(0, -1).every((d) => d.status === 503)).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(result.delivered && result.attempts).toBe(got.length);
    // Backoff: 1 s, then 2 s, ... between attempts.
    const gaps = got.slice(1).map((d, i) => Date.parse(d.receivedAt) - Date.parse(got[i]!.receivedAt));
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    if (gaps.length > 1) expect(gaps[1]).toBeGreaterThanOrEqual(1_800);
  });

  it('ends {delivered: false} without failing when the receiver stays down', async () => {
    const e = event();
    await outage('dead', { forMs: 600_000 });
    const handle = await start('dead', e, { giveUpAfterMs: 4_000 });
    const result = (await handle.result()) as NotifyChannelResult;
    expect(result).toEqual({
      delivered: false,
      channel: 'dead',
      eventId: e.id,
      reason: expect.stringMatching(
        /^gave up after 4 s: notification channel "dead": the receiver answered 503 Service Unavailable/,
      ),
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect((await deliveries(e.id)).length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(result)).not.toContain(receiver.url);
  });

  it('ends {delivered: false} at once when the receiver refuses the event (400)', async () => {
    const e = event();
    await outage('refusing', { failures: 1, status: 400 });
    const result = (await (await start('refusing', e)).result()) as NotifyChannelResult;
    expect(result).toMatchObject({
      delivered: false,
      reason: expect.stringMatching(/^notification channel "refusing": the receiver answered 400 Bad Request/),
    });
    expect((await deliveries(e.id)).map((d) => d.status)).toEqual([400]);
  });
});

/** What the receiver took (2xx) on `channel` from `rolloutId`, in the order it took them: the waves' names, or the type. */
const taken = async (channel: string, rolloutId: string): Promise<string[]> => {
  const all = (
    (await (await fetch(`${receiver.url}/_sim/notifications?channel=${channel}`)).json()) as {
      notifications: NotifyDelivery[];
    }
  ).notifications;
  return all
    .filter((d) => d.status < 300 && (d.body as NotifyEvent).rolloutId === rolloutId)
    .sort((a, b) => a.seq - b.seq)
    .map((d) => {
      const body = d.body as NotifyEvent;
      return body.type === 'wave.done' ? body.wave : body.type;
    });
};
const faults = async (channel: string, body: unknown) => {
  const response = await fetch(`${receiver.url}/_sim/notify/${channel}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
};

describe('notifyQueue', () => {
  const source = () => ({ rolloutId: `queue-it-${randomUUID()}`, firstRunId: 'run-1' });
  const counts = { ...emptyCounts(), SUCCEEDED: 1 };
  const wave = (s: ReturnType<typeof source>, name: string) =>
    notifyEvents.waveDone(s, { wave: name, total: 1, counts });
  const finished = (s: ReturnType<typeof source>) =>
    notifyEvents.rolloutFinished(s, { status: 'SUCCEEDED', total: 1, counts, clusters: [] });
  const startQueue = (
    channel: string,
    s: ReturnType<typeof source>,
    events: NotifyEvent[],
    extra: Partial<NotifyQueueInput> = {},
  ) =>
    h.client.workflow.start('notifyQueue', {
      workflowId: notifyQueueId(s.rolloutId, channel),
      taskQueue: h.taskQueue,
      args: [{ channel, rolloutId: s.rolloutId, events, ...extra } satisfies NotifyQueueInput],
    });

  it('delivers in order through a slow, flaky receiver, a repeated notice once, and ends after rollout.finished', async () => {
    const s = source();
    await faults('slow', { maxDelayMs: 600, errorRate: 0.4, seed: 4 });
    const handle = await startQueue('slow', s, [wave(s, 'a'), wave(s, 'b')]);
    await handle.signal(noticesSignal, [wave(s, 'b'), wave(s, 'c')]);
    await handle.signal(noticesSignal, [wave(s, 'a'), finished(s)]);
    const result = (await handle.result()) as NotifyQueueResult;
    expect(result).toEqual({
      channel: 'slow',
      rolloutId: s.rolloutId,
      delivered: 4,
      notDeliveredCount: 0,
      notDelivered: [],
      ended: 'finished',
    });
    expect(await taken('slow', s.rolloutId)).toEqual(['a', 'b', 'c', 'rollout.finished']);
  });

  it("queues the start's notices before a signal that came with the start", async () => {
    const s = source();
    // Signal-with-start: the signal is in the queue's first task, beside its start.
    const handle = await h.client.workflow.signalWithStart('notifyQueue', {
      workflowId: notifyQueueId(s.rolloutId, 'ops'),
      taskQueue: h.taskQueue,
      args: [
        { channel: 'ops', rolloutId: s.rolloutId, events: [wave(s, 'a'), wave(s, 'b')] } satisfies NotifyQueueInput,
      ],
      signal: noticesSignal,
      signalArgs: [[wave(s, 'c'), finished(s)]],
    });
    expect(await handle.result()).toMatchObject({ delivered: 4, ended: 'finished' });
    expect(await taken('ops', s.rolloutId)).toEqual(['a', 'b', 'c', 'rollout.finished']);
  });

  it('gives up a notice at its deadline and goes on with the next, never failing', async () => {
    const s = source();
    await outage('down', { forMs: 600_000 });
    const result = (await (
      await startQueue('down', s, [wave(s, 'a'), finished(s)], { giveUpAfterMs: 3_000 })
    ).result()) as NotifyQueueResult;
    expect(result).toMatchObject({ delivered: 0, notDeliveredCount: 2, ended: 'finished' });
    expect(result.notDelivered.map((n) => n.type)).toEqual(['wave.done', 'rollout.finished']);
    expect(result.notDelivered[0]!.reason).toMatch(
      /^gave up after 3 s: notification channel "down": the receiver answered 503/,
    );
    // Past its deadline when its turn came, the second had one attempt.
    expect(result.notDelivered[1]!.reason).toMatch(/^notification channel "down": the receiver answered 503/);
    await outage('down', {});
  });

  it('continues as new when its history grows, keeping the order and dropping repeats', async () => {
    const s = source();
    const names = Array.from({ length: 12 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    const handle = await startQueue(
      'ops',
      s,
      names.slice(0, 4).map((n) => wave(s, n)),
      { historyEventsPerRun: 25 },
    );
    for (const chunk of [names.slice(2, 8), names.slice(8)])
      await handle.signal(
        noticesSignal,
        chunk.map((n) => wave(s, n)),
      );
    await handle.signal(noticesSignal, [wave(s, 'w00'), finished(s)]);
    const result = (await handle.result()) as NotifyQueueResult;
    expect(result).toMatchObject({ delivered: 13, notDeliveredCount: 0, ended: 'finished' });
    expect(await taken('ops', s.rolloutId)).toEqual([...names, 'rollout.finished']);
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
  });
});

describe('what the rollout calls', () => {
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  const taskQueue = `test-notify-${randomUUID()}`;

  beforeAll(async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./notify-workflows.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
    });
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await Worker.create({
      connection,
      namespace: inject('temporalNamespace'),
      taskQueue,
      workflowBundle,
      activities: createActivities(depsFromEnv(silentLogger, env)),
      shutdownGraceTime: '1s',
      ...workerConfigFromEnv().tuning,
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
  });

  it('startNotifications: one abandoned child per subscribed channel, an event emitted twice delivered once', async () => {
    const rolloutId = `rollout-notify-${randomUUID()}`;
    const notify = [
      { channel: 'ops' },
      { channel: 'dead', events: ['rollout.finished' as const] },
      { channel: 'pager', events: ['approval.needed' as const] },
    ];
    const { eventId, starts } = await h.client.workflow.execute<typeof emitApprovalNeeded>('emitApprovalNeeded', {
      workflowId: rolloutId,
      taskQueue,
      args: [notify, 2],
    });
    expect(starts.map((s) => s.map((x) => [x.channel, x.outcome]))).toEqual([
      [
        ['ops', 'started'],
        ['pager', 'started'],
      ],
      [
        ['ops', 'duplicate'],
        ['pager', 'duplicate'],
      ],
    ]);
    // The parent has ended; its children carry on (ParentClosePolicy.ABANDON).
    const ops = h.client.workflow.getHandle(`${rolloutId}/notify/${eventId}/ops`);
    expect(await ops.result()).toMatchObject({ delivered: true });
    const pager = await h.client.workflow.getHandle(`${rolloutId}/notify/${eventId}/pager`).result();
    expect(pager).toMatchObject({
      delivered: false,
      reason: expect.stringMatching(
        /^notification channel "pager" is not defined on this worker \(set FLEET_NOTIFY_PAGER_URL; it defines dead, down, flaky, lanes, ops, refusing, slow\)$/,
      ),
    });
    const got = await deliveries(eventId);
    expect(got.map((d) => [d.channel, d.status, d.signature])).toEqual([['ops', 200, 'valid']]);
    expect(got[0]!.body).toMatchObject({
      type: 'approval.needed',
      rolloutId,
      wave: 'rest',
      commands: {
        fleet: `fleet rollout approve ${rolloutId} rest`,
        temporal: `temporal workflow update execute --workflow-id ${rolloutId} --name approve --input '{"wave":"rest"}'`,
      },
    });
  });

  it('Notifier: emitted events go to the channels that hear them, each once, started before the run ends', async () => {
    const rolloutId = `rollout-notifier-${randomUUID()}`;
    const notify = [
      { channel: 'ops', events: ['rollout.started' as const, 'rollout.finished' as const] },
      { channel: 'refusing', events: ['wave.done' as const] },
    ];
    const [startedId, waveId, finishedId] = await h.client.workflow.execute<typeof emitThroughNotifier>(
      'emitThroughNotifier',
      { workflowId: rolloutId, taskQueue, args: [notify] },
    );
    const results = await Promise.all(
      [`${startedId}/ops`, `${waveId}/refusing`, `${finishedId}/ops`].map((suffix) =>
        h.client.workflow.getHandle(`${rolloutId}/notify/${suffix}`).result(),
      ),
    );
    expect(results.map((r) => (r as NotifyChannelResult).delivered)).toEqual([true, true, true]);
    // rollout.started was emitted twice and delivered once; nobody hears wave.done on ops.
    for (const [id, channels] of [
      [startedId, ['ops']],
      [waveId, ['refusing']],
      [finishedId, ['ops']],
    ] as const)
      expect((await deliveries(id!)).map((d) => d.channel)).toEqual(channels);
  });

  it('NoticeLanes: a later run signals the running queue, a run after it ended starts another, each notice once and in order', async () => {
    const at = { rolloutId: `rollout-lanes-${randomUUID()}`, firstRunId: 'run-1' };
    await faults('lanes', { maxDelayMs: 300, errorRate: 0.3, seed: 9 });
    const run = (from: typeof at, waves: string[], finish: boolean, continued: boolean) =>
      h.client.workflow.execute<typeof emitThroughLanes>('emitThroughLanes', {
        workflowId: `lanes-${randomUUID()}`,
        taskQueue,
        args: [[{ channel: 'lanes' }], from, waves, finish, continued],
      });
    await run(at, ['a', 'b'], false, false);
    // As after continue-as-new: the queue the first run started is still waiting for rollout.finished.
    await run(at, ['b', 'c'], true, true);
    const queue = h.client.workflow.getHandle(notifyQueueId(at.rolloutId, 'lanes'));
    expect(await queue.result()).toMatchObject({ delivered: 4, ended: 'finished' });
    // Next week's rollout with the same id, in a continued run: its signal finds the queue ended and starts a new one.
    await run({ ...at, firstRunId: 'run-2' }, ['d'], true, true);
    expect(await h.client.workflow.getHandle(notifyQueueId(at.rolloutId, 'lanes')).result()).toMatchObject({
      delivered: 2,
      ended: 'finished',
    });
    expect(await taken('lanes', at.rolloutId)).toEqual(['a', 'b', 'c', 'rollout.finished', 'd', 'rollout.finished']);
  });

  it('requireNotifyChannels: a channel the worker lacks is an invalid spec naming the entry and the variable', async () => {
    const ok = await h.client.workflow.execute<typeof checkChannels>('checkChannels', {
      workflowId: `check-${randomUUID()}`,
      taskQueue,
      args: [[{ channel: 'ops' }]],
    });
    expect(ok).toBe('ok');
    const error = await h.client.workflow
      .execute<typeof checkChannels>('checkChannels', {
        workflowId: `check-${randomUUID()}`,
        taskQueue,
        args: [[{ channel: 'ops' }, { channel: 'pager' }]],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toMatchObject({ type: INVALID_SPEC, nonRetryable: true });
    expect(cause.details).toEqual([
      {
        field: 'notify[1].channel',
        message:
          'channel "pager" is not defined on this worker (set FLEET_NOTIFY_PAGER_URL; it defines dead, down, flaky, lanes, ops, refusing, slow)',
      },
    ]);
    expect(cause.message).toBe(
      'invalid rollout spec: notify[1].channel: channel "pager" is not defined on this worker (set FLEET_NOTIFY_PAGER_URL; it defines dead, down, flaky, lanes, ops, refusing, slow)',
    );
  });
});
