/**
 * An update that reaches a rollout while its run continues as new is aborted before the
 * workflow saw it: the server answers "workflow update was aborted by closing workflow"
 * (the TypeScript client throws it as a WorkflowNotFoundError). Nothing happened, and the
 * next run, already current, takes the same update: send it again, a few times, rather
 * than tell an operator the rollout does not exist. An update the workflow accepted is
 * never aborted this way: a run continues as new only once its handlers have finished.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';

export const abortedByContinueAsNew = (error: unknown): boolean =>
  error instanceof WorkflowNotFoundError && /aborted by closing workflow/.test(error.message);

/** Runs `send`, again (up to `attempts` in all, 100 ms more apart each time) while a continue-as-new aborts it. */
export async function sendAcrossRuns<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= attempts || !abortedByContinueAsNew(error)) throw error;
      await sleep(100 * attempt);
    }
  }
}
