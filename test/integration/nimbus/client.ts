/**
 * The Nimbus client (`src/platforms/nimbus/client.ts`): a cluster is upgraded by setting
 * its desired version; the cluster's `phase` is the upgrade's state, as on Aether.
 */
import { sameId } from '../../../src/domain/ids.js';
import { silentLogger } from '../../../src/logger.js';
import type { PlatformClientFactory, PlatformClientOptions } from '../../../src/platforms/descriptor.js';
import { apiPath, createHttpClient, type HttpClient } from '../../../src/platforms/http.js';
import type { PlatformName } from '../../../src/platforms/registry.js';
import type {
  ClusterPage,
  ClusterSnapshot,
  ClusterState,
  OfferedVersion,
  PlatformClient,
  UpgradeRequest,
  UpgradeState,
  UpgradeStatus,
} from '../../../src/platforms/types.js';
import { nimbus } from './descriptor.js';
import {
  nimbusClusterSchema,
  nimbusPageSchema,
  nimbusVersionsSchema,
  parseNimbusError,
  type NimbusCluster,
} from './schemas.js';

const STATES: Readonly<Record<string, ClusterState>> = { ready: 'ready', upgrading: 'upgrading', failed: 'failed' };

const snapshot = (c: NimbusCluster): ClusterSnapshot => ({
  id: c.id.toLowerCase(),
  name: c.name,
  locator: c.id,
  version: c.version,
  platformVersion: c.version,
  ...(c.desired_version !== c.version ? { desiredVersion: c.desired_version } : {}),
  state: STATES[c.phase] ?? 'unknown',
  rawStatus: c.phase,
});

function upgradeOf(c: NimbusCluster, toVersion: string): UpgradeState {
  const status: UpgradeStatus =
    c.phase === 'failed'
      ? 'FAILED'
      : c.phase === 'upgrading'
        ? 'IN_PROGRESS'
        : c.phase === 'ready' && c.version === toVersion
          ? 'SUCCEEDED'
          : 'UNKNOWN';
  return {
    upgradeId: c.id.toLowerCase(),
    clusterId: c.id.toLowerCase(),
    toVersion,
    status,
    rawStatus: c.phase,
    observedVersion: c.version,
  };
}

class NimbusClient implements PlatformClient {
  readonly platform = nimbus.name as PlatformName;
  readonly #http: HttpClient;

  constructor(options: PlatformClientOptions) {
    const token = options.token;
    this.#http = createHttpClient({
      ...options,
      platform: this.platform,
      baseUrl: options.apiUrl,
      authScheme: 'Bearer',
      token: typeof token === 'string' ? token : (org) => (org ? token[org] : undefined),
      retryMethods: ['GET', 'PUT'],
      parseErrorBody: parseNimbusError,
      logger: options.logger ?? silentLogger,
    });
  }

  async *listClusters(organisation: string, options: { signal?: AbortSignal } = {}): AsyncIterable<ClusterSnapshot> {
    let cursor: string | undefined;
    do {
      const page = await this.listClusterPage(organisation, cursor, options);
      yield* page.clusters;
      cursor = page.next;
    } while (cursor);
  }

  async listClusterPage(
    organisation: string,
    cursor?: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ClusterPage> {
    const page = await this.#http.request('GET', apiPath`orgs/${organisation}/clusters`, nimbusPageSchema, {
      organisation,
      ...options,
      ...(cursor ? { searchParams: { page_token: cursor } } : {}),
    });
    return { clusters: page.clusters.map(snapshot), ...(page.next_page_token ? { next: page.next_page_token } : {}) };
  }

  async getCluster(
    organisation: string,
    clusterId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ClusterSnapshot> {
    return snapshot(await this.#read(organisation, clusterId, options.signal));
  }

  async listVersions(options: { signal?: AbortSignal } = {}): Promise<readonly OfferedVersion[]> {
    const { versions } = await this.#http.request('GET', 'versions', nimbusVersionsSchema, options);
    return versions.map((version) => ({ version, platformVersion: version }));
  }

  async requestUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    request: UpgradeRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<UpgradeState> {
    return upgradeOf(
      await this.#desire(organisation, cluster.locator, request.version, options.signal),
      request.version,
    );
  }

  async findUpgrade(
    organisation: string,
    cluster: ClusterSnapshot,
    version: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<UpgradeState | undefined> {
    const now = await this.#read(organisation, cluster.locator, options.signal);
    return now.desired_version === version ? upgradeOf(now, version) : undefined;
  }

  async getUpgrade(
    organisation: string,
    upgrade: UpgradeState,
    options: { signal?: AbortSignal } = {},
  ): Promise<UpgradeState> {
    return upgradeOf(await this.#read(organisation, upgrade.clusterId, options.signal), upgrade.toVersion);
  }

  async cancelUpgrade(
    organisation: string,
    upgrade: UpgradeState,
    previousVersion: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<UpgradeState> {
    const now = await this.#read(organisation, upgrade.clusterId, options.signal);
    // Only a cluster that is not moving gets its old desire back (never a downgrade).
    if (now.phase === 'upgrading' || !sameId(now.id, upgrade.clusterId) || now.version === upgrade.toVersion)
      return upgradeOf(now, upgrade.toVersion);
    const restored = await this.#desire(organisation, upgrade.clusterId, previousVersion, options.signal);
    return { ...upgradeOf(restored, upgrade.toVersion), status: 'CANCELLED' };
  }

  #read(organisation: string, clusterId: string, signal?: AbortSignal): Promise<NimbusCluster> {
    return this.#http.request('GET', apiPath`orgs/${organisation}/clusters/${clusterId}`, nimbusClusterSchema, {
      organisation,
      ...(signal ? { signal } : {}),
    });
  }

  #desire(organisation: string, clusterId: string, version: string, signal?: AbortSignal): Promise<NimbusCluster> {
    const path = apiPath`orgs/${organisation}/clusters/${clusterId}/desired-version`;
    return this.#http.request('PUT', path, nimbusClusterSchema, {
      organisation,
      json: { version },
      ...(signal ? { signal } : {}),
    });
  }
}

export const createClient: PlatformClientFactory = (options) => new NimbusClient(options);
