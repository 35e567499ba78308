/**
 * The demo's pre-upgrade check (docs/spec.md "Pre-upgrade checks"): the Aether rollout asks,
 * before each cluster's upgrade, whether its workloads still call an API the target minor
 * removes. One cluster on 1.31 does (the simulator's fleet data: FlowSchema
 * `flowcontrol.apiserver.k8s.io/v1beta3`, which Kubernetes 1.32 removes), so at the hop to
 * 1.32 it ends BLOCKED, never asked for its upgrade. The demo then plays the team that
 * owns it: its workloads move off the API, and `retryCluster` runs the check again, which
 * now passes, and the cluster is upgraded.
 */
import type { Client } from '@temporalio/client';
import type { RolloutSpec } from '../../domain/spec.js';
import type { ClusterResult } from '../../domain/report.js';
import type { FleetDefinition } from '../../simulator/index.js';
import { clusterLockId } from '../../workflows/cluster/ids.js';
import { retryClusterUpdate } from '../../workflows/messages.js';
import { FleetPhase } from '../../workflows/search-attributes.js';

export const PRE_CHECK = 'deprecated-apis';
const REMOVED = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1beta3',
  resource: 'flowschemas',
  removedRelease: '1.32',
};
const API = `${REMOVED.resource}.${REMOVED.version}.${REMOVED.group}`;

type Say = (line: string) => void;

export interface BlockedCluster {
  readonly id: string;
  readonly name: string;
}

/**
 * Marks the first Aether cluster on 1.31 as calling the API 1.32 removes (before the
 * simulator starts): the first, so it is upgraded early in the hop and its retry lands
 * while the rollout still runs.
 */
export function markBlockedCluster(fleet: FleetDefinition): BlockedCluster | undefined {
  const clusters = fleet.aether?.[0]?.clusters ?? [];
  const index = clusters.findIndex((c) => c.id !== undefined && c.version.startsWith('1.31'));
  const cluster = clusters[index];
  if (!cluster) return undefined;
  clusters[index] = { ...cluster, deprecatedApis: [REMOVED] };
  return { id: cluster.id!.toLowerCase(), name: cluster.name };
}

/** The check: the simulator's JSON of the APIs the cluster still calls that the target minor removes. */
export function demoPreChecks(simUrl: string): Pick<RolloutSpec, 'preChecks'> {
  return {
    preChecks: [
      {
        name: PRE_CHECK,
        http: {
          url: `${simUrl}/_sim/deprecated-apis/{clusterId}?removedRelease={targetMinor}`,
          status: 200,
          json: { field: 'count', equals: 0 },
        },
        timeout: '10s',
      },
    ],
  };
}

export function describePreCheck(simUrl: string, blocked: BlockedCluster | undefined): string {
  const who = blocked ? `; ${blocked.name} still calls ${API}, which 1.32 removes` : '';
  return `pre-check "${PRE_CHECK}" before each Aether upgrade: GET ${simUrl}/_sim/deprecated-apis/{clusterId}?removedRelease={targetMinor} must answer {"count": 0}${who}`;
}

/**
 * Waits for the blocked cluster's child to show FleetPhase `blocked`, tells why, moves its
 * workloads off the API (the simulator's route), retries it, and tells how it ended.
 * Gives up quietly when the rollout ends first (`rolloutDone`).
 */
export async function unblockWhenBlocked(options: {
  client: Client;
  simUrl: string;
  rolloutId: string;
  cluster: BlockedCluster;
  rolloutDone: Promise<unknown>;
  say: Say;
}): Promise<void> {
  await unblocking(options).catch((error: unknown) =>
    options.say(`could not retry ${options.cluster.name}: ${error instanceof Error ? error.message : String(error)}`),
  );
}

async function unblocking(options: Parameters<typeof unblockWhenBlocked>[0]): Promise<void> {
  const { client, simUrl, cluster, say } = options;
  let over = false;
  void options.rolloutDone.finally(() => (over = true)).catch(() => undefined);
  const child = client.workflow.getHandle<() => Promise<ClusterResult>>(clusterLockId('aether', cluster.id));
  while (!over) {
    const description = await child.describe().catch(() => undefined);
    if (description?.typedSearchAttributes.get(FleetPhase) === 'blocked') {
      say(`pre-check "${PRE_CHECK}": ${cluster.name} is BLOCKED, never asked for 1.32: its workloads call ${API}`);
      await moveOffTheApi(simUrl, cluster.id);
      say(`${cluster.name}'s team moved its workloads off ${API}; retrying it (fleet rollout retry)`);
      await client.workflow.getHandle(options.rolloutId).executeUpdate(retryClusterUpdate, {
        args: [{ clusterId: cluster.name, by: 'demo', reason: `workloads moved off ${API}` }],
      });
      await tellTheEnd(client, cluster, say);
      return;
    }
    await Promise.race([
      options.rolloutDone.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 250)),
    ]);
  }
}

async function moveOffTheApi(simUrl: string, id: string): Promise<void> {
  const response = await fetch(`${simUrl}/_sim/clusters/${id}/deprecated-apis`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deprecatedApis: [] }),
  });
  if (!response.ok) throw new Error(`the simulator answered ${response.status} to PUT deprecated-apis`);
}

/** The retried attempt runs in the same child: waits for its end (the workflow's result). */
async function tellTheEnd(client: Client, cluster: BlockedCluster, say: Say): Promise<void> {
  const child = client.workflow.getHandle<() => Promise<ClusterResult>>(clusterLockId('aether', cluster.id));
  const result = await child.result().catch((error: unknown) => error as Error);
  if (result instanceof Error) say(`${cluster.name}'s workflow failed: ${result.message}`);
  else if (result.outcome === 'SUCCEEDED')
    say(`pre-check "${PRE_CHECK}": ${cluster.name} passed on retry and is upgraded`);
  else say(`${cluster.name} ended ${result.outcome}: ${result.message ?? ''}`);
}
