/**
 * Pre-upgrade checks without a server (domain/pre-check.ts, spec-pre-check.ts): the spec's
 * `preChecks` as the workflows read them (one passing evaluation, `onFail` "block" by
 * default, the rollout's then the wave's), the target's template values, the child's
 * decision (BLOCKED or FAILED, never requested), and what BLOCKED does to a rollout's
 * status and counts (PARTIAL; not a failure the budget counts; retried as the failed are).
 */
import { describe, expect, it } from 'vitest';
import { headerVariablesOf, missingVariableProblems } from '../../src/domain/health.js';
import { preCheckDecision, preChecksFor, targetFactsOf } from '../../src/domain/pre-check.js';
import { describeSpec } from '../../src/domain/spec-describe.js';
import { emptyCounts, isFailedOutcome, isRetriableOutcome, rolloutStatusOf } from '../../src/domain/report.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { budgetVerdict, failedClustersIn } from '../../src/workflows/rollout/tally.js';

const DEPRECATED_APIS = {
  name: 'deprecated-apis',
  prometheus: {
    url: 'http://prometheus.monitoring:9090',
    query:
      'sum(max_over_time(apiserver_requested_deprecated_apis{cluster="{clusterName}",removed_release="{targetMinor}"}[1d])) or vector(0)',
    max: 0,
  },
};
const BASE = { platform: 'avisi', organisation: 'acme', targetVersion: '1.32' } as const;

describe('preChecks in the spec', () => {
  it("reads docs/spec.md's deprecated-API check: one passing evaluation, onFail block, the defaults' timing", () => {
    const plan = parseRolloutSpec({ ...BASE, preChecks: [DEPRECATED_APIS] });
    expect(plan.preChecks).toEqual([
      { ...DEPRECATED_APIS, passForMs: 0, intervalMs: 10_000, timeoutMs: 600_000, onFail: 'block' },
    ]);
  });

  it("gives a wave's clusters the rollout's checks, then the wave's own", () => {
    const plan = parseRolloutSpec({
      ...BASE,
      preChecks: [DEPRECATED_APIS],
      waves: [
        {
          name: 'canary',
          size: 1,
          preChecks: [{ name: 'ready', http: { url: 'https://x/{targetVersion}' }, onFail: 'fail' }],
        },
        { name: 'rest' },
      ],
    });
    expect(preChecksFor(plan, plan.waves[0]).map((c) => [c.name, c.onFail])).toEqual([
      ['deprecated-apis', 'block'],
      ['ready', 'fail'],
    ]);
    expect(preChecksFor(plan, plan.waves[1]).map((c) => c.name)).toEqual(['deprecated-apis']);
    expect(parseRolloutSpec(BASE).preChecks).toBeUndefined();
  });
});

describe('what planning and the report make of them', () => {
  const headers = { Authorization: { fromEnv: 'FLEET_HEALTH_PROM', prefix: 'Bearer ' } };
  const plan = parseRolloutSpec({
    ...BASE,
    preChecks: [{ ...DEPRECATED_APIS, prometheus: { ...DEPRECATED_APIS.prometheus, headers } }],
    waves: [{ name: 'all', preChecks: [{ name: 'ready', http: { url: 'https://x/' }, onFail: 'fail' }] }],
  });

  it('names the header variables they read, so planning refuses a worker that lacks one before any change', () => {
    expect(headerVariablesOf(plan)).toEqual(['FLEET_HEALTH_PROM']);
    expect(missingVariableProblems(plan, ['FLEET_HEALTH_PROM'])).toEqual([
      {
        field: 'preChecks[0].prometheus.headers.Authorization.fromEnv',
        message: 'FLEET_HEALTH_PROM is not set on the worker (set it on every worker of the task queue)',
      },
    ]);
  });

  it("lists them among the spec's lines: once, asked again every interval within the timeout, and onFail", () => {
    const lines = describeSpec(plan);
    expect(lines.find((l) => l.label === 'pre-checks')?.text).toBe(
      'deprecated-apis (prometheus max 0; once, again every 10s, within 10m; on fail block)',
    );
    expect(lines.find((l) => l.text.includes('pre-checks ready'))?.text).toMatch(
      /pre-checks ready \(http status 200; once, again every 10s, within 10m; on fail fail\)/,
    );
  });
});

describe('the target template values', () => {
  it('are plain versions and minors, whatever the request spells', () => {
    expect(targetFactsOf('v1.31.6-u-ame.1', '1.30.4')).toEqual({
      targetVersion: '1.31.6',
      targetMinor: '1.31',
      currentVersion: '1.30.4',
      currentMinor: '1.30',
    });
    expect(targetFactsOf('1.32', 'v1.31.2')).toEqual({
      targetVersion: '1.32',
      targetMinor: '1.32',
      currentVersion: '1.31.2',
      currentMinor: '1.31',
    });
    expect(targetFactsOf('1.32', 'unknown')).toEqual({ targetVersion: '1.32', targetMinor: '1.32' });
  });
});

describe("the child's decision", () => {
  const failed = {
    passed: false,
    check: 'deprecated-apis',
    reason: 'pre-check "deprecated-apis" did not pass: last value 1 (above max 0)',
  } as const;

  it('goes on when every check passed', () => {
    expect(preCheckDecision({ passed: true, checks: 2 })).toBeUndefined();
  });

  it('ends BLOCKED with the reason (onFail block), FAILED with it (onFail fail)', () => {
    expect(preCheckDecision({ ...failed, onFail: 'block' })).toEqual({
      outcome: 'BLOCKED',
      message: `${failed.reason}; not upgraded (retryCluster runs its checks again)`,
    });
    expect(preCheckDecision({ ...failed, onFail: 'fail' })).toEqual({
      outcome: 'FAILED',
      message: `${failed.reason}; not upgraded`,
    });
  });
});

describe('BLOCKED in a rollout', () => {
  it('ends the rollout PARTIAL, is no failure for the budget or FleetFailedClusters, and is retried', () => {
    const counts = { ...emptyCounts(), SUCCEEDED: 9, BLOCKED: 1 };
    expect(rolloutStatusOf(counts)).toBe('PARTIAL');
    expect(rolloutStatusOf({ ...emptyCounts(), SUCCEEDED: 10 })).toBe('SUCCEEDED');
    expect(budgetVerdict({ maxFailed: 0, countSuperseded: true }, counts, 10, 'failure budget')).toBeUndefined();
    expect(failedClustersIn(counts)).toBe(0);
    expect(isFailedOutcome('BLOCKED')).toBe(false);
    expect(isRetriableOutcome('BLOCKED')).toBe(true);
    expect(isRetriableOutcome('FAILED')).toBe(true);
    expect(isRetriableOutcome('CANCELLED')).toBe(false);
  });

  it('reads counts carried from before BLOCKED existed', () => {
    const { BLOCKED: _, ...old } = { ...emptyCounts(), SUCCEEDED: 3, FAILED: 1 };
    expect(rolloutStatusOf(old as ReturnType<typeof emptyCounts>)).toBe('PARTIAL');
    expect(rolloutStatusOf({ ...old, FAILED: 0 } as ReturnType<typeof emptyCounts>)).toBe('SUCCEEDED');
  });
});
