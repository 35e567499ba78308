/**
 * The notification activities:
 * - `deliverNotification({channel, event})`: one attempt to POST an event to one of the
 *   worker's channels. A failure worth retrying (5xx, 408, 429, timeout, network) is a
 *   retryable ApplicationFailure (with `nextRetryDelay` when the receiver sent a
 *   `Retry-After`), so the delivering workflow's retry policy is the backoff loop
 *   (`notifyQueue`, one notice at a time per channel; `notifyChannel` before it);
 *   any other failure is final. Messages name the channel, never its URL or secret.
 * - `checkNotifyChannels({notify})`: the spec's channels this worker does not define,
 *   as spec problems, so the rollout can refuse them at planning, before any change.
 *
 * Every worker of a task queue should define the same channels: the check and the
 * deliveries may run on different workers.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { NotifyEvent, NotifySpec } from '../domain/notify-events.js';
import type { SpecProblem } from '../domain/spec-messages.js';
import { didYouMean } from '../domain/suggest.js';
import { urlVariableOf, type NotifyChannels } from '../notify/channels.js';
import { deliverOnce, NotifyDeliveryError } from '../notify/deliver.js';
import { activityCancellationSignal } from './client-hooks.js';
import type { ActivityDeps } from './deps.js';

/** A delivery failed in a way worth another attempt. */
export const NOTIFY_DELIVERY_FAILED = 'NotifyDeliveryFailed';
/** The receiver refused the delivery (a 4xx other than 408/429, a redirect): another attempt would be refused too. */
export const NOTIFY_DELIVERY_REFUSED = 'NotifyDeliveryRefused';
/** The channel is not defined on the worker that ran the activity. */
export const NOTIFY_CHANNEL_UNDEFINED = 'NotifyChannelUndefined';

export interface DeliverNotificationInput {
  /** A channel's name, lower case (`ops` for `FLEET_NOTIFY_OPS_URL`). */
  readonly channel: string;
  readonly event: NotifyEvent;
}

export interface DeliverNotificationResult {
  readonly channel: string;
  readonly eventId: string;
  /** The receiver's 2xx status. */
  readonly status: number;
  /** The activity attempt that delivered it (1: the first). */
  readonly attempt: number;
}

export interface CheckNotifyChannelsInput {
  /** The plan's `notify`. */
  readonly notify: readonly NotifySpec[];
}

export interface CheckNotifyChannelsResult {
  /** One per entry whose channel this worker does not define, with the field (`notify[1].channel`) to fix. */
  readonly problems: readonly SpecProblem[];
  /** The channels this worker defines (names only). */
  readonly defined: readonly string[];
}

export function createNotifyActivities(deps: ActivityDeps) {
  const channels: NotifyChannels = deps.notifyChannels ?? new Map();
  const defined = () => [...channels.keys()].sort();
  const definedLine = () => (channels.size > 0 ? `it defines ${defined().join(', ')}` : 'it defines none');
  const notDefined = (name: string) => {
    // A near miss of a channel it defines is most likely a typo in the spec, not a channel to add.
    const guess = didYouMean(name, channels.keys(), (channel) => JSON.stringify(channel));
    return `is not defined on this worker${guess ? `; ${guess} (or ` : ' ('}set ${urlVariableOf(name)}; ${definedLine()})`;
  };

  async function deliverNotification({
    channel: name,
    event,
  }: DeliverNotificationInput): Promise<DeliverNotificationResult> {
    const attempt = asyncLocalStorage.getStore()?.info.attempt ?? 1;
    const where = { channel: name, eventId: event.id, eventType: event.type, rolloutId: event.rolloutId, attempt };
    const channel = channels.get(name);
    if (!channel) {
      deps.logger.error(where, 'notification channel not defined on this worker');
      throw ApplicationFailure.nonRetryable(
        `notification channel ${JSON.stringify(name)} ${notDefined(name)}`,
        NOTIFY_CHANNEL_UNDEFINED,
      );
    }
    try {
      const { status } = await deliverOnce(channel, event, {
        signal: activityCancellationSignal(),
        ...deps.notifyDelivery,
      });
      deps.logger.info({ ...where, status }, 'notification delivered');
      return { channel: name, eventId: event.id, status, attempt };
    } catch (error) {
      if (!(error instanceof NotifyDeliveryError)) throw error;
      const details = { channel: name, eventId: event.id, kind: error.kind, status: error.status ?? null };
      if (!error.retryable) {
        deps.logger.error(
          { ...where, status: error.status, error: error.message },
          'notification refused; not retried',
        );
        throw ApplicationFailure.create({
          type: NOTIFY_DELIVERY_REFUSED,
          message: error.message,
          nonRetryable: true,
          details: [details],
        });
      }
      deps.logger.warn(
        { ...where, status: error.status, retryAfterMs: error.retryAfterMs, error: error.message },
        'notification not delivered; it will be retried',
      );
      throw ApplicationFailure.create({
        type: NOTIFY_DELIVERY_FAILED,
        message: error.message,
        nonRetryable: false,
        details: [details],
        ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
      });
    }
  }

  async function checkNotifyChannels({ notify }: CheckNotifyChannelsInput): Promise<CheckNotifyChannelsResult> {
    const problems = notify.flatMap((entry, index) =>
      channels.has(entry.channel)
        ? []
        : [
            {
              field: `notify[${index}].channel`,
              message: `channel ${JSON.stringify(entry.channel)} ${notDefined(entry.channel)}`,
            },
          ],
    );
    return { problems, defined: defined() };
  }

  return { deliverNotification, checkNotifyChannels };
}
