/**
 * The Avisi Cloud client: clusters addressed by slug, upgrades as scheduled upgrades
 * that the platform runs inside the cluster's maintenance windows.
 *
 * Rollouts name clusters by their `identity` UUID (scheduled upgrades use it too), but
 * the API reads a cluster by `environmentSlug/clusterSlug`. The client learns each
 * identity's slugs from the cluster list and keeps them for its lifetime, re-reading
 * the list when a cached location no longer answers (locator.ts).
 */
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import { sameId } from '../../domain/ids.js';
import { isTerminalUpgradeStatus } from '../../domain/upgrade-status.js';
import type { PlatformClientFactory } from '../descriptor.js';
import { PlatformApiError, PlatformConfigError } from '../errors.js';
import { apiPath, createHttpClient, type HttpClient, type HttpTuning } from '../http.js';
import { compact, versionMatches } from '../shared.js';
import { unknownValueReporter, type UnknownValueReporter } from '../unknown-values.js';
import type {
  ClusterPage,
  ClusterSnapshot,
  OfferedVersion,
  PlatformClient,
  UpdateChannelInfo,
  UpgradeRequest,
  UpgradeState,
} from '../types.js';
import {
  avisiClusterSchema,
  avisiDeleteSchema,
  avisiUpdateChannelSchema,
  avisiUpgradeSchema,
  avisiVersionsSchema,
  parseAvisiError,
  springPage,
  type AvisiCluster,
  type AvisiUpgrade,
} from './schemas.js';
import {
  isNewer,
  needsPlatformSpelling,
  offeredVersionsOf,
  platformSpelling,
  snapshotOf,
  updateChannelOf,
  upgradeStateOf,
} from './mapping.js';
import { ClusterLocator } from './locator.js';
import { isLastPage, pageOfCursor, springPages } from './pages.js';
import { AVISI_DEFAULTS, AVISI_ENV } from './settings.js';
import { avisiUpgradeStatus } from './status.js';

export const AVISI_DEFAULT_API_URL = AVISI_DEFAULTS.apiUrl;

/** Avisi's statuses of an upgrade that has not ended: what `listOpenUpgrades` asks for. */
const OPEN_STATUSES = ['REQUESTED', 'SCHEDULED', 'SCHEDULED_NOTIFIED', 'IN_PROGRESS'] as const;

export interface AvisiClientOptions extends HttpTuning {
  /**
   * Base URL including the API prefix.
   * @default 'https://api.avisi.cloud/api/v1'
   */
  readonly apiUrl?: string;
  /** Personal access token, sent as `Authorization: Token <pat>`. Never logged. */
  readonly token: string;
  /** Receives retries and unknown enum values. @default silent */
  readonly logger?: Logger;
}

type Signal = { signal?: AbortSignal };

export function createAvisiClient(options: AvisiClientOptions): PlatformClient {
  return new AvisiClient(options);
}

/**
 * The factory descriptor.ts loads: AVISI_API_TOKEN holds one personal access token (the
 * descriptor never parses pairs).
 */
export const createClient: PlatformClientFactory = ({ token, ...options }) => {
  if (typeof token !== 'string')
    throw new PlatformConfigError(`${AVISI_ENV.token}: expected one personal access token`, AVISI_ENV.token);
  return createAvisiClient({ ...options, token });
};

class AvisiClient implements PlatformClient {
  readonly platform = 'avisi' as const;
  readonly #http: HttpClient;
  readonly #report: UnknownValueReporter;
  /** Where each cluster lives: its slugs by identity. */
  readonly #locator: ClusterLocator;

