/**
 * How the CLI prints a plan and a report: `fleet rollout plan` reads wave by wave and
 * names the clusters excluded or matching no wave, and planning's warnings; a report,
 * `status`/`watch` and the demo mention them briefly. Pure: a report in, text out.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/cli/commands/rollout-plan.js';
import { renderProgress } from '../../src/cli/progress-view.js';
import { formatReport, progressLine } from '../../src/cli/rollouts.js';
import { namesOf } from '../../src/cli/targeting-notes.js';
import {
  emptyCounts,
  type ClusterResult,
  type RolloutProgress,
  type RolloutReport,
  type WaveSummary,
} from '../../src/domain/report.js';

const wave = (name: string, total: number): WaveSummary => ({
  name,
  state: 'done',
  total,
  maxParallel: 5,
  counts: emptyCounts(),
});
const planned = (name: string, wave: string): ClusterResult => ({
  clusterId: `id-${name}`,
  name,
  outcome: 'SKIPPED',
  fromVersion: '1.30.4',
  requests: 0,
  retries: 0,
  reschedules: 0,
  wave,
  message: 'would upgrade via 1.31.6',
});
const sample = (count: number, names: string[]) => ({
  count,
  clusters: names.map((name) => ({ id: `id-${name}`, name })),
});

const PLAN: RolloutReport = {
  rolloutId: 'plan-avisi-acme-1.31',
  status: 'SUCCEEDED',
  platform: 'avisi',
  organisation: 'acme',
  targetVersion: '1.31',
  resolvedVersion: 'v1.31.6-u-ame.1',
  dryRun: true,
  // 4 to upgrade (their lines are no outcome count), 2 matching no wave, 1 at the target already.
  total: 7,
  counts: { ...emptyCounts(), SKIPPED: 3 },
  // Out of wave order on purpose: the plan reads wave by wave whatever the report's order.
  clusters: [
    planned('api-04', 'development'),
    planned('web-01', 'canary'),
    planned('data-06', 'production'),
    planned('web-03', 'development'),
  ],
  excluded: sample(
    23,
    Array.from({ length: 20 }, (_, i) => `data-${String(i + 10)}`),
  ),
  unmatched: sample(2, ['ops-07', 'ml-08']),
  warnings: ['waves[2] (production).match region "eu-west-9": no cluster of the fleet has it'],
  hops: ['1.31.6'],
  waves: [wave('canary', 1), wave('development', 2), wave('production', 1)],
  actions: [],
  actionCount: 0,
  startedAt: '2026-11-22T10:15:00.000Z',
  finishedAt: '2026-11-22T10:15:03.000Z',
};

describe('fleet rollout plan', () => {
  it('lists each wave with its clusters in wave order, then the excluded, the unmatched (SKIPPED) and the warnings', () => {
    const excludedNames = Array.from({ length: 20 }, (_, i) => `data-${String(i + 10)}`).join(', ');
    expect(formatPlan(PLAN).split('\n')).toEqual([
      'plan plan-avisi-acme-1.31: avisi/acme -> 1.31 (v1.31.6-u-ame.1)',
      '  7 clusters: 4 to upgrade, 1 at the target already, 2 matching no wave; path 1.31.6',
      '  waves: canary (1, 1 at once), development (2, 2 at once), production (1, 1 at once)',
      '',
      'WAVE         CLUSTER  ID          NOW     PLAN',
      'canary       web-01   id-web-01   1.30.4  would upgrade via 1.31.6',
      'development  api-04   id-api-04   1.30.4  would upgrade via 1.31.6',
      'development  web-03   id-web-03   1.30.4  would upgrade via 1.31.6',
      'production   data-06  id-data-06  1.30.4  would upgrade via 1.31.6',
      '',
      `  excluded: 23 clusters, never touched: ${excludedNames} and 3 more`,
      '  unmatched: 2 clusters match no wave and will be SKIPPED (not upgraded): ops-07, ml-08',
      '  warning: waves[2] (production).match region "eu-west-9": no cluster of the fleet has it',
    ]);
  });

  it('a per-minor plan: each cluster with its own target, each minor its group, and the clusters left alone', () => {
    const { excluded: _e, unmatched: _u, warnings: _w, ...plain } = PLAN;
    const lines = formatPlan({
      ...plain,
      targetVersion: 'latest-patch',
      total: 2,
      counts: emptyCounts(),
      minors: [
        { minor: '1.29', to: '1.29.14', clusters: 1, atTarget: 2 },
        { minor: '1.30', to: '1.30.10', clusters: 1, atTarget: 0 },
      ],
      leftAlone: [{ why: 'avisi no longer offers 1.28', ...sample(1, ['old-01']) }],
      clusters: [
        {
          ...planned('web-01', 'canary'),
          fromVersion: '1.29.10',
          toVersion: '1.29.14',
          message: 'would upgrade via 1.29.14',
        },
        { ...planned('api-04', 'development'), toVersion: '1.30.10', message: 'would upgrade via 1.30.10' },
      ],
    }).split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'plan plan-avisi-acme-1.31: avisi/acme -> latest-patch (per minor)',
      '  2 clusters; one pass, each cluster to its own minor',
    ]);
    expect(lines.slice(4)).toEqual([
      'WAVE         CLUSTER  ID         NOW      TO       PLAN',
      'canary       web-01   id-web-01  1.29.10  1.29.14  would upgrade via 1.29.14',
      'development  api-04   id-api-04  1.30.4   1.30.10  would upgrade via 1.30.10',
      '',
      '  per minor: 1.29 -> 1.29.14 (1, 2 current) · 1.30 -> 1.30.10 (1)',
      '  left alone: 1 cluster, avisi no longer offers 1.28: old-01',
    ]);
  });

  it('says nothing of targeting when planning found nothing to say', () => {
    const { excluded: _e, unmatched: _u, warnings: _w, ...plain } = PLAN;
    const text = formatPlan({ ...plain, total: 4, counts: emptyCounts() });
    expect(text).not.toMatch(/excluded|unmatched|warning/);
    expect(text.split('\n')[1]).toBe('  4 clusters; path 1.31.6');
    expect(text.split('\n').at(-1)).toBe('production   data-06  id-data-06  1.30.4  would upgrade via 1.31.6');
  });
});

describe('reports, status and watch', () => {
  const REPORT: RolloutReport = {
    ...PLAN,
    rolloutId: 'acme-1.31',
    dryRun: false,
    counts: { ...emptyCounts(), SUCCEEDED: 4, SKIPPED: 3 },
    clusters: [],
    unmatched: sample(1, ['ops-07']),
    warnings: ['w1', 'w2', 'w3', 'w4', 'w5'],
  };

  it('the report names the first few excluded and unmatched clusters and the first warnings, briefly', () => {
    const lines = formatReport(REPORT).split('\n');
    expect(lines.filter((line) => /excluded|unmatched|warning/.test(line))).toEqual([
      '  excluded: 23 clusters, never touched: data-10, data-11, data-12, data-13, data-14 and 18 more',
      '  unmatched: 1 cluster matches no wave and was SKIPPED (not upgraded): ops-07',
      '  warning: w1',
      '  warning: w2',
      '  warning: w3',
      '  ... and 2 more warnings (--json has them all)',
    ]);
    // Right after the waves, before the clusters' lines and the operator actions.
    expect(lines.findIndex((line) => line.startsWith('  excluded: '))).toBe(
      lines.findIndex((line) => line.startsWith('  waves: ')) + 1,
    );
  });

  it('a report without targeting notes is printed as before', () => {
    const { excluded: _e, unmatched: _u, warnings: _w, ...plain } = REPORT;
    expect(formatReport(plain)).not.toMatch(/excluded|unmatched|warning/);
  });

  const progress: RolloutProgress = {
    rolloutId: 'acme-1.31',
    phase: 'upgrading',
    targetVersion: '1.31',
    total: 6,
    pending: 2,
    running: [],
    counts: { ...emptyCounts(), SUCCEEDED: 2, SKIPPED: 2 },
    paused: false,
    waves: [wave('canary', 1)],
  };

  it('live progress adds one short line when it carries targeting notes, and none otherwise', () => {
    const noted = { ...progress, excluded: REPORT.excluded, unmatched: REPORT.unmatched, warnings: ['w1'] };
    expect(renderProgress(noted)[3]).toBe('  excluded 23 · unmatched 1 (SKIPPED) · 1 warning');
    expect(renderProgress(progress)).toHaveLength(4);
    expect(progressLine(noted)).toMatch(/superseded 0 \(excluded 23 · unmatched 1 \(SKIPPED\) · 1 warning\)$/);
    expect(progressLine(progress)).toMatch(/superseded 0$/);
  });

  it('names a sample, and counts what it leaves out', () => {
    expect(namesOf(sample(3, ['a', 'b', 'c']), 5)).toBe('a, b, c');
    expect(namesOf(sample(30, ['a', 'b', 'c']), 2)).toBe('a, b and 28 more');
    expect(namesOf(sample(4, []), 2)).toBe('4 not named');
  });
});

describe('a rollout over several targets', () => {
  const targets = [
    { platform: 'aether' as const, organisation: '2489e9ad-2ee2-4e00-8ec9-32d5f69181c0', resolvedVersion: '1.31' },
    { platform: 'avisi' as const, organisation: 'acme', resolvedVersion: 'v1.31.6-u-ame.1' },
  ];
  const report: RolloutReport = {
    ...PLAN,
    platform: 'aether',
    organisation: targets[0]!.organisation,
    targets,
    resolvedVersion: '1.31',
    clusters: [
      { ...planned('web-01', 'canary'), platform: 'aether', organisation: targets[0]!.organisation },
      { ...planned('api-04', 'development'), platform: 'avisi', organisation: 'acme' },
    ],
  };

  it('names every target, each with the version the target resolved to there, and where each planned cluster is', () => {
    const plan = formatPlan(report);
    expect(plan.split('\n')[0]).toBe(
      `plan plan-avisi-acme-1.31: aether/${targets[0]!.organisation} + avisi/acme -> 1.31 (aether 1.31, avisi v1.31.6-u-ame.1)`,
    );
    expect(plan).toMatch(/WAVE\s+WHERE\s+CLUSTER/);
    expect(plan).toMatch(new RegExp(`canary\\s+aether/${targets[0]!.organisation}\\s+web-01`));
    expect(plan).toMatch(/development\s+avisi\/acme\s+api-04/);
    expect(formatReport(report)).toContain(
      `aether/${targets[0]!.organisation} + avisi/acme -> 1.31 (aether 1.31, avisi v1.31.6-u-ame.1)`,
    );
  });
});
