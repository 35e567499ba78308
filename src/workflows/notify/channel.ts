/**
 * Notifications from workflow code. Delivery is a side channel: it retries for a long
 * time and never holds up or fails the rollout.
 *
 * - `notifyChannel({channel, event})`: one event to one channel. Its activity's retry
 *   policy is the backoff loop (activity-options.ts `notifyDelivery`); when it gives up
 *   (a channel down past the deadline, a receiver that refuses the event, a channel the
 *   worker does not define) it returns `{delivered: false, reason}` instead of failing,
 *   so the UI lists it as completed with the reason in its result.
 * - `startNotifications(notify, event)`: what the rollout calls per event. It starts one
 *   `notifyChannel` child per channel that hears the event, abandoned (the rollout does
 *   not wait for delivery, and a continue-as-new or the rollout's end leaves deliveries
 *   running), with the workflow id `<rolloutId>/notify/<eventId>/<channel>` and
 *   REJECT_DUPLICATE, so an event sent twice (a retried task, a replay, a second run
 *   that repeats a step) is delivered once. It never throws but for cancellation.
 * - `Notifier`: the same for a rollout's run, fire and forget (`emit`), with `flush()`
 *   to call before continue-as-new and before returning.
 * - `requireNotifyChannels(notify)`: refuses, as an invalid spec, channels the worker
 *   does not define; for planning, before any change.
 *
 * Since the `ordered-notices` patch a rollout sends its notices through one delivery
 * queue per channel instead (queue.ts, lanes.ts), so they arrive in order;
 * `notifyChannel`, `startNotifications` and `Notifier` stay for the rollouts recorded
 * before it (their histories replay through them) and the children those started.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  type ActivityOptions,
  RetryState,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import {
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { INVALID_SPEC } from '../../domain/failure-types.js';
import {
  channelsFor,
  type EventSource,
  type NotifyEvent,
  type NotifyEventType,
  type NotifySpec,
} from '../../domain/notify-events.js';
import { notifyCheck, notifyDelivery } from '../activity-options.js';

export interface NotifyChannelInput {
  readonly channel: string;
  readonly event: NotifyEvent;
  /** How long delivery is retried before it is given up. @default 1 hour (tests shorten it) */
  readonly giveUpAfterMs?: number;
}

export type NotifyChannelResult =
  | {
      readonly delivered: true;
      readonly channel: string;
      readonly eventId: string;
      readonly status: number;
      readonly attempts: number;
    }
  | { readonly delivered: false; readonly channel: string; readonly eventId: string; readonly reason: string };

export const DEFAULT_NOTIFY_GIVE_UP_MS = 60 * 60_000;

/** One event to one channel; `{delivered: false, reason}` when it could not be delivered, never a failure. */
export async function notifyChannel(input: NotifyChannelInput): Promise<NotifyChannelResult> {
  const giveUpAfterMs = input.giveUpAfterMs ?? DEFAULT_NOTIFY_GIVE_UP_MS;
  return deliverNotice(input.channel, input.event, notifyDelivery(giveUpAfterMs), giveUpAfterMs);
}

/**
 * One delivery with its activity's `options` (the retry policy is the backoff loop);
 * `{delivered: false, reason}` when it gave up or was refused, never a failure but for
 * cancellation. `giveUpAfterMs` words the reason when the deadline ended it.
 */
export async function deliverNotice(
  channel: string,
  event: NotifyEvent,
  options: ActivityOptions,
  giveUpAfterMs: number,
): Promise<NotifyChannelResult> {
  const { deliverNotification } = proxyActivities<Activities>(options);
  try {
    const result = await deliverNotification.executeWithOptions({ summary: `${event.type} to ${channel}` }, [
      { channel, event },
    ]);
    return { delivered: true, channel, eventId: event.id, status: result.status, attempts: result.attempt };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const reason = reasonOf(error, giveUpAfterMs);
    log.warn('notification not delivered', { channel, eventId: event.id, eventType: event.type, reason });
    return { delivered: false, channel, eventId: event.id, reason };
  }
}

/** The child's workflow id: the event and the channel, so a second start of the same delivery is refused. */
export const notifyWorkflowId = (event: NotifyEvent, channel: string): string =>
  `${event.rolloutId}/notify/${event.id}/${channel}`;

