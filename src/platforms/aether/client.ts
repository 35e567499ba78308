/**
 * The Aether client: a cluster is upgraded by setting its desired `k8s_version` (PUT);
 * aether-operator rolls it out and reports `observed_kubernetes_version` once settled.
 * There is no upgrade object, so the cluster id doubles as the upgrade id and the
 * upgrade's state is read off the cluster (see state.ts).
 *
 * Tokens are per organisation: give one token for every organisation, or a map.
 */
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import { normaliseId, sameId } from '../../domain/ids.js';
import { formatVersion, parseVersion } from '../../domain/versions.js';
import type { PlatformClientFactory } from '../descriptor.js';
import { PlatformApiError } from '../errors.js';
import { apiPath, createHttpClient, type HttpClient, type HttpTuning } from '../http.js';
import { unknownValueReporter, type UnknownValueReporter } from '../unknown-values.js';
import type { ClusterPage, ClusterSnapshot, PlatformClient, UpgradeRequest, UpgradeState } from '../types.js';
import { aetherClusterPageSchema, aetherClusterSchema, parseAetherError, type AetherCluster } from './schemas.js';
import { AETHER_DEFAULTS, AETHER_MAX_PAGE_LIMIT } from './settings.js';

export { AETHER_MAX_PAGE_LIMIT };
import {
  bodyOf,
  deriveUpgradeStatus,
  type UpgradeFields,
  observedSatisfies,
  snapshotOf,
  toUpgradeState,
} from './state.js';

export { UNREPORTED_VERSION } from './state.js';

export const AETHER_DEFAULT_API_URL = AETHER_DEFAULTS.apiUrl;
export const AETHER_DEFAULT_PAGE_LIMIT = 50;

export interface AetherClientOptions extends HttpTuning {
  /**
   * Base URL including the API prefix.
   * @default 'https://api.aetherplatform.cloud/api/v1'
   */
  readonly apiUrl?: string;
  /**
   * `Authorization: Bearer <token>`. One token for every organisation, or one per
   * organisation id (compared case-insensitively). Never logged.
   */
  readonly token: string | Readonly<Record<string, string>>;
  /**
   * Clusters per list page, 1..100.
   * @default 50
   */
  readonly pageLimit?: number;
  /** Receives retries and unknown enum values. @default silent */
  readonly logger?: Logger;
}

type Signal = { signal?: AbortSignal };

/** Statuses in which writing the old version back cannot disturb a rollout in flight. */
const RESTORABLE: ReadonlySet<string> = new Set(['running', 'failed']);

/** Aether spells versions plain (`1.31` or `1.31.6`): `v1.31.6` and AME builds are reduced to that. */
function plainVersion(version: string): string {
  const parsed = parseVersion(version);
  return parsed ? formatVersion(parsed) : version;
}

export function createAetherClient(options: AetherClientOptions): PlatformClient {
  return new AetherClient(options);
}

/** The factory descriptor.ts loads. */
export const createClient: PlatformClientFactory = createAetherClient;

class AetherClient implements PlatformClient {
  readonly platform = 'aether' as const;
  readonly #http: HttpClient;
  readonly #report: UnknownValueReporter;
  readonly #pageLimit: number;

