/**
 * Notifications on a real dev server: the `notifyChannel` workflow against the
 * simulator's receiver over loopback. Started twice with the same id it delivers once;
 * a receiver down for a few seconds is retried with backoff and delivered; one that
 * stays down, or refuses, ends `{delivered: false}` without failing. Then the API the
 * rollout calls (test workflows in notify-workflows.ts): startNotifications starts one
 * abandoned child per subscribed channel and delivers an event emitted twice once, as
 * does a Notifier flushed before the run ends; requireNotifyChannels refuses a channel the worker lacks as an invalid spec.
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
import { silentLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';
import { depsFromEnv } from '../../src/worker.js';
import { workerConfigFromEnv } from '../../src/worker-config.js';
import { notifyWorkflowId, type NotifyChannelInput, type NotifyChannelResult } from '../../src/workflows/notify.js';
import { startHarness, type Harness } from './harness.js';
import type { checkChannels, emitApprovalNeeded, emitThroughNotifier } from './notify-workflows.js';

const SECRET = 'whsec_integration_0123456789';
const CHANNELS = ['ops', 'flaky', 'dead', 'refusing'] as const;

let receiver: RunningSimulator;
let h: Harness;
let env: Record<string, string>;

const deliveries = async (eventId: string): Promise<NotifyDelivery[]> =>
  ((await (await fetch(`${receiver.url}/_sim/notifications?eventId=${eventId}`)).json()) as { notifications: NotifyDelivery[] }).notifications;
const outage = async (channel: string, body: unknown) => {
  const response = await fetch(`${receiver.url}/_sim/notify/${channel}/outage`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.ok).toBe(true);
};

/** An event of its own per test, so deliveries never mix. */
const event = (): NotifyEvent => notifyEvents.rolloutHalted({ rolloutId: `notify-it-${randomUUID()}`, firstRunId: 'run-1' }, { reason: 'failure budget exceeded' });

const start = (channel: string, e: NotifyEvent, extra: Partial<NotifyChannelInput> = {}) =>
  h.client.workflow.start('notifyChannel', {
    workflowId: notifyWorkflowId(e, channel),
    taskQueue: h.taskQueue,
    args: [{ channel, event: e, ...extra } satisfies NotifyChannelInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });

beforeAll(async () => {
  // The receiver is a simulator of its own: the harness's does not exist before its worker starts.
  receiver = await startSimulator({ generate: { seed: 3, avisi: { clusters: 1 }, aether: { clusters: 1 } }, notifySecrets: { ops: SECRET } });
  env = Object.fromEntries(CHANNELS.map((c) => [`FLEET_NOTIFY_${c.toUpperCase()}_URL`, `${receiver.url}/_sim/notify/${c}`]));
  env.FLEET_NOTIFY_OPS_SECRET = SECRET;
  h = await startHarness({ generate: { seed: 13, avisi: { clusters: 1 }, aether: { clusters: 1 } } }, undefined, { env });
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
      reason: expect.stringMatching(/^gave up after 4 s: notification channel "dead": the receiver answered 503 Service Unavailable/),
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect((await deliveries(e.id)).length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(result)).not.toContain(receiver.url);
  });

  it('ends {delivered: false} at once when the receiver refuses the event (400)', async () => {
    const e = event();
    await outage('refusing', { failures: 1, status: 400 });
    const result = (await (await start('refusing', e)).result()) as NotifyChannelResult;
    expect(result).toMatchObject({ delivered: false, reason: expect.stringMatching(/^notification channel "refusing": the receiver answered 400 Bad Request/) });
    expect((await deliveries(e.id)).map((d) => d.status)).toEqual([400]);
  });
});

describe('what the rollout calls', () => {
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  const taskQueue = `test-notify-${randomUUID()}`;

  beforeAll(async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./notify-workflows.ts', import.meta.url)), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never });
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
    const notify = [{ channel: 'ops' }, { channel: 'dead', events: ['rollout.finished' as const] }, { channel: 'pager', events: ['approval.needed' as const] }];
    const { eventId, starts } = await h.client.workflow.execute<typeof emitApprovalNeeded>('emitApprovalNeeded', { workflowId: rolloutId, taskQueue, args: [notify, 2] });
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
    expect(pager).toMatchObject({ delivered: false, reason: expect.stringMatching(/^notification channel "pager" is not defined on this worker \(set FLEET_NOTIFY_PAGER_URL; it defines dead, flaky, ops, refusing\)$/) });
    const got = await deliveries(eventId);
    expect(got.map((d) => [d.channel, d.status, d.signature])).toEqual([['ops', 200, 'valid']]);
    expect(got[0]!.body).toMatchObject({
      type: 'approval.needed',
      rolloutId,
      wave: 'rest',
      commands: { fleet: `fleet rollout approve ${rolloutId} rest`, temporal: `temporal workflow update execute --workflow-id ${rolloutId} --name approve --input '{"wave":"rest"}'` },
    });
  });

  it('Notifier: emitted events go to the channels that hear them, each once, started before the run ends', async () => {
    const rolloutId = `rollout-notifier-${randomUUID()}`;
    const notify = [{ channel: 'ops', events: ['rollout.started' as const, 'rollout.finished' as const] }, { channel: 'refusing', events: ['wave.done' as const] }];
    const [startedId, waveId, finishedId] = await h.client.workflow.execute<typeof emitThroughNotifier>('emitThroughNotifier', { workflowId: rolloutId, taskQueue, args: [notify] });
    const results = await Promise.all(
      [`${startedId}/ops`, `${waveId}/refusing`, `${finishedId}/ops`].map((suffix) => h.client.workflow.getHandle(`${rolloutId}/notify/${suffix}`).result()),
    );
    expect(results.map((r) => (r as NotifyChannelResult).delivered)).toEqual([true, true, true]);
    // rollout.started was emitted twice and delivered once; nobody hears wave.done on ops.
    for (const [id, channels] of [
      [startedId, ['ops']],
      [waveId, ['refusing']],
      [finishedId, ['ops']],
    ] as const) expect((await deliveries(id!)).map((d) => d.channel)).toEqual(channels);
  });

  it('requireNotifyChannels: a channel the worker lacks is an invalid spec naming the entry and the variable', async () => {
    const ok = await h.client.workflow.execute<typeof checkChannels>('checkChannels', { workflowId: `check-${randomUUID()}`, taskQueue, args: [[{ channel: 'ops' }]] });
    expect(ok).toBe('ok');
    const error = await h.client.workflow
      .execute<typeof checkChannels>('checkChannels', { workflowId: `check-${randomUUID()}`, taskQueue, args: [[{ channel: 'ops' }, { channel: 'pager' }]] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toMatchObject({ type: INVALID_SPEC, nonRetryable: true });
    expect(cause.details).toEqual([{ field: 'notify[1].channel', message: 'channel "pager" is not defined on this worker (set FLEET_NOTIFY_PAGER_URL; it defines dead, flaky, ops, refusing)' }]);
    expect(cause.message).toBe('invalid rollout spec: notify[1].channel: channel "pager" is not defined on this worker (set FLEET_NOTIFY_PAGER_URL; it defines dead, flaky, ops, refusing)');
  });
});
