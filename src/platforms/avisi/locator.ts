/**
 * Rollouts name a cluster by identity, the API reads it by `environmentSlug/clusterSlug`: each
 * identity's slugs, learnt from every cluster list read and kept, and the read of a cluster by identity.
 */
import { normaliseId, sameId } from '../../domain/ids.js';
import { PlatformApiError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { springPages } from './pages.js';
import { avisiClusterSchema, type AvisiCluster } from './schemas.js';

interface Location {
  readonly environmentSlug: string;
  readonly slug: string;
}

export class ClusterLocator {
  readonly #http: HttpClient;
  /** `org\0identity` to slugs; filled by every cluster list read. */
  readonly #locations = new Map<string, Location>();

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Remembers where each of `clusters` (a list's page) lives. */
  remember(organisation: string, clusters: readonly AvisiCluster[]): void {
    for (const cluster of clusters)
      this.#locations.set(`${organisation}\u0000${normaliseId(cluster.identity)}`, {
        environmentSlug: cluster.environmentSlug,
        slug: cluster.slug,
      });
  }

  /** Every cluster of the organisation, remembering where each lives. */
  async *clusters(organisation: string, signal: AbortSignal | undefined): AsyncGenerator<AvisiCluster> {
    const clusters = springPages(this.#http, apiPath`orgs/${organisation}/clusters`, avisiClusterSchema, {}, signal);
    for await (const cluster of clusters) {
      this.#locations.set(`${organisation}\u0000${normaliseId(cluster.identity)}`, {
        environmentSlug: cluster.environmentSlug,
        slug: cluster.slug,
      });
      yield cluster;
    }
  }

  /**
   * The cluster with identity `clusterId`: read at its remembered slugs, else found in the
   * cluster list again; a PlatformApiError 404 when the organisation has no such cluster.
   */
  async cluster(organisation: string, clusterId: string, signal: AbortSignal | undefined): Promise<AvisiCluster> {
    const id = normaliseId(clusterId);
    const key = `${organisation}\u0000${id}`;
    const cached = this.#locations.get(key);
    if (cached) {
      const cluster = await this.#clusterAt(organisation, cached, signal);
      if (cluster && sameId(cluster.identity, id)) return cluster;
      // Renamed, moved or deleted since we listed: forget it and look again.
      this.#locations.delete(key);
    }
    let location: Location | undefined;
    for await (const cluster of this.clusters(organisation, signal)) {
      if (sameId(cluster.identity, id)) {
        location = cluster;
        break;
      }
    }
    const cluster = location && (await this.#clusterAt(organisation, location, signal));
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
    return cluster;
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
}
