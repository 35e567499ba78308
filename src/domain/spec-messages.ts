/**
 * How a rejected spec is worded. Operators read these lines in a terminal, the Temporal
 * UI and CI logs, so each one names the field and says what is wrong in plain words
 * ("missing (required)", "must be a whole number, got 1.5"), never zod's own phrasing.
 *
 * Two limits keep a rejection small whatever the input: a value is quoted up to
 * MAX_QUOTED characters (quote.ts), and one top-level field gets at most MAX_PROBLEMS_PER_FIELD
 * lines (then a count). A spec with 90,000 bad cluster ids must fail the workflow with
 * a message well under Temporal's payload limit, not with one line per id.
 */
import type { z } from 'zod';
import { quote } from './quote.js';
import { didYouMean } from './suggest.js';

export interface SpecProblem {
  /** Dotted path of the field, e.g. `clusters[3]` or `targetVersion`; `spec` for the whole. */
  readonly field: string;
  readonly message: string;
}

export const MAX_PROBLEMS_PER_FIELD = 10;
/** And at most this many in all (a spec of ten thousand unknown keys is one field each). */
export const MAX_PROBLEMS = 50;

export { quote };

/** What a value is, in the words of the message: `the string "10"`, `a list`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
    case 'bigint':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/**
 * `got the string "avsi"; did you mean "avisi"?`: what a value that is not one of
 * `names` was, and the name it most likely meant, when one is near.
 */
export function gotInstead(input: unknown, names: Iterable<string>): string {
  const guess = typeof input === 'string' ? didYouMean(input, names, (name) => JSON.stringify(name)) : undefined;
  return `got ${describeValue(input)}${guess ? `; ${guess}` : ''}`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

const NOUNS: Readonly<Record<string, string>> = { array: 'items', string: 'characters' };

/**
 * The message for a zod issue that the schema did not word itself (zod asks a
 * per-parse map only then). Undefined: zod's default, for codes specs never produce.
 */
export const specErrorMap = (issue: z.core.$ZodRawIssue): string | undefined => {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return 'missing (required)';
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return `must be ${expected}, got ${describeValue(input)}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'number') return `must be at least ${min}, got ${String(input)}`;
      if (issue.origin === 'string' && min === 1) return 'must not be empty';
      return `must have at least ${min} ${NOUNS[issue.origin] ?? 'items'}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'number') return `must be at most ${max}, got ${String(input)}`;
      const length = Array.isArray(input) || typeof input === 'string' ? input.length : undefined;
      return `${length === undefined ? 'too long' : `has ${length} ${NOUNS[issue.origin] ?? 'items'}`}; at most ${max} allowed`;
    }
    case 'invalid_format':
      return `not a valid ${issue.format}: ${quote(input)}`;
    default:
      return undefined;
  }
};

/**
 * One problem per unknown key, with the known field it most likely meant
 * (`organization` -> `organisation`, `max_parallel` -> `maxParallel`, `matches` -> `match`).
 */
export function unknownFieldProblems(parent: string, keys: readonly string[], known: readonly string[]): SpecProblem[] {
  return keys.map((key, index) => {
    // A key that is empty, spaced or odd is quoted, so the line still shows which one.
    const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : quote(key);
    const field = parent ? `${parent}.${name}` : name;
    // Past the cap no line survives (capProblems): no guess is worth computing for it.
    const guess = index < MAX_PROBLEMS ? didYouMean(key, known) : undefined;
    if (guess) return { field, message: `unknown field; ${guess}` };
    // A short list helps; the spec's eighteen fields would drown the line (the README lists them).
    return {
      field,
      message:
        known.length > 0 && known.length <= 8 ? `unknown field (known here: ${known.join(', ')})` : 'unknown field',
    };
  });
}

/** The first path segment: `waves[2].clusters[0]` -> `waves`. */
const topField = (field: string): string => /^[^.[]*/.exec(field)![0] || field;

/**
 * At most MAX_PROBLEMS_PER_FIELD problems per top-level field, in their order, then one
 * line per field saying how many more there were; past MAX_PROBLEMS in all, one last
 * line with the count of the rest. Nothing is dropped silently.
 */
export function capProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  const kept: SpecProblem[] = [];
  const counts = new Map<string, number>();
  for (const problem of problems) {
    const top = topField(problem.field);
    const count = (counts.get(top) ?? 0) + 1;
    counts.set(top, count);
    if (count <= MAX_PROBLEMS_PER_FIELD) kept.push(problem);
  }
  for (const [top, count] of counts) {
    if (count > MAX_PROBLEMS_PER_FIELD)
      kept.push({ field: top, message: `and ${count - MAX_PROBLEMS_PER_FIELD} more problems in ${top}` });
  }
  if (kept.length <= MAX_PROBLEMS) return kept;
  return [
    ...kept.slice(0, MAX_PROBLEMS - 1),
    { field: 'spec', message: `and ${kept.length - MAX_PROBLEMS + 1} more problems` },
  ];
}
