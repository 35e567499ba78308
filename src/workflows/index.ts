/** What the workflow bundle exports: the workflow types the worker registers. */
import type { RolloutReport } from '../domain/report.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { RolloutCarry } from './rollout/snapshot.js';

export { clusterUpgrade } from './cluster/workflow.js';
export { apiBudget } from './api-budget/workflow.js';
export { notifyChannel } from './notify/channel.js';
export { notifyQueue } from './notify/queue.js';

/**
 * The rollout's code (rollout/, about 40 modules) is loaded when a rollout runs: the SDK
 * evaluates the bundle's static imports afresh for every execution, and the thousands of
 * cluster children need none of it (docs/benchmarks.md, Where the time goes). Eager: in
 * the bundle, resolved in this activation.
 */
export async function fleetRollout(spec: RolloutSpec, carry?: RolloutCarry): Promise<RolloutReport> {
  const rollout = await import(/* webpackMode: "eager" */ './rollout/workflow.js');
  return rollout.fleetRollout(spec, carry);
}
