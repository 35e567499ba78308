/**
 * What the rollout upserts, and how often: the pure decisions behind FleetPhase,
 * FleetProgressPercent and FleetFailedClusters (the integration side is
 * test/integration/search-attributes.test.ts).
 */
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  fleetPhaseOf,
  progressPercent,
  RolloutSearchAttributes,
  type RolloutSignals,
} from '../../src/workflows/rollout/view/search-attributes.js';
import {
  FleetFailedClusters,
  FleetPhase,
  FleetPlatform,
  FleetProgressPercent,
  FleetRolloutId,
  FLEET_ROLLOUT_PHASES,
} from '../../src/workflows/search-attributes.js';

const IDENTITY = { rolloutId: 'r-1', platform: 'aether', organisation: 'org', targetVersion: '1.31' };
const asRecord = (pairs: SearchAttributePair[]) => Object.fromEntries(pairs.map((p) => [p.key.name, p.value]));

describe('fleetPhaseOf', () => {
  it('says planning, the step, paused, compensating, then how it ended', () => {
    expect(fleetPhaseOf('validating', { paused: false })).toBe('planning');
    expect(fleetPhaseOf('upgrading', { paused: false })).toBe('upgrading');
    expect(fleetPhaseOf('awaiting-approval', { paused: false })).toBe('awaiting-approval');
    expect(fleetPhaseOf('soaking', { paused: true })).toBe('paused');
    expect(fleetPhaseOf('upgrading', { paused: true, stop: { status: 'ABORTED' } })).toBe('compensating');
    expect(fleetPhaseOf('done', { paused: false })).toBe('done');
    expect(fleetPhaseOf('done', { paused: true, stop: { status: 'HALTED' } })).toBe('halted');
    expect(fleetPhaseOf('done', { paused: false, stop: { status: 'ABORTED' } })).toBe('aborted');
  });

  it('only ever says a documented phase', () => {
    const phases = [
      'validating',
      'planning',
      'awaiting-approval',
      'upgrading',
      'soaking',
      'compensating',
      'done',
    ] as const;
    for (const phase of phases) {
      for (const paused of [false, true]) {
        for (const stop of [undefined, { status: 'HALTED' as const }, { status: 'ABORTED' as const }]) {
          expect(Object.keys(FLEET_ROLLOUT_PHASES)).toContain(
            fleetPhaseOf(phase, { paused, ...(stop ? { stop } : {}) }),
          );
        }
      }
    }
  });
});

describe('progressPercent', () => {
  it('rounds down, so 100 means every cluster has ended', () => {
    expect(progressPercent(0, 0, false)).toBe(0);
    expect(progressPercent(1, 3, false)).toBe(33);
    expect(progressPercent(9_999, 10_000, false)).toBe(99);
    expect(progressPercent(10_000, 10_000, false)).toBe(100);
    expect(progressPercent(3, 10, true)).toBe(100);
  });
});

describe('RolloutSearchAttributes', () => {
  it('sends identity, phase, percent and failed count in one upsert at the start', () => {
    const attributes = new RolloutSearchAttributes(new TypedSearchAttributes(), IDENTITY);
    expect(asRecord(attributes.next({ phase: 'planning', percent: 0, failed: 0 }))).toEqual({
      FleetRolloutId: 'r-1',
      FleetPlatform: 'aether',
      FleetOrganisation: 'org',
      FleetTargetVersion: '1.31',
      FleetPhase: 'planning',
      FleetProgressPercent: 0,
      FleetFailedClusters: 0,
    });
    expect(attributes.next({ phase: 'planning', percent: 0, failed: 0 })).toEqual([]);
  });

  it('sends the first failure at once, folds later ones into the next percent change, flushes at the end', () => {
    const attributes = new RolloutSearchAttributes(new TypedSearchAttributes(), IDENTITY);
    attributes.next({ phase: 'upgrading', percent: 10, failed: 0 });
    expect(asRecord(attributes.next({ phase: 'upgrading', percent: 10, failed: 1 }))).toEqual({
      FleetFailedClusters: 1,
    });
    expect(attributes.next({ phase: 'upgrading', percent: 10, failed: 2 })).toEqual([]);
    expect(asRecord(attributes.next({ phase: 'upgrading', percent: 11, failed: 3 }))).toEqual({
      FleetProgressPercent: 11,
      FleetFailedClusters: 3,
    });
    expect(attributes.next({ phase: 'upgrading', percent: 11, failed: 4 })).toEqual([]);
    expect(asRecord(attributes.next({ phase: 'upgrading', percent: 11, failed: 4 }, true))).toEqual({
      FleetFailedClusters: 4,
    });
    expect(asRecord(attributes.next({ phase: 'paused', percent: 11, failed: 4 }))).toEqual({ FleetPhase: 'paused' });
  });

  it('starts a continued run from what the last run left, and upserts nothing that is still true', () => {
    const carried = new TypedSearchAttributes([
      { key: FleetRolloutId, value: 'r-1' },
      { key: FleetPlatform, value: 'aether' },
      { key: FleetPhase, value: 'upgrading' },
      { key: FleetProgressPercent, value: 40 },
      { key: FleetFailedClusters, value: 2 },
    ]);
    const attributes = new RolloutSearchAttributes(carried, IDENTITY);
    // Organisation and target version were not carried: they go with the first change, however small.
    expect(asRecord(attributes.next({ phase: 'upgrading', percent: 40, failed: 2 }, true))).toEqual({
      FleetOrganisation: 'org',
      FleetTargetVersion: '1.31',
    });
    expect(attributes.next({ phase: 'upgrading', percent: 40, failed: 3 })).toEqual([]);
  });

  it('keeps a 10,000-cluster rollout with hundreds of failures to about a hundred upserts', () => {
    const attributes = new RolloutSearchAttributes(new TypedSearchAttributes(), IDENTITY);
    let upserts = 0;
    const publish = (want: RolloutSignals, flush = false) => {
      if (attributes.next(want, flush).length > 0) upserts++;
    };
    const total = 10_000;
    publish({ phase: 'planning', percent: 0, failed: 0 });
    let failed = 0;
    let ended = 0;
    // A canary, 10%, the rest; one cluster in 37 fails.
    for (const size of [1, 999, 9_000]) {
      publish({ phase: 'upgrading', percent: progressPercent(ended, total, false), failed });
      for (let i = 0; i < size; i++) {
        ended++;
        if (ended % 37 === 5) failed++;
        publish({ phase: 'upgrading', percent: progressPercent(ended, total, false), failed });
      }
      publish({ phase: 'soaking', percent: progressPercent(ended, total, false), failed });
    }
    publish({ phase: 'done', percent: 100, failed }, true);
    expect(failed).toBeGreaterThan(200);
    expect(upserts).toBeGreaterThan(100);
    expect(upserts).toBeLessThanOrEqual(110);
  });
});
