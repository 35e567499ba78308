/**
 * The finish forecast on a real dev server: a 200-cluster Aether rollout whose upgrades
 * take two real seconds each. A dry run forecasts from the spec's assumption before
 * anything starts; once a quarter of the clusters have ended, the progress forecasts
 * from their measured durations, and the rollout must end within FORECAST_MARGIN of the
 * time left it named then (docs/spec.md says how it is computed and states this margin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/cli/commands/rollout-plan.js';
import type { RolloutProgress } from '../../src/domain/report.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { slowAetherFleet, startHarness, type Harness } from './harness.js';

const CLUSTERS = 200;
/** How far off the end may be, as a share of the time left when the forecast was made. */
const FORECAST_MARGIN = 0.35;

describe('the finish forecast', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(183, CLUSTERS, 2), 'forecast');
  });
  afterAll(() => h?.close());

  it('forecasts a dry run from the assumption, then the rollout from measured durations, within the stated margin', async () => {
    const spec: RolloutSpec = {
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      maxParallel: 25,
      pollInterval: '250ms',
      clusterDeadline: '60s',
      expectedClusterDuration: '3s',
      waves: [{ name: 'all' }],
    };
    const dryRun = await h.runRollout({ ...spec, dryRun: true });
    // 8 rounds of 25 at the assumed 3 s.
    expect(dryRun.forecast).toMatchObject({ basis: 'assumed', clusterMs: 3_000 });
    expect(Date.parse(dryRun.forecast!.at) - Date.parse(dryRun.startedAt)).toBe(8 * 3_000);

    const handle = await h.startRollout(spec);
    const quarter = await eventually(
      async () => {
        const p: RolloutProgress = await handle.query(progressQuery);
        const ended = p.counts.SUCCEEDED + p.counts.SKIPPED + p.counts.FAILED;
        return ended >= CLUSTERS / 4 && p.forecast?.basis === 'measured' ? { p, at: Date.now() } : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'a quarter of the clusters ended' },
    );
    const report = await handle.result();
    const endedAt = Date.now();
    expect(report.status).toBe('SUCCEEDED');
    const forecastAt = Date.parse(quarter.p.forecast!.at);
    const left = endedAt - quarter.at;
    const off = Math.abs(endedAt - forecastAt) / left;
    console.log(
      `[forecast] at ${quarter.p.counts.SUCCEEDED}/${CLUSTERS} ended: ${(forecastAt - quarter.at) / 1000} s left forecast, ${left / 1000} s actual; off by ${(off * 100).toFixed(0)}% (${quarter.p.forecast!.clusterMs} ms a cluster measured)`,
    );
    expect(off).toBeLessThanOrEqual(FORECAST_MARGIN);
  });
});

/**
 * A dry run on Avisi, whose clusters wait for their maintenance windows: the canary's
 * window is the last to open, so the waves after it cannot end before it plus their
 * own time (issue 18: the floor "latest window plus one cluster" was the whole fleet's).
 * Freezes that touch are one, in a dry run's list and in a running rollout's progress.
 */
describe('the forecast along the waves, and freezes as one', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      { generate: { seed: 81, avisi: { clusters: 5 }, aether: { clusters: 3 }, minors: ['1.30'] }, timeScale: 1 },
      'forecast-waves',
    );
  });
  afterAll(() => h?.close());

  it('a dry run ends no earlier than the canary whose window opens last, then its soak, gate and the waves after it', async () => {
    const organisation = h.sim.organisations.avisi[0]!;
    const first = await h.runRollout({ platform: 'avisi', organisation, targetVersion: '1.31', dryRun: true });
    const opens = first.clusters.map((c) => ({
      id: c.clusterId,
      at: Date.parse(/first window (\S+) to/.exec(c.message ?? '')![1]!),
    }));
    const canary = opens.reduce((a, b) => (b.at > a.at ? b : a));
    const others = opens.filter((o) => o.id !== canary.id).map((o) => o.id);
    const gate = { name: 'slo', http: { url: `${h.sim.url}/_sim/health` }, passFor: '10m' };
    const report = await h.runRollout({
      platform: 'avisi',
      organisation,
      targetVersion: '1.31',
      dryRun: true,
      expectedClusterDuration: '30m',
      waves: [
        { name: 'canary', clusters: [canary.id], soak: '1h', gate },
        { name: 'early', clusters: others.slice(0, 2), maxParallel: 1 },
        { name: 'later', clusters: others.slice(2), approval: true },
      ],
    } as RolloutSpec);
    const min = 60_000;
    // The canary's window + 30 min, its 1 h soak, its gate's 10 min, 2 clusters one at a time, then the last wave.
    expect(Date.parse(report.forecast!.at)).toBeGreaterThanOrEqual(
      canary.at + 30 * min + 60 * min + 10 * min + 2 * 30 * min + 30 * min,
    );
    expect(report.forecast!.approvals).toEqual([{ wave: 'later', askedAt: expect.any(String), thenMs: 30 * min }]);
    // `fleet rollout plan` says so: the basis, and the approval it cannot count.
    expect(formatPlan(report)).toMatch(
      /\n {2}forecast, if started now: ends \S+ at the earliest \(30m a cluster, assumed \(expectedClusterDuration\)\); after approval of wave later \(asked about \S+\), then 30m\n/,
    );
  });

  it('lists a Saturday and a Sunday freeze as one weekend, naming both', async () => {
    const organisation = h.sim.organisations.avisi[0]!;
    const weekend = (days: ('sat' | 'sun')[], reason: string) => ({
      weekly: { days, from: '00:00', to: '24:00', timeZone: 'UTC' },
      reason,
    });
    const report = await h.runRollout({
      platform: 'avisi',
      organisation,
      targetVersion: '1.31',
      dryRun: true,
      freeze: [weekend(['sat'], 'saturday'), weekend(['sun'], 'sunday')],
    });
    const saturdays = report.freezes!.filter(
      (f) => new Date(f.from).getUTCDay() === 6 && f.from.endsWith('T00:00:00.000Z'),
    );
    expect(saturdays.length).toBeGreaterThanOrEqual(4);
    for (const f of saturdays)
      expect(f).toEqual({
        from: f.from,
        to: new Date(Date.parse(f.from) + 2 * 86_400_000).toISOString(),
        reason: 'saturday; sunday',
      });
    expect(report.freezes!.some((f) => new Date(f.from).getUTCDay() === 0 && f.from.endsWith('T00:00:00.000Z'))).toBe(
      false,
    );
    // `fleet rollout plan` prints one line per weekend.
    const first = saturdays[0]!;
    expect(formatPlan(report)).toContain(`\n  ${first.from} to ${first.to}: saturday; sunday\n`);
  });

  it("a running rollout's progress says the freezes in force as one, until the last lifts, naming both", async () => {
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * 3_600_000).toISOString();
    const handle = await h.startRollout({
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      pollInterval: '250ms',
      freeze: [
        { from: at(-1), to: at(1), reason: 'INC-1' },
        { from: at(1), to: at(2), reason: 'INC-2' },
      ],
    });
    try {
      const p = await eventually(
        async () => {
          const progress: RolloutProgress = await handle.query(progressQuery);
          return progress.frozen ? progress : undefined;
        },
        { what: 'the rollout frozen' },
      );
      expect(p.frozen).toEqual({ reason: 'INC-1; INC-2', until: at(2) });
    } finally {
      await handle.terminate('test: done looking');
    }
  });
});
