/**
 * Aether has no upgrade object: an upgrade is the cluster's desired `k8s_version`
 * pointing somewhere its observed version is not yet. This reads a cluster as the state
 * of "the upgrade to `target`", in this order:
 *
 * | cluster | status |
 * | --- | --- |
 * | `deleting` | SUPERSEDED (the cluster is going away) |
 * | desired no longer `target` (someone changed it) | SUPERSEDED |
 * | `running`, observed satisfies `target` | SUCCEEDED |
 * | `running`, observed still old | REQUESTED (accepted, not started) |
 * | `provisioning` | REQUESTED |
 * | `upgrading` | IN_PROGRESS |
 * | `degraded` | IN_PROGRESS, raw `degraded`: the workflow's deadline decides |
 * | `failed` | FAILED, reason `status_message` |
 * | anything else | UNKNOWN, raw status kept |
 *
 * A `MAJOR.MINOR` target is satisfied by any patch of it.
 */
import { parseVersion, satisfiesTarget } from '../../domain/versions.js';
import { normaliseId } from '../../domain/ids.js';
import type { ClusterState, UpgradeStatus } from '../types.js';
import { compact, versionMatches } from '../shared.js';
import type { AetherCluster } from './schemas.js';

export interface DerivedState {
  readonly status: UpgradeStatus;
  /** False for a status word this client does not know. */
  readonly known: boolean;
}

export function deriveUpgradeStatus(cluster: AetherCluster, target: string): DerivedState {
  const status = cluster.status.trim().toLowerCase();
  if (status === 'deleting') return { status: 'SUPERSEDED', known: true };
  if (!versionMatches(cluster.k8s_version, target)) return { status: 'SUPERSEDED', known: true };
  switch (status) {
    case 'running':
      return { status: observedSatisfies(cluster, target) ? 'SUCCEEDED' : 'REQUESTED', known: true };
    case 'provisioning':
      return { status: 'REQUESTED', known: true };
    case 'upgrading':
    case 'degraded':
      return { status: 'IN_PROGRESS', known: true };
    case 'failed':
      return { status: 'FAILED', known: true };
    default:
      return { status: 'UNKNOWN', known: false };
  }
}

/** Whether the operator reports a version that satisfies `target`. */
export function observedSatisfies(cluster: AetherCluster, target: string): boolean {
  const observed = cluster.observed_kubernetes_version ? parseVersion(cluster.observed_kubernetes_version) : undefined;
  const wanted = parseVersion(target);
  return observed !== undefined && wanted !== undefined && satisfiesTarget(observed, wanted);
}

export function toUpgradeState(cluster: AetherCluster, target: string, status: UpgradeStatus) {
  const id = normaliseId(cluster.id);
  return compact({
    upgradeId: id,
    clusterId: id,
    toVersion: target,
    status,
    rawStatus: cluster.status,
    reason: cluster.status_message || undefined,
    observedVersion: cluster.observed_kubernetes_version,
  });
}

const CLUSTER_STATES: Readonly<Record<string, ClusterState>> = {
  running: 'ready',
  upgrading: 'upgrading',
  degraded: 'degraded',
  failed: 'failed',
  provisioning: 'unavailable',
  deleting: 'unavailable',
};

/** The cluster's health, or undefined for a status word this client does not know. */
export function aetherClusterState(raw: string): ClusterState | undefined {
  return CLUSTER_STATES[raw.trim().toLowerCase()];
}
