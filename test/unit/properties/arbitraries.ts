/**
 * fast-check generators for the property tests: valid rollout specs (every optional
 * field sometimes present), Kubernetes versions and durations. A failing property prints
 * its seed and counterexample; `fc.assert(..., { seed, path })` replays it.
 */
import fc from 'fast-check';
import type { RolloutSpec } from '../../../src/domain/spec.js';
import type { KubeVersion } from '../../../src/domain/versions.js';

/** Kept small so the unit project stays fast; each property runs in well under a second. */
export const RUNS = { numRuns: 200 } as const;

export const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

export const durationUnit = fc.constantFrom(...(Object.keys(DURATION_UNITS) as DurationUnit[]));

/** `"30s"`, `"1.5h"`, or milliseconds as a number. */
export const duration = fc.oneof(
  fc.tuple(fc.nat(100_000), durationUnit).map(([n, unit]) => `${n}${unit}`),
  fc.tuple(fc.nat(1_000), fc.nat(99), durationUnit).map(([n, frac, unit]) => `${n}.${frac}${unit}`),
  fc.nat(10 ** 9),
);

export const kubeVersion: fc.Arbitrary<KubeVersion> = fc.record(
  { major: fc.nat(999), minor: fc.nat(999), patch: fc.nat(9_999) },
  { requiredKeys: ['major', 'minor'] },
);

/** A version as either platform may write it: `1.31`, `v1.31.4`, `v1.30.4-u-ame.3`. */
export const versionText = fc
  .tuple(kubeVersion, fc.boolean(), fc.option(fc.stringMatching(/^-[0-9A-Za-z][0-9A-Za-z.-]{0,10}$/), { nil: '' }))
  .map(
    ([v, prefix, suffix]) =>
      `${prefix ? 'v' : ''}${v.major}.${v.minor}${v.patch === undefined ? '' : `.${v.patch}`}${suffix}`,
  );

const slug = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
/** UUIDs as APIs send them: sometimes upper-case. */
const uuid = fc.tuple(fc.uuid(), fc.boolean()).map(([id, upper]) => (upper ? id.toUpperCase() : id));
const countOrPercent = fc.oneof(
  fc.nat(10_000),
  fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
);
const failureBudget = fc.record(
  { maxFailed: countOrPercent, countSuperseded: fc.boolean() },
  { requiredKeys: ['maxFailed'] },
);
const approval = fc.oneof(
  fc.boolean(),
  fc.record({ timeout: duration, onTimeout: fc.constantFrom('abort', 'proceed') }, { requiredKeys: [] }),
);
const attempts = fc.record({ maxAttempts: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: [] });

/** A selector (`match`, `exclude`): one to three fields, each a value or a list of values. */
const selectorValue = fc.stringMatching(/^[a-z0-9*?][a-z0-9*?._-]{0,15}$/);
export const selector = fc
  .record(
    {
      environment: fc.oneof(selectorValue, fc.array(selectorValue, { minLength: 1, maxLength: 3 })),
      region: fc.oneof(selectorValue, fc.array(selectorValue, { minLength: 1, maxLength: 3 })),
      cloudProvider: selectorValue,
      name: fc.oneof(selectorValue, fc.array(selectorValue, { minLength: 1, maxLength: 3 })),
      organisation: selectorValue,
      updateChannel: fc.oneof(selectorValue, fc.array(selectorValue, { minLength: 1, maxLength: 3 })),
      autoUpgrade: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .filter((s) => Object.keys(s).length > 0);

/**
 * Waves that satisfy the cross-wave rules: unique names, `size` or `clusters` (never
 * both) on every wave but the last, which may take the rest, and a cluster in one wave.
 */
const waves = fc
  .uniqueArray(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/), { minLength: 1, maxLength: 6 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name, index) =>
        fc.record(
          {
            name: fc.constant(name),
            take:
              index === names.length - 1
                ? fc.constantFrom('size', 'clusters', 'match', 'rest')
                : fc.constantFrom('size', 'clusters', 'match'),
            match: selector,
            size: countOrPercent.filter((n) => n !== 0),
            clusters: fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 3 }),
            maxParallel: fc.integer({ min: 1, max: 1000 }),
            soak: duration,
            approval,
            failureBudget,
          },
          { requiredKeys: ['name', 'take', 'size', 'clusters', 'match'] },
        ),
      ),
    ),
  )
  .map((generated) => {
    const claimed = new Set<string>();
    return generated.map(({ take, size, clusters, match, ...wave }) => {
      if (take === 'rest') return wave;
      if (take === 'match') return { ...wave, match, ...(wave.maxParallel !== undefined ? { size } : {}) };
      if (take === 'size') return { ...wave, size };
      const own = clusters.filter((id) => !claimed.has(id));
      own.forEach((id) => claimed.add(id));
      return own.length > 0 ? { ...wave, clusters: own } : { ...wave, size: 1 };
    });
  });

/** A spec the parser must accept, with a random selection of the optional fields. */
export const validSpec = fc
  .tuple(
    fc.constantFrom('avisi' as const, 'aether' as const),
    slug,
    uuid,
    versionText,
    fc.record(
      {
        clusters: fc.uniqueArray(uuid, { minLength: 1, maxLength: 20, selector: (id) => id.toLowerCase() }),
        maxParallel: fc.integer({ min: 1, max: 1000 }),
        waves,
        soak: duration,
        failureBudget,
        maxHops: fc.integer({ min: 1, max: 10 }),
        patchOnly: fc.boolean(),
        historyEventsPerRun: fc.integer({ min: 200, max: 9_000 }),
        retry: attempts,
        reschedule: attempts,
        pollInterval: duration,
        clusterDeadline: duration,
        ignoreMaintenanceSchedule: fc.boolean(),
        scheduleRequestDate: fc
          .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        dryRun: fc.boolean(),
        exclude: fc.array(fc.oneof(uuid, selector), { minLength: 1, maxLength: 4 }),
        unmatched: fc.constantFrom('refuse', 'skip'),
        freeze: fc.array(
          fc.oneof(
            fc.record({
              reason: fc.string({ minLength: 1, maxLength: 20 }),
              from: fc.constantFrom('2026-12-20T00:00:00Z', '2027-03-01T10:00:00+01:00'),
              to: fc.constant('2027-06-01T00:00:00Z'),
            }),
            fc.record({
              reason: fc.string({ minLength: 1, maxLength: 20 }),
              weekly: fc.record({
                days: fc.uniqueArray(fc.constantFrom('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'), {
                  minLength: 1,
                }),
                from: fc.constantFrom('00:00', '18:30'),
                to: fc.constantFrom('06:00', '24:00'),
                timeZone: fc.constantFrom('UTC', 'Europe/Amsterdam', 'America/New_York'),
              }),
            }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([platform, org, orgUuid, targetVersion, optional]) => {
    const spec: Record<string, unknown> = {
      platform,
      organisation: platform === 'avisi' ? org : orgUuid,
      targetVersion,
      ...optional,
    };
    // patchOnly stays within a minor: it cannot be combined with more than one hop.
    if (spec.patchOnly === true && typeof spec.maxHops === 'number' && spec.maxHops > 1) delete spec.maxHops;
    // unmatched applies only when every wave selects (match or clusters).
    const waves = spec.waves as Record<string, unknown>[] | undefined;
    if (!waves || waves.some((w) => w.match === undefined && w.clusters === undefined)) delete spec.unmatched;
    return spec as RolloutSpec;
  });
