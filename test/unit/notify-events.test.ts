/**
 * The notification event contract (domain/notify-events.ts, notify-builders.ts): ids the same however often
 * an event is built (a retry, a replay) and different for anything else, the exact
 * approve commands, and the hash workflow code derives ids with, held to node:crypto.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approveCommands, countsLine, notifyEvents, shellWord } from '../../src/domain/notify-builders.js';
import {
  channelsFor,
  NOTIFY_EVENT_TYPES,
  notifyEventId,
  notifyForRun,
  type EventSource,
} from '../../src/domain/notify-events.js';
import { emptyCounts } from '../../src/domain/report.js';
import { sha256Hex } from '../../src/domain/sha256.js';
import { parseRolloutSpec, validateRolloutSpec } from '../../src/domain/spec.js';

const SOURCE: EventSource = { rolloutId: 'weekly-patch', firstRunId: '8f1c2d3e-0000-4000-8000-000000000001' };
const AT = '2026-03-02T09:14:05.120Z';

describe('sha256Hex', () => {
  it('is SHA-256 of the UTF-8 bytes (a known vector, then any string)', () => {
    expect(sha256Hex('fleetwave')).toBe('0bb5319d0d1ab6b716eaab815381dd88f587137f126d0adf2c0f132fc7f3380c');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('event ids', () => {
  it('are the same for the same rollout, type and subject, whenever and however often built', () => {
    const a = notifyEvents.waveDone(
      SOURCE,
      { wave: 'canary', total: 1, counts: { ...emptyCounts(), SUCCEEDED: 1 } },
      AT,
    );
    const b = notifyEvents.waveDone(
      SOURCE,
      { wave: 'canary', total: 1, counts: emptyCounts() },
      '2026-03-03T00:00:00Z',
    );
    expect(a.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(b.id).toBe(a.id);
  });

  it('differ by rollout, by run chain (a workflow id used again), by type, by subject and by occurrence', () => {
    const ids = [
      notifyEventId(SOURCE, 'wave.done', ['canary']),
      notifyEventId({ ...SOURCE, rolloutId: 'weekly-patch-2' }, 'wave.done', ['canary']),
      notifyEventId({ ...SOURCE, firstRunId: 'another-run' }, 'wave.done', ['canary']),
      notifyEventId(SOURCE, 'approval.needed', ['canary']),
      notifyEventId(SOURCE, 'wave.done', ['rest']),
      notifyEventId(SOURCE, 'wave.done', ['canary', 1]),
      // No separator tricks: ["a/b"] is not ["a", "b"].
      notifyEventId(SOURCE, 'wave.done', ['canary/1']),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    const failed = (occurrence?: number) =>
      notifyEvents.clusterFailed(SOURCE, {
        clusterId: 'c1',
        name: 'prod-1',
        outcome: 'FAILED',
        ...(occurrence ? { occurrence } : {}),
      }).id;
    expect(failed()).toBe(failed(0));
    expect(failed(1)).not.toBe(failed());
  });
});

describe('approval.needed', () => {
  it('carries the exact fleet and temporal commands', () => {
    const event = notifyEvents.approvalNeeded(SOURCE, { wave: 'rest' }, AT);
    expect(event).toMatchObject({ type: 'approval.needed', rolloutId: 'weekly-patch', at: AT, wave: 'rest' });
    expect(event.commands).toEqual({
      fleet: 'fleet rollout approve weekly-patch rest',
      temporal: `temporal workflow update execute --workflow-id weekly-patch --name approve --input '{"wave":"rest"}'`,
    });
    expect(event.text).toBe(
      'Rollout weekly-patch waits for approval of wave rest: fleet rollout approve weekly-patch rest',
    );
  });

  it('names a namespace other than default, and quotes what a shell would split', () => {
    const commands = approveCommands({ ...SOURCE, rolloutId: "ops's rollout", namespace: 'fleet-prod' }, 'eu.1');
    expect(commands.fleet).toBe(`fleet rollout approve 'ops'\\''s rollout' eu.1 --namespace fleet-prod`);
    expect(commands.temporal).toBe(
      `temporal workflow update execute --namespace fleet-prod --workflow-id 'ops'\\''s rollout' --name approve --input '{"wave":"eu.1"}'`,
    );
    expect(shellWord('rollout-acme-1.31')).toBe('rollout-acme-1.31');
  });

  it('says when the gate gives up', () => {
    const event = notifyEvents.approvalNeeded(
      SOURCE,
      { wave: 'rest', hop: '1.31', timeoutAt: '2026-03-03T09:00:00Z', onTimeout: 'proceed' },
      AT,
    );
    expect(event).toMatchObject({ hop: '1.31', timeoutAt: '2026-03-03T09:00:00Z', onTimeout: 'proceed' });
    expect(event.text).toMatch(/; proceed at 2026-03-03T09:00:00Z without one$/);
  });
});

describe('the other events', () => {
  it('rollout.finished carries the report summary and the first five that did not succeed', () => {
    const clusters = Array.from({ length: 7 }, (_, i) => ({
      clusterId: `c${i}`,
      name: `prod-${i}`,
      outcome: 'FAILED' as const,
    }));
    const event = notifyEvents.rolloutFinished(
      SOURCE,
      {
        status: 'HALTED',
        total: 20,
        counts: { ...emptyCounts(), SUCCEEDED: 12, FAILED: 7, NOT_STARTED: 1 },
        stopReason: 'failure budget exceeded',
        clusters,
      },
      AT,
    );
    expect(event.summary).toBe('HALTED: 12 succeeded, 7 failed, 1 not started of 20; stopped: failure budget exceeded');
    expect(event.text).toBe(`Rollout weekly-patch finished ${event.summary}`);
    expect(event.failed.map((c) => c.name)).toEqual(['prod-0', 'prod-1', 'prod-2', 'prod-3', 'prod-4']);
  });

  it('clip long reasons to one readable line', () => {
    const event = notifyEvents.clusterFailed(
      SOURCE,
      { clusterId: 'c1', name: 'prod-1', outcome: 'FAILED', wave: 'canary', reason: 'x'.repeat(5000) },
      AT,
    );
    expect(event.reason!.length).toBe(300);
    expect(event.text.length).toBeLessThanOrEqual(500);
    expect(JSON.stringify(event).length).toBeLessThan(1200);
  });

  it('cluster.blocked names the cluster and the check; blocked again after a retry is a new notice', () => {
    const reason = 'pre-check "deprecated-apis" did not pass: last value 1 (above max 0); not upgraded';
    const first = notifyEvents.clusterBlocked(SOURCE, { clusterId: 'c1', name: 'prod-1', wave: 'canary', reason }, AT);
    expect(first).toMatchObject({ type: 'cluster.blocked', clusterId: 'c1', name: 'prod-1', wave: 'canary', reason });
    expect(first.text).toBe(
      `Rollout weekly-patch: cluster prod-1 BLOCKED by a pre-upgrade check in wave canary: ${reason}`,
    );
    const replayed = notifyEvents.clusterBlocked(
      SOURCE,
      { clusterId: 'c1', name: 'prod-1', wave: 'canary', reason },
      AT,
    );
    expect(replayed.id).toBe(first.id);
    const again = notifyEvents.clusterBlocked(SOURCE, { clusterId: 'c1', name: 'prod-1', occurrence: 1 }, AT);
    expect(again.id).not.toBe(first.id);
    const notify = [{ channel: 'ops' }, { channel: 'chat', events: ['cluster.failed' as const] }];
    expect(channelsFor(notify, 'cluster.blocked')).toEqual(['ops']);
  });

  it('count lines name what happened', () => {
    expect(countsLine(emptyCounts(), 0)).toBe('nothing ended of 0');
    expect(countsLine({ ...emptyCounts(), SUCCEEDED: 3, SKIPPED: 1 }, 4)).toBe('3 succeeded, 1 skipped of 4');
  });
});

describe('channelsFor', () => {
  it('lists each channel that hears the type once, every event when events is absent', () => {
    const notify = [
      { channel: 'ops' },
      { channel: 'chat', events: ['approval.needed' as const, 'rollout.finished' as const] },
    ];
    expect(channelsFor(notify, 'approval.needed')).toEqual(['ops', 'chat']);
    expect(channelsFor(notify, 'cluster.failed')).toEqual(['ops']);
    expect(channelsFor(undefined, 'rollout.started')).toEqual([]);
  });
});

describe("the spec's notify", () => {
  it('is kept in the plan as written; absent, there is none', () => {
    const base = { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' } as const;
    const plan = parseRolloutSpec({
      ...base,
      notify: [{ channel: 'ops' }, { channel: 'release_chat', events: ['approval.needed', 'rollout.finished'] }],
    });
    expect(plan.notify).toEqual([
      { channel: 'ops' },
      { channel: 'release_chat', events: ['approval.needed', 'rollout.finished'] },
    ]);
    expect(parseRolloutSpec(base).notify).toBeUndefined();
    expect(
      parseRolloutSpec({ ...base, notify: [{ channel: 'all', events: [...NOTIFY_EVENT_TYPES] }] }).notify![0]!.events,
    ).toHaveLength(NOTIFY_EVENT_TYPES.length); // 9 of the rollout's, 8 of operators'
  });

  it('dryRun: true lets a channel hear dry runs; the others hear only real ones', () => {
    const base = { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' } as const;
    const plan = parseRolloutSpec({
      ...base,
      notify: [{ channel: 'ops' }, { channel: 'plans', dryRun: true }, { channel: 'chat', dryRun: false }],
    });
    expect(plan.notify).toEqual([{ channel: 'ops' }, { channel: 'plans', dryRun: true }, { channel: 'chat' }]);
    expect(notifyForRun(plan.notify, false).map((n) => n.channel)).toEqual(['ops', 'plans', 'chat']);
    expect(notifyForRun(plan.notify, true).map((n) => n.channel)).toEqual(['plans']);
    expect(notifyForRun(undefined, true)).toEqual([]);
    const refused = validateRolloutSpec({ ...base, notify: [{ channel: 'ops', dryRun: 'yes' }] });
    expect(refused.ok ? [] : refused.problems).toEqual([
      { field: 'notify[0].dryRun', message: 'must be true or false, got the string "yes"' },
    ]);
  });
});
