/**
 * The spec parser, the first door: every bad spec in the shared table is rejected with
 * exactly its problems, each naming the field and what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { validateRolloutSpec } from '../../src/domain/spec.js';
import { BAD_SPECS, clusterUuids, expectProblems, problemsOf, type SpecBase } from '../support/bad-specs.js';

const BASE: SpecBase = {
  avisi: { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' },
  aether: { platform: 'aether', organisation: '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0', targetVersion: '1.31' },
};

describe('bad specs at the parser', () => {
  it('accepts both bases (each case breaks a valid spec)', () => {
    expect(validateRolloutSpec(BASE.avisi).ok).toBe(true);
    expect(validateRolloutSpec(BASE.aether).ok).toBe(true);
  });

  it.each(BAD_SPECS.map((c) => [c.name, c] as const))('rejects %s, naming each problem', (_name, bad) => {
    expectProblems(problemsOf(bad.spec(BASE)), bad.problems);
  });

  it('counts a list before it checks its items: 100,001 well-formed ids are one problem too', () => {
    expect(problemsOf({ ...BASE.aether, clusters: clusterUuids(100_001) })).toEqual([
      { field: 'clusters', message: expect.stringMatching(/^lists 100001 clusters; at most 100000/) },
    ]);
  });

  it('takes 100,000 distinct clusters, the most one rollout may list', () => {
    const result = validateRolloutSpec({ ...BASE.aether, clusters: clusterUuids(100_000) });
    expect(result.ok && result.plan.clusters?.length).toBe(100_000);
  });

  it('keeps a rejection small whatever the spec holds: ten thousand unknown fields are fifty lines', () => {
    const problems = problemsOf({
      ...BASE.avisi,
      ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`field${i}`, i])),
    });
    expect(problems).toHaveLength(50);
    expect(problems.at(-1)).toEqual({ field: 'spec', message: 'and 9951 more problems' });
  });
});