  constructor(options: AvisiClientOptions) {
    const logger = options.logger ?? silentLogger;
    this.#report = unknownValueReporter(logger, 'avisi');
    this.#http = createHttpClient({
      ...options,
      platform: 'avisi',
      baseUrl: options.apiUrl ?? AVISI_DEFAULT_API_URL,
      authScheme: 'Token',
      token: options.token,
      // Never POST: a second POST supersedes the first.
      retryMethods: ['GET', 'DELETE'],
      parseErrorBody: parseAvisiError,
      logger,
    });
    this.#locator = new ClusterLocator(this.#http);
  }

  async *listClusters(organisation: string, options: Signal = {}): AsyncIterable<ClusterSnapshot> {
    for await (const cluster of this.#locator.clusters(organisation, options.signal)) yield this.#snapshot(cluster);
  }

  async listClusterPage(organisation: string, cursor?: string, options: Signal = {}): Promise<ClusterPage> {
    const page = pageOfCursor(cursor);
    const body = await this.#http.request(
      'GET',
      apiPath`orgs/${organisation}/clusters`,
      springPage(avisiClusterSchema),
      { searchParams: { page }, signal: options.signal },
    );
    this.#locator.remember(organisation, body.content);
    return {
      clusters: body.content.map((cluster) => this.#snapshot(cluster)),
      ...(isLastPage(body) ? {} : { next: String(page + 1) }),
    };
  }

  async getCluster(organisation: string, clusterId: string, options: Signal = {}): Promise<ClusterSnapshot> {
    return this.#snapshot(await this.#locator.cluster(organisation, clusterId, options.signal));
  }

  async listVersions(options: Signal = {}): Promise<readonly OfferedVersion[]> {
    const body = await this.#http.request('GET', 'cluster-versions', avisiVersionsSchema, { signal: options.signal });
    return offeredVersionsOf(body, this.#report);
  }

  /** `GET /orgs/{org}/update-channels`, a Spring page as go-client's `GetUpdateChannels` reads it, to the last page. */
  async listUpdateChannels(organisation: string, options: Signal = {}): Promise<readonly UpdateChannelInfo[]> {
    const path = apiPath`orgs/${organisation}/update-channels`;
    const channels: UpdateChannelInfo[] = [];
    for await (const channel of springPages(this.#http, path, avisiUpdateChannelSchema, {}, options.signal))
      channels.push(updateChannelOf(channel, this.#report));
    return channels;
  }

  async requestUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    request: UpgradeRequest,
    options: Signal = {},
  ): Promise<UpgradeState> {
    const version = await this.#platformSpelling(request.version, options.signal);
    const body = compact({
      clusterIdentity: cluster.id,
      version,
      scheduleRequestDate: request.scheduleRequestDate,
      ignoreMaintenanceSchedule: request.ignoreMaintenanceSchedule,
    });
    const path = apiPath`orgs/${organisation}/scheduled-cluster-upgrades`;
    const upgrade = await this.#http.request('POST', path, avisiUpgradeSchema, { json: body, signal: options.signal });
    return this.#state(this.#about(upgrade, { clusterId: cluster.id }, 'POST', path));
  }

  /**
   * The newest scheduled upgrade of the cluster to `version` that is still meaningful:
   * CANCELLED and SUPERSEDED ones are skipped (they are as good as never asked), every
   * other status counts, SUCCEEDED included (a retry after a lost response must see
   * the upgrade already done) and FAILED/MISSED too (the outcome of the last request;
   * a caller that wants a fresh attempt compares `upgradeId` with the one it saw fail).
   * `version` matches the platform spelling exactly or the same Kubernetes version.
   */
  async findUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    version: string,
    options: Signal = {},
  ): Promise<UpgradeState | undefined> {
    let newest: AvisiUpgrade | undefined;
    const upgrades = springPages(
      this.#http,
      apiPath`orgs/${organisation}/scheduled-cluster-upgrades`,
      avisiUpgradeSchema,
      { clusterIdentities: cluster.id },
      options.signal,
    );
    for await (const upgrade of upgrades) {
      // The filter is ours to trust only so far: check what came back.
      if (!sameId(upgrade.clusterIdentity, cluster.id) || !versionMatches(upgrade.toClusterVersion, version)) continue;
      const status = avisiUpgradeStatus(upgrade.status);
      if (status === 'CANCELLED' || status === 'SUPERSEDED') continue;
      if (!newest || isNewer(upgrade, newest)) newest = upgrade;
    }
    return newest && this.#state(newest);
  }

  /**
   * The scheduled upgrades whose status is open (requested, scheduled, notified, in
   * progress), by the page (50 a page). The filter is the API's; what comes back is
   * checked too, so an ended upgrade never passes for an open one.
   */
  async *listOpenUpgrades(organisation: string, options: Signal = {}): AsyncIterable<UpgradeState> {
    const upgrades = springPages(
      this.#http,
      apiPath`orgs/${organisation}/scheduled-cluster-upgrades`,
      avisiUpgradeSchema,
      { statuses: OPEN_STATUSES.join(',') },
      options.signal,
    );
    for await (const upgrade of upgrades) {
      const state = this.#state(upgrade);
      if (!isTerminalUpgradeStatus(state.status)) yield state;
    }
  }

  async getUpgrade(organisation: string, upgrade: UpgradeState, options: Signal = {}): Promise<UpgradeState> {
    const path = apiPath`orgs/${organisation}/scheduled-cluster-upgrades/${upgrade.upgradeId}`;
    const body = await this.#http.request('GET', path, avisiUpgradeSchema, { signal: options.signal });
    return this.#state(this.#about(body, upgrade, 'GET', path));
  }

  /**
   * DELETEs the scheduled upgrade. One that already started cannot be withdrawn: the
   * API answers 409 and the upgrade's current state comes back unchanged, for the
   * caller to wait out. `previousVersion` is not needed on Avisi.
   */
  async cancelUpgrade(
    organisation: string,
    upgrade: UpgradeState,
    _previousVersion: string,
    options: Signal = {},
  ): Promise<UpgradeState> {
    try {
      const path = apiPath`orgs/${organisation}/scheduled-cluster-upgrades/${upgrade.upgradeId}`;
      const body = await this.#http.request('DELETE', path, avisiDeleteSchema, { signal: options.signal });
      if (body && typeof body === 'object') return this.#state(this.#about(body, upgrade, 'DELETE', path));
    } catch (error) {
      if (!(error instanceof PlatformApiError && error.status === 409)) throw error;
    }
    return this.getUpgrade(organisation, upgrade, options);
  }

  /**
   * The upgrade, checked to be the one asked about: an answer about another upgrade or
   * cluster (a proxy's mix-up, a platform bug) must not pass for this one's, least of
   * all as SUCCEEDED.
   */
  #about(
    body: AvisiUpgrade,
    expected: { readonly upgradeId?: string; readonly clusterId?: string },
    method: string,
    path: string,
  ): AvisiUpgrade {
    const wrong =
      expected.upgradeId !== undefined && !sameId(body.identity, expected.upgradeId)
        ? `upgrade ${body.identity}, not ${expected.upgradeId}`
        : expected.clusterId !== undefined && !sameId(body.clusterIdentity, expected.clusterId)
          ? `cluster ${body.clusterIdentity}, not ${expected.clusterId}`
          : undefined;
    if (!wrong) return body;
    throw new PlatformApiError({
      platform: 'avisi',
      method,
      path: this.#http.pathname(path),
      code: 'invalid_response',
      apiMessage: `the answer is about ${wrong}`,
    });
  }

  /** The version as Avisi spells it (mapping.ts); the offered versions are read only when needed. */
  async #platformSpelling(version: string, signal: AbortSignal | undefined): Promise<string> {
    if (!needsPlatformSpelling(version)) return version;
    return platformSpelling(version, await this.listVersions({ signal }));
  }

  #snapshot(cluster: AvisiCluster): ClusterSnapshot {
    return snapshotOf(cluster, this.#report);
  }

  #state(upgrade: AvisiUpgrade): UpgradeState {
    return upgradeStateOf(upgrade, this.#report);
  }
}
