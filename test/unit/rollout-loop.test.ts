/**
 * `RolloutLoop` (src/workflows/rollout/loop.ts) without a server: its effects are
 * scripted here (children report at once, timers run out at once, a gate is a callback),
 * so what is checked is the loop's own decisions: what starts, what waits and for what,
 * what the report says. Temporal's side stays covered by the integration tests.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterOutcome, ClusterResult, RolloutReport } from '../../src/domain/report.js';
import type { Rollout } from '../../src/workflows/rollout/state.js';
import { RolloutLoop, type LoopEffects, type LoopView } from '../../src/workflows/rollout/loop.js';
import { clusterId, inventory, refill, result, startRollout, controlsOf } from './support/rollout-driver.js';

interface Script {
  /** A cluster's outcome (by its number), SUCCEEDED unless named. */
  outcomes?: Record<number, ClusterOutcome>;
  /** What happens while wave `index`'s gate runs (an operator acting meanwhile). */
  gate?: (index: number) => void;
  patched?: boolean;
}

/** Runs a rollout of `size` clusters through the loop with scripted effects; what started and waited, and the report. */
async function run(rollout: Rollout, size: number, script: Script = {}) {
  const started: string[] = [];
  const timers: string[] = [];
  const waits: { until: () => boolean; resolve: () => void }[] = [];
  const poke = () => {
    for (const wait of [...waits]) {
      if (!wait.until()) continue;
      waits.splice(waits.indexOf(wait), 1);
      wait.resolve();
    }
  };
  const read = inventory(size);
  const report = (child: ClusterResult) => queueMicrotask(() => (rollout.record(child), poke()));
  const numberOf = (id: string) => Number(id.slice(-12));
  const effects: LoopEffects = {
    waitUntil: (until) => (until() ? Promise.resolve() : new Promise((resolve) => waits.push({ until, resolve }))),
    // A timer runs out at once, unless what it waits for already holds.
    waitFor: (until, _ms, summary) => (timers.push(summary), Promise.resolve(until())),
    historyIsLong: () => false,
    allHandlersFinished: () => true,
    patched: () => script.patched ?? true,
    continueAsNew: () => Promise.reject(new Error('not in this script')),
    planRollout: () => Promise.resolve(),
    listDryRun: () => Promise.resolve(),
    refill: (index) => Promise.resolve(refill(rollout, index, read)),
    startChild: (next) => {
      started.push(next.entry.name);
      report(result(next.entry, script.outcomes?.[numberOf(next.entry.id)] ?? 'SUCCEEDED'));
      return Promise.resolve(undefined);
    },
    cancelInFlight: () => [],
    undoFailedDesiredVersions: () => Promise.resolve(),
    runGate: (index) => {
      rollout.queues.waveDone(index);
      script.gate?.(index);
      return Promise.resolve();
    },
    releaseHeld: () => Promise.resolve(),
  };
  const notices = {
    active: false,
    started() {},
    approvalNeeded() {},
    waveDone() {},
    waveDoneOnResume() {},
    clusterFailed() {},
    stopped() {},
    finished() {},
    flush: () => Promise.resolve(),
  };
  const view: LoopView = { show() {}, notices, inbox: { drain() {}, pending: false } };
  const loop = new RolloutLoop(rollout, rollout.plan!, effects, view);
  const final: RolloutReport = await loop.run();
  return { started, timers, report: final };
}

describe('RolloutLoop', () => {
  it('starts every cluster once, wave by wave, and reports them', async () => {
    const rollout = startRollout({ waves: [{ name: 'canary', size: 1 }, { name: 'rest' }] }, 3);
    const { started, timers, report } = await run(rollout, 3);
    expect(started).toEqual(['c1', 'c2', 'c3']);
    expect(timers).toEqual([]);
    expect(report.status).toBe('SUCCEEDED');
    expect(rollout.waves.map((w) => w.state)).toEqual(['done', 'done']);
    expect(rollout.phase).toBe('done');
  });

  it('soaks after a wave, not after the last', async () => {
    const rollout = startRollout(
      {
        waves: [
          { name: 'canary', size: 1, soak: '1m' },
          { name: 'rest', soak: '1m' },
        ],
      },
      2,
    );
    const { timers } = await run(rollout, 2);
    expect(timers).toEqual(['soak 1m after wave canary']);
  });

  it('aborts when an approval times out with onTimeout abort: nothing of the wave starts', async () => {
    const rollout = startRollout(
      {
        waves: [
          { name: 'canary', size: 1 },
          { name: 'prod', approval: { timeout: '1h', onTimeout: 'abort' } },
        ],
      },
      3,
    );
    const { started, timers, report } = await run(rollout, 3);
    expect(started).toEqual(['c1']);
    expect(timers).toEqual(['approval of wave prod: abort after 1h without one']);
    expect(report.status).toBe('ABORTED');
    expect(report.counts.NOT_STARTED).toBe(2);
  });

  it('runs a retry accepted during the last wave gate before it finishes (the wave is not done while it holds one)', async () => {
    const gate = { http: { url: 'https://h.example.com/waves/{wave}' } };
    const rollout = startRollout(
      {
        waves: [
          { name: 'canary', size: 1 },
          { name: 'rest', gate },
        ],
      },
      3,
    );
    let retried = false;
    const retryOnce = () => {
      if (retried) return;
      retried = true;
      const request = { clusterId: clusterId(3), reason: 'fixed' };
      controlsOf(rollout).validateRetry(request);
      controlsOf(rollout).retry(request);
    };
    const outcomes: Record<number, ClusterOutcome> = { 3: 'FAILED' };
    const { started, report } = await run(rollout, 3, {
      outcomes,
      gate: (index) => index === 1 && (retryOnce(), (outcomes[3] = 'SUCCEEDED')),
    });
    expect(started).toEqual(['c1', 'c2', 'c3', 'c3']);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.counts.SUCCEEDED).toBe(3);
  });

  it('leaves the retry out in runs from before the patch (as they ran)', async () => {
    const gate = { http: { url: 'https://h.example.com/waves/{wave}' } };
    const rollout = startRollout({ waves: [{ name: 'rest', gate }] }, 1);
    const request = { clusterId: clusterId(1), reason: 'fixed' };
    const { started } = await run(rollout, 1, {
      outcomes: { 1: 'FAILED' },
      patched: false,
      gate: () => controlsOf(rollout).retry(request),
    });
    expect(started).toEqual(['c1']);
  });
});
