/**
 * The Avisi Cloud client: clusters addressed by slug, upgrades as scheduled upgrades
 * that the platform runs inside the cluster's maintenance windows.
 *
 * Rollouts name clusters by their `identity` UUID (scheduled upgrades use it too), but
 * the API reads a cluster by `environmentSlug/clusterSlug`. The client learns each
 * identity's slugs from the cluster list and keeps them for its lifetime, re-reading
 * the list when a cached location no longer answers.
 */
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import { normaliseId, sameId } from '../../domain/ids.js';
import { formatVersion, latestPatchOf, parseVersion } from '../../domain/versions.js';
import { maintenanceWindowSchema, type MaintenanceWindow } from '../../domain/windows.js';
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
  UpgradeRequest,
  UpgradeState,
} from '../types.js';
import {
  avisiClusterSchema,
  avisiDeleteSchema,
  avisiUpgradeSchema,
  avisiVersionsSchema,
  parseAvisiError,
  springPage,
  type AvisiCluster,
  type AvisiUpgrade,
} from './schemas.js';
import { AVISI_DEFAULTS, AVISI_ENV } from './settings.js';
import { avisiClusterState, avisiUpgradeStatus } from './status.js';
import type { z } from 'zod';

export const AVISI_DEFAULT_API_URL = AVISI_DEFAULTS.apiUrl;

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

