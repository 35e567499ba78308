/**
 * The finish forecast (src/domain/forecast.ts): waves one after the other, maxParallel at
 * a time, soaks between, hops ahead, freezes that hold starts back, measured durations
 * over the spec's assumption.
 */
import { describe, expect, it } from 'vitest';
import { forecastEnd, type ForecastInput } from '../../src/domain/forecast.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
const base: ForecastInput = { now: NOW, waves: [], hopsAhead: [], maxParallel: 10, hopSoakMs: 0, assumedClusterMs: 10 * MIN, freeze: [] };
const wave = (pending: number, maxParallel: number, extra: Partial<ForecastInput['waves'][number]> = {}) => ({ pending, running: 0, maxParallel, soakMs: 0, gated: false, ...extra });
const endsAfter = (input: Partial<ForecastInput>) => (Date.parse(forecastEnd({ ...base, ...input }).at) - NOW) / MIN;

describe('the finish forecast', () => {
  it('rounds of maxParallel, wave after wave, with the soaks between', () => {
    expect(endsAfter({ waves: [wave(1, 1), wave(25, 10)] })).toBe(10 + 3 * 10);
    expect(endsAfter({ waves: [wave(1, 1, { soakMs: 30 * MIN }), wave(25, 10)] })).toBe(10 + 30 + 30);
    // No soak after the last wave.
    expect(endsAfter({ waves: [wave(10, 10, { soakMs: 30 * MIN })] })).toBe(10);
  });

  it('counts clusters running now as half done, and starts the free slots at once', () => {
    expect(endsAfter({ waves: [wave(0, 10, { running: 4 })] })).toBe(5);
    // 6 free slots start now (end at 10), the other 4 when the running ones end (5 + 10).
    expect(endsAfter({ waves: [wave(10, 10, { running: 4 })] })).toBe(15);
  });

  it('takes the measured mean over the assumption once clusters have ended', () => {
    const forecast = forecastEnd({ ...base, waves: [wave(20, 10)], measuredClusterMs: 3 * MIN });
    expect([forecast.basis, forecast.clusterMs, (Date.parse(forecast.at) - NOW) / MIN]).toEqual(['measured', 3 * MIN, 6]);
  });

  it('adds the hops ahead, each a whole pass after the soak between hops', () => {
    expect(endsAfter({ waves: [wave(10, 10)], hopsAhead: [{ clusters: 20 }], hopSoakMs: 60 * MIN })).toBe(10 + 60 + 20);
  });

  it('starts nothing inside a freeze: a round waits for it to lift', () => {
    const freeze = [{ from: '2026-12-01T00:15:00Z', to: '2026-12-01T02:00:00Z', reason: 'CHG' }];
    // Round 1 at 0-10, round 2 at 10-20, round 3 would start at 20: frozen until 120.
    expect(endsAfter({ waves: [wave(30, 10)], freeze })).toBe(130);
    const weekly = [{ weekly: { days: ['tue' as const], from: '00:00', to: '24:00', timeZone: 'UTC' }, reason: 'no tuesdays' }];
    // 1 Dec 2026 is a Tuesday: nothing starts before Wednesday 00:00.
    expect(endsAfter({ waves: [wave(1, 1)], freeze: weekly })).toBe(24 * 60 + 10);
    // Lifted by an operator from 00:30 (round 4 would start at 30): no wait after that.
    expect(endsAfter({ waves: [wave(30, 10)], freeze, lifted: [{ from: '2026-12-01T00:30:00Z', to: '2026-12-01T02:00:00Z', periods: 1 }] })).toBe(40);
  });

  it('starts no earlier than the first maintenance window, and ends no earlier than the last one plus a cluster', () => {
    // Windows in an hour and in three days: the first round waits for the first, the end for the last.
    expect(endsAfter({ waves: [wave(20, 10)], notBefore: NOW + 60 * MIN, lastWindowAt: NOW + 60 * MIN })).toBe(60 + 20);
    expect(endsAfter({ waves: [wave(20, 10)], notBefore: NOW + 60 * MIN, lastWindowAt: NOW + 3 * 24 * 60 * MIN })).toBe(3 * 24 * 60 + 10);
    // Windows already open change nothing.
    expect(endsAfter({ waves: [wave(20, 10)], notBefore: NOW - MIN, lastWindowAt: NOW - MIN })).toBe(20);
  });

  it('says how many approval gates it counted as opened at once', () => {
    expect(forecastEnd({ ...base, waves: [wave(1, 1), wave(5, 5, { gated: true })] }).gatesAhead).toBe(1);
  });
});
