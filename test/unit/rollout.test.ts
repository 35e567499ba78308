/**
 * The `Rollout` class (src/workflows/rollout/controls.ts) without a Temporal server: every
 * transition the main loop drives, every operator update's validation, snapshot and
 * restore, and the bookkeeping that makes the counts add up.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { UNKNOWN_CLUSTER, UPDATE_REJECTED } from '../../src/workflows/messages.js';
import { Rollout } from '../../src/workflows/rollout/state.js';
import { reportOf } from '../../src/workflows/rollout/view/report.js';
import { waveSummaries } from '../../src/workflows/rollout/view/progress.js';
import {
  accounting,
  clusterId,
  entry,
  inventory,
  refill,
  result,
  startRollout,
  sum,
  controlsOf,
} from './support/rollout-driver.js';

function rejection(act: () => void, type = UPDATE_REJECTED): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(type);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    return (error as ApplicationFailure).message;
  }
  throw new Error('expected the update to be rejected');
}

const roundTrip = (rollout: Rollout): Rollout =>
  Rollout.restore(rollout.rolloutId, rollout.plan, JSON.parse(JSON.stringify(rollout.snapshot())));

describe('Rollout: the main loop transitions', () => {
  it('plans, shapes waves, reads a page and hands out clusters up to maxParallel', () => {
    const rollout = startRollout({ maxParallel: 2 }, 5, { atTarget: 2 });
    expect(rollout.total).toBe(7);
    expect(rollout.tally.counts.SKIPPED).toBe(2);
    expect(rollout.waves.map((w) => [w.plan.name, w.total])).toEqual([
      ['canary', 1],
      ['rest', 4],
    ]);
    const read = inventory(5);
    refill(rollout, 0, read);
    expect(rollout.canStart(0)).toBe(true);
    expect(rollout.takeNext(0)?.entry.id).toBe(clusterId(1));
    expect(rollout.canStart(0)).toBe(false); // the canary has one cluster
    expect(rollout.record(result(entry(1), 'SUCCEEDED'))).toBe(true);
    expect(rollout.record(result(entry(1), 'SUCCEEDED'))).toBe(false); // a repeated report counts once
    refill(rollout, 1, read);
    expect(rollout.takeNext(1)?.entry.id).toBe(clusterId(2));
    expect(rollout.takeNext(1)?.entry.id).toBe(clusterId(3));
    expect(rollout.canStart(1)).toBe(false); // maxParallel 2 in flight
    expect(rollout.queues.pending).toBe(2);
    expect(accounting(rollout)).toMatchObject({ total: 7, accounted: 7 });
  });

  it('counts a hop on the way in its wave only, and the last hop in the rollout', () => {
    const rollout = startRollout({ waves: [{ name: 'all' }] }, 1, { hops: 2 });
    refill(rollout, 0, inventory(1));
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'SUCCEEDED'));
    expect(rollout.waves[0]!.counts.SUCCEEDED).toBe(1);
    expect(rollout.tally.counts.SUCCEEDED).toBe(0);
    rollout.nextHop();
    rollout.beginHop([{ name: 'all', size: 1, maxParallel: 10, soakMs: 0 }]);
    refill(rollout, 0, inventory(1));
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'FAILED', 'boom'));
    expect(rollout.tally.notSucceeded.get(clusterId(1))).toMatchObject({
      outcome: 'FAILED',
      hop: rollout.hop.version,
      wave: 'all',
    });
  });

  it('halts on the rollout budget and on a wave budget, naming which', () => {
    const budget = startRollout({ failureBudget: { maxFailed: 0 }, waves: [{ name: 'all' }] }, 3);
    refill(budget, 0, inventory(3));
    budget.takeNext(0);
    budget.record(result(entry(1), 'MISSED'));
    expect(budget.stop).toEqual({
      status: 'HALTED',
      reason: 'failure budget exceeded: 1 failed, 0 allowed (maxFailed 0 of 3)',
    });

    const wave = startRollout(
      {
        waves: [{ name: 'first', size: 2, failureBudget: { maxFailed: 1, countSuperseded: false } }, { name: 'rest' }],
      },
      4,
    );
    refill(wave, 0, inventory(4));
    wave.takeNext(0);
    wave.takeNext(0);
    wave.record(result(entry(1), 'SUPERSEDED'));
    wave.record(result(entry(2), 'FAILED'));
    expect(wave.stop).toBeUndefined(); // SUPERSEDED does not count for this wave
    expect(wave.waveIsEmpty(0)).toBe(true);
  });

  it('settles a stop: what never started counts NOT_STARTED, in its wave, with a line each read', () => {
    const rollout = startRollout({ waves: [{ name: 'a', size: 2 }, { name: 'b' }] }, 150);
    const read = inventory(150);
    refill(rollout, 0, read);
    rollout.takeNext(0);
    rollout.halt('ABORTED', 'aborted: enough');
    rollout.halt('HALTED', 'a later reason'); // the first stop stands
    rollout.record(result(entry(1), 'CANCELLED'));
    rollout.settleStop();
    expect(rollout.stop).toEqual({ status: 'ABORTED', reason: 'aborted: enough' });
    expect(rollout.tally.counts).toMatchObject({ CANCELLED: 1, NOT_STARTED: 149 });
    expect(rollout.tally.notSucceeded.get(clusterId(2))).toMatchObject({
      outcome: 'NOT_STARTED',
      wave: 'a',
      message: 'not started: aborted: enough',
    });
    expect(rollout.waves.map((w) => w.state)).toEqual(['stopped', 'stopped']);
    expect(rollout.queues.pending).toBe(0);
    expect(sum(rollout.tally.counts)).toBe(150);
  });

  it('lists a dry run, capped, counting every cluster read', () => {
    const rollout = startRollout({ dryRun: true, waves: [{ name: 'all' }] }, 3);
    refill(rollout, 0, inventory(3));
    rollout.listed(0, (e, wave) => ({ ...result(e, 'SKIPPED', 'would upgrade'), wave }), 2);
    expect(rollout.dryRun.count).toBe(3);
    expect(rollout.tally.notSucceeded.size).toBe(2);
  });
});

describe('Rollout: operator updates and their validators', () => {
  it('pause and resume', () => {
    const rollout = startRollout({}, 3);
    expect(rejection(() => controlsOf(rollout).validateResume())).toBe('the rollout is not paused');
    controlsOf(rollout).validatePause({ by: 'ann' });
    controlsOf(rollout).pause({ by: 'ann', reason: 'lunch' });
    expect(rollout.paused).toBe(true);
    expect(rollout.canStart(0)).toBe(false);
    expect(rejection(() => controlsOf(rollout).validatePause())).toBe('the rollout is already paused');
    controlsOf(rollout).resume();
    expect(rollout.actions.map((a) => [a.action, a.by, a.reason])).toEqual([
      ['pause', 'ann', 'lunch'],
      ['resume', undefined, undefined],
    ]);
  });

  it('abort needs a reason; after it, every update is refused', () => {
    const rollout = startRollout({}, 3);
    expect(rejection(() => controlsOf(rollout).validateAbort({ reason: '  ' }))).toBe('abort needs a reason');
    controlsOf(rollout).abort({ reason: 'bad canary', by: 'bob' });
    expect(rollout.stop).toEqual({ status: 'ABORTED', reason: 'aborted by bob: bad canary' });
    expect(rejection(() => controlsOf(rollout).validatePause())).toBe(
      'the rollout is stopping (ABORTED: aborted by bob: bad canary)',
    );
    rollout.finish();
    expect(rejection(() => controlsOf(rollout).validateResume())).toBe('the rollout has finished');
  });

  it('approve: a gated wave, once, before it is past', () => {
    const rollout = startRollout(
      {
        waves: [
          { name: 'canary', size: 1 },
          { name: 'prod', approval: true },
        ],
      },
      3,
    );
    expect(rejection(() => controlsOf(rollout).validateApprove({ wave: '' }))).toBe('wave is required');
    expect(rejection(() => controlsOf(rollout).validateApprove({ wave: 'nope' }))).toBe(
      'no wave "nope"; waves: canary, prod',
    );
    expect(rejection(() => controlsOf(rollout).validateApprove({ wave: 'canary' }))).toBe(
      'wave canary has no approval gate',
    );
    expect(rollout.awaitsApproval(1)).toEqual({ onTimeout: 'abort' });
    controlsOf(rollout).approve({ wave: 'prod' });
    expect(rollout.awaitsApproval(1)).toBeUndefined();
    expect(rejection(() => controlsOf(rollout).validateApprove({ wave: 'prod' }))).toBe(
      'wave prod is already approved',
    );
    const passed = startRollout({ waves: [{ name: 'prod', approval: true }] }, 1);
    passed.queues.waveDone(0);
    expect(rejection(() => controlsOf(passed).validateApprove({ wave: 'prod' }))).toBe(
      'wave prod is past its gate (done)',
    );
  });

  it('an approval that times out aborts, or proceeds, as the gate says', () => {
    const rollout = startRollout({ waves: [{ name: 'prod', approval: { timeout: '1h', onTimeout: 'abort' } }] }, 1);
    rollout.approvalTimedOut(0, rollout.awaitsApproval(0)!);
    expect(rollout.stop?.reason).toBe('approval of wave prod timed out');
    const proceeds = startRollout({ waves: [{ name: 'prod', approval: { timeout: '1h', onTimeout: 'proceed' } }] }, 1);
    proceeds.approvalTimedOut(0, proceeds.awaitsApproval(0)!);
    expect(proceeds.stop).toBeUndefined();
    expect(proceeds.actions[0]).toMatchObject({ action: 'approvalTimeout', target: 'prod' });
  });

  it('setMaxParallel: 1..1000, whole, for every wave from now on', () => {
    const rollout = startRollout({ maxParallel: 1 }, 3);
    for (const bad of [0, 1001, 2.5, '3'])
      expect(rejection(() => controlsOf(rollout).validateSetMaxParallel({ maxParallel: bad as number }))).toMatch(
        /^maxParallel must be a whole number from 1 to 1000/,
      );
    controlsOf(rollout).setMaxParallel({ maxParallel: 7 });
    expect(waveSummaries(rollout).map((w) => w.maxParallel)).toEqual([7, 7]);
  });

  it('skip: a queued cluster at once, an unread one when it is read; never one running or ended', () => {
    const rollout = startRollout({ waves: [{ name: 'all' }] }, 150);
    expect(rejection(() => controlsOf(rollout).validateSkip({ clusterId: '' }))).toBe(
      'clusterId is required (a cluster id or name)',
    );
    refill(rollout, 0, inventory(150));
    rollout.takeNext(0);
    expect(rejection(() => controlsOf(rollout).validateSkip({ clusterId: clusterId(1) }))).toMatch(/is upgrading now/);
    controlsOf(rollout).validateSkip({ clusterId: clusterId(2).toUpperCase() });
    controlsOf(rollout).skip({ clusterId: clusterId(2), reason: 'owner said no' });
    expect(rollout.waves[0]!.counts.SKIPPED).toBe(1);
    controlsOf(rollout).skip({ clusterId: clusterId(120) }); // on the next page: left out when read
    expect(rejection(() => controlsOf(rollout).validateSkip({ clusterId: clusterId(120) }))).toMatch(
      /already to be skipped/,
    );
    rollout.record(result(entry(1), 'FAILED'));
    expect(rejection(() => controlsOf(rollout).validateSkip({ clusterId: clusterId(1) }))).toMatch(
      /has already ended FAILED/,
    );
    while (rollout.takeNext(0)) refill(rollout, 0, inventory(150));
    expect(rollout.waves[0]!.counts.SKIPPED).toBe(2);
    expect(accounting(rollout).waves[0]).toEqual({ name: 'all', total: 150, accounted: 150 });
  });

  it('skip refuses a cluster outside a rollout of listed clusters, and asks to wait while planning', () => {
    const listed = startRollout({ clusters: [clusterId(1), clusterId(2)] }, 2);
    expect(rejection(() => controlsOf(listed).validateSkip({ clusterId: clusterId(9) }), UNKNOWN_CLUSTER)).toBe(
      `cluster ${clusterId(9)} is not in this rollout (the spec's clusters do not list it)`,
    );
    const planning = Rollout.start('r', undefined, '2026-11-30T00:00:00.000Z');
    expect(rejection(() => controlsOf(planning).validateSkip({ clusterId: clusterId(9) }))).toBe(
      'the rollout is still planning; try again in a moment',
    );
  });

  it('retry: only FAILED, MISSED or SUPERSEDED, in the hop it ended in', () => {
    const rollout = startRollout({ waves: [{ name: 'all' }] }, 3);
    refill(rollout, 0, inventory(3));
    rollout.takeNext(0);
    expect(rejection(() => controlsOf(rollout).validateRetry({ clusterId: clusterId(1) }))).toMatch(
      /cluster .* is upgrading$/,
    );
    expect(rejection(() => controlsOf(rollout).validateRetry({ clusterId: clusterId(2) }))).toMatch(
      /cluster .* is not started$/,
    );
    rollout.record(result(entry(1), 'MISSED'));
    controlsOf(rollout).validateRetry({ clusterId: clusterId(1) });
    controlsOf(rollout).retry({ clusterId: clusterId(1), by: 'ann' });
    expect(rollout.tally.counts.MISSED).toBe(0);
    expect(rollout.takeNext(0)).toEqual({ entry: entry(1), waveIndex: 0, again: true }); // a retry goes first (again: its last child may still be closing)
    const hops = startRollout({ waves: [{ name: 'all' }] }, 1, { hops: 2 });
    refill(hops, 0, inventory(1));
    hops.takeNext(0);
    hops.record(result(entry(1), 'SUCCEEDED'));
    hops.hopIndex = 1;
    hops.tally.record({ ...result(entry(1), 'FAILED'), hop: '1.30.2' });
    expect(rejection(() => controlsOf(hops).validateRetry({ clusterId: clusterId(1) }))).toMatch(
      /in an earlier hop \(1\.30\.2\)/,
    );
  });

  it('retry then skip before the cluster restarts: the SKIPPED lands in the wave it belongs to (the known suspect)', () => {
    const rollout = startRollout({ waves: [{ name: 'first', size: 2 }, { name: 'second' }] }, 4);
    const read = inventory(4);
    refill(rollout, 0, read);
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'FAILED'));
    controlsOf(rollout).retry({ clusterId: clusterId(1) });
    controlsOf(rollout).validateSkip({ clusterId: clusterId(1) });
    controlsOf(rollout).skip({ clusterId: clusterId(1) });
    expect(rollout.waves[0]!.counts).toMatchObject({ FAILED: 0, SKIPPED: 1 });
    expect(accounting(rollout).waves).toEqual([
      { name: 'first', total: 2, accounted: 2 },
      { name: 'second', total: 2, accounted: 2 },
    ]);
  });

  it('a retried cluster started while a later wave runs counts in its own wave', () => {
    const rollout = startRollout({ waves: [{ name: 'first', size: 1 }, { name: 'second' }] }, 3);
    const read = inventory(3);
    refill(rollout, 0, read);
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'FAILED'));
    refill(rollout, 1, read);
    controlsOf(rollout).retry({ clusterId: clusterId(1) });
    expect(rollout.takeNext(1)).toEqual({ entry: entry(1), waveIndex: 0, again: true });
    rollout.record(result(entry(1), 'SUCCEEDED'));
    expect(rollout.waves.map((w) => sum(w.counts))).toEqual([1, 0]);
  });
});

describe('Rollout: skip and retry by id or name; nothing unknown accepted', () => {
  const found = (
    ...clusters: { id: string; name: string; version?: string; target?: number; excluded?: true; unmatched?: true }[]
  ) => ({ found: clusters.map((c) => ({ version: '1.30.4', target: 0, ...c })), pages: 1 });
  /** A rollout whose canary read page one (clusters 1..100); clusters 101..150 are not read yet. */
  const reading = () => {
    const rollout = startRollout({}, 150);
    refill(rollout, 0, inventory(150));
    return rollout;
  };

  it('settles an id the state holds without a lookup; looks up a name or an id it has not read', () => {
    const rollout = reading();
    expect(controlsOf(rollout).lookupFor({ clusterId: clusterId(1) }, 'skip')).toBeUndefined(); // the canary's, queued
    expect(controlsOf(rollout).lookupFor({ clusterId: clusterId(2) }, 'skip')).toBeUndefined(); // read, in the stream
    expect(controlsOf(rollout).lookupFor({ clusterId: 'c2' }, 'skip')).toMatchObject({
      key: 'c2',
      targets: [{ platform: 'avisi', organisation: 'acme' }],
    });
    expect(controlsOf(rollout).lookupFor({ clusterId: clusterId(120) }, 'skip')).toMatchObject({ key: clusterId(120) });
  });

  it('refuses a key no cluster of the targets has, or one the spec leaves out, naming why', () => {
    const rollout = reading();
    controlsOf(rollout).validateSkip({ clusterId: 'totally-bogus-id' }); // accepted for the lookup
    expect(rejection(() => controlsOf(rollout).skip({ clusterId: 'totally-bogus-id' }, found()), UNKNOWN_CLUSTER)).toBe(
      'no cluster of this rollout has the id or name "totally-bogus-id" (avisi/acme)',
    );
    expect(
      rejection(
        () =>
          controlsOf(rollout).skip(
            { clusterId: 'ops-1' },
            found({ id: clusterId(900), name: 'ops-1', excluded: true }),
          ),
        UNKNOWN_CLUSTER,
      ),
    ).toBe(`cluster ops-1 (${clusterId(900)}) is excluded by the spec's exclude: this rollout never touches it`);
    expect(
      rejection(
        () =>
          controlsOf(rollout).skip({ clusterId: 'db-1' }, found({ id: clusterId(901), name: 'db-1', unmatched: true })),
        UNKNOWN_CLUSTER,
      ),
    ).toMatch(/matches no wave/);
    expect(
      rejection(() =>
        controlsOf(rollout).skip(
          { clusterId: 'new-1' },
          found({ id: clusterId(902), name: 'new-1', version: '1.31.2' }),
        ),
      ),
    ).toBe(`cluster new-1 (${clusterId(902)}) runs 1.31.2, at the target already: nothing to skip`);
    expect(
      rejection(
        () =>
          controlsOf(rollout).skip(
            { clusterId: 'twin' },
            found({ id: clusterId(903), name: 'twin' }, { id: clusterId(904), name: 'twin' }),
          ),
        UNKNOWN_CLUSTER,
      ),
    ).toBe(`"twin" names 2 clusters (twin (${clusterId(903)}), twin (${clusterId(904)})): give the id`);
    expect(rollout.queues.skipList.size).toBe(0);
    expect(rollout.actions).toEqual([]);
  });

  it('skips by name: a queued cluster at once, one not read yet when its page comes; the log names it', () => {
    const rollout = reading();
    controlsOf(rollout).skip({ clusterId: 'c1' }, found({ id: clusterId(1), name: 'c1' }));
    expect(rollout.waves[0]!.counts.SKIPPED).toBe(1);
    controlsOf(rollout).skip({ clusterId: 'c120', by: 'dave' }, found({ id: clusterId(120), name: 'c120' }));
    expect(rollout.queues.skipList.has(clusterId(120))).toBe(true);
    expect(rejection(() => controlsOf(rollout).validateSkip({ clusterId: clusterId(120) }))).toBe(
      `cluster ${clusterId(120)} is already to be skipped`,
    );
    expect(rollout.actions.map((a) => a.target)).toEqual([`c1 (${clusterId(1)})`, `c120 (${clusterId(120)})`]);
  });

  it('checks again after the lookup: a cluster that started meanwhile is not skipped', () => {
    const rollout = startRollout({ waves: [{ name: 'all' }] }, 3);
    controlsOf(rollout).validateSkip({ clusterId: 'c1' });
    refill(rollout, 0, inventory(3));
    rollout.takeNext(0); // c1 started while the lookup ran
    expect(
      rejection(() => controlsOf(rollout).skip({ clusterId: 'c1' }, found({ id: clusterId(1), name: 'c1' }))),
    ).toBe(`cluster c1 (${clusterId(1)}) is upgrading now; only a cluster not started can be skipped`);
    rollout.finish();
    expect(
      rejection(() => controlsOf(rollout).skip({ clusterId: 'c2' }, found({ id: clusterId(2), name: 'c2' }))),
    ).toBe('the rollout has finished');
  });

  it('asks for platform/organisation/name when several targets have the name; takes it so', () => {
    const rollout = startRollout(
      {
        platform: undefined,
        organisation: undefined,
        targets: [
          { platform: 'avisi', organisation: 'acme' },
          { platform: 'avisi', organisation: 'beta' },
        ],
      },
      150,
    );
    const twins = found({ id: clusterId(130), name: 'edge-19' }, { id: clusterId(140), name: 'edge-19', target: 1 });
    expect(rejection(() => controlsOf(rollout).skip({ clusterId: 'edge-19' }, twins), UNKNOWN_CLUSTER)).toBe(
      '"edge-19" names 2 clusters (avisi/acme/edge-19, avisi/beta/edge-19): give platform/organisation/name or the id',
    );
    expect(controlsOf(rollout).lookupFor({ clusterId: 'avisi/beta/edge-19' }, 'skip')).toMatchObject({
      key: 'edge-19',
      target: 1,
    });
    controlsOf(rollout).skip(
      { clusterId: 'avisi/beta/edge-19' },
      found({ id: clusterId(140), name: 'edge-19', target: 1 }),
    );
    expect(rollout.queues.skipList.has(clusterId(140))).toBe(true);
  });

  it('retries by name; refuses an unknown key after the lookup, and a cluster not ended without success', () => {
    const rollout = startRollout({ waves: [{ name: 'all' }] }, 3);
    refill(rollout, 0, inventory(3));
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'FAILED'));
    expect(controlsOf(rollout).lookupFor({ clusterId: 'c1' }, 'retry')).toBeUndefined();
    controlsOf(rollout).validateRetry({ clusterId: 'c1' });
    expect(rejection(() => controlsOf(rollout).validateRetry({ clusterId: 'c2' }))).toBe(
      `only a cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED can be retried; cluster c2 (${clusterId(2)}) is not started`,
    );
    controlsOf(rollout).validateRetry({ clusterId: 'nope' }); // not in the state: looked up
    expect(rejection(() => controlsOf(rollout).retry({ clusterId: 'nope' }, found()), UNKNOWN_CLUSTER)).toMatch(
      /^no cluster of this rollout has the id or name "nope"/,
    );
    expect(
      rejection(() =>
        controlsOf(rollout).retry({ clusterId: 'c9' }, found({ id: clusterId(9), name: 'c9', version: '1.31.2' })),
      ),
    ).toMatch(/at the target already: nothing to retry$/);
    controlsOf(rollout).retry({ clusterId: 'c1', by: 'ann' });
    expect(rollout.takeNext(0)).toEqual({ entry: entry(1), waveIndex: 0, again: true });
    expect(rollout.actions.at(-1)).toMatchObject({ action: 'retryCluster', target: `c1 (${clusterId(1)})`, by: 'ann' });
  });

  it('retries by name among the clusters that ended: two of one name ask for platform/organisation/name', () => {
    const rollout = startRollout(
      {
        platform: undefined,
        organisation: undefined,
        targets: [
          { platform: 'avisi', organisation: 'acme' },
          { platform: 'avisi', organisation: 'beta' },
        ],
      },
      2,
    );
    rollout.tally.record({ ...result(entry(1), 'FAILED'), name: 'edge-19', platform: 'avisi', organisation: 'acme' });
    rollout.tally.record({ ...result(entry(2), 'FAILED'), name: 'edge-19', platform: 'avisi', organisation: 'beta' });
    expect(rejection(() => controlsOf(rollout).validateRetry({ clusterId: 'edge-19' }), UNKNOWN_CLUSTER)).toBe(
      '"edge-19" names 2 clusters that ended in this rollout (avisi/acme/edge-19, avisi/beta/edge-19): give platform/organisation/name or the id',
    );
    controlsOf(rollout).validateRetry({ clusterId: 'avisi/beta/edge-19' });
    expect(controlsOf(rollout).lookupFor({ clusterId: 'avisi/beta/edge-19' }, 'retry')).toBeUndefined();
    controlsOf(rollout).retry({ clusterId: 'avisi/beta/edge-19' });
    expect(rollout.actions.at(-1)).toMatchObject({ action: 'retryCluster', target: `edge-19 (${clusterId(2)})` });
  });

  it('runs from before the lookup skip an unknown key as they did (it waits in the skip list)', () => {
    const rollout = reading();
    controlsOf(rollout).skip({ clusterId: 'edge-19' });
    expect([...rollout.queues.skipList]).toEqual(['edge-19']);
  });
});

