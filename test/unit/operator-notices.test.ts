/**
 * Operators' events (opt-in per channel, `operator.*`), and what a failed check's answer
 * named (issue 18, point 6): pure parts, without a server.
 */
import { describe, expect, it } from 'vitest';
import { judgeHttp, judgePrometheus } from '../../src/domain/health-judge.js';
import { notifyEvents } from '../../src/domain/notify-builders.js';
import { channelsFor } from '../../src/domain/notify-events.js';
import { validateRolloutSpec } from '../../src/domain/spec.js';

const source = { rolloutId: 'weekly', firstRunId: 'run-1' };
const vector = (series: [Record<string, string>, string][]) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [0, v] })) },
  });

describe('operator events', () => {
  const notify = [
    { channel: 'all' },
    { channel: 'ops', events: ['operator.*' as const] },
    { channel: 'approvals', events: ['operator.approved' as const] },
  ];

  it('reach only the channels that name them; a channel without events hears the rest', () => {
    expect(channelsFor(notify, 'operator.paused')).toEqual(['ops']);
    expect(channelsFor(notify, 'operator.approved')).toEqual(['ops', 'approvals']);
    expect(channelsFor(notify, 'rollout.finished')).toEqual(['all']);
  });

  it('say who, why and what, with an id per action', () => {
    const event = notifyEvents.operator(
      source,
      { type: 'operator.skipped', seq: 3, by: 'dave', reason: 'customer freeze', target: 'edge-19' },
      '2026-12-07T04:00:00Z',
    );
    expect(event).toMatchObject({
      type: 'operator.skipped',
      by: 'dave',
      reason: 'customer freeze',
      target: 'edge-19',
      text: 'Rollout weekly: dave skipped cluster edge-19: customer freeze',
    });
    expect(notifyEvents.operator(source, { type: 'operator.skipped', seq: 4, target: 'edge-20' }).id).not.toBe(
      event.id,
    );
  });

  it('a spec may name them, or operator.*; a misspelt one is refused', () => {
    const base = { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' };
    expect(
      validateRolloutSpec({ ...base, notify: [{ channel: 'ops', events: ['operator.*', 'operator.paused'] }] } as never)
        .ok,
    ).toBe(true);
    const bad = validateRolloutSpec({ ...base, notify: [{ channel: 'ops', events: ['operator.pause'] }] } as never);
    expect(bad.ok ? [] : bad.problems.map((p) => p.message).join('; ')).toMatch(/did you mean "?operator\.paused"?/);
  });
});

describe('what a failed answer named', () => {
  it('an HTTP check keeps the body, on one line, clipped', () => {
    const body = JSON.stringify({ status: 'degraded', message: '1 of 3 unhealthy: web-1' }, null, 2);
    expect(judgeHttp({ url: 'http://x', status: 200 }, 503, body)).toEqual({
      ok: false,
      value: 'status 503 (expected 200)',
      detail: 'the body said: { "status": "degraded", "message": "1 of 3 unhealthy: web-1" }',
    });
    expect(judgeHttp({ url: 'http://x', status: 200 }, 503, 'x'.repeat(1000)).detail).toHaveLength(
      'the body said: '.length + 300,
    );
    expect(judgeHttp({ url: 'http://x', status: 200 }, 200, 'fine').detail).toBeUndefined();
  });

  it('a Prometheus check lists the series out of bounds with their labels', () => {
    const answer = vector([
      [{ cluster_name: 'web-1' }, '0'],
      [{ cluster_name: 'web-2' }, '1'],
      [{ cluster_name: 'db-1' }, '0'],
    ]);
    const judged = judgePrometheus({ url: 'http://p', query: 'up', min: 1 }, 200, answer);
    expect(judged).toMatchObject({ ok: false, value: '0 for {cluster_name="web-1"} (below min 1)' });
    expect(judged.detail).toBe(
      '2 of 3 series out of bounds: {cluster_name="web-1"} 0 (below min 1), {cluster_name="db-1"} 0 (below min 1)',
    );
    // One series without labels (an aggregate): the value says it all.
    expect(
      judgePrometheus({ url: 'http://p', query: 'min(up)', min: 1 }, 200, vector([[{}, '0']])).detail,
    ).toBeUndefined();
  });
});
