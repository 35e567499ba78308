/**
 * What the rollout shows of itself as it runs: the current details (the UI, with the
 * spec described as it is) on every change, the search attributes when worth an event
 * (see search-attributes.ts).
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { describeSpec, type SpecLine } from '../../../domain/spec-describe.js';
import type { RolloutPlan } from '../../../domain/spec.js';
import type { Rollout } from '../state.js';
import { renderRolloutDetails } from './details.js';
import { KeptForecast } from './forecast.js';
import { detailsOf, signalsOf } from './progress.js';
import { RolloutSearchAttributes } from './search-attributes.js';

/** One run's display of its rollout: what the server was last shown, and the forecast the details keep. */
export class RolloutDisplay {
  private readonly attributes: RolloutSearchAttributes;
  /** Described once per run: the plan does not change while it runs. */
  private readonly spec: readonly SpecLine[];
  private readonly forecast: KeptForecast;

  constructor(
    private readonly rollout: Rollout,
    plan: RolloutPlan,
  ) {
    const platforms = plan.targets.length > 1 ? { platforms: [...new Set(plan.targets.map((t) => t.platform))] } : {};
    const { platform, organisation, targetVersion } = plan;
    const identity = { rolloutId: rollout.rolloutId, platform, organisation, targetVersion, ...platforms };
    this.attributes = new RolloutSearchAttributes(workflowInfo().typedSearchAttributes, identity);
    this.spec = describeSpec(plan);
    this.forecast = new KeptForecast(rollout);
  }

  /**
   * Shows the rollout as it is now: the current details on every change, the search
   * attributes when worth an event; `flush` sends every difference (the end, before
   * continue-as-new).
   */
  show(flush = false): void {
    const signals = signalsOf(this.rollout);
    const pairs = this.attributes.next(signals, flush);
    if (pairs.length > 0) upsertSearchAttributes(pairs);
    setCurrentDetails(renderRolloutDetails({ ...detailsOf(this.rollout, signals, this.forecast), spec: this.spec }));
  }
}
