/**
 * Health checks without a network: templates and their escaping, how an answer is
 * judged, the passFor/interval/timeout rules over a scripted series of observations, the
 * helpers the workflows call, and the spec's side (accepted shapes, secrets never echoed).
 */
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/activities/health-probe.js';
import {
  encodeForPromql,
  encodeForUrl,
  expandTemplate,
  headerVariablesOf,
  healthCheckTimeouts,
  healthChecksFor,
  healthFactsOf,
  missingVariableProblems,
  templateVariables,
  type CheckTiming,
  type HealthCheck,
} from '../../src/domain/health.js';
import { fieldAt, judgeHttp, judgePrometheus } from '../../src/domain/health-judge.js';
import {
  nextObservationAt,
  observe,
  resumeCheck,
  startCheck,
  type CheckProgress,
} from '../../src/domain/health-progress.js';
import { validateRolloutSpec } from '../../src/domain/spec.js';

const facts = healthFactsOf(
  {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    name: 'web "one"',
    region: 'nl-ams-1',
    endpoint: 'https://c0ffee00.nl-ams-1.k8s.example:6443',
  },
  'aether',
);

describe('templates', () => {
  it('lists the variables a text uses, leaving PromQL braces alone', () => {
    expect(templateVariables('up{job="x", cluster="{clusterId}"} and {region} {clusterId}')).toEqual([
      'clusterId',
      'region',
    ]);
  });

  it('percent-encodes values in URLs, except the endpoint, which is a URL', () => {
    expect(expandTemplate('{endpoint}/healthz?name={clusterName}', facts, encodeForUrl)).toEqual({
      ok: true,
      text: 'https://c0ffee00.nl-ams-1.k8s.example:6443/healthz?name=web%20%22one%22',
    });
  });

  it('escapes values for PromQL strings', () => {
    expect(expandTemplate('x{name="{clusterName}"}', facts, encodeForPromql)).toEqual({
      ok: true,
      text: 'x{name="web \\"one\\""}',
    });
  });

  it('names the first variable the cluster has no value for', () => {
    expect(expandTemplate('https://{environment}.example/{clusterId}', facts, encodeForUrl)).toEqual({
      ok: false,
      missing: 'environment',
    });
  });

  it('takes facts from a snapshot, leaving out what it lacks', () => {
    expect(healthFactsOf({ id: 'a', name: 'b', environment: '', region: 'r' }, 'avisi')).toEqual({
      clusterId: 'a',
      clusterName: 'b',
      platform: 'avisi',
      region: 'r',
    });
  });
});

describe('judging an answer', () => {
  const prom = { url: 'http://p', query: 'q', min: 1, max: 5 };
  const vector = (...values: string[]) =>
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: values.map((v, i) => ({ metric: { __name__: 'm', i: String(i) }, value: [1, v] })),
      },
    });

  it('passes every series in bounds and names the first that is not', () => {
    expect(judgePrometheus(prom, 200, vector('1', '5'))).toEqual({ ok: true, value: '2 series in bounds (1, 5)' });
    // `detail` lists every series out of bounds with its labels (operator-notices.test.ts).
    expect(judgePrometheus(prom, 200, vector('3', '0.5'))).toEqual({
      ok: false,
      value: '0.5 for {i="1"} (below min 1)',
      detail: '1 of 2 series out of bounds: {i="1"} 0.5 (below min 1)',
    });
    expect(judgePrometheus(prom, 200, vector('7'))).toMatchObject({ ok: false, value: '7 (above max 5)' });
    expect(judgePrometheus(prom, 200, vector('NaN'))).toMatchObject({ ok: false, value: 'NaN (not a number)' });
  });

  it('fails an empty result by that name, and a scalar is read as one sample', () => {
    expect(judgePrometheus(prom, 200, vector())).toEqual({ ok: false, value: 'empty result' });
    expect(
      judgePrometheus(
        prom,
        200,
        JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } }),
      ),
    ).toEqual({ ok: true, value: '2' });
  });

  it('fails at once a query Prometheus cannot parse, and waits out one it could not answer', () => {
    expect(
      judgePrometheus(prom, 400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' })),
    ).toEqual({ ok: false, value: 'Prometheus refused the query (bad_data: parse error)', fatal: true });
    expect(
      judgePrometheus(prom, 503, JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' })),
    ).toMatchObject({ ok: false, fatal: false });
    expect(judgePrometheus(prom, 200, '<html>')).toEqual({
      ok: false,
      value: 'status 200, not a Prometheus API answer',
    });
  });

  it('checks the status, then the JSON field', () => {
    const http = { url: 'http://h', status: 200, json: { field: 'checks.0.ok', equals: true } };
    expect(judgeHttp(http, 503, '')).toEqual({ ok: false, value: 'status 503 (expected 200)' });
    expect(judgeHttp(http, 200, '{"checks":[{"ok":true}]}')).toEqual({
      ok: true,
      value: 'status 200, checks.0.ok = true',
    });
    // A failed answer keeps what its body said (operator-notices.test.ts).
    expect(judgeHttp(http, 200, '{"checks":[{"ok":"true"}]}')).toMatchObject({
      ok: false,
      value: 'status 200, checks.0.ok = "true" (expected true)',
    });
    expect(judgeHttp(http, 200, '{"checks":[]}')).toEqual({
      ok: false,
      value: 'status 200, no field checks.0.ok',
      detail: 'the body said: {"checks":[]}',
    });
    expect(judgeHttp(http, 200, 'ok')).toMatchObject({ ok: false, value: 'status 200, the body is not JSON' });
    expect(fieldAt({ a: { toString: 1 } }, 'a.constructor')).toEqual({ found: false });
  });
});

