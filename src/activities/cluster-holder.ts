/**
 * `findClusterHolder`: which rollout holds a cluster's lock, so that a rollout that
 * finds the cluster held can say "rollout X holds it (fleet rollout status X)" instead
 * of naming a workflow id. The lock is a workflow (a lean child
 * `fleet-cluster/<platform>/<id>`, or an older `fleet-claim/...` claim under its child):
 * its parents lead to the rollout. Asked through the worker's own Temporal client
 * (`Context.current().client`); an answer it cannot give is no answer, never an error.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { FleetPhase } from '../workflows/search-attributes.js';

export interface FindClusterHolderInput {
  /** The lock's workflow id. */
  readonly workflowId: string;
}

export interface FindClusterHolderResult {
  /** The holding rollout's workflow id; absent when the lock is free again or its rollout cannot be told. */
  readonly rolloutId?: string;
  /**
   * The phase the lock's child ended with (`failed`, `missed`, `superseded`) when it is
   * waiting for its rollout to retry the cluster or end (workflows/cluster/hold.ts).
   */
  readonly heldAfter?: string;
}

/** A lean child still open with one of these phases holds its failed cluster for its rollout. */
const HELD_PHASES = new Set(['failed', 'missed', 'superseded']);

/** A lean child's parent is the rollout; an older claim's is a child whose parent is. */
const MAX_DEPTH = 3;
const ROLLOUT_TYPE = 'fleetRollout';

export function createFindClusterHolder(clientOf: () => Client = () => Context.current().client) {
  return async function findClusterHolder(input: FindClusterHolderInput): Promise<FindClusterHolderResult> {
    const client = clientOf();
    let workflowId = input.workflowId;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const description = await client.workflow
        .getHandle(workflowId)
        .describe()
        .catch(() => undefined);
      if (!description) return {};
      if (description.type === ROLLOUT_TYPE) return depth === 0 ? {} : { rolloutId: description.workflowId };
      const parent = description.parentExecution?.workflowId;
      if (!parent) return {};
      const phase =
        depth === 0 && description.status.name === 'RUNNING'
          ? description.typedSearchAttributes.get(FleetPhase)
          : undefined;
      if (phase && HELD_PHASES.has(phase)) return { rolloutId: parent, heldAfter: phase };
      workflowId = parent;
    }
    return {};
  };
}
