/**
 * What the rollout shows of itself as it runs: the current details (the UI, with the
 * spec described as it is) on every change, the search attributes when worth an event
 * (see search-attributes.ts).
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { describeSpec } from '../../../domain/spec-describe.js';
import type { RolloutPlan } from '../../../domain/spec.js';
import { renderRolloutDetails } from './details.js';
import { RolloutSearchAttributes } from './search-attributes.js';
import { detailsOf, signalsOf } from './progress.js';
import type { Rollout } from '../controls.js';

/**
 * Shows the rollout as it is now: the current details on every change, the search
 * attributes when worth an event (see search-attributes.ts); `flush` sends
 * every difference (the end, before continue-as-new).
 */
export function shower(rollout: Rollout, plan: RolloutPlan): (flush?: boolean) => void {
  const platforms = plan.targets.length > 1 ? { platforms: [...new Set(plan.targets.map((t) => t.platform))] } : {};
  const attributes = new RolloutSearchAttributes(workflowInfo().typedSearchAttributes, { rolloutId: rollout.rolloutId, platform: plan.platform, organisation: plan.organisation, targetVersion: plan.targetVersion, ...platforms });
  // Described once per run: the plan does not change while it runs.
  const spec = describeSpec(plan);
  return (flush = false) => {
    const signals = signalsOf(rollout);
    const pairs = attributes.next(signals, flush);
    if (pairs.length > 0) upsertSearchAttributes(pairs);
    setCurrentDetails(renderRolloutDetails({ ...detailsOf(rollout, signals), spec }));
  };
}
