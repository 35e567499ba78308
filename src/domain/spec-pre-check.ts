/**
 * The spec's `preChecks` (**contract**, see docs/spec.md "Pre-upgrade checks"), at the
 * rollout's level and a wave's: a health check's fields (spec-health.ts) without
 * `passFor` (one evaluation decides, domain/pre-check.ts), the target's template
 * variables besides the cluster's, and `onFail`. Refused here, besides what a health
 * check refuses: an unknown template variable (and the wave gates'), `passFor`, an
 * `onFail` other than "block" or "fail", two pre-checks of one cluster with one name.
 */
import { z } from 'zod';
import { PRE_CHECK_ON_FAIL, type PreCheck } from './pre-check.js';
import { checkFields, healthCheckOf, healthCheckProblems, probeKnownFields } from './spec-health.js';
import { gotInstead, type SpecProblem } from './spec-messages.js';

const { passFor: _passFor, ...fields } = checkFields('preCheck');

const preCheckSchema = z
  .object({
    ...fields,
    onFail: z
      .enum(PRE_CHECK_ON_FAIL, {
        error: (issue) => `must be "block" or "fail", ${gotInstead(issue.input, PRE_CHECK_ON_FAIL)}`,
      })
      .default('block'),
  })
  .strict();

const MAX_PRE_CHECKS = 20;

export const preChecksSchema = z
  .array(preCheckSchema)
  .min(1, 'must list at least one check (omit it for none)')
  .max(MAX_PRE_CHECKS, {
    error: (issue) =>
      `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} checks; at most ${MAX_PRE_CHECKS} allowed`,
  });

/** The pre-checks of a valid spec (or wave), as the workflows read them: `passFor` 0, one passing observation. */
export const preChecksOf = (checks: z.output<typeof preChecksSchema>): PreCheck[] =>
  checks.map(({ onFail, ...check }) => ({ ...healthCheckOf({ ...check, passFor: 0 }), onFail }));

/** Fields of the objects under `preChecks`, for "did you mean" on an unknown one; undefined elsewhere. */
export function preCheckKnownFields(path: readonly PropertyKey[]): readonly string[] | undefined {
  if (!path.includes('preChecks')) return undefined;
  const last = path.at(-1);
  if (typeof last === 'number' && path.at(-2) === 'preChecks') return Object.keys(preCheckSchema.shape);
  return probeKnownFields(path);
}

/** Rules across a pre-check's fields and across pre-checks (spec-health.ts's, over `preChecks`). */
export const preCheckProblems = (spec: Record<string, unknown>): SpecProblem[] =>
  healthCheckProblems(spec, 'preChecks');
