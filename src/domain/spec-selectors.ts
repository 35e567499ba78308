/**
 * The spec's targeting fields (**contract**, see docs/spec.md): a wave's `match`, the
 * rollout's `exclude` and `unmatched`. Schemas for the parser (spec.ts) and the checks
 * that span fields, each naming its field.
 */
import { z } from 'zod';
import { isUuid } from './ids.js';
import { isPlatformName, PLATFORMS } from './platform.js';
import { SELECTOR_FIELDS, type ClusterSelector, type TextSelectorField } from './selectors.js';
import { describeValue, gotInstead, quote, type SpecProblem } from './spec-messages.js';
import { didYouMean } from './suggest.js';

/** At most this many values per selector field, and this many `exclude` entries. */
const MAX_VALUES = 100;
const MAX_EXCLUDE = 1000;

const selectorValues = z.union(
  [
    z.string().min(1, 'must not be empty'),
    z.array(z.string().min(1, 'must not be empty')).min(1, 'must list at least one value').max(MAX_VALUES),
  ],
  {
    error: (issue) => `must be a value or a list of values, got ${describeValue(issue.input)}`,
  },
);

/**
 * `autoUpgrade` is a flag, not text: `true` or `false` (a string `"true"` is refused, as
 * elsewhere in the spec). A refinement rather than `z.boolean()`: its issue does not abort,
 * so inside `exclude`'s union the refusal still names `exclude[n].autoUpgrade`.
 */
const autoUpgradeValue = z.custom<boolean>().refine((value) => typeof value === 'boolean', {
  error: (issue) => `must be true or false, got ${describeValue(issue.input)}`,
});

export const selectorSchema = z
  .object({
    ...(Object.fromEntries(
      SELECTOR_FIELDS.filter((field) => field !== 'autoUpgrade').map((field) => [field, selectorValues.optional()]),
    ) as Record<TextSelectorField, z.ZodOptional<typeof selectorValues>>),
    autoUpgrade: autoUpgradeValue.optional(),
  })
  .strict()
  .refine((selector) => Object.values(selector).some((value) => value !== undefined), {
    error: `must name at least one of ${SELECTOR_FIELDS.join(', ')}`,
    // Only for an empty selector: one with an unknown field has said what is wrong already.
    when: (payload) => payload.issues.length === 0,
  });

export const excludeSchema = z
  .array(
    z.union(
      [z.string().refine(isUuid, { error: (issue) => `not a cluster UUID: ${quote(issue.input)}` }), selectorSchema],
      {
        error: (issue) =>
          `must be a cluster UUID or a selector such as {"environment": "production"}, got ${describeValue(issue.input)}`,
      },
    ),
  )
  .min(1, 'must list at least one cluster id or selector (omit it to exclude nothing)')
  .max(MAX_EXCLUDE, {
    error: (issue) =>
      `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} entries; at most ${MAX_EXCLUDE} allowed`,
  });

/**
 * What happens to clusters that match no wave when every wave selects: refuse the plan
 * (default) or report them SKIPPED.
 */
const UNMATCHED = ['refuse', 'skip'] as const;
export const unmatchedSchema = z.enum(UNMATCHED, {
  error: (issue) => `must be "refuse" or "skip", ${gotInstead(issue.input, UNMATCHED)}`,
});

export type Exclusion = string | ClusterSelector;

/** Fields of the objects at a path that ends in a selector, for "did you mean" on an unknown one. */
export const SELECTOR_KEYS: readonly string[] = SELECTOR_FIELDS;

/** `did you mean "avisi"? (platforms: avisi, aether)`, or the list alone. */
const platformsLine = (value: string): string => {
  const guess = didYouMean(value, PLATFORMS, (name) => JSON.stringify(name));
  return guess ? `${guess} (platforms: ${PLATFORMS.join(', ')})` : `platforms: ${PLATFORMS.join(', ')}`;
};

const platformValues = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** A selector's platform values must name a platform, and one this rollout drives. */
function selectorProblems(selector: unknown, field: string, platforms: readonly string[]): SpecProblem[] {
  if (!selector || typeof selector !== 'object') return [];
  const problems: SpecProblem[] = [];
  for (const value of platformValues((selector as Record<string, unknown>).platform)) {
    if (typeof value !== 'string' || value === '') continue;
    if (!isPlatformName(value))
      problems.push({
        field: `${field}.platform`,
        message: `unknown platform ${quote(value)}; ${platformsLine(value)}`,
      });
    else if (platforms.length > 0 && !platforms.includes(value))
      problems.push({
        field: `${field}.platform`,
        message: `this rollout does not span ${value} (it spans ${platforms.join(', ')})`,
      });
  }
  return problems;
}

/**
 * Targeting rules across fields: a wave selects by `match` or by `clusters`, not both;
 * `unmatched` applies only when every wave selects; selectors name platforms the rollout drives.
 */
export function targetingProblems(spec: Record<string, unknown>, platforms: readonly string[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const waves = Array.isArray(spec.waves) ? spec.waves : [];
  waves.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object') return;
    const wave = raw as Record<string, unknown>;
    if (wave.match !== undefined && wave.clusters !== undefined)
      problems.push({ field: `waves[${index}]`, message: 'set match or clusters, not both' });
    problems.push(...selectorProblems(wave.match, `waves[${index}].match`, platforms));
  });
  if (Array.isArray(spec.exclude))
    spec.exclude.forEach((entry, index) => problems.push(...selectorProblems(entry, `exclude[${index}]`, platforms)));
  if (spec.unmatched === 'refuse' || spec.unmatched === 'skip') {
    const taker = waves.findIndex(
      (w) =>
        w &&
        typeof w === 'object' &&
        (w as Record<string, unknown>).match === undefined &&
        (w as Record<string, unknown>).clusters === undefined,
    );
    if (waves.length === 0)
      problems.push({
        field: 'unmatched',
        message: 'applies when every wave has match or clusters; without waves, the last wave takes the rest',
      });
    else if (taker >= 0)
      problems.push({
        field: 'unmatched',
        message: `applies when every wave has match or clusters; waves[${taker}] takes what is left, so no cluster goes unmatched`,
      });
  }
  return problems;
}

/** Whether a wave spec takes "what is left" (no size, clusters or match): only the last may. */
export const takesTheRest = (wave: Record<string, unknown>): boolean =>
  wave.size === undefined && wave.clusters === undefined && wave.match === undefined;
