/**
 * What a rollout says of a cluster another rollout holds (its lock, a workflow id, is
 * taken): the rollout that holds it and how to see it, found by the `findClusterHolder`
 * activity. Runs from before the `name-holding-rollout` patch, and a holder that cannot
 * be told (the lock was freed meanwhile), keep naming the lock.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';

export const HOLDER_PATCH = 'name-holding-rollout';

/** A few quick tries: the answer only words a message. */
const lookup = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', maximumAttempts: 3 },
});

/** Why a cluster was not upgraded: `lockId` is held; `fallback` says so without the holder. */
export async function heldMessage(lockId: string, fallback: string): Promise<string> {
  if (!patched(HOLDER_PATCH)) return fallback;
  const found = await lookup.findClusterHolder
    .executeWithOptions({ summary: `who holds ${lockId}` }, [{ workflowId: lockId }])
    .catch(() => undefined);
  const holder = found?.rolloutId;
  if (!holder) return fallback;
  // Its child failed there and waits (hold.ts): held until that rollout retries it or ends.
  const ended = found.heldAfter?.toUpperCase();
  if (ended)
    return `this cluster ended ${ended} in rollout ${holder}, which holds it until it retries the cluster or ends (fleet rollout status ${holder}); retry it once that rollout is done`;
  return `rollout ${holder} holds this cluster now (fleet rollout status ${holder}); retry it once that rollout is done`;
}
