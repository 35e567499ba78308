/**
 * Properties of the `Rollout` class (src/workflows/rollout/controls.ts): whatever sequence of
 * starts, reports, retries, skips, pauses, setMaxParallel and stops arrives (each update
 * only when its validator accepts it, as Temporal would), every cluster is accounted for
 * exactly once, for the rollout and for each wave; once stopped and settled, the counts
 * per outcome add up to the fleet and each wave's to its size. A snapshot taken at any
 * point restores to the same accounting.
 */
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterOutcome } from '../../../src/domain/report.js';
import { UPDATE_REJECTED } from '../../../src/workflows/messages.js';
import { Rollout } from '../../../src/workflows/rollout/state.js';
import {
  accounting,
  clusterId,
  inventory,
  refill,
  result,
  startRollout,
  sum,
  controlsOf,
} from '../support/rollout-driver.js';

const ENDINGS: readonly ClusterOutcome[] = ['SUCCEEDED', 'FAILED', 'MISSED', 'SUPERSEDED', 'CANCELLED'];

const command = fc.oneof(
  { arbitrary: fc.constant({ op: 'start' as const }), weight: 6 },
  {
    arbitrary: fc.record({ op: fc.constant('report' as const), pick: fc.nat(), outcome: fc.constantFrom(...ENDINGS) }),
    weight: 6,
  },
  { arbitrary: fc.record({ op: fc.constant('retry' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('skip' as const), cluster: fc.integer({ min: 1, max: 260 }) }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant('setMaxParallel' as const), n: fc.integer({ min: 0, max: 12 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom({ op: 'pause' as const }, { op: 'resume' as const }, { op: 'nextWave' as const }),
    weight: 2,
  },
  { arbitrary: fc.constant({ op: 'stop' as const }), weight: 1 },
);

const waveSpecs = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom('10%', '50%', '1%')), { minLength: 0, maxLength: 3 })
  .map((sizes) => [...sizes.map((size, i) => ({ name: `w${i}`, size })), { name: 'last' }]);

/** Runs an update as Temporal does: the handler only when the validator accepts; a rejection must be an UpdateRejected failure. */
function update(validate: () => void, apply: () => void): void {
  try {
    validate();
  } catch (error) {
    if (error instanceof ApplicationFailure && error.type === UPDATE_REJECTED) return;
    throw error;
  }
  apply();
}

function expectAccounted(rollout: Rollout): void {
  const books = accounting(rollout);
  expect(books.accounted).toBe(books.total);
  for (const wave of books.waves) expect(wave.accounted, wave.name).toBe(wave.total);
}

describe('Rollout accounting (property)', () => {
  it('every cluster is counted once, for the rollout and each wave, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 250 }),
        fc.integer({ min: 0, max: 5 }),
        waveSpecs,
        fc.integer({ min: 1, max: 8 }),
        fc.array(command, { maxLength: 120 }),
        (size, atTarget, waves, maxParallel, commands) => {
          const rollout = startRollout({ waves, maxParallel, failureBudget: { maxFailed: '30%' } }, size, { atTarget });
          const read = inventory(size);
          let current = 0;
          for (const c of commands) {
            switch (c.op) {
              case 'start':
                if (rollout.stop) break;
                if (!rollout.queues.hasNext(current)) refill(rollout, current, read);
                if (rollout.canStart(current)) rollout.takeNext(current);
                break;
              case 'report': {
                const flying = [...rollout.inFlight.values()];
                if (flying.length > 0) rollout.record(result(flying[c.pick % flying.length]!.entry, c.outcome));
                break;
              }
              case 'retry': {
                const lines = [...rollout.tally.notSucceeded.values()];
                if (lines.length > 0)
                  update(
                    () => controlsOf(rollout).validateRetry({ clusterId: lines[c.pick % lines.length]!.clusterId }),
                    () => controlsOf(rollout).retry({ clusterId: lines[c.pick % lines.length]!.clusterId }),
                  );
                break;
              }
              case 'skip':
                update(
                  () => controlsOf(rollout).validateSkip({ clusterId: clusterId(c.cluster) }),
                  () => controlsOf(rollout).skip({ clusterId: clusterId(c.cluster) }),
                );
                break;
              case 'setMaxParallel':
                update(
                  () => controlsOf(rollout).validateSetMaxParallel({ maxParallel: c.n }),
                  () => controlsOf(rollout).setMaxParallel({ maxParallel: c.n }),
                );
                break;
              case 'pause':
                update(
                  () => controlsOf(rollout).validatePause(),
                  () => controlsOf(rollout).pause(),
                );
                break;
              case 'resume':
                update(
                  () => controlsOf(rollout).validateResume(),
                  () => controlsOf(rollout).resume(),
                );
                break;
              case 'nextWave':
                if (current < rollout.waves.length - 1 && rollout.waveIsEmpty(current))
                  rollout.queues.beginWave(++current);
                break;
              case 'stop':
                update(
                  () => controlsOf(rollout).validateAbort({ reason: 'property' }),
                  () => controlsOf(rollout).abort({ reason: 'property' }),
                );
                break;
            }
            expectAccounted(rollout);
            const restored = Rollout.restore(
              rollout.rolloutId,
              rollout.plan,
              JSON.parse(JSON.stringify(rollout.snapshot())),
            );
            expect(accounting(restored)).toEqual(accounting(rollout));
          }
          // The end as the workflow has it: stop, children in flight report, what waits counts NOT_STARTED.
          rollout.halt('ABORTED', 'the end');
          for (const flight of [...rollout.inFlight.values()]) rollout.record(result(flight.entry, 'CANCELLED'));
          rollout.settleStop();
          expect(rollout.queues.pending).toBe(0);
          expect(sum(rollout.tally.counts)).toBe(size + atTarget);
          for (const wave of rollout.waves) expect(sum(wave.counts), wave.plan.name).toBe(wave.total);
        },
      ),
      { numRuns: 300 },
    );
  });
});
