/** A cluster's child: its workflow id (the cluster's lock) and its label in the UI. */
import type { PlatformName } from '../../domain/platform.js';
import type { ClusterUpgradeInput } from './input.js';

/**
 * A child's workflow id, and the cluster's lock: one per cluster in the namespace,
 * whichever rollout or task queue, so a second rollout's start fails while one runs.
 */
export const clusterLockId = (platform: PlatformName, clusterId: string): string =>
  `fleet-cluster/${platform}/${clusterId}`;

/** Used by the parent to label the child in the UI. */
export const clusterSummary = (input: ClusterUpgradeInput): string =>
  `${input.cluster.name}: ${input.cluster.version} -> ${input.requestVersion} (${input.platform})`;