export interface NotificationStart {
  readonly channel: string;
  readonly workflowId: string;
  /** `started`; `duplicate` (this delivery was started before); `failed` (could not start: logged, not thrown). */
  readonly outcome: 'started' | 'duplicate' | 'failed';
}

/**
 * Starts the delivery of `event` to every channel of `notify` that hears it, and resolves
 * once the server has taken the starts (not the deliveries). Nothing to send: resolves
 * at once and adds nothing to the history.
 */
export async function startNotifications(
  notify: readonly NotifySpec[] | undefined,
  event: NotifyEvent,
): Promise<NotificationStart[]> {
  const channels = channelsFor(notify, event.type);
  return Promise.all(
    channels.map(async (channel): Promise<NotificationStart> => {
      const workflowId = notifyWorkflowId(event, channel);
      try {
        await startChild(notifyChannel, {
          workflowId,
          args: [{ channel, event }],
          staticSummary: clip(`${event.type} to ${channel}: ${event.text}`, 200),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        return { channel, workflowId, outcome: 'started' };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { channel, workflowId, outcome: 'duplicate' };
        if (isCancellation(error)) throw error;
        log.warn('could not start a notification', {
          channel,
          eventId: event.id,
          error: error instanceof Error ? error.message : String(error),
        });
        return { channel, workflowId, outcome: 'failed' };
      }
    }),
  );
}

/**
 * What the rollout holds for its run: `emit(event)` starts the deliveries without waiting
 * (from the loop or from a handler alike); `flush()` waits until the server has taken
 * every start emitted so far (not the deliveries). Flush before continue-as-new and
 * before the rollout returns, so no start is left half-sent when the run closes.
 */
export class Notifier {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly notify: readonly NotifySpec[] | undefined,
    /** What the builders (domain/notify-builders.ts) take as their first argument. */
    readonly source: EventSource,
  ) {}

  /** Whether any channel hears events of `type`: skip building an event nobody hears. */
  hears(type: NotifyEventType): boolean {
    return channelsFor(this.notify, type).length > 0;
  }

  /** Starts the delivery of `event` to every channel that hears it; never throws, never waits. */
  emit(event: NotifyEvent): void {
    if (!this.hears(event.type)) return;
    // A failed start was logged by startNotifications; a cancelled one belongs to the rollout's own cancellation.
    const started: Promise<unknown> = startNotifications(this.notify, event)
      .catch(() => undefined)
      .finally(() => this.pending.delete(started));
    this.pending.add(started);
  }

  /** Resolves once every start emitted so far has been taken by the server. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/**
 * Throws the rollout's invalid-spec failure (INVALID_SPEC, every problem in its details)
 * when `notify` names a channel the worker does not define. Nothing to check: returns
 * at once and adds nothing to the history.
 */
export async function requireNotifyChannels(notify: readonly NotifySpec[] | undefined): Promise<void> {
  if (!notify || notify.length === 0) return;
  const { checkNotifyChannels } = proxyActivities<Activities>(notifyCheck);
  const summary = `check notification channels ${notify.map((n) => n.channel).join(', ')}`;
  const { problems } = await checkNotifyChannels.executeWithOptions({ summary }, [{ notify }]);
  if (problems.length === 0) return;
  // Worded as the rollout words a rejected spec (fleet-rollout.ts), so clients see one kind of rejection.
  const message = `invalid rollout spec: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
  throw ApplicationFailure.nonRetryable(message, INVALID_SPEC, ...problems);
}

/** Why a delivery ended without success: the last attempt's own message, and whether the deadline ended it. */
function reasonOf(error: unknown, giveUpAfterMs: number): string {
  let timedOut = false;
  let last: string | undefined;
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    // Out of time: the server stops before a retry that would end past the deadline (retry
    // state TIMEOUT, the last attempt's failure as cause), or the deadline cut an attempt short.
    if (
      cause instanceof TimeoutFailure ||
      (cause instanceof ActivityFailure && cause.retryState === RetryState.TIMEOUT)
    )
      timedOut = true;
    else if (cause instanceof ApplicationFailure) last = cause.message;
    else if (!(cause instanceof ActivityFailure)) last ??= cause.message;
  }
  const what = last ?? 'no attempt finished';
  return timedOut ? `gave up after ${Math.round(giveUpAfterMs / 1000)} s: ${what}` : what;
}

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