describe('passFor, interval and timeout', () => {
  const timing: CheckTiming = { passForMs: 3_000, intervalMs: 1_000, timeoutMs: 10_000 };
  /** Observes on the check's own schedule; `ok(t)` says whether the cluster passes at t (ms from the start). */
  function drive(
    ok: (t: number) => boolean,
    t = timing,
    progress: CheckProgress = startCheck(0),
  ): { progress: CheckProgress; times: number[] } {
    const times: number[] = [];
    for (let at = nextObservationAt(progress, t); at !== undefined; at = nextObservationAt(progress, t)) {
      times.push(at);
      progress = observe(progress, t, { at, ok: ok(at), value: ok(at) ? '1' : '0' });
    }
    return { progress, times };
  }

  it('passes after passFor of passing observations, observing at the moment it completes', () => {
    expect(drive(() => true)).toEqual({
      progress: expect.objectContaining({ verdict: 'passed', streakSince: 0, observations: 4 }),
      times: [0, 1_000, 2_000, 3_000],
    });
  });

  it('passes at the first passing observation when passFor is 0', () => {
    expect(drive((at) => at >= 2_000, { ...timing, passForMs: 0 }).times).toEqual([0, 1_000, 2_000]);
  });

  it('restarts the streak when an observation fails', () => {
    const { progress, times } = drive((at) => at !== 2_000);
    expect(progress).toMatchObject({ verdict: 'passed', streakSince: 3_000 });
    expect(times.at(-1)).toBe(6_000);
  });

  it('fails at a failed observation at the timeout, observing at the timeout exactly', () => {
    const { progress, times } = drive(() => false, { ...timing, intervalMs: 3_000 });
    expect(times).toEqual([0, 3_000, 6_000, 9_000, 10_000]);
    expect(progress).toMatchObject({ verdict: 'failed', last: { at: 10_000, value: '0' } });
  });

  it('lets a streak begun in time run past the timeout, and fails when it breaks there', () => {
    expect(drive((at) => at >= 9_000).progress).toMatchObject({ verdict: 'passed', streakSince: 9_000 });
    expect(drive((at) => at >= 9_000 && at < 11_000).progress).toMatchObject({
      verdict: 'failed',
      last: { at: 11_000 },
    });
  });

  it('resumes with the clock it had, but not its streak', () => {
    const midway = observe(observe(startCheck(0), timing, { at: 0, ok: true, value: '1' }), timing, {
      at: 1_000,
      ok: true,
      value: '1',
    });
    const resumed = resumeCheck(JSON.parse(JSON.stringify(midway)) as CheckProgress);
    expect(resumed).toEqual({ startedAt: 0, last: midway.last, observations: 2, verdict: 'waiting' });
    // Resumed past its timeout: the next observation decides, at once.
    const late = resumeCheck({ ...midway, last: { at: 12_000, ok: true, value: '1' } });
    expect(nextObservationAt(late, timing)).toBe(12_000);
  });
});

