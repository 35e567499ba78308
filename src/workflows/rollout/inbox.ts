/**
 * Where the children's reports (`clusterDone` signals) and the operators' updates meet the rollout, in an order
 * that a replay repeats: docs/development.md, "Why reports and updates meet in the inbox", tells why.
 */
import { condition, deprecatePatch } from '@temporalio/workflow';
import type { ClusterResult } from '../../domain/report.js';

/** Load-bearing: its marker is every run's first command (no first task is empty), so its step 2 is its last. */
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
    deprecatePatch(ORDERED_MESSAGES_PATCH);
    return new RolloutInbox(actions);
  }

  private constructor(private readonly actions: InboxActions) {
    void this.passes();
  }

  /** The `clusterDone` handler: it only queues the report (the pass records it). */
  report(result: ClusterResult): void {
    this.queued.push(result);
  }

  /** An update changed the rollout: resolves once the pass has shown it (the update answers after its commands). */
  changed(): Promise<void> | undefined {
    this.unshown = true;
    return condition(() => !this.unshown);
  }

  /** Records every queued report now, and shows the rollout if anything is unshown (before continue-as-new). */
  drain(): void {
    if (this.queued.length === 0 && !this.unshown) return;
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
