/**
 * Wave gates without a server: the spec's `gate` (defaults, what it may template), the
 * pure helpers (bound in words, `{waveClusters}` as an escaped regex alternative, the
 * result line), the `Rollout`'s gate transitions (halt, pause, names kept only when
 * asked for, through a snapshot), the forecast's gate time and the UI's gate lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastEnd } from '../../src/domain/forecast.js';
import {
  boundOf,
  gateLine,
  MAX_GATE_CLUSTERS,
  usesWaveClusters,
  waveClustersPattern,
  type GateResult,
} from '../../src/domain/gate.js';
import {
  encodeForPromql,
  expandTemplate,
  headerVariablesOf,
  missingVariableProblems,
} from '../../src/domain/health.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { renderRolloutDetails } from '../../src/workflows/rollout/view/details.js';
import { Rollout } from '../../src/workflows/rollout/state.js';
import { detailsOf, signalsOf, waveSummaries } from '../../src/workflows/rollout/view/progress.js';
import { reportOf } from '../../src/workflows/rollout/view/report.js';
import { entry, inventory, refill, result, startRollout, controlsOf } from './support/rollout-driver.js';

const ORG = 'acme';
const promGate = (extra: Record<string, unknown> = {}) => ({
  prometheus: { url: 'http://prometheus:9090', query: 'max(rate(errors{cluster=~"{waveClusters}"}[5m]))', max: 0.05 },
  passFor: '2m',
  ...extra,
});

describe('a wave gate in the spec', () => {
  it('takes a health check of the wave, with a default name and onFail "halt"', () => {
    const plan = parseRolloutSpec({
      platform: 'avisi',
      organisation: ORG,
      targetVersion: '1.31',
      waves: [{ name: 'canary', size: 1, gate: promGate() }, { name: 'rest' }],
    });
    expect(plan.waves[0]!.gate).toEqual({
      name: 'gate',
      prometheus: {
        url: 'http://prometheus:9090',
        query: 'max(rate(errors{cluster=~"{waveClusters}"}[5m]))',
        max: 0.05,
      },
      passForMs: 120_000,
      intervalMs: 10_000,
      timeoutMs: 600_000,
      onFail: 'halt',
    });
  });

  it("has its header variables checked at planning, named by the gate's field", () => {
    const gate = promGate({
      prometheus: {
        ...promGate().prometheus,
        headers: { Authorization: { fromEnv: 'FLEET_HEALTH_PROM', prefix: 'Bearer ' } },
      },
    });
    const plan = parseRolloutSpec({
      platform: 'avisi',
      organisation: ORG,
      targetVersion: '1.31',
      waves: [{ name: 'canary', size: 1, gate }, { name: 'rest' }],
    });
    expect(headerVariablesOf(plan)).toEqual(['FLEET_HEALTH_PROM']);
    expect(missingVariableProblems(plan, ['FLEET_HEALTH_PROM'])).toEqual([
      {
        field: 'waves[0].gate.prometheus.headers.Authorization.fromEnv',
        message: 'FLEET_HEALTH_PROM is not set on the worker (set it on every worker of the task queue)',
      },
    ]);
  });

  it('says its bound in words', () => {
    expect(
      boundOf({ name: 'g', prometheus: { url: 'u', query: 'q', min: 1 }, passForMs: 0, intervalMs: 1, timeoutMs: 1 }),
    ).toBe('min 1');
    expect(
      boundOf({
        name: 'g',
        prometheus: { url: 'u', query: 'q', min: 0, max: 0.05 },
        passForMs: 0,
        intervalMs: 1,
        timeoutMs: 1,
      }),
    ).toBe('min 0, max 0.05');
    expect(
      boundOf({
        name: 'g',
        http: { url: 'u', status: 200, json: { field: 'status', equals: 'ok' } },
        passForMs: 0,
        intervalMs: 1,
        timeoutMs: 1,
      }),
    ).toBe('status 200, status = "ok"');
  });

  it("knows whether it needs the wave's cluster names", () => {
    const plan = parseRolloutSpec({
      platform: 'avisi',
      organisation: ORG,
      targetVersion: '1.31',
      waves: [
        { name: 'a', size: 1, gate: promGate() },
        { name: 'b', gate: { http: { url: 'https://h.example.com/waves/{wave}' } } },
      ],
    });
    expect(usesWaveClusters(plan.waves[0]!.gate!)).toBe(true);
    expect(usesWaveClusters(plan.waves[1]!.gate!)).toBe(false);
  });
});

describe('{waveClusters}', () => {
  it('is an alternative of the names, each escaped so it matches only itself', () => {
    expect(waveClustersPattern(['web-1', 'db.a', 'x+y'])).toBe('web-1|db\\.a|x\\+y');
    expect(waveClustersPattern([])).toBe('^$');
    // Inside PromQL's double quotes the backslashes are escaped once more.
    const query = expandTemplate(
      'up{cluster_name=~"{waveClusters}"}',
      { waveClusters: waveClustersPattern(['db.a']) },
      encodeForPromql,
    );
    expect(query).toEqual({ ok: true, text: 'up{cluster_name=~"db\\\\.a"}' });
  });

  it('matches, anchored as PromQL matches, exactly the names of the wave (property)', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9.()+*?[\]{}|^$-]{0,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 8 }), name, (names, other) => {
        const regex = new RegExp(`^(?:${waveClustersPattern(names)})$`);
        for (const n of names) expect(regex.test(n)).toBe(true);
        expect(regex.test(other)).toBe(names.includes(other));
      }),
    );
  });
});

describe('the Rollout and a wave gate', () => {
  const gated = (onFail: 'halt' | 'pause', gate: Record<string, unknown> = promGate()) =>
    startRollout({ waves: [{ name: 'canary', size: 2, gate: { ...gate, onFail } } as never, { name: 'rest' }] }, 4);

  const runCanary = (rollout: Rollout) => {
    refill(rollout, 0, inventory(4));
    rollout.takeNext(0);
    rollout.takeNext(0);
    for (const n of [1, 2]) rollout.record(result(entry(n), 'SUCCEEDED'));
  };

  it('keeps the names of the clusters the wave started, for {waveClusters}, through continue-as-new', () => {
    const rollout = gated('halt');
    runCanary(rollout);
    expect(rollout.waves[0]!.gateNames).toEqual(['c1', 'c2']);
    expect(rollout.waves[1]!.gateNames).toBeUndefined();
    const next = Rollout.restore(rollout.rolloutId, rollout.plan, JSON.parse(JSON.stringify(rollout.snapshot())));
    expect(next.waves[0]!.gateNames).toEqual(['c1', 'c2']);
  });

  it('keeps no names for a gate that does not ask for them', () => {
    const rollout = gated('halt', { http: { url: 'https://h.example.com/{wave}' } });
    runCanary(rollout);
    expect(rollout.waves[0]!.gateNames).toBeUndefined();
  });

  it('stops keeping names one past the limit (the gate then fails, saying why)', () => {
    const size = MAX_GATE_CLUSTERS + 5;
    const rollout = startRollout({ maxParallel: 1000, waves: [{ name: 'big', gate: promGate() } as never] }, size);
    for (let taken = 0; taken < size; taken++) {
      refill(rollout, 0, inventory(size));
      const next = rollout.takeNext(0)!;
      rollout.record(result(next.entry, 'SUCCEEDED'));
    }
    expect(rollout.waves[0]!.gateNames).toHaveLength(MAX_GATE_CLUSTERS + 1);
  });

  it('shows a running gate, then a passed one, and opens the way', () => {
    const rollout = gated('halt');
    runCanary(rollout);
    rollout.gates.began(0);
    expect(rollout.waves[0]!.state).toBe('gating');
    expect(waveSummaries(rollout)[0]!.gate).toMatchObject({
      name: 'gate',
      verdict: 'running',
      bound: 'max 0.05',
      onFail: 'halt',
    });
    rollout.gates.ended(0, { passed: true, value: '0.01', observations: 13 });
    expect(waveSummaries(rollout)[0]!.gate).toMatchObject({ verdict: 'passed', value: '0.01', observations: 13 });
    expect(rollout.stop).toBeUndefined();
    expect(rollout.paused).toBe(false);
  });

  it("halts on a failed gate, naming the wave and the gate's reason; the report keeps the result", () => {
    const rollout = gated('halt');
    runCanary(rollout);
    rollout.gates.began(0);
    rollout.gates.ended(0, {
      passed: false,
      value: '0.2 (above max 0.05)',
      observations: 61,
      reason: 'gate "gate" did not pass within 10m (it must pass for 2m): last value 0.2 (above max 0.05)',
    });
    expect(rollout.stop).toEqual({
      status: 'HALTED',
      reason:
        'gate of wave canary failed: gate "gate" did not pass within 10m (it must pass for 2m): last value 0.2 (above max 0.05)',
    });
    rollout.settleStop();
    rollout.finish();
    const report = reportOf(rollout);
    expect(report.waves[0]!.gate).toMatchObject({
      verdict: 'failed',
      value: '0.2 (above max 0.05)',
      bound: 'max 0.05',
    });
    expect(report.counts).toMatchObject({ SUCCEEDED: 2, NOT_STARTED: 2 });
  });

  it('pauses on a failed gate with onFail "pause" (logged), and resume --skip-gate opens the way', () => {
    const rollout = gated('pause');
    runCanary(rollout);
    rollout.gates.began(0);
    rollout.gates.ended(0, {
      passed: false,
      value: 'empty result',
      observations: 3,
      reason: 'gate "gate" did not pass within 10m (it must pass for 2m): last value empty result',
    });
    expect(rollout.stop).toBeUndefined();
    expect(rollout.paused).toBe(true);
    expect(rollout.actions.at(-1)).toMatchObject({ action: 'gatePaused', target: 'canary' });
    expect(signalsOf(rollout).phase).toBe('paused');
    // A plain resume is refused while the gate has not passed (rollout.test.ts has the rest).
    expect(() => controlsOf(rollout).validateResume({ by: 'erin' })).toThrow(/--skip-gate/);
    controlsOf(rollout).validateResume({ by: 'erin', skipGate: true });
    controlsOf(rollout).resume({ by: 'erin', skipGate: true });
    expect(rollout.paused).toBe(false);
  });

  it("shows the gate in the UI's details, one line with value, bound and when", () => {
    const rollout = gated('halt');
    runCanary(rollout);
    rollout.gates.began(0);
    rollout.gates.ended(0, { passed: true, value: '0', observations: 2 });
    const details = renderRolloutDetails(detailsOf(rollout, signalsOf(rollout)));
    expect(details).toMatch(/^- wave canary: gate gate passed: 0 \(bound max 0\.05\) at \S+ after 2 observations$/m);
  });
});

describe('gateLine', () => {
  const base: GateResult = {
    name: 'errors',
    verdict: 'running',
    bound: 'max 0.05',
    startedAt: '2026-11-30T10:00:00.000Z',
    onFail: 'pause',
  };
  it('says what a gate did, in one line', () => {
    expect(gateLine(base)).toBe('gate errors running since 2026-11-30T10:00:00.000Z (bound max 0.05)');
    expect(gateLine({ ...base, value: '0.2 (above max 0.05)' })).toBe(
      'gate errors running since 2026-11-30T10:00:00.000Z, last 0.2 (above max 0.05) (bound max 0.05)',
    );
    expect(
      gateLine({
        ...base,
        verdict: 'failed',
        value: '0.2 (above max 0.05)',
        endedAt: '2026-11-30T10:10:00.000Z',
        observations: 61,
      }),
    ).toBe(
      'gate errors failed: 0.2 (above max 0.05) (bound max 0.05) at 2026-11-30T10:10:00.000Z after 61 observations; the rollout paused',
    );
  });
});

describe('the forecast and gates', () => {
  it('counts a gate ahead as passing at its first chance: its passFor, after the wave and its soak', () => {
    const wave = { pending: 2, running: 0, maxParallel: 2, soakMs: 60_000, gated: false };
    const input = { now: 0, hopsAhead: [], maxParallel: 2, hopSoakMs: 0, assumedClusterMs: 600_000, freeze: [] };
    const without = Date.parse(forecastEnd({ ...input, waves: [wave, wave] }).at);
    const withGate = Date.parse(forecastEnd({ ...input, waves: [{ ...wave, gateMs: 120_000 }, wave] }).at);
    expect(withGate - without).toBe(120_000);
    // A wave with nothing left whose gate runs now still adds it.
    const gating = Date.parse(forecastEnd({ ...input, waves: [{ ...wave, pending: 0, gateMs: 120_000 }, wave] }).at);
    expect(gating).toBe(120_000 + 600_000);
  });
});
