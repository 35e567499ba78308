/**
 * What a `clusterUpgrade` child tells operators when it ends: one count by outcome, its
 * duration, and one log line (names in domain/metrics.ts).
 *
 * Through the SDK's workflow `metricMeter` and `log`: neither adds a command, and both
 * stay silent while the workflow replays (the SDK checks `isReplaying`), so a cluster
 * counts once however often its history is replayed (a worker restart, a cache
 * eviction, a query on a closed workflow). Only a worker that dies inside the very
 * workflow task that ends the child, before completing it, can count it twice.
 */
import { log, metricMeter, workflowInfo } from '@temporalio/workflow';
import { CLUSTER_OUTCOMES_TOTAL, CLUSTER_UPGRADE_DURATION_SECONDS } from '../../domain/metrics.js';
import type { PlatformName } from '../../domain/platform.js';
import type { ClusterOutcome } from '../../domain/report.js';

/** `rolloutId`: the child's workflow id names no rollout, so its log line says it. */
export function recordClusterEnd(platform: PlatformName, outcome: ClusterOutcome, rolloutId: string): void {
  const labels = { platform, outcome };
  // Workflow time: deterministic, from the child's start (window waits included).
  const seconds = Math.max(0, (Date.now() - workflowInfo().startTime.getTime()) / 1000);
  metricMeter
    .createCounter(CLUSTER_OUTCOMES_TOTAL, undefined, 'clusters whose upgrade workflow ended, by outcome')
    .add(1, labels);
  metricMeter
    .createHistogram(
      CLUSTER_UPGRADE_DURATION_SECONDS,
      'float',
      's',
      'from the start of a cluster upgrade workflow to its end',
    )
    .record(seconds, labels);
  log.info('cluster upgrade ended', { platform, outcome, seconds, rolloutId });
}