describe('Rollout: snapshot and restore', () => {
  it('a restored rollout holds what the snapshot did, through JSON', () => {
    const rollout = startRollout(
      { waves: [{ name: 'a', size: 2, approval: true }, { name: 'b' }], maxParallel: 3 },
      250,
    );
    const read = inventory(250);
    controlsOf(rollout).approve({ wave: 'a', by: 'ann' });
    controlsOf(rollout).pause();
    controlsOf(rollout).setMaxParallel({ maxParallel: 5 });
    refill(rollout, 0, read);
    rollout.takeNext(0);
    rollout.takeNext(0);
    rollout.record(result(entry(1), 'FAILED'));
    controlsOf(rollout).retry({ clusterId: clusterId(1) });
    controlsOf(rollout).skip({ clusterId: clusterId(200) });
    rollout.queues.beginWave(1);
    rollout.enter('upgrading');
    const restored = roundTrip(rollout);
    expect(restored.snapshot()).toEqual(JSON.parse(JSON.stringify(rollout.snapshot())));
    expect(accounting(restored)).toEqual(accounting(rollout));
    expect(controlsOf(restored).validateSkip.bind(controlsOf(restored), { clusterId: clusterId(200) })).toThrow(
      /already to be skipped/,
    );
    expect([
      restored.paused,
      restored.steering.maxParallelOverride,
      [...restored.steering.approvals],
      restored.phase,
    ]).toEqual([true, 5, ['a'], 'upgrading']);
  });

  it('reads a snapshot from before retries kept their wave (bare entries in the retry queue)', () => {
    const rollout = startRollout({ waves: [{ name: 'all' }] }, 2);
    const carry = JSON.parse(JSON.stringify(rollout.snapshot()));
    carry.state.retryQueue = [entry(2)];
    const restored = Rollout.restore('rollout-1', rollout.plan, carry);
    expect(restored.takeNext(0)).toEqual({ entry: entry(2), waveIndex: 0, again: true });
  });
});

