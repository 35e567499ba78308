/**
 * `clusterClaim`: a cluster held by the rollout upgrading it, so that a second rollout
 * cannot upgrade the same cluster at the same time. Its workflow id is the lock
 * (`fleet-claim/<platform>/<clusterId>`, one per cluster in the namespace, whichever
 * rollout or task queue): a `clusterUpgrade` starts it as a child before it asks the
 * platform for anything, and a second start fails while it runs. The holder releases
 * it by signal when it is done; if the holder is terminated, the claim goes with it
 * (the default parent-close policy, TERMINATE).
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';
import type { PlatformName } from '../domain/platform.js';

export interface ClusterClaimInput {
  /** The rollout holding the cluster, for whoever finds the claim in the UI. */
  readonly rolloutId: string;
  readonly platform: PlatformName;
  readonly clusterId: string;
}

/** The holder is done with the cluster. */
export const releaseClaimSignal = defineSignal('releaseClaim');

/** The claim's workflow id: the lock itself. */
export const clusterClaimWorkflowId = (platform: PlatformName, clusterId: string): string => `fleet-claim/${platform}/${clusterId}`;

export async function clusterClaim(_input: ClusterClaimInput): Promise<void> {
  let released = false;
  setHandler(releaseClaimSignal, () => {
    released = true;
  });
  await condition(() => released);
}
