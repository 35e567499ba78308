/**
 * One interface over both platforms' HTTP APIs. Activities speak only this; the
 * dialects (Avisi's scheduled upgrades into maintenance windows, Aether's desired
 * `k8s_version` and observed version) stay inside each client.
 *
 * Everything here crosses activity boundaries and may land in workflow history, so it
 * is plain JSON: timestamps are RFC 3339 strings, never `Date`, and nothing carries a token.
 */
import type { PlatformName } from './names.js';
import type { UpgradeStatus } from '../domain/upgrade-status.js';
import type { MaintenanceWindow } from '../domain/windows.js';

export type { PlatformName };

/** How a platform describes a cluster's health, reduced to what a rollout needs. */
export type ClusterState = 'ready' | 'upgrading' | 'degraded' | 'failed' | 'unavailable' | 'unknown';

export interface ClusterSnapshot {
  /** Avisi cluster `identity` or Aether cluster `id`, lower-cased. */
  readonly id: string;
  readonly name: string;
  /** Where the API addresses this cluster: Avisi `environmentSlug/clusterSlug`, Aether the id. */
  readonly locator: string;
  /** The Kubernetes version the cluster runs now, e.g. `1.30.4` (Aether's observed version). */
  readonly version: string;
  /** The version as the platform writes it, e.g. `v1.30.4-u-ame.3`. */
  readonly platformVersion: string;
  /** Aether's desired `k8s_version`, when it differs from what runs. */
  readonly desiredVersion?: string;
  readonly state: ClusterState;
  /** The platform's own status word, kept for reports (unknown values are passed through). */
  readonly rawStatus: string;
  /** Why the cluster is in that state, when the platform says (Aether `status_message`). */
  readonly statusMessage?: string;
  /** Avisi: the weekly windows upgrades are scheduled into (UTC). */
  readonly maintenanceWindows?: readonly MaintenanceWindow[];
  /*
   * How operators group clusters, in the platform's own words, so waves can target
   * them. Each is absent when the platform has no such field or sent it empty: a
   * selector on a field a cluster lacks does not match it (never a guess).
   */
  /**
   * Avisi: the slug of the cluster's environment (`environmentSlug`, e.g. `production`). Aether
   * has no environments.
   */
  readonly environment?: string;
  /** Avisi `region`: the cloud provider's region slug (`eu-west-1`); Aether `region` (`nl-ams-1`). */
  readonly region?: string;
  /** Avisi `cloudProvider` (`aws`, `azure`, `hetzner`, ...). Aether is its own cloud and names none. */
  readonly cloudProvider?: string;
  /** Aether `endpoint`: the cluster's Kubernetes API URL, for health checks' `{endpoint}`. Avisi gives none. */
  readonly endpoint?: string;
  /** Avisi `autoUpgrade`: the platform upgrades the cluster itself along its update channel. Aether has none. */
  readonly autoUpgrade?: boolean;
  /** Avisi `updateChannel`: the channel the cluster follows. Aether has none. */
  readonly updateChannel?: ClusterUpdateChannel;
}

/** A cluster's update channel (Avisi `updateChannel`), its version plain and as the platform spells it. */
export interface ClusterUpdateChannel {
  /** `v1.31`. */
  readonly name: string;
  /** Whether the platform still offers the channel. */
  readonly available: boolean;
  /** The channel's version, plain (`1.31.6`), or absent when unreadable. */
  readonly version?: string;
  /** As the platform writes it (`kubernetesClusterVersion`, `v1.31.6-u-ame.1`). */
  readonly platformVersion: string;
}

/**
 * An update channel the platform offers an organisation (Avisi `GET /orgs/{org}/update-channels`):
 * the same shape as the channel a cluster follows.
 */
export type UpdateChannelInfo = ClusterUpdateChannel;

/** The upgrade lifecycle and its sets live in domain/ (workflow code decides by them too). */
export { ENDED_WITHOUT_SUCCESS, TERMINAL_UPGRADE_STATUSES, type UpgradeStatus } from '../domain/upgrade-status.js';

export interface UpgradeState {
  /** Avisi scheduled-upgrade `identity`; for Aether the cluster id (the cluster is the upgrade). */
  readonly upgradeId: string;
  readonly clusterId: string;
  /** The version this upgrade moves to, as the platform wrote it. */
  readonly toVersion: string;
  readonly status: UpgradeStatus;
  /** The platform's own status word (`SCHEDULED_NOTIFIED`, `upgrading`, or an unknown value). */
  readonly rawStatus: string;
  /** When the upgrade may start (Avisi maintenance window), RFC 3339. */
  readonly windowStart?: string;
  readonly windowEnd?: string;
  /** Why the platform ended it this way, when it says (Avisi `reason`, Aether `status_message`). */
  readonly reason?: string;
  /** The Kubernetes version the cluster reports now, when the read included it. */
  readonly observedVersion?: string;
}