describe('Rollout: freezes', () => {
  const now = Date.now();
  const inAnHour = new Date(now + 3_600_000).toISOString();

  it("is frozen during the spec's periods and the ones operators add, which survive continue-as-new", () => {
    const rollout = startRollout(
      {
        freeze: [
          { from: new Date(now - 60_000).toISOString(), to: new Date(now + 60_000).toISOString(), reason: 'CHG-1' },
        ],
      },
      2,
    );
    expect(rollout.freezes.frozenAt(now)).toEqual({ reason: 'CHG-1', until: now + 60_000 });
    expect(rollout.freezes.frozenAt(now + 60_000)).toBeUndefined();
    controlsOf(rollout).validateFreeze({
      until: inAnHour,
      from: new Date(now + 30_000).toISOString(),
      reason: 'INC-2',
    });
    controlsOf(rollout).freeze({
      until: inAnHour,
      from: new Date(now + 30_000).toISOString(),
      reason: 'INC-2',
      by: 'erin',
    });
    // Overlapping freezes are one: it lifts when the last does, and names both.
    expect(rollout.freezes.frozenAt(now)).toEqual({ reason: 'CHG-1; INC-2', until: Date.parse(inAnHour) });
    expect(rollout.freezes.changes).toBe(1);
    expect(rollout.actions.at(-1)).toMatchObject({ action: 'freeze', by: 'erin', reason: 'INC-2' });
    expect(roundTrip(rollout).freezes.frozenAt(now + 120_000)).toEqual({
      reason: 'INC-2',
      until: Date.parse(inAnHour),
    });
  });

  it('lifts the freeze in force on unfreeze, until it would have ended: later freezes still hold, and the lift survives continue-as-new', () => {
    const day = 86_400_000;
    const specFreezes = [
      { from: new Date(now - 60_000).toISOString(), to: new Date(now + 3_600_000).toISOString(), reason: 'CHG-1' },
      { from: new Date(now + day).toISOString(), to: new Date(now + 2 * day).toISOString(), reason: 'CHG-2' },
    ];
    const rollout = startRollout({ freeze: specFreezes }, 2);
    controlsOf(rollout).freeze({ until: new Date(now + 7_200_000).toISOString(), reason: 'INC-3' });
    expect(rollout.freezes.frozenAt(now)?.until).toBe(now + 7_200_000);
    controlsOf(rollout).validateUnfreeze({ reason: 'INC-3 resolved' });
    controlsOf(rollout).unfreeze({ reason: 'INC-3 resolved', by: 'erin' });
    expect(rollout.freezes.changes).toBe(2);
    expect(rollout.freezes.frozenAt(Date.now())).toBeUndefined();
    expect(rollout.actions.at(-1)).toMatchObject({ action: 'unfreeze', by: 'erin', reason: 'INC-3 resolved' });
    // The next day's freeze was not in force: it still holds.
    expect(rollout.freezes.frozenAt(now + day + 60_000)).toEqual({ reason: 'CHG-2', until: now + 2 * day });
    // A freeze asked for after the unfreeze holds in full, inside the lifted span too.
    const again = new Date(Date.now() + 600_000).toISOString();
    controlsOf(rollout).freeze({ until: again, reason: 'INC-4' });
    expect(rollout.freezes.frozenAt(Date.now())).toEqual({ reason: 'INC-4', until: Date.parse(again) });
    // And after it ends, the lift goes on to the end of what was lifted.
    expect(rollout.freezes.frozenAt(Date.parse(again) + 1)).toBeUndefined();
    const restored = roundTrip(rollout);
    expect(restored.freezes.frozenAt(Date.parse(again) + 1)).toBeUndefined();
    expect(restored.freezes.frozenAt(now + day + 60_000)).toEqual({ reason: 'CHG-2', until: now + 2 * day });
  });

  it('refuses an unfreeze without a reason, or when nothing is frozen (naming the next freeze)', () => {
    const next = new Date(now + 3_600_000).toISOString();
    const rollout = startRollout(
      { freeze: [{ from: next, to: new Date(now + 7_200_000).toISOString(), reason: 'CHG-9' }] },
      1,
    );
    expect(rejection(() => controlsOf(rollout).validateUnfreeze({ reason: ' ' }))).toBe('unfreeze needs a reason');
    expect(rejection(() => controlsOf(rollout).validateUnfreeze({ reason: 'x' }))).toBe(
      `the rollout is not frozen now (the next freeze, CHG-9, begins ${new Date(Date.parse(next)).toISOString()})`,
    );
    expect(rejection(() => controlsOf(startRollout({}, 1)).validateUnfreeze({ reason: 'x' }))).toBe(
      'the rollout is not frozen now',
    );
  });

  it('refuses a freeze without a reason, in the past, ending before it starts, or not RFC 3339', () => {
    const rollout = startRollout({}, 1);
    expect(rejection(() => controlsOf(rollout).validateFreeze({ until: inAnHour, reason: '' }))).toBe(
      'freeze needs a reason',
    );
    expect(rejection(() => controlsOf(rollout).validateFreeze({ until: '2020-01-01T00:00:00Z', reason: 'x' }))).toBe(
      'until (2020-01-01T00:00:00Z) has passed',
    );
    expect(rejection(() => controlsOf(rollout).validateFreeze({ until: 'tomorrow', reason: 'x' }))).toBe(
      'until must be an RFC 3339 date-time, got "tomorrow"',
    );
    expect(
      rejection(() =>
        controlsOf(rollout).validateFreeze({ until: inAnHour, from: '2099-01-01T00:00:00Z', reason: 'x' }),
      ),
    ).toBe(`until (${inAnHour}) must be after from (2099-01-01T00:00:00Z)`);
  });

  it("a dry run's report shows where the spec's freezes fall", () => {
    const rollout = startRollout(
      {
        dryRun: true,
        freeze: [{ weekly: { days: ['sat'], from: '00:00', to: '24:00', timeZone: 'UTC' }, reason: 'weekend' }],
      },
      1,
    );
    const report = reportOf(rollout);
    expect(report.freezes?.length).toBeGreaterThanOrEqual(4);
    for (const f of report.freezes!) expect([new Date(f.from).getUTCDay(), f.reason]).toEqual([6, 'weekend']);
  });
});

