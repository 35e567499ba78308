/**
 * Properties of the spec parser, the workflow's first step: whatever JSON arrives, it
 * answers (never throws) with a plan or with problems that each name a field; valid
 * specs come through with their values; a broken field is named; durations mean what
 * they say.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/domain/durations.js';
import { PLATFORMS } from '../../../src/domain/platform.js';
import { MAX_PROBLEMS } from '../../../src/domain/spec-messages.js';
import { rolloutSpecSchema, validateRolloutSpec, type ParseResult } from '../../../src/domain/spec.js';
import { formatVersion, parseVersion } from '../../../src/domain/versions.js';
import { DURATION_UNITS, duration, durationUnit, RUNS, validSpec } from './arbitraries.js';

/** The answer is well-formed: a plan, or 1..MAX_PROBLEMS problems with a field and a message each. */
function expectWellFormed(result: ParseResult): void {
  if (result.ok) {
    expect(PLATFORMS).toContain(result.plan.platform);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  expect(result.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS);
  for (const problem of result.problems) {
    expect(problem.field).toMatch(/\S/);
    expect(problem.message).toMatch(/\S/);
  }
}

const problemsOf = (result: ParseResult) => (result.ok ? [] : result.problems);
const KNOWN_FIELDS = Object.keys(rolloutSpecSchema.shape);

describe('validateRolloutSpec on anything', () => {
  it('never throws on arbitrary JSON, and answers with a plan or named problems', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => expectWellFormed(validateRolloutSpec(input))),
      RUNS,
    );
  });

  it('never throws on arbitrary JavaScript values either (undefined, functions, symbols, odd prototypes)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 3,
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
          withTypedArray: true,
        }),
        (input) => expectWellFormed(validateRolloutSpec(input)),
      ),
      RUNS,
    );
  });

  it('never throws on objects with the spec fields holding arbitrary JSON', () => {
    const fields = fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(fields, (input) => expectWellFormed(validateRolloutSpec(input))),
      RUNS,
    );
  });
});

describe('validateRolloutSpec on valid specs', () => {
  it('accepts them, and the plan holds their values (defaults where absent)', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const result = validateRolloutSpec(spec);
        expect(problemsOf(result)).toEqual([]);
        if (!result.ok) return;
        const plan = result.plan;
        const s = spec;
        expect(plan.platform).toBe(s.platform);
        expect(plan.organisation).toBe(s.platform === 'aether' ? s.organisation!.toLowerCase() : s.organisation);
        expect(plan.targets).toEqual([{ platform: plan.platform, organisation: plan.organisation }]);
        expect(plan.targetVersion).toBe(formatVersion(parseVersion(s.targetVersion!)!));
        expect(plan.clusters).toEqual(s.clusters?.map((id) => id.toLowerCase()));
        expect(plan.maxParallel).toBe(s.maxParallel ?? 10);
        expect(plan.waves.map((w) => w.name)).toEqual(s.waves ? s.waves.map((w) => w.name) : ['canary', 'rest']);
        expect(plan.soakMs).toBe(parseDuration(s.soak ?? '0s'));
        expect(plan.pollIntervalMs).toBe(parseDuration(s.pollInterval ?? '30s'));
        expect(plan.clusterDeadlineMs).toBe(parseDuration(s.clusterDeadline ?? '14d'));
        expect(plan.maxHops).toBe(s.maxHops ?? 1);
        expect(plan.patchOnly).toBe(s.patchOnly ?? false);
        expect(plan.historyEventsPerRun).toBe(s.historyEventsPerRun ?? 4_000);
        expect(plan.retry.maxAttempts).toBe(s.retry?.maxAttempts ?? 2);
        expect(plan.reschedule.maxAttempts).toBe(s.reschedule?.maxAttempts ?? 2);
        expect(plan.failureBudget?.maxFailed).toBe(s.failureBudget?.maxFailed);
        expect(plan.ignoreMaintenanceSchedule).toBe(s.ignoreMaintenanceSchedule ?? false);
        expect(plan.scheduleRequestDate).toBe(s.scheduleRequestDate);
        expect(plan.dryRun).toBe(s.dryRun ?? false);
        expect(plan.waves.map((w) => w.match)).toEqual(s.waves ? s.waves.map((w) => w.match) : [undefined, undefined]);
        expect(plan.exclude?.length).toBe(s.exclude?.length);
        expect(plan.unmatched).toBe(s.unmatched ?? 'refuse');
      }),
      RUNS,
    );
  });

  it('reads a spec the same after a trip through JSON, as a Temporal payload makes it', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        expect(validateRolloutSpec(JSON.parse(JSON.stringify(spec)))).toEqual(validateRolloutSpec(spec));
      }),
      RUNS,
    );
  });
});

/** Values of every JSON type but the ones a field takes. */
const jsonOtherThan = (...types: ('string' | 'number' | 'boolean' | 'array' | 'object')[]) =>
  fc.jsonValue({ maxDepth: 2 }).filter((value) => {
    const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return !(types as string[]).includes(type);
  });

