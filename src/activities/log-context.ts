/**
 * Every activity execution runs in a log context (see ../log-context.ts) naming what it
 * works for: `rolloutId`, `clusterId` (cluster activities), `workflowId`,
 * `activityType` and `attempt`. So each line written while it runs, by the activity,
 * the platform client (its retries) or the API budget, tells which rollout and cluster
 * it belongs to, and `grep <clusterId>` reads as one cluster's story.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { rolloutOfWorkflow, withLogContext, type LogContext } from '../log-context.js';

/** `activity`, run in its execution's log context; outside an activity (a direct call in a test), as it is. */
export function inActivityLogContext<I, O>(activity: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return (input) => {
    const info = asyncLocalStorage.getStore()?.info;
    if (!info) return activity(input);
    const workflowId = info.workflowExecution?.workflowId;
    const owner = rolloutOfWorkflow(info.workflowType, workflowId);
    const clusterId = clusterIdOf(input) ?? owner.clusterId;
    const rolloutId = rolloutIdOf(input) ?? owner.rolloutId;
    const context: LogContext = {
      ...(rolloutId ? { rolloutId } : {}),
      ...(clusterId ? { clusterId } : {}),
      ...(workflowId ? { workflowId } : {}),
      activityType: info.activityType,
      attempt: info.attempt,
    };
    return withLogContext(context, () => activity(input));
  };
}

/** The cluster an activity's input names (`ClusterCall.clusterId`), if any. */
function clusterIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('clusterId' in input)) return undefined;
  return typeof input.clusterId === 'string' ? input.clusterId : undefined;
}

/** The rollout an activity's input names (`ClusterCall.rolloutId`, a lean child's calls), if any. */
function rolloutIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('rolloutId' in input)) return undefined;
  return typeof input.rolloutId === 'string' ? input.rolloutId : undefined;
}

/** Every activity of `activities` in its log context (the names and types unchanged). */
export function inActivityLogContexts<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [name, inActivityLogContext(activity)]),
  ) as T;
}
