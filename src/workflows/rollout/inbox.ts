/**
 * Where the children's reports (`clusterDone` signals) and the operators' updates meet
 * the rollout, in an order that a replay repeats.
 *
 * Why: CI's run without a worker cache once failed a continued run's second workflow
 * task with "UpsertWorkflowSearchAttributesMachine does not handle ... UpdateAccepted".
 * That run's first task had sent no commands (a continued run shows what the last one
 * left), and SDK core chunks such a task with the next one, like a heartbeat: as it ran,
 * the signals and the pause update that arrived next were handed over with the run's
 * start, before the handlers existed; on replay, after them. Handlers that change the
 * rollout and send commands at once then wrote a history their own replay refused.
 *
 * So, since the `ordered-messages` patch:
 * - its marker is the first command of every run, so no run's first task is empty;
 * - a signal only queues its report; nothing changes and nothing is sent in its handler;
 * - an update changes the rollout at once (its change never depends on reports queued
 *   in the same activation, because none is recorded yet) and marks it to be shown;
 * - one pass, after all of an activation's jobs, records the queued reports, sends
 *   their notices and shows the rollout once (fewer search-attribute upserts too);
 * - an update answers only after that pass.
 * Whichever order an activation hands signals and updates over in, the commands are
 * the same, in the same order (test/integration/message-order.test.ts replays such runs).
 *
 * Before the patch (histories recorded earlier replay as they ran), a report is
 * recorded, shown and noticed in its handler, and an update shows at once.
 */
import { condition, patched } from '@temporalio/workflow';
import type { ClusterResult } from '../../domain/report.js';

export const ORDERED_MESSAGES_PATCH = 'ordered-messages';

/** What the rollout does with a report: records it and, if it was news, says so. */
export interface InboxActions {
  /** Records the report; false when it was not news (a duplicate, or a cluster no longer in flight). */
  record(result: ClusterResult): boolean;
  /** Sends the notices a recorded report calls for. */
  notice(result: ClusterResult): void;
  /** Shows the rollout as it is now (current details, search attributes when due). */
  show(): void;
}

export class RolloutInbox {
  private readonly queued: ClusterResult[] = [];
  private unshown = false;

  /** Call once, in the run's first activation, where the patch marker belongs. */
  static open(actions: InboxActions): RolloutInbox {
    return new RolloutInbox(patched(ORDERED_MESSAGES_PATCH), actions);
  }

  private constructor(
    readonly ordered: boolean,
    private readonly actions: InboxActions,
  ) {
    if (ordered) void this.passes();
  }

  /** The `clusterDone` handler. */
  report(result: ClusterResult): void {
    if (this.ordered) {
      this.queued.push(result);
      return;
    }
    if (!this.actions.record(result)) return;
    this.actions.show();
    this.actions.notice(result);
  }

  /**
   * An update changed the rollout. Ordered: resolves once the pass has shown it (the
   * update answers after the pass's commands); before the patch: shows it now.
   */
  changed(): Promise<void> | undefined {
    if (!this.ordered) {
      this.actions.show();
      return undefined;
    }
    this.unshown = true;
    return condition(() => !this.unshown);
  }

  /** Records every queued report now, and shows the rollout if anything is unshown (before continue-as-new). */
  drain(): void {
    if (!this.ordered || (this.queued.length === 0 && !this.unshown)) return;
    for (const result of this.queued.splice(0)) {
      if (this.actions.record(result)) this.actions.notice(result);
    }
    this.unshown = false;
    this.actions.show();
  }

  /** Whether reports wait to be recorded. */
  get pending(): boolean {
    return this.queued.length > 0;
  }

  private async passes(): Promise<never> {
    for (;;) {
      await condition(() => this.queued.length > 0 || this.unshown);
      this.drain();
    }
  }
}
