/**
 * The finish forecast (src/domain/forecast.ts): waves one after the other, maxParallel at
 * a time, soaks between, hops ahead, freezes that hold starts back, measured durations
 * blended with the spec's assumption, maintenance windows wave by wave, approvals said.
 */
import { describe, expect, it } from 'vitest';
import { forecastEnd, type ForecastInput } from '../../src/domain/forecast.js';
import { forecastText, spanText } from '../../src/domain/forecast-text.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
const base: ForecastInput = {
  now: NOW,
  waves: [],
  hopsAhead: [],
  maxParallel: 10,
  hopSoakMs: 0,
  assumedClusterMs: 10 * MIN,
  freeze: [],
};
const wave = (pending: number, maxParallel: number, extra: Partial<ForecastInput['waves'][number]> = {}) => ({
  pending,
  running: 0,
  maxParallel,
  soakMs: 0,
  gated: false,
  ...extra,
});
const endsAfter = (input: Partial<ForecastInput>) => (Date.parse(forecastEnd({ ...base, ...input }).at) - NOW) / MIN;

describe('the finish forecast', () => {
  it('rounds of maxParallel, wave after wave, with the soaks between', () => {
    expect(endsAfter({ waves: [wave(1, 1), wave(25, 10)] })).toBe(10 + 3 * 10);
    expect(endsAfter({ waves: [wave(1, 1, { soakMs: 30 * MIN }), wave(25, 10)] })).toBe(10 + 30 + 30);
    // No soak after the last wave.
    expect(endsAfter({ waves: [wave(10, 10, { soakMs: 30 * MIN })] })).toBe(10);
  });

  it('takes a request per start at the rate of the API budget as a floor (the request floor)', () => {
    // 1,000 clusters 500 at a time, 10 minutes each: two rounds, 20 minutes, without a budget.
    expect(endsAfter({ waves: [wave(1_000, 500)] })).toBe(20);
    // At 50 a minute the last starts after 20 minutes of requests, then takes its 10.
    expect(endsAfter({ waves: [wave(1_000, 500)], apiRatePerMinute: 50 })).toBe(20 + 10);
    // A budget that leaves room changes nothing.
    expect(endsAfter({ waves: [wave(1_000, 500)], apiRatePerMinute: 1_000 })).toBe(20);
  });

  it('counts clusters running now as half done, and starts the free slots at once', () => {
    expect(endsAfter({ waves: [wave(0, 10, { running: 4 })] })).toBe(5);
    // 6 free slots start now (end at 10), the other 4 when the running ones end (5 + 10).
    expect(endsAfter({ waves: [wave(10, 10, { running: 4 })] })).toBe(15);
  });

  it('blends the measured mean with the assumption, which weighs as PRIOR_CLUSTERS clusters', () => {
    // 4 clusters measured at 2 min, against the assumed 10: half and half.
    const four = forecastEnd({ ...base, waves: [wave(20, 10)], measured: { meanMs: 2 * MIN, clusters: 4 } });
    expect([
      four.basis,
      four.clusterMs,
      four.measuredClusters,
      four.assumedClusterMs,
      (Date.parse(four.at) - NOW) / MIN,
    ]).toEqual(['measured', 6 * MIN, 4, 10 * MIN, 12]);
    // Many measured: the measurement takes over.
    expect(
      forecastEnd({ ...base, waves: [wave(20, 10)], measured: { meanMs: 2 * MIN, clusters: 396 } }).clusterMs,
    ).toBe(2.08 * MIN);
    // Nothing measured: the assumption, said so.
    expect(forecastEnd({ ...base, waves: [wave(20, 10)] })).toMatchObject({
      basis: 'assumed',
      clusterMs: 10 * MIN,
      measuredClusters: 0,
    });
  });

  it('does not swing by orders of magnitude when the first clusters end', () => {
    // Assumed 30 min; the first clusters take 5 s. Each end moves the forecast, none drops it 300-fold.
    const ends = [0, 1, 2, 3].map((n) =>
      endsAfter({
        assumedClusterMs: 30 * MIN,
        waves: [wave(100, 10)],
        ...(n > 0 ? { measured: { meanMs: 5_000, clusters: n } } : {}),
      }),
    );
    for (const [i, e] of ends.entries()) if (i > 0) expect(e / ends[i - 1]!).toBeGreaterThan(0.5);
  });

  it('adds the hops ahead, each a whole pass after the soak between hops', () => {
    expect(endsAfter({ waves: [wave(10, 10)], hopsAhead: [{ clusters: 20 }], hopSoakMs: 60 * MIN })).toBe(10 + 60 + 20);
  });

  it('starts nothing inside a freeze: a round waits for it to lift', () => {
    const freeze = [{ from: '2026-12-01T00:15:00Z', to: '2026-12-01T02:00:00Z', reason: 'CHG' }];
    // Round 1 at 0-10, round 2 at 10-20, round 3 would start at 20: frozen until 120.
    expect(endsAfter({ waves: [wave(30, 10)], freeze })).toBe(130);
    const weekly = [
      { weekly: { days: ['tue' as const], from: '00:00', to: '24:00', timeZone: 'UTC' }, reason: 'no tuesdays' },
    ];
    // 1 Dec 2026 is a Tuesday: nothing starts before Wednesday 00:00.
    expect(endsAfter({ waves: [wave(1, 1)], freeze: weekly })).toBe(24 * 60 + 10);
    // Lifted by an operator from 00:30 (round 4 would start at 30): no wait after that.
    expect(
      endsAfter({
        waves: [wave(30, 10)],
        freeze,
        lifted: [{ from: '2026-12-01T00:30:00Z', to: '2026-12-01T02:00:00Z', periods: 1 }],
      }),
    ).toBe(40);
  });

  it("follows the waves' maintenance windows in order: a canary whose window is the last holds up every wave after it", () => {
    const day = 24 * 60;
    const at = (minutes: number) => NOW + minutes * MIN;
    // The canary's window opens in 3 days, the rest's in an hour: the rest starts after the canary, its soak and gate.
    const canary = wave(1, 1, {
      soakMs: 60 * MIN,
      gateMs: 10 * MIN,
      windows: { earliest: at(3 * day), latest: at(3 * day) },
    });
    const rest = wave(20, 10, { windows: { earliest: at(60), latest: at(60) } });
    expect(endsAfter({ waves: [canary, rest] })).toBe(3 * day + 10 + 60 + 10 + 20);
    // A wave whose windows spread: starts at its first, ends no earlier than its last plus a cluster.
    expect(endsAfter({ waves: [wave(20, 10, { windows: { earliest: at(60), latest: at(60) } })] })).toBe(60 + 20);
    expect(endsAfter({ waves: [wave(20, 10, { windows: { earliest: at(60), latest: at(3 * day) } })] })).toBe(
      3 * day + 10,
    );
    // Windows already open change nothing.
    expect(endsAfter({ waves: [wave(20, 10, { windows: { earliest: at(-1), latest: at(-1) } })] })).toBe(20);
  });

  it('counts no approval as instant: says when each is asked and how long the rest takes after it', () => {
    const forecast = forecastEnd({
      ...base,
      waves: [
        wave(1, 1, { soakMs: 30 * MIN }),
        wave(5, 5, { gated: true, name: 'prod' }),
        wave(10, 10, { gated: true, name: 'rest' }),
      ],
    });
    expect(forecast.gatesAhead).toBe(2);
    expect(forecast.approvals).toEqual([
      { wave: 'prod', askedAt: new Date(NOW + 40 * MIN).toISOString(), thenMs: 20 * MIN },
      { wave: 'rest', askedAt: new Date(NOW + 50 * MIN).toISOString(), thenMs: 10 * MIN },
    ]);
    expect(forecastText(forecast)).toBe(
      `${new Date(NOW + 60 * MIN).toISOString()} at the earliest (10m a cluster, assumed (expectedClusterDuration)); after approval of wave prod (asked about ${new Date(NOW + 40 * MIN).toISOString()}), then 20m; 1 more approval after it, each counted as given when asked`,
    );
    expect(forecastEnd({ ...base, waves: [wave(1, 1)] }).approvals).toBeUndefined();
  });

  it('says its basis in words', () => {
    expect(
      forecastText(forecastEnd({ ...base, waves: [wave(1, 1)], measured: { meanMs: 2 * MIN, clusters: 4 } })),
    ).toBe(
      `${new Date(NOW + 6 * MIN).toISOString()} (6m a cluster: 4 clusters measured, blended with the assumed 10m)`,
    );
    expect(spanText(90 * MIN)).toBe('1h 30m');
    expect(spanText(26 * 60 * MIN)).toBe('1d 2h');
  });
});
