/**
 * The rollout's current details (markdown in the Temporal UI): what they say, and that
 * they stay small and well-formed whatever the fleet, the waves and the platform's
 * messages.
 */
import { describe, expect, it } from 'vitest';
import { emptyCounts, type ClusterResult, type OutcomeCounts, type WaveSummary } from '../../src/domain/report.js';
import {
  MAX_WARNINGS,
  MAX_WAVE_ROWS,
  renderRolloutDetails,
  type RolloutDetailsView,
} from '../../src/workflows/rollout/view/details.js';
import { detailsOf, signalsOf } from '../../src/workflows/rollout/view/progress.js';
import { Rollout } from '../../src/workflows/rollout/state.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';

const counts = (partial: Partial<OutcomeCounts>): OutcomeCounts => ({ ...emptyCounts(), ...partial });
const wave = (name: string, state: WaveSummary['state'], total: number, c: Partial<OutcomeCounts>): WaveSummary => ({
  name,
  state,
  total,
  maxParallel: 10,
  counts: counts(c),
});
const failure = (name: string, message: string): ClusterResult => ({
  clusterId: name,
  name,
  outcome: 'FAILED',
  fromVersion: '1.30.2',
  requests: 3,
  retries: 2,
  reschedules: 0,
  message,
});

const VIEW: RolloutDetailsView = {
  where: 'avisi/acme',
  targetVersion: '1.31',
  resolvedVersion: '1.31.6',
  phase: 'upgrading',
  percent: 40,
  total: 10,
  ended: 4,
  failed: 1,
  running: 2,
  pending: 4,
  counts: counts({ SUCCEEDED: 3, FAILED: 1 }),
  waves: [wave('canary', 'done', 1, { SUCCEEDED: 1 }), wave('rest', 'upgrading', 9, { SUCCEEDED: 2, FAILED: 1 })],
  currentWave: 1,
  latestFailures: [failure('edge-7', 'upgrade failed: node pool drain timed out')],
};

/** The lines of the fenced wave block, its header first. */
const block = (markdown: string) => {
  const lines = markdown.split('\n');
  const from = lines.indexOf('```');
  const to = lines.indexOf('```', from + 1);
  expect(from).toBeGreaterThan(0);
  expect(to).toBeGreaterThan(from);
  return lines.slice(from + 1, to);
};
const waveRows = (markdown: string) => block(markdown).slice(1);

