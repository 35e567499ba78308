/**
 * The rollout's side of the delivery queues (queue.ts): one lane per channel
 * hands that channel's notices to its queue in the order they were emitted, one
 * hand-over at a time (a start carrying the first notices, then signals), each sent
 * only once the one before was taken by the server. Signals between two workflows are
 * not ordered by themselves; waiting for each is what makes the queue's order the
 * rollout's. Notices emitted while a hand-over is under way go together in the next.
 *
 * Fire and forget: `emit` never waits and never throws, and a queue the server cannot
 * reach is logged, not raised, so a channel never holds up or fails the rollout.
 * `flush()` waits until every notice emitted so far was handed over: call it before
 * continue-as-new and before the rollout returns.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { CancellationScope, getExternalWorkflowHandle, log, ParentClosePolicy, startChild } from '@temporalio/workflow';
import {
  channelsFor,
  type EventSource,
  type NotifyEvent,
  type NotifyEventType,
  type NotifySpec,
} from '../../domain/notify-events.js';
import { noticesSignal, notifyQueue, notifyQueueId } from './queue.js';

/** Notices per hand-over: a signal stays far below the payload limit. */
const MAX_BATCH = 50;
/** Hand-over tries: a queue that ended just as it was signalled is started again. */
const MAX_TRIES = 3;

export class NoticeLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly notify: readonly NotifySpec[],
    /** What the builders (domain/notify-builders.ts) take as their first argument. */
    readonly source: EventSource,
    /** This run continued an earlier one, whose queues may be running: signal them first. */
    private readonly continued: boolean,
  ) {}

  /** Whether any channel hears events of `type`: skip building an event nobody hears. */
  hears(type: NotifyEventType): boolean {
    return channelsFor(this.notify, type).length > 0;
  }

  /** Queues `event` on the lane of every channel that hears it; never throws, never waits. */
  emit(event: NotifyEvent): void {
    for (const channel of channelsFor(this.notify, event.type)) this.lane(channel).push(event);
  }

  /** Whether a channel names events of `type` in its `events` (one without `events` hears all, but names none). */
  names(type: NotifyEventType): boolean {
    return channelsNaming(this.notify, type).length > 0;
  }

  /** Queues `event` only for the channels that name its type in their `events`. */
  emitToNaming(event: NotifyEvent): void {
    for (const channel of channelsNaming(this.notify, event.type)) this.lane(channel).push(event);
  }

  /** Resolves once every notice emitted so far was handed to its channel's queue. */
  async flush(): Promise<void> {
    for (;;) {
      const busy = [...this.lanes.values()].flatMap((lane) => lane.busy ?? []);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  private lane(channel: string): Lane {
    let lane = this.lanes.get(channel);
    if (!lane) {
      lane = new Lane(channel, this.source.rolloutId, this.continued);
      this.lanes.set(channel, lane);
    }
    return lane;
  }
}

const channelsNaming = (notify: readonly NotifySpec[], type: NotifyEventType): string[] => [
  ...new Set(notify.filter((entry) => entry.events?.includes(type)).map((entry) => entry.channel)),
];

/** One channel's notices on their way to its queue. */
class Lane {
  private readonly pending: NotifyEvent[] = [];
  /** Ids emitted in this run: the same notice twice is handed over once (the queue drops repeats from other runs). */
  private readonly emitted = new Set<string>();
  private running: Promise<void> | undefined;
  private readonly workflowId: string;

  constructor(
    private readonly channel: string,
    private readonly rolloutId: string,
    /** The queue is thought to be running: signal it rather than start it. */
    private open: boolean,
  ) {
    this.workflowId = notifyQueueId(rolloutId, channel);
  }

  /** The hand-overs under way, if any. */
  get busy(): Promise<void> | undefined {
    return this.running;
  }

  push(event: NotifyEvent): void {
    if (this.emitted.has(event.id)) return;
    this.emitted.add(event.id);
    this.pending.push(event);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    // Not cancellable: a scope cancelled around an emit (a gate's, say) must not lose the notices behind it.
    this.running = CancellationScope.nonCancellable(async () => {
      while (this.pending.length > 0) await this.handOver(this.pending.splice(0, MAX_BATCH));
    })
      .catch((error: unknown) =>
        log.warn('notices not handed over', { channel: this.channel, error: messageOf(error) }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.pending.length > 0) this.kick();
      });
  }

  /** Signals the queue, or starts it with `events` when it is not running; logs what neither could do. */
  private async handOver(events: NotifyEvent[]): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      if (this.open) {
        try {
          await getExternalWorkflowHandle(this.workflowId).signal(noticesSignal, events);
          return;
        } catch {
          // Not running (ended after a rollout.finished, idle, or never started by this rollout): start it.
          this.open = false;
        }
      }
      try {
        await startChild(notifyQueue, {
          workflowId: this.workflowId,
          args: [{ channel: this.channel, rolloutId: this.rolloutId, events }],
          staticSummary: `notices of ${this.rolloutId} to ${this.channel}, in order`,
          // The rollout never waits for deliveries; they go on after its run closes.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        this.open = true;
        return;
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
          log.warn('could not start a notification queue', {
            channel: this.channel,
            workflowId: this.workflowId,
            error: messageOf(error),
          });
          return;
        }
        this.open = true;
      }
    }
    log.warn('notices not handed over: the queue kept ending and starting', {
      channel: this.channel,
      workflowId: this.workflowId,
      notices: events.length,
    });
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
