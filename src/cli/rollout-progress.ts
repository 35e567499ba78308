/** A running rollout's `progress` query from the CLI, bounded so a busy or absent worker cannot hold a command up. */
import type { WorkflowHandle } from '@temporalio/client';
import type { RolloutProgress } from '../domain/report.js';
import { progressQuery } from '../workflows/messages.js';

/** A query waits for a worker to answer it; one that is busy or gone must not hold the wait up. */
export const QUERY_DEADLINE_MS = 5_000;

/** The progress, or undefined when the rollout cannot answer yet (no task done, no worker, a busy one). */
export async function progressOf(handle: WorkflowHandle): Promise<RolloutProgress | undefined> {
  return handle.client
    .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(progressQuery))
    .catch(() => undefined);
}
