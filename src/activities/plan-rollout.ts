/**
 * Reads what a rollout needs before it changes anything: the version the target
 * resolves to on the platform, and every cluster's current version. Rejects the whole
 * rollout (non-retryable, naming each cluster) when a cluster is unknown, would be
 * downgraded, or would skip a minor version: nothing has been sent to the platform yet.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { latestPatchOf, mustParseVersion, parseVersion, planStep, formatVersion, type KubeVersion } from '../domain/versions.js';
import { INVALID_ROLLOUT } from '../domain/failure-types.js';
import type { ClusterPlanEntry } from '../domain/report.js';
import type { PlatformName } from '../domain/platform.js';
import { PlatformApiError } from '../platforms/errors.js';
import type { ClusterSnapshot, PlatformClient } from '../platforms/types.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';

export interface PlanRolloutInput {
  readonly platform: PlatformName;
  readonly organisation: string;
  readonly targetVersion: string;
  readonly clusters?: readonly string[];
}

export interface PlanRolloutResult {
  /** The target as the platform spells it in requests (`v1.31.6-u-ame.1`, or `1.31` on Aether). */
  readonly resolvedVersion: string;
  readonly entries: readonly ClusterPlanEntry[];
}

/** At most this many problems are listed in a rejection; the count says how many more. */
const MAX_LISTED_PROBLEMS = 20;

async function resolveTarget(client: PlatformClient, target: KubeVersion): Promise<{ requestVersion: string; version: KubeVersion }> {
  const offered = await client.listVersions();
  if (!offered) return { requestVersion: formatVersion(target), version: target };
  const parsed = offered.flatMap((o) => {
    const version = parseVersion(o.version);
    return version ? [{ ...o, version }] : [];
  });
  const match =
    target.patch === undefined
      ? latestPatchOf(parsed, target)
      : parsed.find((o) => o.version.minor === target.minor && o.version.major === target.major && o.version.patch === target.patch);
  if (!match) {
    const list = parsed.map((o) => formatVersion(o.version)).join(', ');
    throw ApplicationFailure.nonRetryable(`targetVersion ${formatVersion(target)} is not offered by ${client.platform}; offered: ${list}`, INVALID_ROLLOUT);
  }
  return { requestVersion: match.platformVersion, version: match.version };
}

async function readInventory(client: PlatformClient, input: PlanRolloutInput, problems: string[]): Promise<ClusterSnapshot[]> {
  const found: ClusterSnapshot[] = [];
  if (!input.clusters) {
    for await (const cluster of client.listClusters(input.organisation)) {
      found.push(cluster);
      if (found.length % 500 === 0) Context.current().heartbeat({ read: found.length });
    }
    return found;
  }
  for (const id of input.clusters) {
    try {
      found.push(await client.getCluster(input.organisation, id));
    } catch (error) {
      if (error instanceof PlatformApiError && error.status === 404) problems.push(`clusters: unknown cluster ${id} in ${input.organisation}`);
      else throw error;
    }
    Context.current().heartbeat({ read: found.length });
  }
  return found;
}

export function createPlanRollout(deps: ActivityDeps) {
  return async function planRollout(input: PlanRolloutInput): Promise<PlanRolloutResult> {
    return withPlatformFailures(async () => {
      const client = deps.clientFor(input.platform);
      const target = mustParseVersion(input.targetVersion);
      const resolved = await resolveTarget(client, target);
      const problems: string[] = [];
      const clusters = await readInventory(client, input, problems);
      const entries: ClusterPlanEntry[] = [];
      for (const cluster of clusters) {
        const current = parseVersion(cluster.version);
        if (!current) {
          problems.push(`cluster ${cluster.id} (${cluster.name}): unreadable version ${JSON.stringify(cluster.platformVersion)}`);
          continue;
        }
        // Against the resolved version: `1.31` on Avisi means its latest patch, so 1.31.2 still moves.
        const step = planStep(current, resolved.version);
        if (step.kind === 'rejected') problems.push(`cluster ${cluster.id} (${cluster.name}): ${step.reason}`);
        else if (step.kind === 'upgrade' && step.hops > 1) {
          problems.push(`cluster ${cluster.id} (${cluster.name}): ${cluster.version} -> ${formatVersion(target)} skips a minor version (Kubernetes upgrades one minor at a time)`);
        } else entries.push({ id: cluster.id, name: cluster.name, version: cluster.version, action: step.kind === 'at-target' ? 'skip' : 'upgrade' });
      }
      if (problems.length > 0) {
        const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
        const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
        throw ApplicationFailure.nonRetryable(`rollout rejected before any change: ${listed}${more}`, INVALID_ROLLOUT);
      }
      deps.logger.info({ platform: input.platform, organisation: input.organisation, clusters: entries.length, resolvedVersion: resolved.requestVersion }, 'rollout planned');
      return { resolvedVersion: resolved.requestVersion, entries };
    });
  };
}