describe('renderRolloutDetails', () => {
  it('says where the rollout is, a row per wave in aligned columns with ended/total and outcomes, and what failed', () => {
    const markdown = renderRolloutDetails(VIEW);
    expect(markdown.split('\n')[0]).toBe('**avisi/acme → 1.31** (1.31.6) · **upgrading** · wave rest');
    expect(markdown).toContain(
      '40% ended (4 of 10 clusters) · 2 upgrading · 4 waiting · 3 succeeded · 0 skipped · 1 failed',
    );
    // A code block, not a table: the Temporal UI draws a table's cells with no padding.
    expect(block(markdown)).toEqual([
      '  wave    state       ended  succeeded  failed',
      '  canary  done       1 of 1          1       0',
      '> rest    upgrading  3 of 9          2       1',
    ]);
    expect(markdown).not.toMatch(/^\|/m);
    expect(markdown).toContain('- edge-7 FAILED: upgrade failed: node pool drain timed out');
  });

  it('names a stop and its reason, and no current wave once the rollout has ended', () => {
    const markdown = renderRolloutDetails({
      ...VIEW,
      phase: 'halted',
      stop: { status: 'HALTED', reason: 'failure budget exceeded: 2 failed, 1 allowed' },
    });
    expect(markdown.split('\n')[0]).toBe('**avisi/acme → 1.31** (1.31.6) · **halted**');
    expect(markdown).toContain('**HALTED**: failure budget exceeded: 2 failed, 1 allowed');
  });

  it('shows a window of waves around the current one and folds the rest, counts kept', () => {
    const waves = Array.from({ length: 51 }, (_, i) =>
      wave(
        `w${i}`,
        i < 30 ? 'done' : i === 30 ? 'upgrading' : 'pending',
        100,
        i < 30 ? { SUCCEEDED: 99, FAILED: 1 } : i === 30 ? { SUCCEEDED: 5 } : {},
      ),
    );
    const rows = waveRows(renderRolloutDetails({ ...VIEW, waves, currentWave: 30 }));
    expect(rows).toHaveLength(MAX_WAVE_ROWS);
    expect(rows[0]).toBe('  … 28 earlier waves             2800 of 2800       2772      28');
    expect(rows).toContain('> w30                 upgrading      5 of 100          5       0');
    expect(rows.at(-1)).toBe('  … 15 later waves                  0 of 1500          0       0');
  });

  it('adds an outcome column once a wave shown has that outcome, each value right-aligned under its name', () => {
    const waves = [
      wave('canary', 'done', 2, { SUCCEEDED: 1, SKIPPED: 1 }),
      wave('rest', 'stopped', 12, { MISSED: 2, SUPERSEDED: 1, CANCELLED: 3, NOT_STARTED: 4 }),
    ];
    const lines = block(renderRolloutDetails({ ...VIEW, phase: 'halted', waves, currentWave: 1 }));
    expect(lines).toEqual([
      '  wave    state       ended  succeeded  skipped  failed  missed  superseded  stopped',
      '  canary  done       2 of 2          1        1       0       0           0        0',
      '> rest    stopped  10 of 12          0        0       0       2           1        7',
    ]);
    // Every value ends where its column's name ends.
    const ends = (line: string) => [...line.matchAll(/\S+(?= {2}|$)/g)].map((m) => m.index + m[0].length).slice(-7);
    for (const line of lines.slice(1)) expect(ends(line)).toEqual(ends(lines[0]!));
    // No outcome column when no wave shown has that outcome (the header line counts the rest).
    expect(block(renderRolloutDetails({ ...VIEW, waves: [wave('canary', 'done', 1, { SUCCEEDED: 1 })] }))[0]).toBe(
      '  wave    state   ended  succeeded  failed',
    );
  });

  it('says in one line how many clusters were excluded or matched no wave, and what planning warned of', () => {
    const markdown = renderRolloutDetails({
      ...VIEW,
      excluded: 3,
      unmatched: 2,
      warnings: ['waves[1] (staging).match region "eu-west-9": no cluster of the fleet has it'],
    });
    const lines = markdown.split('\n');
    const line =
      '3 excluded · 2 matched no wave (skipped) · warning: waves\\[1\\] (staging).match region "eu-west-9": no cluster of the fleet has it';
    expect(lines).toContain(line);
    // Right under the counts, before the wave table.
    expect(lines.indexOf(line)).toBe(lines.findIndex((l) => l.startsWith('40% ended')) + 2);
    expect(renderRolloutDetails({ ...VIEW, unmatched: 1 }).split('\n')).toContain('1 matched no wave (skipped)');
    expect(renderRolloutDetails(VIEW)).not.toMatch(/excluded|matched no wave|warning/);
  });

  it("takes the counts and warnings from planning's notes on the rollout", () => {
    const rollout = Rollout.start(
      'r',
      parseRolloutSpec({
        platform: 'avisi',
        organisation: 'acme',
        targetVersion: '1.31',
        unmatched: 'skip',
        waves: [{ name: 'dev', match: { environment: 'development' } }],
      }),
      '2026-11-30T00:00:00.000Z',
    );
    const sample = (count: number) => ({ count, clusters: [{ id: 'x', name: 'data-01' }] });
    const hops = [{ version: '1.31.6', requestVersion: 'v1.31.6-u-ame.1', clusters: 4, listed: 0, waves: [4] }];
    rollout.planned({
      resolvedVersion: 'v1.31.6-u-ame.1',
      hops,
      total: 6,
      atTarget: 0,
      excluded: sample(5),
      unmatched: sample(2),
      warnings: ['exclude[0] name "dat-*": no cluster of the fleet has it'],
      apiRatePerMinute: 0,
    });
    const view = detailsOf(rollout, signalsOf(rollout));
    expect(view).toMatchObject({
      excluded: 5,
      unmatched: 2,
      warnings: ['exclude[0] name "dat-*": no cluster of the fleet has it'],
    });
    expect(renderRolloutDetails(view)).toContain(
      '5 excluded · 2 matched no wave (skipped) · warning: exclude\\[0\\] name "dat-\\*": no cluster of the fleet has it',
    );
  });

  it('shows at most a few warnings, each clipped, and counts the rest', () => {
    const warnings = Array.from(
      { length: 40 },
      (_, i) => `exclude[${i}] name "${'x'.repeat(300)}": no cluster of the fleet has it`,
    );
    const line = renderRolloutDetails({ ...VIEW, excluded: 1, warnings })
      .split('\n')
      .find((l) => l.startsWith('1 excluded'))!;
    expect(line.startsWith('1 excluded · warnings: exclude\\[0\\] name "xxx')).toBe(true);
    expect(line.endsWith(`…; and ${40 - MAX_WARNINGS} more`)).toBe(true);
    expect(line.split('; ')).toHaveLength(MAX_WARNINGS + 1);
    expect(line.length).toBeLessThan(MAX_WARNINGS * 130 + 60);
  });

  it('keeps platform text from breaking the wave block or the page, and stays small', () => {
    // Spec validation keeps backticks and line breaks out of wave names; the block holds even so.
    const waves = Array.from({ length: 51 }, (_, i) =>
      wave(i === 0 ? '```\n```' : `wave-${'x'.repeat(80)}-${i}`, 'pending', 100, {}),
    );
    const nasty = failure('a|b`<script>', `${'very long reason | with pipes '.repeat(40)}\nsecond line`);
    const markdown = renderRolloutDetails({
      ...VIEW,
      where: `avisi/${'o'.repeat(500)}`,
      waves,
      failed: 500,
      latestFailures: Array.from({ length: 5 }, () => nasty),
    });
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('a\\|b\\`\\<script\\>');
    expect(markdown).toContain('(the latest 5 of 500)');
    for (const line of markdown.split('\n').filter((l) => l.startsWith('- ')))
      expect(line.replace(/\\\|/g, '').includes('|')).toBe(false);
    expect(markdown.split('\n').filter((l) => l.trimStart().startsWith('```'))).toEqual(['```', '```']);
    expect(waveRows(markdown)).toHaveLength(MAX_WAVE_ROWS - 1); // the first waves, then the rest folded
    expect(waveRows(markdown)[0]).toMatch(/^ {2}''' '''\s+pending/);
    expect(Math.max(...block(markdown).map((l) => l.length))).toBeLessThan(120);
    expect(markdown.length).toBeLessThan(4_000);
  });
});
