import { describe, expect, it } from 'vitest';
import { DEFAULT_WAVES, parseRolloutSpec, validateRolloutSpec } from '../../src/domain/spec.js';
import { allowedFailures, planWaves, resolveCount } from '../../src/domain/waves.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
const DEFAULTS = { maxParallel: 10, soakMs: 5_000 };
const names = (result: ReturnType<typeof planWaves>) => {
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.waves.map((w) => [w.name, w.clusters.length]);
};

describe('planWaves', () => {
  it('defaults to one canary, then the rest, soaking between waves but not after the last', () => {
    const result = planWaves(ids(20), DEFAULT_WAVES, DEFAULTS);
    expect(names(result)).toEqual([['canary', 1], ['rest', 19]]);
    expect(result.ok && result.waves.map((w) => w.soakMs)).toEqual([5_000, 0]);
  });

  it('sizes waves by count and percent (rounded up) and puts the leftovers in "rest"', () => {
    expect(names(planWaves(ids(20), [{ name: 'a', size: 2 }, { name: 'b', size: '25%' }], DEFAULTS))).toEqual([['a', 2], ['b', 5], ['rest', 13]]);
    expect(names(planWaves(ids(3), [{ name: 'a', size: '1%' }, { name: 'b', size: 10 }, { name: 'c', size: 1 }], DEFAULTS))).toEqual([['a', 1], ['b', 2], ['c', 0]]);
  });

  it('gives explicit clusters to their wave first, whatever its position', () => {
    const fleet = ids(5);
    const result = planWaves(fleet, [{ name: 'first', size: 1 }, { name: 'pinned', clusters: [fleet[0]!.id] }, { name: 'last' }], DEFAULTS);
    expect(result.ok && result.waves.map((w) => w.clusters.map((c) => c.id))).toEqual([[fleet[1]!.id], [fleet[0]!.id], fleet.slice(2).map((c) => c.id)]);
  });

  it('names a wave cluster that is not in the rollout, but accepts one already at the target', () => {
    const fleet = ids(3);
    const stranger = '11111111-1111-4111-8111-111111111111';
    const atTarget = '22222222-2222-4222-8222-222222222222';
    const result = planWaves(fleet, [{ name: 'w', clusters: [stranger, atTarget] }], DEFAULTS, new Set([...fleet.map((c) => c.id), atTarget]));
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining(`wave w lists cluster ${stranger}`)] });
  });
});

describe('budgets and counts', () => {
  it('rounds percentages: sizes up, allowed failures down', () => {
    expect(resolveCount('10%', 15)).toBe(2);
    expect(allowedFailures({ maxFailed: '10%', countSuperseded: true }, 15)).toBe(1);
    expect(allowedFailures({ maxFailed: 3, countSuperseded: true }, 15)).toBe(3);
  });
});

describe('wave specs', () => {
  const base = { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' };
  it('parses gates, soaks and budgets into milliseconds', () => {
    const plan = parseRolloutSpec({ ...base, soak: '1m', failureBudget: { maxFailed: '5%' }, waves: [{ name: 'canary', size: 1, approval: { timeout: '2h' } }, { name: 'all', approval: true, soak: '10s' }] });
    expect(plan.soakMs).toBe(60_000);
    expect(plan.failureBudget).toEqual({ maxFailed: '5%', countSuperseded: true });
    expect(plan.waves).toEqual([
      { name: 'canary', size: 1, approval: { timeoutMs: 7_200_000, onTimeout: 'abort' } },
      { name: 'all', soakMs: 10_000, approval: { onTimeout: 'abort' } },
    ]);
  });

  it('names every wave problem by its field', () => {
    const result = validateRolloutSpec({
      ...base,
      waves: [{ name: 'a', size: 1, clusters: ['5e08fe67-1274-475d-bd0c-a65b0330507f'] }, { name: 'b' }, { name: 'a', size: '150%' }, { name: 'c', clusters: ['5e08fe67-1274-475d-bd0c-a65b0330507f'], approval: { onTimeout: 'later' } }],
    });
    expect(result.ok).toBe(false);
    const fields = !result.ok ? result.problems.map((p) => `${p.field}: ${p.message}`) : [];
    expect(fields).toEqual(
      expect.arrayContaining([
        'waves[0]: set size or clusters, not both',
        'waves[1]: only the last wave may omit size and clusters (it takes the rest)',
        'waves[2].name: wave "a" is named twice',
        expect.stringMatching(/^waves\[2\]\.size/),
        expect.stringMatching(/^waves\[3\]\.approval/),
        'waves[3].clusters[0]: cluster 5e08fe67-1274-475d-bd0c-a65b0330507f is in more than one wave',
      ]),
    );
  });
});
