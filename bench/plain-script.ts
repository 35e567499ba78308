/**
 * The baseline: what a careful engineer writes without an orchestrator. A p-limit pool
 * of c over the same platform client and the same API calls fleetwave makes per cluster
 * (read, request, poll until settled, verify), no durability, no history. Whatever
 * fleetwave costs above this is the price of surviving crashes and being steerable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { TERMINAL_UPGRADE_STATUSES, type PlatformClient } from '../src/platforms/index.js';

export interface ScriptResult {
  readonly makespanSeconds: number;
  readonly succeeded: number;
  readonly failed: number;
}

/** What a script is given: the client, where and to what, c, and how often it polls. */
export interface ScriptOptions {
  readonly client: PlatformClient;
  readonly organisation: string;
  readonly version: string;
  readonly concurrency: number;
  readonly pollMs: number;
}

export async function runPlainScript(options: ScriptOptions): Promise<ScriptResult> {
  const { client, organisation, version } = options;
  const started = performance.now();
  const ids: string[] = [];
  for await (const cluster of client.listClusters(organisation)) ids.push(cluster.id);
  const limit = pLimit(options.concurrency);
  let succeeded = 0;
  let failed = 0;
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        const cluster = await client.getCluster(organisation, id);
        let upgrade = await client.requestUpgrade(organisation, cluster, { version });
        while (!TERMINAL_UPGRADE_STATUSES.has(upgrade.status)) {
          await sleep(options.pollMs);
          upgrade = await client.getUpgrade(organisation, upgrade);
        }
        const after = await client.getCluster(organisation, id);
        if (upgrade.status === 'SUCCEEDED' && after.version.startsWith(`${version}.`)) succeeded++;
        else failed++;
      }),
    ),
  );
  return { makespanSeconds: (performance.now() - started) / 1000, succeeded, failed };
}
