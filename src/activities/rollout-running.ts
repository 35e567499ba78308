/**
 * `isRolloutRunning`: whether a rollout still runs, for a cluster's child that holds its
 * cluster for the rollout (workflows/cluster/hold.ts) and must not hold it for ever once
 * the rollout is gone. Describes the rollout's workflow id (its latest run, so a run that
 * continued as new counts), through the worker's own client (`Context.current().client`).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

export interface IsRolloutRunningInput {
  readonly workflowId: string;
  /** The rollout's first run: a later rollout under the same id is another one. */
  readonly firstRunId?: string;
}

export interface IsRolloutRunningResult {
  readonly running: boolean;
  /** The latest run's status (`RUNNING`, `TERMINATED`, …); absent when there is none. */
  readonly status?: string;
}

export function createIsRolloutRunning(clientOf: () => Client = () => Context.current().client) {
  return async function isRolloutRunning(input: IsRolloutRunningInput): Promise<IsRolloutRunningResult> {
    const description = await clientOf()
      .workflow.getHandle(input.workflowId)
      .describe()
      .catch((error: unknown) => {
        // Gone for good is an answer; anything else is retried (and, failing, no answer).
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
    if (!description) return { running: false };
    const status = description.status.name;
    // Older servers leave firstRunId empty: then the id alone decides.
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
    const same = !input.firstRunId || !firstRunId || firstRunId === input.firstRunId;
    return { running: status === 'RUNNING' && same, status };
  };
}
