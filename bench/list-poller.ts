/**
 * The anchor under a rate limit (issue 20): a plain script that asks for each upgrade
 * once and learns how every upgrade in flight is doing from the organisation's cluster
 * list, a page of up to 100 clusters a request, instead of one GET per cluster. A pool
 * of c: a slot frees when the list shows its cluster settled. No durability, no history;
 * what fleetwave costs above it under the same limit is the price of the rest.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterSnapshot } from '../src/platforms/index.js';
import type { ScriptOptions, ScriptResult } from './plain-script.js';

/** Settled from the list alone: at the target and ready (succeeded), or failed. */
function settled(cluster: ClusterSnapshot, version: string): 'succeeded' | 'failed' | undefined {
  if (cluster.state === 'failed' || cluster.state === 'degraded') return 'failed';
  const atTarget = cluster.version === version || cluster.version.startsWith(`${version}.`);
  return atTarget && cluster.state === 'ready' ? 'succeeded' : undefined;
}

export async function runListPoller(options: ScriptOptions): Promise<ScriptResult> {
  const { client, organisation, version } = options;
  const started = performance.now();
  const waiting: ClusterSnapshot[] = [];
  for await (const cluster of client.listClusters(organisation)) waiting.push(cluster);
  const inFlight = new Set<string>();
  let succeeded = 0;
  let failed = 0;
  while (waiting.length > 0 || inFlight.size > 0) {
    const starts = waiting.splice(0, options.concurrency - inFlight.size);
    await Promise.all(
      starts.map(async (cluster) => {
        await client.requestUpgrade(organisation, cluster, { version });
        inFlight.add(cluster.id);
      }),
    );
    await sleep(options.pollMs);
    for await (const cluster of client.listClusters(organisation)) {
      const outcome = inFlight.has(cluster.id) ? settled(cluster, version) : undefined;
      if (!outcome) continue;
      inFlight.delete(cluster.id);
      if (outcome === 'succeeded') succeeded++;
      else failed++;
    }
  }
  return { makespanSeconds: (performance.now() - started) / 1000, succeeded, failed };
}
