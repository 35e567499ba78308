/**
 * `fleet rollout watch` names the clusters running (issue 17): by name, by
 * `platform/organisation/name` in a rollout over several targets, and by id when the
 * worker's progress carries no names (a worker from before).
 */
import { describe, expect, it } from 'vitest';
import { renderProgress } from '../../src/cli/progress-view.js';
import { emptyCounts, type RolloutProgress } from '../../src/domain/report.js';

const progress = (extra: Partial<RolloutProgress>): RolloutProgress => ({
  rolloutId: 'weekly',
  phase: 'upgrading',
  targetVersion: '1.31',
  total: 8,
  pending: 2,
  running: ['3f0c-1', '3f0c-2', '3f0c-3', '3f0c-4', '3f0c-5', '3f0c-6'],
  counts: emptyCounts(),
  paused: false,
  waves: [],
  ...extra,
});
const names = ['web-01', 'web-02', 'edge-19', 'api-04', 'ops-05', 'data-06'];

describe('watch: the clusters running', () => {
  it('by name', () => {
    const p = progress({ runningClusters: names.map((name, i) => ({ id: `3f0c-${i + 1}`, name })) });
    expect(renderProgress(p).at(-1)).toBe('  running: web-01, web-02, edge-19, api-04, ops-05 and 1 more');
  });

  it('where each is, over several targets', () => {
    const p = progress({
      running: ['a', 'b'],
      runningClusters: [
        { id: 'a', name: 'edge-19', platform: 'avisi', organisation: 'acme' },
        { id: 'b', name: 'edge-19', platform: 'avisi', organisation: 'beta' },
      ],
    });
    expect(renderProgress(p).at(-1)).toBe('  running: avisi/acme/edge-19, avisi/beta/edge-19');
  });

  it('by id from a worker that sends no names', () => {
    expect(renderProgress(progress({})).at(-1)).toBe('  running: 3f0c-1, 3f0c-2, 3f0c-3, 3f0c-4, 3f0c-5 and 1 more');
  });
});
