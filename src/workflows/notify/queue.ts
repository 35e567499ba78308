/**
 * `notifyQueue`: one rollout's notices to one channel, delivered one at a time in the
 * order the rollout handed them over, so a slow or failing receiver can delay notices
 * but never reorder them (`rollout.finished` stays last). Workflow id
 * `<rolloutId>/notify/<channel>` (`notifyQueueId`): one queue per rollout and channel, so
 * a channel that is down holds up only its own queue. The rollout starts it with the
 * first notices and signals the rest (`noticesSignal`, lanes.ts).
 *
 * - Each notice once: a notice whose `id` the queue has seen is dropped (a retried or
 *   repeated step of the rollout sends the same id again).
 * - Each delivery is `deliverNotice` (channel.ts): retried with backoff until the notice's
 *   deadline, `giveUpAfterMs` after it was queued (an hour), then given up and the next
 *   one goes; a notice already past its deadline gets one attempt. Never failed.
 * - Ends once it has delivered (or given up) a `rollout.finished` and nothing is queued,
 *   or after `idleMs` with nothing to do (a rollout that was terminated); a later notice
 *   starts it again. Continues as new when its history grows long, carrying the queue.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotifyEvent, NotifyEventType } from '../../domain/notify-events.js';
import { notifyDelivery } from '../activity-options.js';
import { DEFAULT_NOTIFY_GIVE_UP_MS, deliverNotice, type NotifyChannelResult } from './channel.js';

/** More notices for a running queue, in the order they happened. */
export const noticesSignal = defineSignal<[readonly NotifyEvent[]]>('notices');

/** The queue's workflow id: one per rollout and channel. */
export const notifyQueueId = (rolloutId: string, channel: string): string => `${rolloutId}/notify/${channel}`;

export interface NotifyQueueInput {
  readonly channel: string;
  readonly rolloutId: string;
  /** The first notices; later ones come by `noticesSignal`. */
  readonly events?: readonly NotifyEvent[];
  /** How long a notice is retried, from when it was queued. @default 1 hour */
  readonly giveUpAfterMs?: number;
  /** With nothing queued for this long the queue ends (a later notice starts it again). @default 1 day */
  readonly idleMs?: number;
  /** Events one run reaches before it continues as new. @default 2,000 */
  readonly historyEventsPerRun?: number;
  /** What a previous run left (continue-as-new). */
  readonly carry?: NotifyQueueCarry;
}

interface Queued {
  readonly event: NotifyEvent;
  /** Epoch ms (workflow time): the notice's deadline counts from here. */
  readonly queuedAt: number;
}

export interface NotDelivered {
  readonly eventId: string;
  readonly type: NotifyEventType;
  readonly reason: string;
}

export interface NotifyQueueCarry {
  readonly queued: readonly Queued[];
  /** The latest ids seen (at most MAX_SEEN): what a repeated notice is checked against. */
  readonly seen: readonly string[];
  readonly delivered: number;
  readonly notDelivered: readonly NotDelivered[];
  readonly notDeliveredCount: number;
}

export interface NotifyQueueResult {
  readonly channel: string;
  readonly rolloutId: string;
  /** Notices the receiver took (2xx). */
  readonly delivered: number;
  /** How many were given up, and the first few with why. */
  readonly notDeliveredCount: number;
  readonly notDelivered: readonly NotDelivered[];
  /** `finished`: after `rollout.finished`; `idle`: nothing came for `idleMs`. */
  readonly ended: 'finished' | 'idle';
}

export const DEFAULT_QUEUE_IDLE_MS = 24 * 60 * 60_000;
const DEFAULT_EVENTS_PER_RUN = 2_000;
/** Ids carried across continue-as-new: duplicates come from neighbouring steps, not from thousands of notices back. */
const MAX_SEEN = 1_000;
const MAX_NOT_DELIVERED = 20;
/** Below this much time left, a notice gets one attempt instead of a retry loop. */
const ONE_ATTEMPT_BELOW_MS = 2_000;

export async function notifyQueue(input: NotifyQueueInput): Promise<NotifyQueueResult> {
  const queue = new NoticeQueue(input);
  // The start's notices first: signals that came before the first task are delivered by setHandler, and are later ones.
  queue.add(input.events ?? []);
  setHandler(noticesSignal, (events) => queue.add(events));
  const idleMs = input.idleMs ?? DEFAULT_QUEUE_IDLE_MS;
  for (;;) {
    const next = queue.next;
    if (!next) {
      if (queue.finished) return queue.result('finished');
      // A signal that lands while the run completes fails that completion: the loop sees it.
      if (!(await condition(() => queue.next !== undefined, idleMs)) && !queue.next) return queue.result('idle');
      continue;
    }
    if (historyIsLong(input.historyEventsPerRun ?? DEFAULT_EVENTS_PER_RUN)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof notifyQueue>({ ...input, events: [], carry: queue.carry() });
    }
    const remaining = next.queuedAt + queue.giveUpAfterMs - Date.now();
    const options =
      remaining >= ONE_ATTEMPT_BELOW_MS
        ? notifyDelivery(remaining)
        : { ...notifyDelivery(30_000), retry: { maximumAttempts: 1 } };
    queue.done(await deliverNotice(input.channel, next.event, options, queue.giveUpAfterMs));
  }
}

/** The queue and its counts; what continue-as-new carries. */
class NoticeQueue {
  readonly giveUpAfterMs: number;
  private readonly queued: Queued[];
  private readonly seen: Set<string>;
  private delivered: number;
  private readonly notDelivered: NotDelivered[];
  private notDeliveredCount: number;
  /** The last notice taken off the queue was `rollout.finished`. */
  finished = false;

  constructor(private readonly input: NotifyQueueInput) {
    this.giveUpAfterMs = input.giveUpAfterMs ?? DEFAULT_NOTIFY_GIVE_UP_MS;
    const carry = input.carry;
    this.queued = [...(carry?.queued ?? [])];
    this.seen = new Set([...(carry?.seen ?? []), ...this.queued.map((q) => q.event.id)]);
    this.delivered = carry?.delivered ?? 0;
    this.notDelivered = [...(carry?.notDelivered ?? [])];
    this.notDeliveredCount = carry?.notDeliveredCount ?? 0;
  }

  get next(): Queued | undefined {
    return this.queued[0];
  }

  /** Queues the notices not seen before, in the order given. */
  add(events: readonly NotifyEvent[]): void {
    for (const event of events) {
      if (this.seen.has(event.id)) continue;
      this.seen.add(event.id);
      this.queued.push({ event, queuedAt: Date.now() });
    }
  }

  /** The head was delivered or given up. */
  done(result: NotifyChannelResult): void {
    const { event } = this.queued.shift()!;
    this.finished = event.type === 'rollout.finished';
    if (result.delivered) {
      this.delivered++;
      return;
    }
    this.notDeliveredCount++;
    if (this.notDelivered.length < MAX_NOT_DELIVERED)
      this.notDelivered.push({ eventId: event.id, type: event.type, reason: result.reason });
  }

  carry(): NotifyQueueCarry {
    return {
      queued: [...this.queued],
      seen: [...this.seen].slice(-MAX_SEEN),
      delivered: this.delivered,
      notDelivered: [...this.notDelivered],
      notDeliveredCount: this.notDeliveredCount,
    };
  }

  result(ended: NotifyQueueResult['ended']): NotifyQueueResult {
    const { channel, rolloutId } = this.input;
    return {
      channel,
      rolloutId,
      delivered: this.delivered,
      notDeliveredCount: this.notDeliveredCount,
      notDelivered: [...this.notDelivered],
      ended,
    };
  }
}

function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}