describe('Rollout: a gate that paused the rollout, and what updates take (issue 18, point 6; issue 17)', () => {
  const gate = {
    name: 'fleet-healthy',
    http: { url: 'http://health.example/fleet?c={waveClusters}' },
    passFor: '1s',
    interval: '1s',
    timeout: '5s',
    onFail: 'pause',
  };
  const pausedByGate = (): Rollout => {
    const rollout = startRollout({ waves: [{ name: 'canary', size: 1, gate } as never, { name: 'rest' }] }, 3);
    rollout.gates.began(0);
    rollout.gates.ended(0, {
      passed: false,
      observations: 2,
      value: 'status 503 (expected 200)',
      reason: 'gate "fleet-healthy" cannot pass: last value status 503 (expected 200); the body said: web-1',
    });
    return rollout;
  };

  it('refuses resume while the failed gate holds, unless told to skip it, and logs the skip', () => {
    const rollout = pausedByGate();
    expect(rollout.paused).toBe(true);
    expect(rejection(() => controlsOf(rollout).validateResume({}))).toMatch(
      /^gate fleet-healthy of wave canary failed and has not passed: .*--skip-gate/,
    );
    expect(rejection(() => controlsOf(rollout).validateResume({ skipGate: 'yes' } as never))).toBe(
      'skipGate must be true or false, got "yes"',
    );
    controlsOf(rollout).validateResume({ skipGate: true });
    controlsOf(rollout).resume({ skipGate: true, by: 'hal', reason: 'known flaky' });
    expect(rollout.paused).toBe(false);
    expect(rollout.gates.held()).toBeUndefined();
    expect(rollout.actions.at(-1)).toMatchObject({
      action: 'resume',
      by: 'hal',
      target: 'without gate fleet-healthy of wave canary (skipped)',
    });
    // Paused again by hand, the gate no longer holds: a plain resume goes.
    controlsOf(rollout).pause({});
    controlsOf(rollout).validateResume({});
  });

  it('runs the gate again on recheckGate: refused twice, passing resumes the rollout', () => {
    const rollout = pausedByGate();
    controlsOf(rollout).validateRecheckGate({ by: 'gina' });
    controlsOf(rollout).recheckGate({ by: 'gina', reason: 'canary fixed' });
    expect(rollout.gates.recheckAsked).toBe(true);
    expect(rejection(() => controlsOf(rollout).validateRecheckGate({}))).toBe(
      'gate fleet-healthy of wave canary is being run again already',
    );
    rollout.gates.recheckTaken(); // the gate's loop took it
    rollout.gates.began(0);
    expect(rejection(() => controlsOf(rollout).validateResume({}))).toMatch(
      /^gate fleet-healthy of wave canary is being run again and has not passed/,
    );
    rollout.gates.ended(0, { passed: true, observations: 3, value: 'status 200' });
    expect(rollout.paused).toBe(false);
    expect(rollout.actions.map((a) => [a.action, a.target])).toEqual([
      ['gatePaused', 'canary'],
      ['recheckGate', 'fleet-healthy of wave canary'],
      ['gatePassed', 'canary'],
    ]);
    expect(rejection(() => controlsOf(rollout).validateRecheckGate({}))).toMatch(/^no gate holds the rollout/);
  });

  it('a recheck that fails again keeps the rollout paused and the gate holding', () => {
    const rollout = pausedByGate();
    controlsOf(rollout).recheckGate({});
    rollout.gates.recheckTaken();
    rollout.gates.began(0);
    rollout.gates.ended(0, { passed: false, observations: 1, reason: 'still down' });
    expect(rollout.paused).toBe(true);
    expect(rollout.gates.held()).toMatchObject({ wave: 'canary', verdict: 'failed' });
    expect(rejection(() => controlsOf(rollout).validateResume({}))).toMatch(/--skip-gate/);
  });

  it('refuses unknown fields in update requests, naming the near miss, and suggests a wave', () => {
    const rollout = startRollout(
      {
        waves: [
          { name: 'canary', size: 1 },
          { name: 'rest', approval: true },
        ],
      },
      3,
    );
    expect(
      rejection(() => controlsOf(rollout).validateFreeze({ untill: '2099-01-01T00:00:00Z', reason: 'x' } as never)),
    ).toBe('unknown field untill (did you mean until?) (known here: until, from, reason, by)');
    expect(rejection(() => controlsOf(rollout).validatePause({ reasn: 'lunch' } as never))).toMatch(
      /^unknown field reasn \(did you mean reason\?\)/,
    );
    expect(rejection(() => controlsOf(rollout).validateResume({ skipgate: true } as never))).toMatch(
      /^unknown field skipgate \(did you mean skipGate\?\)/,
    );
    expect(rejection(() => controlsOf(rollout).validateSkip({ clusterID: clusterId(1) } as never))).toMatch(
      /^unknown field clusterID \(did you mean clusterId\?\)/,
    );
    expect(rejection(() => controlsOf(rollout).validateApprove({ wave: 'rets' }))).toBe(
      'no wave "rets" (did you mean "rest"?); waves: canary, rest',
    );
    expect(rejection(() => controlsOf(rollout).validateApprove({ wave: 'nope' }))).toBe(
      'no wave "nope"; waves: canary, rest',
    );
    controlsOf(rollout).validateApprove({ wave: 'rest', by: 'erin', reason: 'ok' });
  });
});
