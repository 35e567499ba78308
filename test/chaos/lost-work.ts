/**
 * The chaos as the histories record it: work a killed worker (or a restarted server)
 * lost and Temporal handed out again. An activity attempt that timed out (its worker
 * died with it) shows as the `lastFailure` of the attempt that finally ran; a workflow
 * task that never came back shows as WorkflowTaskTimedOut. Read from the rollouts'
 * runs and their clusterUpgrade children once they have ended.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export interface LostWork {
  /** Activity attempts that timed out and were retried. */
  readonly activityAttempts: number;
  /** Workflow tasks that timed out and were given to another worker (or again). */
  readonly workflowTasks: number;
}

export async function lostWork(client: Client, rolloutIds: readonly string[]): Promise<LostWork> {
  const total = { activityAttempts: 0, workflowTasks: 0 };
  for (const rolloutId of rolloutIds) {
    // Every run of the rollout (it may have continued as new) and every child it started.
    const query = `WorkflowId = '${rolloutId}' OR (WorkflowType = 'clusterUpgrade' AND FleetRolloutId = '${rolloutId}')`;
    for await (const execution of client.workflow.list({ query })) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      for (const event of history.events ?? []) {
        if (timedOut(event.activityTaskStartedEventAttributes?.lastFailure)) total.activityAttempts++;
        if (event.workflowTaskTimedOutEventAttributes) total.workflowTasks++;
      }
    }
  }
  return total;
}

const timedOut = (failure: temporal.api.failure.v1.IFailure | null | undefined): boolean =>
  Boolean(failure?.timeoutFailureInfo);
