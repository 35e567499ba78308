/**
 * The forecast the rollout's display keeps between refreshes of the UI's details
 * (src/workflows/rollout/view/forecast.ts `KeptForecast`, a field of `RolloutDisplay`),
 * and what it asks the wave queues (`WaveQueues.pendingIn`). No server: a `Rollout`
 * driven by hand, the clock passed in.
 */
import { describe, expect, it } from 'vitest';
import { detailsOf, signalsOf } from '../../src/workflows/rollout/view/progress.js';
import { forecastOf, KeptForecast } from '../../src/workflows/rollout/view/forecast.js';
import { entry, inventory, refill, result, startRollout, controlsOf } from './support/rollout-driver.js';

// The details read the clock (Date.now()); the kept forecast is asked at times from now on.
const NOW = Date.now();

/** Five clusters in one wave, two started, the rest queued. */
function upgrading() {
  const rollout = startRollout({ maxParallel: 2, waves: [{ name: 'all' }] }, 5);
  rollout.enter('upgrading');
  rollout.queues.beginWave(0);
  refill(rollout, 0, inventory(5));
  rollout.takeNext(0);
  rollout.takeNext(0);
  return rollout;
}

describe("the display's kept forecast", () => {
  it('keeps a forecast a minute of workflow time while what it depends on stays', () => {
    const rollout = upgrading();
    const kept = new KeptForecast(rollout);
    const first = kept.at(NOW);
    expect(first).toBeDefined();
    // A cluster ending unmeasured changes no part of the key: the same forecast, not a new one.
    rollout.record({ ...result(entry(1), 'SUCCEEDED'), requests: 0 });
    expect(kept.at(NOW + 59_999)).toBe(first);
    const later = kept.at(NOW + 60_000);
    expect(later).not.toBe(first);
    expect(later).toEqual(forecastOf(rollout, NOW + 60_000));
  });

  it('computes again at once on a pause, a new wave, or when the measured clusters double', () => {
    const rollout = upgrading();
    const kept = new KeptForecast(rollout);
    const first = kept.at(NOW);
    controlsOf(rollout).pause();
    const paused = kept.at(NOW + 1);
    expect(paused).not.toBe(first);
    controlsOf(rollout).resume();
    const resumed = kept.at(NOW + 2);
    expect(resumed).not.toBe(paused);
    // Measured 1, then 2: each a new power of two; 3 is not.
    rollout.record(result(entry(1), 'SUCCEEDED'));
    const one = kept.at(NOW + 3);
    expect(one).not.toBe(resumed);
    expect(one?.measuredClusters).toBe(1);
    rollout.record(result(entry(2), 'SUCCEEDED'));
    const two = kept.at(NOW + 4);
    expect(two?.measuredClusters).toBe(2);
    rollout.takeNext(0);
    rollout.record(result(entry(3), 'SUCCEEDED'));
    expect(kept.at(NOW + 5)).toBe(two);
  });

  it('belongs to one display: a second one, or none, computes its own', () => {
    const rollout = upgrading();
    const kept = new KeptForecast(rollout);
    const first = kept.at(NOW);
    expect(new KeptForecast(rollout).at(NOW)).not.toBe(first);
    // The details take the display's kept forecast; without one they compute it afresh.
    rollout.record({ ...result(entry(1), 'SUCCEEDED'), requests: 0 });
    expect(detailsOf(rollout, signalsOf(rollout), kept).forecast).toBe(first);
    expect(detailsOf(rollout, signalsOf(rollout)).forecast).not.toBe(first);
  });
});

describe('WaveQueues.pendingIn', () => {
  it("counts a wave's queued and unread clusters, and the retry queue in the current wave only", () => {
    const rollout = startRollout({ maxParallel: 2 }, 5);
    rollout.queues.beginWave(0);
    refill(rollout, 0, inventory(5));
    const queues = rollout.queues;
    expect([queues.pendingIn(0, 0), queues.pendingIn(1, 0)]).toEqual([1, 4]);
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'FAILED'));
    queues.retryQueue.push({ entry: entry(1), waveIndex: 0 });
    expect([queues.pendingIn(0, 0), queues.pendingIn(1, 0), queues.pendingIn(1, 1)]).toEqual([1, 4, 5]);
    expect(queues.pendingIn(0, 0) + queues.pendingIn(1, 1) - queues.retryQueue.length).toBe(queues.pending);
  });
});
