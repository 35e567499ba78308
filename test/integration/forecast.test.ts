/**
 * The finish forecast on a real dev server: a 200-cluster Aether rollout whose upgrades
 * take two real seconds each. A dry run forecasts from the spec's assumption before
 * anything starts; once a quarter of the clusters have ended, the progress forecasts
 * from their measured durations, and the rollout must end within FORECAST_MARGIN of the
 * time left it named then (docs/spec.md says how it is computed and states this margin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const spec: RolloutSpec = { platform: 'aether', organisation: h.sim.organisations.aether[0]!, targetVersion: '1.31', maxParallel: 25, pollInterval: '250ms', clusterDeadline: '60s', expectedClusterDuration: '3s', waves: [{ name: 'all' }] };
    const dryRun = await h.runRollout({ ...spec, dryRun: true });
    // 8 rounds of 25 at the assumed 3 s.
    expect(dryRun.forecast).toMatchObject({ basis: 'assumed', clusterMs: 3_000 });
    expect(Date.parse(dryRun.forecast!.at) - Date.parse(dryRun.startedAt)).toBe(8 * 3_000);

    const handle = await h.startRollout(spec);
    const quarter = await eventually(async () => {
      const p: RolloutProgress = await handle.query(progressQuery);
      const ended = p.counts.SUCCEEDED + p.counts.SKIPPED + p.counts.FAILED;
      return ended >= CLUSTERS / 4 && p.forecast?.basis === 'measured' ? { p, at: Date.now() } : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200, what: 'a quarter of the clusters ended' });
    const report = await handle.result();
    const endedAt = Date.now();
    expect(report.status).toBe('SUCCEEDED');
    const forecastAt = Date.parse(quarter.p.forecast!.at);
    const left = endedAt - quarter.at;
    const off = Math.abs(endedAt - forecastAt) / left;
    console.log(`[forecast] at ${quarter.p.counts.SUCCEEDED}/${CLUSTERS} ended: ${(forecastAt - quarter.at) / 1000} s left forecast, ${left / 1000} s actual; off by ${(off * 100).toFixed(0)}% (${quarter.p.forecast!.clusterMs} ms a cluster measured)`);
    expect(off).toBeLessThanOrEqual(FORECAST_MARGIN);
  });
});
