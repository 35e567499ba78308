/**
 * Workflows for test/integration/notify.test.ts: a stand-in for the rollout that emits
 * events the way it will (built in workflow code, started with startNotifications), and
 * the planning check. Bundled on their own, beside the real `notifyChannel`.
 */
import { workflowInfo } from '@temporalio/workflow';
import { notifyEvents } from '../../src/domain/notify-builders.js';
import type { NotifySpec } from '../../src/domain/notify-events.js';
import { Notifier, requireNotifyChannels, startNotifications, type NotificationStart } from '../../src/workflows/notify.js';

export { notifyChannel } from '../../src/workflows/notify.js';

/** Emits one approval.needed for wave `rest` `times` times, as a rollout replaying or repeating a step would, then ends at once. */
export async function emitApprovalNeeded(notify: NotifySpec[], times: number): Promise<{ eventId: string; starts: NotificationStart[][] }> {
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
  const notifier = new Notifier(notify, { rolloutId: info.workflowId, firstRunId: info.firstExecutionRunId, namespace: info.namespace });
  const started = notifyEvents.rolloutStarted(notifier.source, { targetVersion: '1.31', targets: [{ platform: 'aether', organisation: 'acme' }], waves: ['canary', 'rest'], dryRun: false });
  const wave = notifyEvents.waveDone(notifier.source, { wave: 'canary', total: 1, counts: { SUCCEEDED: 1, SKIPPED: 0, FAILED: 0, MISSED: 0, SUPERSEDED: 0, CANCELLED: 0, NOT_STARTED: 0 } });
  const finished = notifyEvents.rolloutFinished(notifier.source, { status: 'SUCCEEDED', total: 1, counts: wave.counts, clusters: [] });
  for (const event of [started, wave, finished, started]) notifier.emit(event);
  await notifier.flush();
  return [started.id, wave.id, finished.id];
}
