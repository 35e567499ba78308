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
 *
 * The same body read as a ClusterSnapshot (`snapshotOf`) is here too: every reading of a
 * cluster body is pure and in this file, and client.ts does the HTTP.
 */
import { formatVersion, parseVersion, satisfiesTarget } from '../../domain/versions.js';
import { normaliseId } from '../../domain/ids.js';
import type { ClusterSnapshot, ClusterState, UpgradeStatus } from '../types.js';
import type { UnknownValueReporter } from '../unknown-values.js';
import { compact, versionMatches } from '../shared.js';
import type { AetherCluster } from './schemas.js';

/** What an upgrade's state is read from. */
export type UpgradeFields = Pick<AetherCluster, 'id' | 'status' | 'k8s_version' | 'observed_kubernetes_version'> &
  Partial<Pick<AetherCluster, 'status_message'>>;

export interface DerivedState {
  readonly status: UpgradeStatus;
  /** False for a status word this client does not know. */
  readonly known: boolean;
}

export function deriveUpgradeStatus(cluster: UpgradeFields, target: string): DerivedState {
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
export function observedSatisfies(cluster: UpgradeFields, target: string): boolean {
  const observed = cluster.observed_kubernetes_version ? parseVersion(cluster.observed_kubernetes_version) : undefined;
  const wanted = parseVersion(target);
  return observed !== undefined && wanted !== undefined && satisfiesTarget(observed, wanted);
}

export function toUpgradeState(cluster: UpgradeFields, target: string, status: UpgradeStatus) {
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

/** The version of a cluster whose operator has not reported one (not a version: nothing takes it for one). */
export const UNREPORTED_VERSION = 'unreported';

/**
 * `version` is what runs: the version aether-operator reports. Before its first report
 * only a cluster being created (`provisioning`) has one to go by, the desired version
 * it is created at. Any other cluster without a report runs something nobody told us:
 * its version reads as UNREPORTED_VERSION, which planning rejects (it could be a minor
 * further back than the desired one) and an upgrade's verification never takes for
 * the target, whatever the desired version says.
 */
export function snapshotOf(cluster: AetherCluster, report: UnknownValueReporter): ClusterSnapshot {
  let state = aetherClusterState(cluster.status);
  if (!state) {
    report('cluster.status', cluster.status);
    state = 'unknown';
  }
  const creating = cluster.status.trim().toLowerCase() === 'provisioning';
  const running = cluster.observed_kubernetes_version ?? (creating ? cluster.k8s_version : undefined);
  // The schema checked that both parse.
  const desired = formatVersion(parseVersion(cluster.k8s_version)!);
  // The seed requires `region`; an empty one is left out rather than matched by a selector.
  const region = cluster.region.trim() ? { region: cluster.region.trim() } : {};
  const facts = {
    ...region,
    ...(cluster.endpoint?.trim() ? { endpoint: cluster.endpoint.trim() } : {}),
    ...(cluster.status_message ? { statusMessage: cluster.status_message } : {}),
  };
  if (running === undefined) {
    return {
      id: normaliseId(cluster.id),
      name: cluster.name,
      locator: normaliseId(cluster.id),
      version: UNREPORTED_VERSION,
      platformVersion: 'none reported (observed_kubernetes_version is null)',
      desiredVersion: desired,
      state,
      rawStatus: cluster.status,
      ...facts,
    };
  }
  const version = formatVersion(parseVersion(running)!);
  return {
    id: normaliseId(cluster.id),
    name: cluster.name,
    locator: normaliseId(cluster.id),
    version,
    platformVersion: running,
    ...(desired !== version ? { desiredVersion: desired } : {}),
    state,
    rawStatus: cluster.status,
    ...facts,
  };
}

/**
 * A snapshot read back as the body it came from, as far as upgrade states need it
 * (status word, desired and observed version): `findUpgrade` reads the cluster the
 * caller just read instead of reading it again, and polls read upgrades off cluster pages.
 */
export function bodyOf(snapshot: ClusterSnapshot): UpgradeFields {
  const reported = snapshot.version !== UNREPORTED_VERSION;
  return {
    id: snapshot.id,
    status: snapshot.rawStatus,
    k8s_version: snapshot.desiredVersion ?? snapshot.version,
    observed_kubernetes_version: reported ? snapshot.platformVersion : null,
    ...(snapshot.statusMessage ? { status_message: snapshot.statusMessage } : {}),
  };
}
