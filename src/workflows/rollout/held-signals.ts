/**
 * The signals a rollout sends the children it holds (held.ts keeps the set): a retry, and
 * the release when the rollout ends. Workflow code with Temporal calls, apart from the
 * state so that the set stays plain data.
 */
import { CancellationScope, getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { HOLD_PATCH, releaseHeldSignal, retryHeldSignal } from '../cluster/hold.js';
import type { HeldClusters } from './held.js';
import type { Rollout } from './state.js';
import type { HeldChild } from './wave-data.js';

export { HOLD_PATCH };

const handleOf = (held: HeldChild) => getExternalWorkflowHandle(held.childId, held.childRunId);

/**
 * A retry of a held cluster: its child upgrades it again, in flight as a started one would
 * be. False when the cluster is not held, or its child is gone (terminated by hand): the
 * caller then starts a new child.
 */
export async function retryHeld(rollout: Rollout, clusterId: string): Promise<boolean> {
  const held = rollout.queues.held;
  if (!held.has(clusterId) || !patched(HOLD_PATCH)) return false;
  const child = held.take(clusterId)!;
  if (!child.childRunId) return false;
  // In flight with its run before the signal goes: its next report may come at once.
  rollout.inFlight.childStarted(clusterId, child.childId, child.childRunId, true);
  return handleOf(child)
    .signal(retryHeldSignal)
    .then(
      () => true,
      () => false,
    );
}

/** The rollout ends (finished, halted, aborted, failed, cancelled): every child it holds closes as it is. */
export async function releaseHeld(held: HeldClusters): Promise<void> {
  if (held.size === 0 || !patched(HOLD_PATCH)) return;
  const children = held.takeAll().filter((child) => child.childRunId);
  // Not cancellable: a cancelled rollout lets its clusters go too. A child gone already needs nothing.
  await CancellationScope.nonCancellable(() =>
    Promise.all(
      children.map((child) =>
        handleOf(child)
          .signal(releaseHeldSignal)
          .catch(() => undefined),
      ),
    ),
  );
}