describe('what the workflows call', () => {
  const check = (name: string, fromEnv?: string): HealthCheck => ({
    name,
    http: { url: 'http://h', status: 200, ...(fromEnv ? { headers: { 'X-Token': { fromEnv } } } : {}) },
    passForMs: 60_000,
    intervalMs: 10_000,
    timeoutMs: 600_000,
  });

  it("gives a cluster the rollout's checks, then its wave's", () => {
    expect(healthChecksFor({ healthChecks: [check('a')] }, { healthChecks: [check('b')] }).map((c) => c.name)).toEqual([
      'a',
      'b',
    ]);
    expect(healthChecksFor({}, undefined)).toEqual([]);
  });

  it('lists every header variable once, for planning to ask the worker about', () => {
    expect(
      headerVariablesOf({
        healthChecks: [check('a', 'FLEET_HEALTH_B')],
        waves: [{ healthChecks: [check('b', 'FLEET_HEALTH_A'), check('c', 'FLEET_HEALTH_B')] }, {}],
      }),
    ).toEqual(['FLEET_HEALTH_A', 'FLEET_HEALTH_B']);
  });

  it('names, by field, every header that reads a variable the worker lacks', () => {
    const plan = {
      healthChecks: [check('a', 'FLEET_HEALTH_A')],
      waves: [{}, { healthChecks: [check('b', 'FLEET_HEALTH_B'), check('c', 'FLEET_HEALTH_A')] }],
    };
    expect(missingVariableProblems(plan, ['FLEET_HEALTH_A'])).toEqual([
      {
        field: 'healthChecks[0].http.headers.X-Token.fromEnv',
        message: 'FLEET_HEALTH_A is not set on the worker (set it on every worker of the task queue)',
      },
      {
        field: 'waves[1].healthChecks[1].http.headers.X-Token.fromEnv',
        message: 'FLEET_HEALTH_A is not set on the worker (set it on every worker of the task queue)',
      },
    ]);
  });

  it("bounds the activity by the slowest check's timeout + passFor, and heartbeats by its interval", () => {
    expect(healthCheckTimeouts([check('a'), { ...check('b'), timeoutMs: 1_200_000 }])).toEqual({
      startToCloseMs: 1_200_000 + 60_000 + 10_000 + 10_000 + 60_000,
      heartbeatMs: 10_000 + 10_000 + 30_000,
    });
  });
});

describe('secrets', () => {
  it('are redacted as they are, percent-encoded and JSON-escaped', () => {
    const secret = 's3cr"et/+';
    expect(redact(`a ${secret} b ${encodeURIComponent(secret)} c ${JSON.stringify(secret)}`, new Set([secret]))).toBe(
      'a [redacted] b [redacted] c "[redacted]"',
    );
  });

  it('written inline in a spec are refused without being echoed', () => {
    const result = validateRolloutSpec({
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31',
      healthChecks: [{ name: 'a', http: { url: 'https://h/', headers: { Authorization: 'Bearer hunter2-inline' } } }],
    });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('a valid spec becomes checks with defaults filled in', () => {
    const result = validateRolloutSpec({
      platform: 'aether',
      organisation: '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0',
      targetVersion: '1.31',
      healthChecks: [
        {
          name: 'up',
          prometheus: { url: 'http://prometheus:9090', query: 'up{cluster="{clusterName}"}', max: 0.5 },
          passFor: '5m',
        },
      ],
      waves: [
        {
          name: 'canary',
          size: 1,
          healthChecks: [{ name: 'api', http: { url: '{endpoint}/livez' }, interval: '2s', timeout: '1m' }],
        },
        { name: 'rest' },
      ],
    });
    expect(result.ok && result.plan.healthChecks).toEqual([
      {
        name: 'up',
        prometheus: { url: 'http://prometheus:9090', query: 'up{cluster="{clusterName}"}', max: 0.5 },
        passForMs: 300_000,
        intervalMs: 10_000,
        timeoutMs: 600_000,
      },
    ]);
    expect(result.ok && result.plan.waves[0]!.healthChecks).toEqual([
      {
        name: 'api',
        http: { url: '{endpoint}/livez', status: 200 },
        passForMs: 60_000,
        intervalMs: 2_000,
        timeoutMs: 60_000,
      },
    ]);
  });
});
