/**
 * A cluster child's attempt state (src/workflows/cluster/attempt.ts): the counts, the
 * retry and reschedule budgets, what compensation undoes, the request date going with
 * the first request only, the phase written only when it changes, and a held cluster's
 * fresh start. Pure: no server, no workflow context.
 */
import { describe, expect, it } from 'vitest';
import type { UpgradeState } from '../../src/platforms/types.js';
import { ClusterAttempt } from '../../src/workflows/cluster/attempt.js';

const cluster = { id: 'c1', name: 'prod-1', version: '1.30.2', action: 'upgrade' as const };
const input = { cluster, retryMaxAttempts: 1, rescheduleMaxAttempts: 2, attemptDeadlineMs: 60_000 };
const upgrade = (upgradeId: string): UpgradeState => ({
  upgradeId,
  clusterId: 'c1',
  toVersion: '1.31.4',
  status: 'REQUESTED',
  rawStatus: 'REQUESTED',
});

describe('ClusterAttempt', () => {
  it('counts the requests the platform took, and remembers the upgrade to undo', () => {
    const attempt = new ClusterAttempt(input);
    expect(attempt.latest).toBeUndefined();
    attempt.requested(upgrade('u1'), true);
    // Already requested by this rollout (a replayed activity, a retried task): not sent again, not counted.
    attempt.requested(upgrade('u2'), false);
    expect(attempt.requests).toBe(1);
    expect(attempt.latest?.upgradeId).toBe('u2');
  });

  it('allows retries and reschedules up to the spec limits, each counted', () => {
    const attempt = new ClusterAttempt(input);
    expect([attempt.retry(), attempt.retry()]).toEqual([true, false]);
    expect([attempt.reschedule(), attempt.reschedule(), attempt.reschedule()]).toEqual([true, true, false]);
    expect([attempt.retries, attempt.reschedules]).toEqual([1, 2]);
    const none = new ClusterAttempt({ ...input, retryMaxAttempts: 0, rescheduleMaxAttempts: 0 });
    expect([none.retry(), none.reschedule(), none.retries, none.reschedules]).toEqual([false, false, 0, 0]);
  });

  it('starts each attempt with its deadline; the spec request date goes until a request is taken', () => {
    const attempt = new ClusterAttempt({ ...input, scheduleRequestDate: '2026-12-24' });
    expect(attempt.begin(1_000)).toEqual({ scheduleRequestDate: '2026-12-24' });
    expect(attempt.deadline).toBe(61_000);
    attempt.requested(upgrade('u1'), false);
    expect(attempt.begin(2_000)).toEqual({ scheduleRequestDate: '2026-12-24' });
    attempt.requested(upgrade('u1'), true);
    expect(attempt.begin(5_000)).toEqual({});
    expect(attempt.deadline).toBe(65_000);
    expect(new ClusterAttempt(input).begin(0)).toEqual({});
  });

  it('shows a phase only when it changes, from the requesting the parent set at start', () => {
    const attempt = new ClusterAttempt(input);
    expect(attempt.shown).toBe('requesting');
    expect(attempt.show('requesting')).toBe(false);
    expect(attempt.show('upgrading')).toBe(true);
    expect(attempt.show('upgrading')).toBe(false);
    expect(attempt.shown).toBe('upgrading');
  });

  it('reports the result with its counts, leaving out what it does not know', () => {
    const attempt = new ClusterAttempt(input);
    attempt.requested(upgrade('u1'), true);
    attempt.retry();
    expect(attempt.result('SUCCEEDED', '1.31.4')).toEqual({
      clusterId: 'c1',
      name: 'prod-1',
      outcome: 'SUCCEEDED',
      fromVersion: '1.30.2',
      finalVersion: '1.31.4',
      requests: 1,
      retries: 1,
      reschedules: 0,
    });
    expect(attempt.result('CANCELLED', undefined, 'stopped', 'withdrawn')).toEqual({
      clusterId: 'c1',
      name: 'prod-1',
      outcome: 'CANCELLED',
      fromVersion: '1.30.2',
      requests: 1,
      retries: 1,
      reschedules: 0,
      message: 'stopped',
      compensation: 'withdrawn',
    });
  });

  it('goes again with a fresh budget when its rollout retries the held cluster, keeping the phase shown', () => {
    const attempt = new ClusterAttempt({ ...input, scheduleRequestDate: '2026-12-24' });
    attempt.requested(upgrade('u1'), true);
    attempt.retry();
    attempt.reschedule();
    attempt.show('failed');
    attempt.again();
    expect([attempt.requests, attempt.retries, attempt.reschedules, attempt.latest]).toEqual([0, 0, 0, undefined]);
    expect(attempt.shown).toBe('failed');
    expect(attempt.retry()).toBe(true);
    expect(attempt.begin(0)).toEqual({ scheduleRequestDate: '2026-12-24' });
  });
});
