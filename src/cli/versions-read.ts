/**
 * The reads behind `fleet versions`, read-only and within each platform's API budget:
 * per organisation the version catalog (one request where the platform has one), the
 * clusters by the page (the largest page the platform allows: 10 requests for 1,000
 * Aether clusters), and the upgrades in flight (Avisi: one list of the open scheduled
 * upgrades; Aether: read off the clusters' desired version, no request).
 *
 * The CLI is a process of its own, outside the workers' shared budget: it keeps to the
 * rate the worker is configured with (the descriptor's `ratePerMinute` and `burst`
 * variables, default the platform's documented limit) with a token bucket of its own,
 * asked before every request and every retry. Tokens are checked before the first request.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenBucket } from '../domain/token-bucket.js';
import { versionCensus, type CensusUpgrade, type VersionCensus } from '../domain/version-census.js';
import { parseVersion, satisfiesTarget } from '../domain/versions.js';
import {
  createPlatformClient,
  descriptorOf,
  platformConfigFromEnv,
  PlatformConfigError,
  type CallBudget,
  type ClusterSnapshot,
  type PlatformClient,
  type PlatformConfig,
  type PlatformName,
} from '../platforms/index.js';
import type { ApiBudgetConfig } from '../platforms/config.js';
import { UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import type { VersionTarget } from './versions-input.js';

/** Clusters asked for a page: clients take what their platform allows (Aether 100; Avisi's pages are 50). */
const PAGE_SIZE = 100;

/** Every target's census, in the targets' order. Throws UsageError (exit 2) before any request for a missing token. */
export async function readVersions(
  targets: readonly VersionTarget[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<VersionCensus[]> {
  const config = asUsage(() => platformConfigFromEnv(env));
  for (const target of targets) requireToken(config, target);
  const clients = new Map<PlatformName, PlatformClient>();
  const clientOf = (platform: PlatformName) => {
    let client = clients.get(platform);
    if (!client) {
      client = createPlatformClient(platform, config, undefined, paced(config.budgets[platform]));
      clients.set(platform, client);
    }
    return client;
  };
  for (const target of targets) asUsage(() => clientOf(target.platform));
  // One failed read stops the others: the command says what failed first and prints nothing else.
  const stop = new AbortController();
  let failure: UsageError | undefined;
  const reads = targets.map((target) =>
    readTarget(clientOf(target.platform), target, stop.signal).catch((error: unknown) => {
      failure ??= new UsageError(`could not read ${label(target)}: ${(error as Error).message}`, EXIT.ERROR);
      stop.abort(failure);
      throw failure;
    }),
  );
  const settled = await Promise.allSettled(reads);
  if (failure) throw failure;
  return settled.map((s) => (s as PromiseFulfilledResult<VersionCensus>).value);
}

const label = (target: VersionTarget) => `${descriptorOf(target.platform).label} organisation ${target.organisation}`;

/** A platform variable that is wrong (`PlatformConfigError`, naming it) as bad input: nothing was read. */
function asUsage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof PlatformConfigError) throw new UsageError(error.message, EXIT.USAGE);
    throw error;
  }
}

/** The token a target's reads need: its platform's variable set, and (tokens per organisation) one for it. */
function requireToken(config: PlatformConfig, target: VersionTarget): void {
  const descriptor = descriptorOf(target.platform);
  const token = config[target.platform].token;
  const variable = descriptor.env.token;
  const flags = `--platform ${target.platform} --organisation ${target.organisation}`;
  if (token === undefined)
    throw new UsageError(`${variable} is not set: ${flags} needs ${descriptor.token.needs}`, EXIT.USAGE);
  if (typeof token !== 'string' && token[target.organisation] === undefined)
    throw new UsageError(
      `${variable} has no token for organisation ${target.organisation} (${flags}): it holds tokens per organisation`,
      EXIT.USAGE,
    );
}

/**
 * A budget of this process's own: `ratePerMinute` requests a minute after a `burst`,
 * each request waiting its turn (undefined: no limit configured).
 */
export function paced(budget: ApiBudgetConfig): CallBudget | undefined {
  if (budget.ratePerMinute <= 0) return undefined;
  const bucket = new TokenBucket(budget.ratePerMinute, budget.burst, undefined, Date.now());
  return {
    async acquire(signal) {
      const { waitMs } = bucket.reserve(Date.now());
      if (waitMs > 0) await sleep(waitMs, undefined, { signal });
    },
  };
}

async function readTarget(client: PlatformClient, target: VersionTarget, signal: AbortSignal): Promise<VersionCensus> {
  const offered = await client.listVersions({ signal });
  const clusters = await listAll(client, target.organisation, signal);
  const upgrades = client.listOpenUpgrades
    ? await collect(client.listOpenUpgrades(target.organisation, { signal }))
    : desiredUpgrades(client, clusters);
  return versionCensus({
    platform: target.platform,
    organisation: target.organisation,
    clusters,
    offered: offered?.map((o) => o.version),
    upgrades,
  });
}

async function listAll(client: PlatformClient, organisation: string, signal: AbortSignal): Promise<ClusterSnapshot[]> {
  const clusters: ClusterSnapshot[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await client.listClusterPage(organisation, cursor, { signal, pageSize: PAGE_SIZE });
    clusters.push(...page.clusters);
    cursor = page.next;
    // A cursor handed back twice would read for ever.
    if (cursor !== undefined && seen.has(cursor)) throw new Error(`the cluster list repeats its page ${cursor}`);
    if (cursor !== undefined) seen.add(cursor);
  } while (cursor !== undefined);
  return clusters;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Where the cluster is its upgrade (no `listOpenUpgrades`): a desired version that what
 * runs does not satisfy, its state read off the snapshot by the client where it can.
 */
function desiredUpgrades(client: PlatformClient, clusters: readonly ClusterSnapshot[]): CensusUpgrade[] {
  return clusters.flatMap((cluster) => {
    const desired = cluster.desiredVersion;
    const wanted = desired === undefined ? undefined : parseVersion(desired);
    const running = parseVersion(cluster.version);
    if (!desired || !wanted || !running || satisfiesTarget(running, wanted)) return [];
    const asked = {
      upgradeId: cluster.id,
      clusterId: cluster.id,
      toVersion: desired,
      status: 'REQUESTED',
      rawStatus: cluster.rawStatus,
    } as const;
    const state = client.upgradeOf?.(cluster, asked) ?? asked;
    return [{ clusterId: cluster.id, toVersion: desired, status: state.status }];
  });
}
