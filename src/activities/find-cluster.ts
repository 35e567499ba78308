/**
 * `findCluster`: which clusters of a rollout's targets an operator's key names (an id,
 * or a name), for `skipCluster` and `retryCluster` when the rollout has not read the
 * cluster yet. The rollout holds no list of its clusters (100,000 ids would not fit in
 * what continue-as-new carries), so it asks here, once per such update: an id (a UUID)
 * is read by id on each target until found (one request on Aether; Avisi's client finds
 * it in its listing), any other key by one pass over each target's inventory, a page at
 * a time. The answer is exact: every cluster with that id or name, with what the
 * rollout needs to judge it (its version, whether the spec leaves it out).
 */
import { Context } from '@temporalio/activity';
import { compileExclusions, compileSelector, type ClusterSelector } from '../domain/selectors.js';
import type { Exclusion } from '../domain/spec-selectors.js';
import type { RolloutTarget } from '../domain/targets.js';
import { isUuid } from '../domain/ids.js';
import { PlatformApiError } from '../platforms/errors.js';
import type { ClusterSnapshot } from '../platforms/types.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import { selectable } from './plan-targeting.js';

export interface FindClusterInput {
  /** The rollout's targets, in the spec's order. */
  readonly targets: readonly RolloutTarget[];
  /** An id (compared case-insensitively) or a name (exactly). */
  readonly key: string;
  /** Only this target (the key was `platform/organisation/name`). */
  readonly target?: number;
  /** The spec's `clusters` (and the ones its waves list): the rollout's only clusters. */
  readonly clusters?: readonly string[];
  /** The spec's `exclude`. */
  readonly exclude?: readonly Exclusion[];
  /**
   * When every wave selects (`match` or a list): the selectors of those with `match`; a cluster
   * no wave takes is not upgraded.
   */
  readonly matches?: readonly ClusterSelector[];
  /** The clusters the spec's waves list by id. */
  readonly waveClusters?: readonly string[];
}

export interface FoundCluster {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** Index into the rollout's targets. */
  readonly target: number;
  /** Left out by the spec's `exclude`. */
  readonly excluded?: true;
  /** Every wave selects and none takes it (`unmatched`). */
  readonly unmatched?: true;
}

export interface FindClusterResult {
  /** At most MAX_FOUND. */
  readonly found: readonly FoundCluster[];
  /** Platform reads it took (inventory pages, or reads by id), for the measurements in docs/operations.md. */
  readonly pages: number;
}

/** A name shared by more clusters than this is ambiguous already; the rest are not listed. */
const MAX_FOUND = 10;

export function createFindCluster(deps: ActivityDeps) {
  return async function findCluster(input: FindClusterInput): Promise<FindClusterResult> {
    return withPlatformFailures(async () => {
      const id = input.key.toLowerCase();
      const listed = input.clusters ? new Set(input.clusters.map((c) => c.toLowerCase())) : undefined;
      const excluded = compileExclusions(input.exclude);
      const selectors = input.matches?.map(compileSelector);
      const waveListed = new Set((input.waveClusters ?? []).map((c) => c.toLowerCase()));
      const found: FoundCluster[] = [];
      const judged = (cluster: ClusterSnapshot, index: number, target: RolloutTarget): FoundCluster => {
        const seen = selectable(cluster, target.platform, target.organisation);
        const unmatched = selectors && !waveListed.has(cluster.id) && !selectors.some((m) => m(seen));
        const { id, name, version } = cluster;
        return {
          id,
          name,
          version,
          target: index,
          ...(excluded(seen) ? { excluded: true as const } : {}),
          ...(unmatched ? { unmatched: true as const } : {}),
        };
      };
      // A UUID is an id (no cluster is named like one): one read per target where the platform reads by id.
      if (isUuid(input.key)) {
        let reads = 0;
        for (const [index, target] of input.targets.entries()) {
          if ((input.target !== undefined && index !== input.target) || (listed && !listed.has(id))) continue;
          reads++;
          const cluster = await deps
            .clientFor(target.platform)
            .getCluster(target.organisation, id)
            .catch((error: unknown) => {
              if (error instanceof PlatformApiError && error.status === 404) return undefined;
              throw error;
            });
          if (cluster) return { found: [judged(cluster, index, target)], pages: reads };
        }
        return { found: [], pages: reads };
      }
      let pages = 0;
      for (const [index, target] of input.targets.entries()) {
        if (input.target !== undefined && index !== input.target) continue;
        const client = deps.clientFor(target.platform);
        const matches = (c: ClusterSnapshot) => c.id === id || c.name === input.key;
        let cursor: string | undefined;
        do {
          const page = await client.listClusterPage(target.organisation, cursor);
          pages++;
          Context.current().heartbeat({ pages });
          const mine = page.clusters.filter((c) => matches(c) && (!listed || listed.has(c.id)));
          found.push(...mine.map((cluster) => judged(cluster, index, target)));
          cursor = page.next;
          // Ids are unique: one found ends the search.
        } while (cursor !== undefined && found.length < MAX_FOUND && !found.some((f) => f.id === id));
        if (found.some((f) => f.id === id)) break;
      }
      return { found: found.slice(0, MAX_FOUND), pages };
    });
  };
}
