/**
 * `clusterUpgrade`: one cluster's whole story, one workflow page in the UI.
 *
 *   request ─▶ wait for the window (durable sleep) ─▶ poll until settled ─▶ outcome
 *      ▲                                                                    │
 *      └──────────── FAILED: retry (limit) · MISSED: reschedule (limit) ◀───┘
 *
 * SUCCEEDED is verified by reading the cluster back; SUPERSEDED re-reads the cluster
 * (someone else may have done the upgrade) and reports what it found. The steps are in
 * steps.ts, the attempt's state in attempt.ts; cancelled (the rollout aborts or halts),
 * the child compensates (steps.ts `compensate`).
 *
 * One rollout at a time per cluster: the child's own workflow id,
 * `fleet-cluster/<platform>/<clusterId>`, is the cluster's lock (rollout/children.ts
 * starts it, with its search attributes; a second rollout's start fails while it runs).
 * A child whose cluster ended FAILED, MISSED or SUPERSEDED stays open, holding it, until
 * its rollout retries it (this run goes again) or ends (hold.ts).
 */
import { CancellationScope, getExternalWorkflowHandle, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { ClusterResult } from '../../domain/report.js';
import { clusterDoneSignal } from '../messages.js';
import { requireSearchAttributes } from '../require-namespace.js';
import { CLUSTER_SEARCH_ATTRIBUTES } from '../search-attributes.js';
import { ClusterHold } from './hold.js';
import type { ClusterUpgradeInput } from './input.js';
import { recordClusterEnd } from './metrics.js';
import { ClusterSteps, failureMessage } from './steps.js';

export type { ClusterUpgradeInput } from './input.js';

export async function clusterUpgrade(input: ClusterUpgradeInput): Promise<ClusterResult> {
  const steps = new ClusterSteps(input);
  await requireAttributes(input, steps);
  // A cluster that failed is held for the rollout until it retries it (this run goes again) or ends (hold.ts).
  const hold = ClusterHold.of(input.rolloutId, input.hold);
  for (;;) {
    const outcome = await upgrade(input, steps);
    recordClusterEnd(input.platform, outcome.outcome, input.rolloutId);
    await tellRollout(input.rolloutId, outcome);
    if (!(await hold?.again(outcome))) return outcome;
    steps.attempt.again();
  }
}

/** One upgrade of the cluster to an outcome; cancelled, it compensates. */
async function upgrade(input: ClusterUpgradeInput, steps: ClusterSteps): Promise<ClusterResult> {
  try {
    return await steps.attempts();
  } catch (error) {
    if (isCancellation(error)) return CancellationScope.nonCancellable(() => steps.compensate());
    // The rollout must hear of it either way: it waits for every child it started.
    recordClusterEnd(input.platform, 'FAILED', input.rolloutId);
    await tellRollout(
      input.rolloutId,
      steps.end('FAILED', undefined, `cluster workflow failed: ${failureMessage(error)}`),
    );
    throw error;
  }
}

/** Started without its attributes (not by a rollout, which checked): see they exist before the first upsert. */
async function requireAttributes(input: ClusterUpgradeInput, steps: ClusterSteps): Promise<void> {
  const attributes = workflowInfo().typedSearchAttributes;
  if (CLUSTER_SEARCH_ATTRIBUTES.every((key) => attributes.get(key) !== undefined)) return;
  await requireSearchAttributes(CLUSTER_SEARCH_ATTRIBUTES).catch(async (error: unknown) => {
    await tellRollout(input.rolloutId, steps.attempt.result('FAILED', undefined, failureMessage(error)));
    throw error;
  });
}

/** Reports to the rollout's current run; a rollout that has ended already does not need it. */
async function tellRollout(rolloutId: string, done: ClusterResult): Promise<void> {
  const signal = () => getExternalWorkflowHandle(rolloutId).signal(clusterDoneSignal, done);
  await CancellationScope.nonCancellable(signal).catch(() => undefined);
}
