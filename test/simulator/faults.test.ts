/**
 * The simulator's fault decisions on their own (faults.ts): each configured rate is the
 * share of requests that get that fault, per dialect, and a seed decides the sequence
 * whatever else runs beside it. The wire side (what a faulted request looks like) is in
 * simulator.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Faults, faultOptionsSchema, type FaultDecision, type FaultOptions } from '../../src/simulator/faults.js';

/** The four rates of the API-fault scenario (10% 5xx, 5% 429, 2% hangs, 1% lost responses). */
const SCENARIO: FaultOptions = {
  errorRate: 0.1,
  rateLimitRate: 0.05,
  retryAfterSeconds: 2,
  hangRate: 0.02,
  hangSeconds: 5,
  dropRate: 0.01,
};

type Kind = 'error' | 'rate-limit' | 'hung' | 'dropped' | 'none';
const kindOf = (d: FaultDecision): Kind =>
  d.hangMs !== undefined
    ? 'hung'
    : d.errorStatus !== undefined
      ? 'error'
      : d.rateLimitSeconds !== undefined
        ? 'rate-limit'
        : d.drop
          ? 'dropped'
          : 'none';
const kinds = (faults: Faults, dialect: 'avisi' | 'aether', method: string, n: number): Kind[] =>
  Array.from({ length: n }, () => kindOf(faults.roll(dialect, method)));
const share = (list: Kind[], kind: Kind) => list.filter((k) => k === kind).length / list.length;

describe('fault rates', () => {
  it.each(['avisi', 'aether'] as const)(
    'gives %s each fault at its own rate, one fault per request at most',
    (dialect) => {
      const faults = new Faults(SCENARIO, 11);
      for (const method of ['GET', 'PUT']) {
        const list = kinds(faults, dialect, method, 40_000);
        // 40,000 draws: five standard deviations are under 0.008 for 10% and 0.0025 for 1%.
        expect(share(list, 'error')).toBeCloseTo(0.1, 2);
        expect(share(list, 'rate-limit')).toBeCloseTo(0.05, 2);
        expect(share(list, 'hung')).toBeCloseTo(0.02, 2);
        expect(Math.abs(share(list, 'dropped') - 0.01)).toBeLessThan(0.0025);
        expect(share(list, 'none')).toBeCloseTo(0.82, 2);
      }
    },
  );

  it('says how long a 429 asks to wait and how long a hang lasts, and answers 5xx with 500, 502 or 503', () => {
    const faults = new Faults(SCENARIO, 3);
    const decisions = Array.from({ length: 2_000 }, () => faults.roll('aether', 'GET'));
    expect(new Set(decisions.flatMap((d) => (d.rateLimitSeconds === undefined ? [] : [d.rateLimitSeconds])))).toEqual(
      new Set([2]),
    );
    expect(new Set(decisions.flatMap((d) => (d.hangMs === undefined ? [] : [d.hangMs])))).toEqual(new Set([5_000]));
    expect(new Set(decisions.flatMap((d) => (d.errorStatus === undefined ? [] : [d.errorStatus])))).toEqual(
      new Set([500, 502, 503]),
    );
  });

  it('faults only the methods named', () => {
    const faults = new Faults({ errorRate: 1, methods: ['PUT'] }, 1);
    expect(kinds(faults, 'aether', 'GET', 10)).toEqual(Array(10).fill('none'));
    expect(kinds(faults, 'aether', 'PUT', 10)).toEqual(Array(10).fill('error'));
  });

  it('lets one dialect override the shared settings', () => {
    const faults = new Faults({ errorRate: 1, aether: { errorRate: 0, rateLimitRate: 1, retryAfterSeconds: 9 } }, 1);
    expect(kinds(faults, 'avisi', 'GET', 5)).toEqual(Array(5).fill('error'));
    expect(kinds(faults, 'aether', 'GET', 5)).toEqual(Array(5).fill('rate-limit'));
    expect(faults.forDialect('aether')).toMatchObject({ errorRate: 0, rateLimitRate: 1, retryAfterSeconds: 9 });
  });

  it('rejects rates that add up to more than 1, naming where', () => {
    const top = faultOptionsSchema.safeParse({ errorRate: 0.6, dropRate: 0.5 });
    expect(top.success).toBe(false);
    expect(top.error?.issues[0]?.message).toMatch(/must not exceed 1/);
    const aether = faultOptionsSchema.safeParse({ errorRate: 0.5, aether: { hangRate: 0.6 } });
    expect(aether.error?.issues.map((i) => i.path)).toEqual([['aether']]);
    expect(faultOptionsSchema.safeParse({ errorRate: 0.5, aether: { errorRate: 0, hangRate: 0.6 } }).success).toBe(
      true,
    );
  });
});

describe('fault determinism', () => {
  it('repeats the same sequence for the same seed, and another for another seed', () => {
    const a = kinds(new Faults(SCENARIO, 5), 'aether', 'GET', 500);
    const b = kinds(new Faults(SCENARIO, 5), 'aether', 'GET', 500);
    const c = kinds(new Faults(SCENARIO, 6), 'aether', 'GET', 500);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('gives the n-th mutation of a dialect the same fault however reads and the other dialect interleave', () => {
    const quiet = new Faults(SCENARIO, 5);
    const mutations = kinds(quiet, 'aether', 'PUT', 300);
    const busy = new Faults(SCENARIO, 5);
    const interleaved: Kind[] = [];
    for (let i = 0; i < 300; i++) {
      kinds(busy, 'aether', 'GET', i % 7);
      kinds(busy, 'avisi', i % 2 ? 'POST' : 'GET', 3);
      interleaved.push(kindOf(busy.roll('aether', 'PUT')));
    }
    expect(interleaved).toEqual(mutations);
    expect(kinds(new Faults(SCENARIO, 5), 'avisi', 'PUT', 300)).not.toEqual(mutations);
  });

  it('restarts the streams when new settings name a seed, and keeps them when they do not', () => {
    const faults = new Faults(SCENARIO, 5);
    const first = kinds(faults, 'avisi', 'GET', 200);
    faults.replace({ ...SCENARIO });
    expect(kinds(faults, 'avisi', 'GET', 200)).not.toEqual(first);
    faults.replace({ ...SCENARIO, seed: 5 });
    expect(kinds(faults, 'avisi', 'GET', 200)).toEqual(first);
    expect(faults.current).toEqual({ ...SCENARIO, seed: 5 });
  });
});
