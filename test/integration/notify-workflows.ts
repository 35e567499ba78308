/**
 * Workflows for test/integration/notify.test.ts: stand-ins for the rollout that emit
 * events the way it does (built in workflow code; started with startNotifications, as
 * before the `ordered-notices` patch, or handed to the queues through NoticeLanes), and
 * the planning check. Bundled on their own, beside the real `notifyChannel` and `notifyQueue`.
 */
import { workflowInfo } from '@temporalio/workflow';
import { notifyEvents } from '../../src/domain/notify-builders.js';
import type { NotifyEvent, NotifySpec } from '../../src/domain/notify-events.js';
import { emptyCounts } from '../../src/domain/outcomes.js';
import { NoticeLanes } from '../../src/workflows/notify/lanes.js';
import {
  Notifier,
  requireNotifyChannels,
  startNotifications,
  type NotificationStart,
} from '../../src/workflows/notify/channel.js';

export { notifyChannel } from '../../src/workflows/notify/channel.js';
export { notifyQueue } from '../../src/workflows/notify/queue.js';

/** Emits one approval.needed for wave `rest` `times` times, as a rollout replaying or repeating a step would, then ends at once. */
export async function emitApprovalNeeded(
  notify: NotifySpec[],
  times: number,
): Promise<{ eventId: string; starts: NotificationStart[][] }> {
  const info = workflowInfo();
  const source = { rolloutId: info.workflowId, firstRunId: info.firstExecutionRunId, namespace: info.namespace };
  const starts: NotificationStart[][] = [];
  let eventId = '';
  for (let i = 0; i < times; i++) {
    const event = notifyEvents.approvalNeeded(source, { wave: 'rest' });
    eventId = event.id;
    starts.push(await startNotifications(notify, event));
  }
  return { eventId, starts };
}

export async function checkChannels(notify: NotifySpec[]): Promise<string> {
  await requireNotifyChannels(notify);
  return 'ok';
}

/** The way the rollout will run it: a Notifier for the run, events emitted without waiting, flushed before the end. */
export async function emitThroughNotifier(notify: NotifySpec[]): Promise<string[]> {
  const info = workflowInfo();
  const notifier = new Notifier(notify, {
    rolloutId: info.workflowId,
    firstRunId: info.firstExecutionRunId,
    namespace: info.namespace,
  });
  const started = notifyEvents.rolloutStarted(notifier.source, {
    targetVersion: '1.31',
    targets: [{ platform: 'aether', organisation: 'acme' }],
    waves: ['canary', 'rest'],
    dryRun: false,
  });
  const wave = notifyEvents.waveDone(notifier.source, {
    wave: 'canary',
    total: 1,
    counts: { SUCCEEDED: 1, SKIPPED: 0, FAILED: 0, MISSED: 0, SUPERSEDED: 0, BLOCKED: 0, CANCELLED: 0, NOT_STARTED: 0 },
  });
  const finished = notifyEvents.rolloutFinished(notifier.source, {
    status: 'SUCCEEDED',
    total: 1,
    counts: wave.counts,
    clusters: [],
  });
  for (const event of [started, wave, finished, started]) notifier.emit(event);
  await notifier.flush();
  return [started.id, wave.id, finished.id];
}

const COUNTS = { ...emptyCounts(), SUCCEEDED: 1 };

/**
 * One run of a rollout `rolloutId` (its first run `firstRunId`) handing notices to the
 * queues as the rollout does: `waves` wave.done notices (each emitted twice), then
 * rollout.finished when `finish`; `continued` as a run after continue-as-new. Returns the ids emitted.
 */
export async function emitThroughLanes(
  notify: NotifySpec[],
  at: { rolloutId: string; firstRunId: string },
  waves: string[],
  finish: boolean,
  continued: boolean,
): Promise<string[]> {
  const lanes = new NoticeLanes(notify, at, continued);
  const events: NotifyEvent[] = waves.map((wave) =>
    notifyEvents.waveDone(lanes.source, { wave, total: 1, counts: COUNTS }),
  );
  if (finish)
    events.push(
      notifyEvents.rolloutFinished(lanes.source, {
        status: 'SUCCEEDED',
        total: waves.length,
        counts: COUNTS,
        clusters: [],
      }),
    );
  for (const event of events) {
    lanes.emit(event);
    lanes.emit(event);
  }
  await lanes.flush();
  return events.map((e) => e.id);
}
