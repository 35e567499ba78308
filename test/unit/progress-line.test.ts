/**
 * `fleet rollout status` (and start --wait, steer commands, the demo) print one line of
 * progress: the running clusters are named there, not only counted (issue 17).
 */
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/rollouts.js';
import { emptyCounts, type RolloutProgress } from '../../src/domain/report.js';

const base: RolloutProgress = {
  rolloutId: 'acme-1.31',
  phase: 'upgrading',
  targetVersion: '1.31',
  total: 9,
  pending: 2,
  running: [],
  counts: emptyCounts(),
  paused: false,
  waves: [{ name: 'canary', state: 'upgrading', total: 9, maxParallel: 7, counts: emptyCounts() }],
};
const names = ['web-01', 'web-02', 'web-03', 'web-04', 'web-05', 'web-06', 'web-07'];

describe('progressLine', () => {
  it('names the running clusters, the first five and how many more', () => {
    const running = {
      ...base,
      running: names.map((n) => `id-${n}`),
      runningClusters: names.map((n) => ({ id: `id-${n}`, name: n })),
    };
    expect(progressLine(running)).toContain(
      '(running 7: web-01, web-02, web-03, web-04, web-05 and 2 more, pending 2)',
    );
  });

  it('says where each runs over several targets, and falls back to ids from a worker that sends no names', () => {
    const two = {
      ...base,
      running: ['a', 'b'],
      runningClusters: [
        { id: 'a', name: 'web-01', platform: 'aether' as const, organisation: 'acme' },
        { id: 'b', name: 'web-01', platform: 'avisi' as const, organisation: 'acme' },
      ],
    };
    expect(progressLine(two)).toContain('(running 2: aether/acme/web-01, avisi/acme/web-01, pending 2)');
    expect(progressLine({ ...base, running: ['id-1'] })).toContain('(running 1: id-1, pending 2)');
    expect(progressLine(base)).toContain('(running 0, pending 2)');
  });

  it('counts BLOCKED clusters among the done, and names them only when there are some', () => {
    const counts = { ...emptyCounts(), SUCCEEDED: 5, BLOCKED: 2 };
    expect(progressLine({ ...base, counts })).toMatch(/ 7\/9 done .* superseded 0 blocked 2$/);
    expect(progressLine(base)).not.toContain('blocked');
  });
});
