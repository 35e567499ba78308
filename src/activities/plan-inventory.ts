/** Planning's read of a target's clusters: the whole inventory, or the ids a spec lists. */
import { Context } from '@temporalio/activity';
import { PlatformApiError } from '../platforms/errors.js';
import type { ClusterSnapshot, PlatformClient } from '../platforms/types.js';

/** Every cluster of `organisation` (or those `ids` name: an unknown id is a problem, not an error). */
export async function readInventory(
  client: PlatformClient,
  organisation: string,
  ids: readonly string[] | undefined,
  problems: string[],
): Promise<ClusterSnapshot[]> {
  const found: ClusterSnapshot[] = [];
  if (!ids) {
    for await (const cluster of client.listClusters(organisation)) {
      found.push(cluster);
      if (found.length % 500 === 0) Context.current().heartbeat({ read: found.length });
    }
    return found;
  }
  for (const id of ids) {
    try {
      found.push(await client.getCluster(organisation, id));
    } catch (error) {
      if (error instanceof PlatformApiError && error.status === 404)
        problems.push(`clusters: unknown cluster ${id} in ${organisation}`);
      else throw error;
    }
    Context.current().heartbeat({ read: found.length });
  }
  return found;
}
