/**
 * A rollout's spec as markdown: the static details the Temporal UI shows on the
 * rollout's page (User Metadata) beside its summary, so an operator sees what was asked
 * without opening the input JSON. The lines are domain/spec-describe.ts's (the same the
 * worker puts in the current details, `status`, `plan` and the report): bounded.
 */
import { describeSpec, specMarkdownLines } from '../domain/spec-describe.js';
import type { RolloutPlan } from '../domain/spec.js';

export function specDetails(plan: RolloutPlan): string {
  return specMarkdownLines(describeSpec(plan)).join('\n');
}
