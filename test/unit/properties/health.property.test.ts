/**
 * Properties of a health check's verdict over time (domain/health-progress.ts), for any
 * timing and any series of passes and failures, observed on the check's own schedule:
 * it ends, by `timeout + passFor`; it passes only after `passFor` of unbroken passes;
 * it fails only at a failed observation at or after `timeout`; and a check that passes
 * from some moment before its timeout on always passes. And for the spec: any check
 * built from the documented shapes is accepted, and a query with no bound never is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckTiming } from '../../../src/domain/health.js';
import {
  nextObservationAt,
  observe,
  startCheck,
  type CheckProgress,
  type Observation,
} from '../../../src/domain/health-progress.js';
import { validateRolloutSpec } from '../../../src/domain/spec.js';
import { RUNS } from './arbitraries.js';

const timing: fc.Arbitrary<CheckTiming> = fc.record({
  passForMs: fc.integer({ min: 0, max: 20_000 }),
  intervalMs: fc.integer({ min: 100, max: 5_000 }),
  timeoutMs: fc.integer({ min: 0, max: 30_000 }),
});

/** Runs a check on its schedule against `ok(index, at)`; each request takes `lag(index)` ms to be sent. */
function drive(
  t: CheckTiming,
  ok: (index: number, at: number) => boolean,
  lag: (index: number) => number = () => 0,
): { progress: CheckProgress; seen: Observation[] } {
  let progress = startCheck(0);
  const seen: Observation[] = [];
  for (let at = nextObservationAt(progress, t); at !== undefined; at = nextObservationAt(progress, t)) {
    const sentAt = Math.max(at + lag(seen.length), seen.at(-1)?.at ?? 0);
    const observation = { at: sentAt, ok: ok(seen.length, sentAt), value: '' };
    seen.push(observation);
    progress = observe(progress, t, observation);
    if (seen.length > 10_000) throw new Error('did not end');
  }
  return { progress, seen };
}

describe('a check observed on its schedule', () => {
  it('ends, by timeout + passFor, with a verdict its observations justify', () => {
    fc.assert(
      fc.property(timing, fc.array(fc.boolean(), { minLength: 1, maxLength: 400 }), (t, pattern) => {
        const { progress, seen } = drive(t, (i) => pattern[i % pattern.length]!);
        const last = seen.at(-1)!;
        expect(['passed', 'failed']).toContain(progress.verdict);
        expect(last.at).toBeLessThanOrEqual(t.timeoutMs + t.passForMs);
        // No failed observation before the timeout ended it.
        seen.slice(0, -1).forEach((o) => expect(o.ok || o.at < t.timeoutMs).toBe(true));
        if (progress.verdict === 'failed') {
          expect(last.ok).toBe(false);
          expect(last.at).toBeGreaterThanOrEqual(t.timeoutMs);
        } else {
          // The final run of passes lasted passFor, and nothing in it failed.
          const runStart = seen.map((o) => o.ok).lastIndexOf(false) + 1;
          expect(seen.slice(runStart).every((o) => o.ok)).toBe(true);
          expect(last.at - seen[runStart]!.at).toBeGreaterThanOrEqual(t.passForMs);
          expect(progress.streakSince).toBe(seen[runStart]!.at);
        }
      }),
      RUNS,
    );
  });

  it('passes a cluster that is healthy from some moment before its timeout on, within passFor of that moment', () => {
    fc.assert(
      fc.property(timing, fc.double({ min: 0, max: 1, noNaN: true }), (t, share) => {
        const healthyFrom = Math.floor(t.timeoutMs * share);
        const { progress, seen } = drive(t, (_, at) => at >= healthyFrom);
        expect(progress.verdict).toBe('passed');
        // The first observation at or after healthyFrom starts the streak: at most an interval late.
        expect(seen.at(-1)!.at).toBeLessThanOrEqual(
          Math.min(healthyFrom + t.intervalMs, Math.max(t.timeoutMs, healthyFrom)) + t.passForMs,
        );
      }),
      RUNS,
    );
  });

  it('still ends, by the same rules, when requests go out late', () => {
    fc.assert(
      fc.property(
        timing,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
        fc.array(fc.nat(3_000), { minLength: 1, maxLength: 50 }),
        (t, pattern, lags) => {
          const { progress, seen } = drive(
            t,
            (i) => pattern[i % pattern.length]!,
            (i) => lags[i % lags.length]!,
          );
          const last = seen.at(-1)!;
          if (progress.verdict === 'failed') expect(!last.ok && last.at >= t.timeoutMs).toBe(true);
          else expect(last.at - progress.streakSince!).toBeGreaterThanOrEqual(t.passForMs);
        },
      ),
      RUNS,
    );
  });
});

describe('health checks in a spec', () => {
  const variable = fc.constantFrom('{clusterId}', '{clusterName}', '{region}', '{environment}', '{platform}', 'static');
  const headers = fc.option(fc.constant({ Authorization: { fromEnv: 'FLEET_HEALTH_TOKEN', prefix: 'Bearer ' } }), {
    nil: undefined,
  });
  const bounds = fc
    .tuple(
      fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: undefined }),
      fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: undefined }),
    )
    .filter(([min, max]) => min !== undefined || max !== undefined)
    .map(([min, max]) =>
      min !== undefined && max !== undefined && min > max
        ? { min: max, max: min }
        : { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
    );
  const probe = fc.oneof(
    fc.record({
      http: fc.record(
        {
          url: variable.map((v) => `https://health.example.com/${v}`),
          status: fc.integer({ min: 100, max: 599 }),
          headers,
        },
        { requiredKeys: ['url'] },
      ),
    }),
    fc.record({
      prometheus: fc.tuple(variable, bounds, headers).map(([v, b, h]) => ({
        url: 'http://prometheus:9090',
        query: `up{cluster="${v}"}`,
        ...b,
        ...(h ? { headers: h } : {}),
      })),
    }),
  );
  const checks = fc
    .uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), { minLength: 1, maxLength: 5 })
    .chain((names) =>
      fc.tuple(...names.map((name) => probe.map((p) => ({ name, ...p, passFor: '30s', timeout: '5m' })))),
    );
  const base = { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' };

  it('accepts every check built from the documented shapes, the same after a trip through JSON', () => {
    fc.assert(
      fc.property(checks, (healthChecks) => {
        const result = validateRolloutSpec({ ...base, healthChecks });
        expect(result.ok ? [] : result.problems).toEqual([]);
        expect(result.ok && result.plan.healthChecks?.map((c) => c.name)).toEqual(healthChecks.map((c) => c.name));
        expect(validateRolloutSpec(JSON.parse(JSON.stringify({ ...base, healthChecks })))).toEqual(result);
      }),
      RUNS,
    );
  });

  it('refuses a query with no bound, whatever else the check holds', () => {
    fc.assert(
      fc.property(checks, fc.nat(4), (healthChecks, pick) => {
        const index = pick % healthChecks.length;
        const broken = healthChecks.map((c, i) =>
          i === index ? { name: c.name, prometheus: { url: 'http://p:9090', query: 'up' } } : c,
        );
        const result = validateRolloutSpec({ ...base, healthChecks: broken });
        expect(!result.ok && result.problems).toContainEqual({
          field: `healthChecks[${index}].prometheus`,
          message: expect.stringMatching(/^needs min, max or both/),
        });
      }),
      RUNS,
    );
  });
});