interface Location {
  readonly environmentSlug: string;
  readonly slug: string;
}

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
  /** `org\0identity` to slugs; filled by every cluster list read. */
  readonly #locations = new Map<string, Location>();

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
  }

  async *listClusters(organisation: string, options: Signal = {}): AsyncIterable<ClusterSnapshot> {
    for await (const cluster of this.#clusters(organisation, options.signal)) yield this.#snapshot(cluster);
  }

  async listClusterPage(organisation: string, cursor?: string, options: Signal = {}): Promise<ClusterPage> {
    const page = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(page) || page < 0)
      throw new RangeError(`not an Avisi page cursor: ${JSON.stringify(cursor)}`);
    const body = await this.#http.request(
      'GET',
      apiPath`orgs/${organisation}/clusters`,
      springPage(avisiClusterSchema),
      { searchParams: { page }, signal: options.signal },
    );
    for (const cluster of body.content)
      this.#locations.set(`${organisation}\u0000${normaliseId(cluster.identity)}`, {
        environmentSlug: cluster.environmentSlug,
        slug: cluster.slug,
      });
    const last = body.last || body.content.length === 0;
    return {
      clusters: body.content.map((cluster) => this.#snapshot(cluster)),
      ...(last ? {} : { next: String(page + 1) }),
    };
  }

  async getCluster(organisation: string, clusterId: string, options: Signal = {}): Promise<ClusterSnapshot> {
    const id = normaliseId(clusterId);
    const key = `${organisation}\u0000${id}`;
    const cached = this.#locations.get(key);
    if (cached) {
      const cluster = await this.#clusterAt(organisation, cached, options.signal);
      if (cluster && sameId(cluster.identity, id)) return this.#snapshot(cluster);
      // Renamed, moved or deleted since we listed: forget it and look again.
      this.#locations.delete(key);
    }
    let location: Location | undefined;
    for await (const cluster of this.#clusters(organisation, options.signal)) {
      if (sameId(cluster.identity, id)) {
        location = cluster;
        break;
      }
    }
    const cluster = location && (await this.#clusterAt(organisation, location, options.signal));
    if (!cluster || !sameId(cluster.identity, id)) {
      throw new PlatformApiError({
        platform: 'avisi',
        status: 404,
        code: 'not_found',
        method: 'GET',
        path: this.#http.pathname(apiPath`orgs/${organisation}/clusters`),
        apiMessage: `no cluster with identity ${id} in organisation ${organisation}`,
      });
    }
    return this.#snapshot(cluster);
  }

  async listVersions(options: Signal = {}): Promise<readonly OfferedVersion[]> {
    const body = await this.#http.request('GET', 'cluster-versions', avisiVersionsSchema, { signal: options.signal });
    const offered: OfferedVersion[] = [];
    for (const { version } of body) {
      const parsed = parseVersion(version);
      if (parsed) offered.push({ version: formatVersion(parsed), platformVersion: version });
      else this.#report('cluster-versions.version', version);
    }
    return offered;
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
    const upgrades = this.#pages(
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

  /** Every cluster of the organisation, remembering where each lives. */
  async *#clusters(organisation: string, signal: AbortSignal | undefined): AsyncGenerator<AvisiCluster> {
    for await (const cluster of this.#pages(apiPath`orgs/${organisation}/clusters`, avisiClusterSchema, {}, signal)) {
      this.#locations.set(`${organisation}\u0000${normaliseId(cluster.identity)}`, {
        environmentSlug: cluster.environmentSlug,
        slug: cluster.slug,
      });
      yield cluster;
    }
  }

  /** The cluster at these slugs, or undefined when nothing is there any more. */
  async #clusterAt(
    organisation: string,
    location: Location,
    signal: AbortSignal | undefined,
  ): Promise<AvisiCluster | undefined> {
    try {
      return await this.#http.request(
        'GET',
        apiPath`orgs/${organisation}/clusters/${location.environmentSlug}/${location.slug}`,
        avisiClusterSchema,
        { signal },
      );
    } catch (error) {
      if (error instanceof PlatformApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Reads a Spring-paged list from page 0 until the page that says it is the last. */
  async *#pages<T extends z.ZodType>(
    path: string,
    item: T,
    query: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<z.output<T>> {
    const schema = springPage(item);
    for (let page = 0; ; page += 1) {
      const body = await this.#http.request('GET', path, schema, { searchParams: { ...query, page }, signal });
      yield* body.content as z.output<T>[];
      // An empty page that is not "last" would otherwise loop for ever.
      if (body.last || body.content.length === 0) return;
    }
  }

  /**
   * Avisi wants its own spelling (`v1.31.4-u-ame.1`). A plain `1.31.4` or a minor
   * `1.31` is translated through the offered versions; anything else, or a version not
   * offered, is sent as given so the API answers with its own message.
   */
  async #platformSpelling(version: string, signal: AbortSignal | undefined): Promise<string> {
    const wanted = parseVersion(version);
    if (!wanted || version.includes('-')) return version;
    const offered = (await this.listVersions({ signal })).map((o) => ({
      version: parseVersion(o.version)!,
      platformVersion: o.platformVersion,
    }));
    const match =
      wanted.patch === undefined
        ? latestPatchOf(offered, wanted)
        : offered.find((o) => formatVersion(o.version) === formatVersion(wanted));
    return match?.platformVersion ?? version;
  }

  #snapshot(cluster: AvisiCluster): ClusterSnapshot {
    let state = avisiClusterState(cluster.status);
    if (!state) {
      this.#report('cluster.status', cluster.status);
      state = 'unknown';
    }
    return {
      id: normaliseId(cluster.identity),
      name: cluster.name,
      locator: `${cluster.environmentSlug}/${cluster.slug}`,
      // The schema checked that it parses.
      version: formatVersion(parseVersion(cluster.version)!),
      platformVersion: cluster.version,
      state,
      rawStatus: cluster.status,
      ...(cluster.maintenanceSchedule?.windows
        ? { maintenanceWindows: this.#windows(cluster.maintenanceSchedule.windows) }
        : {}),
      // What operators select by; an empty or null field is left out, not guessed.
      ...compact({
        environment: cluster.environmentSlug,
        region: cluster.region?.trim() || undefined,
        cloudProvider: cluster.cloudProvider?.trim() || undefined,
      }),
    };
  }

  #windows(raw: readonly unknown[]): MaintenanceWindow[] {
    return raw.flatMap((window) => {
      const parsed = maintenanceWindowSchema.safeParse(window);
      if (parsed.success) return [parsed.data];
      this.#report('cluster.maintenanceSchedule.windows', JSON.stringify(window));
      return [];
    });
  }

  #state(upgrade: AvisiUpgrade): UpgradeState {
    let status = avisiUpgradeStatus(upgrade.status);
    if (!status) {
      this.#report('scheduledClusterUpgrade.status', upgrade.status);
      status = 'UNKNOWN';
    }
    return compact({
      upgradeId: normaliseId(upgrade.identity),
      clusterId: normaliseId(upgrade.clusterIdentity),
      toVersion: upgrade.toClusterVersion,
      status,
      rawStatus: upgrade.status,
      windowStart: upgrade.windowStart,
      windowEnd: upgrade.windowEnd,
      reason: upgrade.reason,
    });
  }
}

/** Orders by `createdAt`, then `modifiedAt`; an upgrade without timestamps is oldest. */
function isNewer(a: AvisiUpgrade, b: AvisiUpgrade): boolean {
  const time = (text: string | null | undefined) => (text ? Date.parse(text) || 0 : 0);
  return (
    time(a.createdAt) - time(b.createdAt) > 0 ||
    (time(a.createdAt) === time(b.createdAt) && time(a.modifiedAt) > time(b.modifiedAt))
  );
}