  constructor(options: AetherClientOptions) {
    const logger = options.logger ?? silentLogger;
    this.#report = unknownValueReporter(logger, 'aether');
    this.#pageLimit = Math.min(
      AETHER_MAX_PAGE_LIMIT,
      Math.max(1, Math.trunc(options.pageLimit ?? AETHER_DEFAULT_PAGE_LIMIT)),
    );
    const tokens =
      typeof options.token === 'string'
        ? undefined
        : new Map(Object.entries(options.token).map(([org, token]) => [normaliseId(org), token]));
    this.#http = createHttpClient({
      ...options,
      platform: 'aether',
      baseUrl: options.apiUrl ?? AETHER_DEFAULT_API_URL,
      authScheme: 'Bearer',
      token:
        typeof options.token === 'string'
          ? options.token
          : (organisation) => (organisation === undefined ? undefined : tokens?.get(normaliseId(organisation))),
      // The PUT sets a desired state: sending it twice is harmless.
      retryMethods: ['GET', 'PUT', 'DELETE'],
      parseErrorBody: parseAetherError,
      logger,
    });
  }

  async *listClusters(organisation: string, options: Signal = {}): AsyncIterable<ClusterSnapshot> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.listClusterPage(organisation, cursor, options);
      yield* page.clusters;
      cursor = page.next;
      // A server handing back a cursor it already gave would keep us here for ever.
      if (cursor !== undefined && seen.has(cursor)) {
        throw new PlatformApiError({
          platform: 'aether',
          method: 'GET',
          path: this.#http.pathname(apiPath`organizations/${normaliseId(organisation)}/clusters`),
          code: 'invalid_response',
          apiMessage: 'next_cursor repeats an earlier cursor',
        });
      }
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
  }

  async listClusterPage(
    organisation: string,
    cursor?: string,
    options: Signal & { pageSize?: number } = {},
  ): Promise<ClusterPage> {
    const limit = options.pageSize && Math.min(AETHER_MAX_PAGE_LIMIT, Math.max(1, Math.trunc(options.pageSize)));
    const page = await this.#page(organisation, cursor, options.signal, limit || undefined);
    return { clusters: page.items.map((cluster) => this.#snapshot(cluster)), ...page.next };
  }

  /** The cluster is the upgrade: its state is read off the snapshot. */
  upgradeOf(cluster: ClusterSnapshot, upgrade: UpgradeState): UpgradeState {
    return this.#state(bodyOf(cluster), upgrade.toVersion);
  }

  async #page(organisation: string, cursor: string | undefined, signal: AbortSignal | undefined, limit?: number) {
    const org = normaliseId(organisation);
    const page = await this.#http.request('GET', apiPath`organizations/${org}/clusters`, aetherClusterPageSchema, {
      searchParams: { limit: limit ?? this.#pageLimit, ...(cursor ? { cursor } : {}) },
      signal,
      organisation: org,
    });
    return { items: page.items, next: page.next_cursor ? { next: page.next_cursor } : {} };
  }

  async getCluster(organisation: string, clusterId: string, options: Signal = {}): Promise<ClusterSnapshot> {
    return this.#snapshot(await this.#cluster(organisation, clusterId, options.signal));
  }

  /** Aether publishes no version list. */
  async listVersions(): Promise<undefined> {
    return undefined;
  }

  async requestUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    request: UpgradeRequest,
    options: Signal = {},
  ): Promise<UpgradeState> {
    const version = plainVersion(request.version);
    const updated = await this.#setDesired(organisation, cluster.id, version, options.signal);
    return this.#state(updated, version);
  }

  /**
   * The cluster as an upgrade to `version`, when its desired version already is that
   * version. Read off the snapshot the caller just read (the cluster is the upgrade), so
   * it costs no request.
   */
  async findUpgrade(
    _organisation: string,
    cluster: ClusterSnapshot,
    version: string,
  ): Promise<UpgradeState | undefined> {
    const state = this.#state(bodyOf(cluster), version);
    // SUPERSEDED here means "desired is something else": no such upgrade.
    return state.status === 'SUPERSEDED' ? undefined : state;
  }

  async getUpgrade(organisation: string, upgrade: UpgradeState, options: Signal = {}): Promise<UpgradeState> {
    return this.#state(await this.#cluster(organisation, upgrade.clusterId, options.signal), upgrade.toVersion);
  }

  /**
   * Puts the desired version back to `previousVersion`, but only when the cluster still
   * wants this upgrade's version, still reports `previousVersion`, and is `running`
   * (not started) or `failed` (the rollout gave up; writing the old version back is
   * Aether's rollback). A cluster that is `upgrading` or `degraded` (a rollout in
   * flight may already have touched it), that moved, or that someone else changed is
   * left alone, never downgraded, and its state comes back unchanged. A successful
   * cancel reads as CANCELLED.
   */
  async cancelUpgrade(
    organisation: string,
    upgrade: UpgradeState,
    previousVersion: string,
    options: Signal = {},
  ): Promise<UpgradeState> {
    const current = await this.#cluster(organisation, upgrade.clusterId, options.signal);
    const state = this.#state(current, upgrade.toVersion);
    const settledOld = state.status === 'REQUESTED' || state.status === 'FAILED';
    const untouched =
      settledOld && RESTORABLE.has(current.status.toLowerCase()) && observedSatisfies(current, previousVersion);
    if (!untouched) return state;
    try {
      const restored = await this.#setDesired(
        organisation,
        upgrade.clusterId,
        plainVersion(previousVersion),
        options.signal,
      );
      return { ...this.#state(restored, upgrade.toVersion), status: 'CANCELLED' };
    } catch (error) {
      // 409: it started between our read and our write; report what it is now.
      if (error instanceof PlatformApiError && error.status === 409)
        return this.getUpgrade(organisation, upgrade, options);
      throw error;
    }
  }

  async #cluster(organisation: string, clusterId: string, signal: AbortSignal | undefined): Promise<AetherCluster> {
    const org = normaliseId(organisation);
    const path = apiPath`organizations/${org}/clusters/${normaliseId(clusterId)}`;
    return this.#about(
      await this.#http.request('GET', path, aetherClusterSchema, { signal, organisation: org }),
      clusterId,
      'GET',
      path,
    );
  }

  async #setDesired(
    organisation: string,
    clusterId: string,
    version: string,
    signal: AbortSignal | undefined,
  ): Promise<AetherCluster> {
    const org = normaliseId(organisation);
    const path = apiPath`organizations/${org}/clusters/${normaliseId(clusterId)}`;
    const updated = await this.#http.request('PUT', path, aetherClusterSchema, {
      json: { k8s_version: version },
      signal,
      organisation: org,
    });
    return this.#about(updated, clusterId, 'PUT', path);
  }

  /**
   * The cluster, checked to be the one asked about: another cluster's body (a proxy's
   * mix-up, a platform bug) must not pass for this one's, least of all as upgraded.
   */
  #about(cluster: AetherCluster, clusterId: string, method: string, path: string): AetherCluster {
    if (sameId(cluster.id, clusterId)) return cluster;
    throw new PlatformApiError({
      platform: 'aether',
      method,
      path: this.#http.pathname(path),
      code: 'invalid_response',
      apiMessage: `the answer is about cluster ${cluster.id}, not ${normaliseId(clusterId)}`,
    });
  }

  #state(cluster: UpgradeFields, target: string): UpgradeState {
    const derived = deriveUpgradeStatus(cluster, target);
    if (!derived.known) this.#report('cluster.status', cluster.status);
    return toUpgradeState(cluster, target, derived.status);
  }

  /** The cluster as a snapshot (state.ts says what its version is before the operator reports one). */
  #snapshot(cluster: AetherCluster): ClusterSnapshot {
    return snapshotOf(cluster, this.#report);
  }
}