const WRONG_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  platform: fc.jsonValue({ maxDepth: 2 }).filter((v) => !(PLATFORMS as readonly unknown[]).includes(v)),
  organisation: jsonOtherThan('string'),
  targetVersion: jsonOtherThan('string'),
  targetVersions: jsonOtherThan('object'),
  clusters: jsonOtherThan('array'),
  maxParallel: jsonOtherThan('number'),
  waves: jsonOtherThan('array'),
  soak: jsonOtherThan('string', 'number'),
  failureBudget: jsonOtherThan('object'),
  maxHops: jsonOtherThan('number'),
  patchOnly: jsonOtherThan('boolean'),
  historyEventsPerRun: jsonOtherThan('number'),
  retry: jsonOtherThan('object'),
  reschedule: jsonOtherThan('object'),
  pollInterval: jsonOtherThan('string', 'number'),
  clusterDeadline: jsonOtherThan('string', 'number'),
  holdCheck: jsonOtherThan('string', 'number'),
  expectedClusterDuration: jsonOtherThan('string', 'number'),
  ignoreMaintenanceSchedule: jsonOtherThan('boolean'),
  scheduleRequestDate: jsonOtherThan('string'),
  dryRun: jsonOtherThan('boolean'),
  exclude: jsonOtherThan('array'),
  targets: jsonOtherThan('array'),
  freeze: jsonOtherThan('array'),
  healthChecks: jsonOtherThan('array'),
  preChecks: jsonOtherThan('array'),
  notify: jsonOtherThan('array'),
  unmatched: fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== 'refuse' && v !== 'skip'),
};

describe('validateRolloutSpec on broken specs', () => {
  it('covers every spec field with a wrong value', () => {
    expect(Object.keys(WRONG_VALUES).sort()).toEqual([...KNOWN_FIELDS].sort());
  });

  it('names a field set to a value of the wrong type', () => {
    const mutation = fc
      .constantFrom(...KNOWN_FIELDS)
      .chain((field) => fc.tuple(fc.constant(field), WRONG_VALUES[field]!));
    fc.assert(
      fc.property(validSpec, mutation, (spec, [field, value]) => {
        const problems = problemsOf(validateRolloutSpec({ ...spec, [field]: value }));
        expect(
          problems.some((p) => p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`)),
        ).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a required field that is missing', () => {
    fc.assert(
      fc.property(validSpec, fc.constantFrom('platform', 'organisation', 'targetVersion'), (spec, field) => {
        const broken: Record<string, unknown> = { ...spec };
        delete broken[field];
        expect(problemsOf(validateRolloutSpec(broken))).toContainEqual({
          field,
          message: expect.stringMatching(/^missing \(required\)/),
        });
      }),
      RUNS,
    );
  });

  it('names every unknown field', () => {
    const unknownKey = fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !KNOWN_FIELDS.includes(key));
    fc.assert(
      fc.property(validSpec, unknownKey, fc.jsonValue({ maxDepth: 2 }), (spec, key, value) => {
        // defineProperty: `__proto__` must be an own field, as JSON.parse makes it.
        const broken = Object.defineProperty({ ...spec }, key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
        // A key that is not a plain name (empty, spaced, odd) is shown quoted.
        const field = expect.toSatisfy((f: string) => f === key || f === JSON.stringify(key));
        expect(problemsOf(validateRolloutSpec(broken))).toContainEqual({
          field,
          message: expect.stringMatching(/^unknown field/),
        });
      }),
      RUNS,
    );
  });

  it('answers well-formed whatever replaces a field, at any depth', () => {
    const paths = fc.constantFrom<(string | number)[]>(
      ['waves', 0, 'approval'],
      ['waves', 0, 'size'],
      ['waves', 0, 'clusters', 0],
      ['failureBudget', 'maxFailed'],
      ['retry', 'maxAttempts'],
      ['clusters', 0],
      ['waves', 0],
    );
    fc.assert(
      fc.property(validSpec, paths, fc.jsonValue({ maxDepth: 2 }), (spec, path, value) => {
        type Node = Record<string | number, unknown>;
        const broken = structuredClone(spec) as Node;
        let at = broken;
        path.slice(0, -1).forEach((key, i) => {
          at[key] ??= typeof path[i + 1] === 'number' ? [] : {};
          at = at[key] as Node;
        });
        at[path.at(-1)!] = value;
        expectWellFormed(validateRolloutSpec(broken));
      }),
      RUNS,
    );
  });
});

describe('durations', () => {
  it('reads "<n><unit>" as n units, in any case and with spaces around', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), durationUnit, fc.boolean(), (n, unit, shout) => {
        const text = ` ${n}${shout ? unit.toUpperCase() : unit} `;
        expect(parseDuration(text)).toBe(n * DURATION_UNITS[unit]);
      }),
      RUNS,
    );
  });

  it('takes non-negative milliseconds as they are, and nothing negative or infinite', () => {
    fc.assert(
      fc.property(fc.double(), (ms) => {
        expect(parseDuration(ms)).toBe(Number.isFinite(ms) && ms >= 0 ? ms : undefined);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary text, and reads it as undefined or a finite, non-negative time', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const parsed = parseDuration(text);
        if (parsed !== undefined) expect(Number.isFinite(parsed) && parsed >= 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('prints a whole number of its largest unit so that it reads back the same', () => {
    const whole = fc.oneof(
      fc.integer({ min: 1, max: 999 }).map((n) => n),
      fc.integer({ min: 1, max: 59 }).map((n) => n * DURATION_UNITS.s),
      fc.integer({ min: 1, max: 59 }).map((n) => n * DURATION_UNITS.m),
      fc.integer({ min: 1, max: 23 }).map((n) => n * DURATION_UNITS.h),
      fc.integer({ min: 1, max: 10_000 }).map((n) => n * DURATION_UNITS.d),
    );
    fc.assert(
      fc.property(whole, (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      RUNS,
    );
  });

  it('gives a spec the milliseconds parseDuration gives', () => {
    fc.assert(
      fc.property(validSpec, duration, duration, (spec, poll, soak) => {
        const result = validateRolloutSpec({ ...spec, pollInterval: poll, soak });
        expect(result.ok && [result.plan.pollIntervalMs, result.plan.soakMs]).toEqual([
          parseDuration(poll),
          parseDuration(soak),
        ]);
      }),
      RUNS,
    );
  });
});
