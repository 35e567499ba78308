/**
 * The spec described as it is (domain/spec-describe.ts): the lines the UI's static and
 * current details, `status`, `plan` and the report show, and their bound.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/cli/commands/rollout-plan.js';
import { formatReport, specSection } from '../../src/cli/rollouts.js';
import { specDetails } from '../../src/cli/spec-details.js';
import { emptyCounts, type RolloutReport } from '../../src/domain/report.js';
import { describeSpec, MAX_LINE, specTextLines } from '../../src/domain/spec-describe.js';
import { parseRolloutSpec, type RolloutSpec } from '../../src/domain/spec.js';
import { renderRolloutDetails, type RolloutDetailsView } from '../../src/workflows/rollout/view/details.js';

const ORG = '2489e9ad-1b8c-4f6e-9d0a-3c4b5a6d7e8f';
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const lines = (spec: RolloutSpec) => specTextLines(describeSpec(parseRolloutSpec(spec)));

describe('describeSpec', () => {
  it('names how each wave selects, exclude, unmatched, approvals, soaks, checks, gates, freezes and notify', () => {
    expect(
      lines({
        platform: 'aether',
        organisation: ORG,
        targetVersion: '1.31',
        maxParallel: 20,
        soak: '30m',
        waves: [
          {
            name: 'canary',
            match: { environment: 'staging', region: ['eu-west', 'eu-north'] },
            size: 1,
            gate: { name: 'errors', prometheus: { url: 'http://p:9090', query: 'up', max: 0.05 }, onFail: 'pause' },
          },
          {
            name: 'early',
            match: { name: 'web-*' },
            approval: { timeout: '24h', onTimeout: 'abort' },
            healthChecks: [
              { name: 'web', http: { url: 'http://h/{clusterName}', json: { field: 'status', equals: 'ok' } } },
            ],
          },
          {
            name: 'pinned',
            clusters: [id(1), id(2)],
            soak: '1h',
            failureBudget: { maxFailed: 1, countSuperseded: false },
          },
          { name: 'prod', match: { environment: 'production' }, maxParallel: 50, approval: true },
        ],
        exclude: [id(9), { environment: 'lab' }],
        unmatched: 'skip',
        healthChecks: [
          {
            name: 'ready',
            prometheus: { url: 'http://p:9090', query: 'up{cluster="{clusterName}"}', min: 1 },
            passFor: '2m',
          },
        ],
        freeze: [
          { from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z', reason: 'christmas' },
          {
            weekly: { days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Amsterdam' },
            reason: 'weekend',
          },
        ],
        notify: [{ channel: 'ops' }, { channel: 'oncall', events: ['rollout.halted', 'gate.failed'] }],
        failureBudget: { maxFailed: '2%' },
      }),
    ).toEqual([
      `target: aether/${ORG} → 1.31`,
      'clusters: every cluster of the organisation',
      `exclude: 2 excluded: ${id(9)}, environment=lab`,
      'unmatched: skip (clusters no wave selects are SKIPPED)',
      'wave canary: match environment=staging, region=eu-west|eu-north, first 1 · soak 30m · gate errors (prometheus max 0.05; pass for 1m, every 10s, within 10m), on failure pause',
      'wave early: match name=web-* · approval within 1d, else abort · soak 30m · health checks web (http status 200, status = "ok"; pass for 1m, every 10s, within 10m)',
      'wave pinned: 2 listed · soak 1h · failure budget at most 1 failed (superseded not counted)',
      'wave prod: match environment=production · 50 at once · approval',
      'health checks: ready (prometheus min 1; pass for 2m, every 10s, within 10m)',
      'freeze: 2026-12-24T00:00:00Z to 2026-12-27T00:00:00Z (christmas), weekly sat, sun 00:00-24:00 Europe/Amsterdam (weekend)',
      'notify: ops (every event), oncall (rollout.halted, gate.failed)',
      'limits: 20 at once · retry 2 · reschedule 2 · poll every 30s · 14d per attempt',
      'failure budget: at most 2% failed',
    ]);
  });

  it('says what the default waves, several targets, a size alone and a dry run do', () => {
    expect(
      lines({
        targets: [
          { platform: 'avisi', organisation: 'acme' },
          { platform: 'aether', organisation: ORG },
        ],
        targetVersion: '1.31',
        dryRun: true,
        notify: [{ channel: 'ops' }, { channel: 'qa', dryRun: true }],
      }),
    ).toEqual([
      `targets: avisi/acme + aether/${ORG} → 1.31 (dry run: nothing is changed)`,
      'clusters: every cluster of the 2 targets',
      'wave canary: next 1',
      'wave rest: the rest',
      'notify: ops (nothing: a dry run), qa (every event; dry runs too)',
      'limits: 10 at once · retry 2 · reschedule 2 · poll every 30s · 14d per attempt',
    ]);
    expect(
      lines({
        platform: 'avisi',
        organisation: 'acme',
        targetVersion: '1.31',
        clusters: [id(1)],
        waves: [{ name: 'all', clusters: [id(1)] }],
      }),
    ).toContain('unmatched: refuse (a cluster no wave selects stops planning)');
  });

  it('stays bounded with 50 waves and 1,000 excludes, naming the first and counting the rest', () => {
    const long = Array.from({ length: 10 }, (_, i) => `region-with-a-rather-long-name-${i}`);
    const gate = { name: 'g'.repeat(60), prometheus: { url: 'http://p:9090', query: 'up', min: 1 } };
    const checks = Array.from({ length: 5 }, (_, i) => ({ name: `check-${i}`, http: { url: 'http://h' } }));
    const waves = Array.from({ length: 50 }, (_, i) => ({
      name: `wave-${String(i).padStart(2, '0')}-${'x'.repeat(50)}`,
      match: { region: long, name: ['a*', 'b*'] },
      size: 1,
      healthChecks: checks,
      gate,
    }));
    const exclude = [...Array.from({ length: 999 }, (_, i) => id(i + 1)), { environment: 'lab' }];
    const freeze = Array.from({ length: 40 }, (_, i) => ({
      from: '2026-12-24T00:00:00Z',
      to: '2026-12-27T00:00:00Z',
      reason: `reason ${i} ${'r'.repeat(100)}`,
    }));
    const rolloutChecks = checks.map((c) => ({ ...c, name: `rollout-${c.name}` }));
    const plan = parseRolloutSpec({
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31',
      waves,
      exclude,
      freeze,
      healthChecks: rolloutChecks,
    });
    const described = specTextLines(describeSpec(plan));
    expect(described).toContain(`exclude: 1,000 excluded: ${id(1)}, ${id(2)}, ${id(3)} … and 997 more`);
    // Long waves fold sooner than short ones: the first ones get a line, the rest are named on one.
    const shown = described.filter((l) => l.startsWith('wave ')).length;
    expect(shown).toBeGreaterThan(5);
    expect(described.find((l) => l.startsWith('waves: '))).toMatch(
      new RegExp(`^waves: … and ${50 - shown} more: wave-${shown}-x+, `),
    );
    expect(described.find((l) => l.startsWith('freeze: '))).toMatch(/… and 37 more$/);
    // Each line's text is clipped; a label is at most a wave's name (63 characters) long.
    expect(Math.max(...describeSpec(plan).map((l) => l.text.length))).toBeLessThanOrEqual(MAX_LINE);
    expect(specDetails(plan).length).toBeLessThan(8_000);
  });

  it('gives 20 short waves a line each and names the other 30 on one', () => {
    const waves = Array.from({ length: 50 }, (_, i) => ({ name: `w${i}`, size: 1 }));
    const described = lines({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', waves });
    expect(described.filter((l) => l.startsWith('wave '))).toHaveLength(20);
    expect(described).toContain(
      `waves: … and 30 more: ${waves
        .slice(20)
        .map((w) => w.name)
        .join(', ')}`,
    );
  });
});

describe('specDetails (the static details) and the current details', () => {
  it('are markdown list items that show selectors and globs as written', () => {
    const plan = parseRolloutSpec({
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31.4',
      waves: [{ name: 'canary', match: { name: 'web_*' }, size: 1 }, { name: 'rest' }],
    });
    expect(specDetails(plan).split('\n')).toEqual([
      '- target: avisi/acme → 1.31.4',
      '- clusters: every cluster of the organisation',
      '- wave canary: match name=web\\_\\*, first 1',
      '- wave rest: the rest',
      '- limits: 10 at once · retry 2 · reschedule 2 · poll every 30s · 14d per attempt',
    ]);
  });

  it('the current details end with the spec, for a rollout started without static details', () => {
    const plan = parseRolloutSpec({
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31',
      exclude: [{ environment: 'lab' }],
      freeze: [{ from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z', reason: 'christmas' }],
    });
    const counts = emptyCounts();
    const view: RolloutDetailsView = {
      where: 'avisi/acme',
      targetVersion: '1.31',
      phase: 'upgrading',
      percent: 0,
      total: 3,
      ended: 0,
      failed: 0,
      running: 0,
      pending: 3,
      counts,
      waves: [],
      latestFailures: [],
      spec: describeSpec(plan),
    };
    const details = renderRolloutDetails(view).split('\n');
    expect(details.slice(details.indexOf('Spec:'))).toEqual(['Spec:', '', ...specDetails(plan).split('\n')]);
    expect(details).toContain('- exclude: 1 excluded: environment=lab');
    expect(details).toContain('- freeze: 2026-12-24T00:00:00Z to 2026-12-27T00:00:00Z (christmas)');
  });
});

describe('fleet rollout status, plan and the report', () => {
  const plan = parseRolloutSpec({
    platform: 'avisi',
    organisation: 'acme',
    targetVersion: '1.31',
    waves: [{ name: 'canary', match: { environment: 'staging' }, size: 1 }, { name: 'rest' }],
    exclude: [{ name: 'db-*' }],
  });
  const report: RolloutReport = {
    rolloutId: 'plan-avisi-acme-1.31',
    status: 'SUCCEEDED',
    platform: 'avisi',
    organisation: 'acme',
    targetVersion: '1.31',
    resolvedVersion: '1.31.6',
    dryRun: true,
    total: 0,
    counts: emptyCounts(),
    clusters: [],
    spec: describeSpec(plan),
    hops: ['1.31.6'],
    waves: [],
    actions: [],
    actionCount: 0,
    startedAt: '2026-11-22T10:15:00.000Z',
    finishedAt: '2026-11-22T10:15:03.000Z',
  };
  const expected = (indent: string) => [
    `${indent}spec:`,
    `${indent}  target: avisi/acme → 1.31`,
    `${indent}  clusters: every cluster of the organisation`,
    `${indent}  exclude: 1 excluded: name=db-*`,
    `${indent}  wave canary: match environment=staging, first 1`,
    `${indent}  wave rest: the rest`,
    `${indent}  limits: 10 at once · retry 2 · reschedule 2 · poll every 30s · 14d per attempt`,
  ];

  it('print the spec as it is under `spec:` (status prints the progress line, then specSection)', () => {
    expect(formatPlan(report).split('\n').slice(-7)).toEqual(expected(''));
    expect(formatReport(report).split('\n').slice(-7)).toEqual(expected('  '));
    expect(specSection(report.spec)).toEqual(expected('  '));
  });

  it('print nothing of it for a report from a worker that sends none', () => {
    const { spec: _spec, ...older } = report;
    expect(formatReport(older)).not.toContain('spec:');
    expect(specSection(undefined)).toEqual([]);
  });
});