export interface UpgradeRequest {
  /** A Kubernetes version offered by the platform (`1.31.4`) or a minor (`1.31`). */
  readonly version: string;
  /** Avisi: the "from date" for picking a window (RFC 3339). Ignored by Aether. */
  readonly scheduleRequestDate?: string;
  /** Avisi: start at `scheduleRequestDate` (or now) instead of the next window. Ignored by Aether. */
  readonly ignoreMaintenanceSchedule?: boolean;
}

export interface PlatformClient {
  readonly platform: PlatformName;

  /** Every cluster of an organisation, read page by page to the last page. */
  listClusters(organisation: string, options?: { signal?: AbortSignal }): AsyncIterable<ClusterSnapshot>;

  /**
   * One page of the organisation's clusters, from `cursor` (absent: the first page).
   * `next` is the cursor of the following page, absent after the last: an opaque string
   * (Avisi: the page number; Aether: the API's cursor) that survives in workflow state.
   */
  listClusterPage(
    organisation: string,
    cursor?: string,
    options?: {
      signal?: AbortSignal;
      /** Clusters a page, where the platform lets the caller choose (Aether: up to 100); else ignored. */
      pageSize?: number;
    },
  ): Promise<ClusterPage>;

  /** One cluster by its id (Avisi identity UUID or Aether id). Throws PlatformApiError 404 when unknown. */
  getCluster(organisation: string, clusterId: string, options?: { signal?: AbortSignal }): Promise<ClusterSnapshot>;

  /**
   * The Kubernetes versions the platform offers, as plain versions with the platform's
   * spelling (`{ version: '1.31.4', platformVersion: 'v1.31.4-u-ame.1' }`), or
   * undefined when the platform has no such endpoint (Aether).
   */
  listVersions(options?: { signal?: AbortSignal }): Promise<readonly OfferedVersion[] | undefined>;

  /**
   * The update channels the platform offers the organisation (Avisi: `v1.31` and the AME
   * build it follows), every page read. Absent where the platform has no channels (Aether).
   */
  listUpdateChannels?(organisation: string, options?: { signal?: AbortSignal }): Promise<readonly UpdateChannelInfo[]>;

  /**
   * Asks the platform to move a cluster to a version. Not idempotent on the wire (an
   * Avisi POST supersedes an earlier one), so callers look for an existing upgrade first
   * with `findUpgrade`. `version` must be one `listVersions` offered (platform spelling).
   */
  requestUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    request: UpgradeRequest,
    options?: { signal?: AbortSignal },
  ): Promise<UpgradeState>;

  /**
   * The upgrade of this cluster to this version that the platform already knows about,
   * if any (Avisi: the newest scheduled upgrade to that version; Aether: the cluster when
   * its desired version already is that version, read off `cluster`, so hand it a fresh
   * read). How an activity retried after a lost response avoids asking twice.
   */
  findUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    version: string,
    options?: { signal?: AbortSignal },
  ): Promise<UpgradeState | undefined>;

  /**
   * Where the cluster is its upgrade (Aether), the upgrade's state read off a snapshot of
   * the cluster, with no request: polls then read clusters, by the page when many are in
   * flight (activities/read-boards.ts). Absent where an upgrade is a resource of its own
   * (Avisi), read by `getUpgrade`.
   */
  upgradeOf?(cluster: ClusterSnapshot, upgrade: UpgradeState): UpgradeState;

  /**
   * Every upgrade of the organisation's clusters that the platform has scheduled or is
   * running (not ended), read by the page: one list for the whole organisation instead
   * of a `findUpgrade` per cluster (`fleet versions`). Avisi: the scheduled upgrades with
   * an open status. Absent where the cluster is its upgrade (Aether): a snapshot's
   * `desiredVersion` says it, with no request.
   */
  listOpenUpgrades?(organisation: string, options?: { signal?: AbortSignal }): AsyncIterable<UpgradeState>;

  /** The current state of an upgrade `requestUpgrade` or `findUpgrade` returned. */
  getUpgrade(organisation: string, upgrade: UpgradeState, options?: { signal?: AbortSignal }): Promise<UpgradeState>;

  /** Withdraws an upgrade that has not started (Avisi DELETE). Aether: restores the previous desired version. */
  cancelUpgrade(
    organisation: string,
    upgrade: UpgradeState,
    previousVersion: string,
    options?: { signal?: AbortSignal },
  ): Promise<UpgradeState>;
}

export interface OfferedVersion {
  /** Plain Kubernetes version, `1.31.4`. */
  readonly version: string;
  /** How the platform spells it in requests, `v1.31.4-u-ame.1` on Avisi. */
  readonly platformVersion: string;
}

export interface ClusterPage {
  readonly clusters: readonly ClusterSnapshot[];
  readonly next?: string;
}
