import { describe, expect, it } from 'vitest';
import { DEFAULT_WAVES, parseRolloutSpec, validateRolloutSpec } from '../../src/domain/spec.js';
import { allowedFailures, resolveCount, shapeWaves } from '../../src/domain/waves.js';

const DEFAULTS = { maxParallel: 10, soakMs: 5_000 };
const sizes = (shapes: ReturnType<typeof shapeWaves>) => shapes.map((w) => [w.name, w.size, w.ids?.length ?? 0]);

describe('shapeWaves', () => {
  it('defaults to one canary, then the rest, soaking between waves but not after the last', () => {
    const shapes = shapeWaves(20, 0, DEFAULT_WAVES, DEFAULTS);
    expect(sizes(shapes)).toEqual([
      ['canary', 1, 0],
      ['rest', 19, 0],
    ]);
    expect(shapes.map((w) => w.soakMs)).toEqual([5_000, 0]);
  });

  it('sizes waves by count and percent (rounded up) and puts the leftovers in "rest"', () => {
    expect(
      sizes(
        shapeWaves(
          20,
          0,
          [
            { name: 'a', size: 2 },
            { name: 'b', size: '25%' },
          ],
          DEFAULTS,
        ),
      ),
    ).toEqual([
      ['a', 2, 0],
      ['b', 5, 0],
      ['rest', 13, 0],
    ]);
    expect(
      sizes(
        shapeWaves(
          3,
          0,
          [
            { name: 'a', size: '1%' },
            { name: 'b', size: 10 },
            { name: 'c', size: 1 },
          ],
          DEFAULTS,
        ),
      ),
    ).toEqual([
      ['a', 1, 0],
      ['b', 2, 0],
      ['c', 0, 0],
    ]);
  });

  it('reads listed clusters by id and takes only the others from the inventory', () => {
    const ids = ['5e08fe67-1274-475d-bd0c-a65b0330507f'];
    expect(
      sizes(
        shapeWaves(5, 1, [{ name: 'first', size: 1 }, { name: 'pinned', clusters: ids }, { name: 'last' }], DEFAULTS),
      ),
    ).toEqual([
      ['first', 1, 0],
      ['pinned', 0, 1],
      ['last', 3, 0],
    ]);
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
    const plan = parseRolloutSpec({
      ...base,
      soak: '1m',
      failureBudget: { maxFailed: '5%' },
      waves: [
        { name: 'canary', size: 1, approval: { timeout: '2h' } },
        { name: 'all', approval: true, soak: '10s' },
      ],
    });
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
      waves: [
        { name: 'a', size: 1, clusters: ['5e08fe67-1274-475d-bd0c-a65b0330507f'] },
        { name: 'b' },
        { name: 'a', size: '150%' },
        { name: 'c', clusters: ['5e08fe67-1274-475d-bd0c-a65b0330507f'], approval: { onTimeout: 'later' } },
      ],
    });
    expect(result.ok).toBe(false);
    const fields = !result.ok ? result.problems.map((p) => `${p.field}: ${p.message}`) : [];
    expect(fields).toEqual(
      expect.arrayContaining([
        'waves[0]: set size or clusters, not both',
        'waves[1]: only the last wave may omit size, clusters and match (it takes the rest)',
        'waves[2].name: wave "a" is named twice',
        expect.stringMatching(/^waves\[2\]\.size/),
        expect.stringMatching(/^waves\[3\]\.approval/),
        'waves[3].clusters[0]: cluster 5e08fe67-1274-475d-bd0c-a65b0330507f is in more than one wave',
      ]),
    );
  });
});
