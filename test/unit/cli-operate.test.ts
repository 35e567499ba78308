/**
 * The pure parts of the operator commands: the visibility query `rollout list` builds,
 * the schedule flags, and the picture `rollout watch` draws.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { emptyCounts, type RolloutProgress } from '../../src/domain/report.js';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes.js';
import { renderProgress } from '../../src/cli/progress-view.js';
import { rolloutListQuery } from '../../src/cli/rollout-query.js';
import { scheduleSpecOf, type ScheduleFlags } from '../../src/cli/schedule-options.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { buildProgram } from '../../src/cli/program.js';

const fleet = (...args: string[]) => fleetWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, ...args);

describe('rollout list query', () => {
  it('lists rollouts once each, narrowed by the filters given', () => {
    expect(rolloutListQuery({})).toBe('WorkflowType = "fleetRollout" AND ExecutionStatus != "ContinuedAsNew"');
    expect(
      rolloutListQuery({
        platform: 'aether',
        target: '1.31',
        phase: 'upgrading',
        status: 'running',
        failed: true,
        query: 'StartTime > "2026-11-01T00:00:00Z"',
      }),
    ).toBe(
      'WorkflowType = "fleetRollout" AND ExecutionStatus != "ContinuedAsNew" AND FleetPlatform = "aether" AND FleetTargetVersion = "1.31" AND FleetPhase = "upgrading" AND ExecutionStatus = "Running" AND FleetFailedClusters > 0 AND (StartTime > "2026-11-01T00:00:00Z")',
    );
  });

  it.each([
    [{ platform: 'gke' }, /--platform: one of avisi, aether, got "gke"/],
    [{ target: 'latest' }, /--target: not a Kubernetes version: "latest"/],
    [{ status: 'done' }, /--status: one of Running, Completed/],
    [{ organisation: 'acme" OR 1=1' }, /--organisation: letters, digits/],
    [{ phase: 'stuck' }, /--phase: one of planning, awaiting-approval, .*, got "stuck"$/],
    // A near miss gets the name it most likely meant.
    [{ platform: 'avsi' }, /--platform: one of avisi, aether, got "avsi"; did you mean avisi\?$/],
    [{ status: 'runing' }, /--status: one of Running, .*, got "runing"; did you mean Running\?$/],
    [{ phase: 'haltd' }, /--phase: one of planning, .*, got "haltd"; did you mean halted\?$/],
  ])('rejects %j by flag', (filter, message) => {
    expect(() => rolloutListQuery(filter)).toThrow(message);
  });
});

describe('schedule flags', () => {
  const base: ScheduleFlags = { overlap: 'skip', catchupWindow: '1h' };

  it('builds the recipe: Saturdays 02:00 in a time zone, skip overlaps, an explicit catch-up window', () => {
    expect(scheduleSpecOf({ ...base, cron: ['0 2 * * 6'], timezone: 'Europe/Amsterdam', catchupWindow: '2h' })).toEqual(
      {
        spec: { cronExpressions: ['0 2 * * 6'], timezone: 'Europe/Amsterdam' },
        policies: { overlap: 'SKIP', catchupWindow: 7_200_000, pauseOnFailure: false },
        state: { paused: false },
      },
    );
  });

  it('takes calendars as JSON and intervals with an offset', () => {
    const { spec } = scheduleSpecOf({
      ...base,
      calendar: ['{"dayOfWeek":"SATURDAY","hour":2}'],
      every: '7d',
      offset: '2h',
      paused: true,
      note: 'freeze',
    } as ScheduleFlags);
    expect(spec).toEqual({
      calendars: [{ dayOfWeek: 'SATURDAY', hour: 2 }],
      intervals: [{ every: 604_800_000, offset: 7_200_000 }],
    });
  });

  it.each([
    [{}, /when to run: give --cron, --calendar or --every/],
    [{ cron: ['every saturday'] }, /--cron: five fields/],
    [{ calendar: ['{"dayOfWeek":"SATERDAY"}'] }, /--calendar: dayOfWeek/],
    [{ calendar: ['{"hour":25}'] }, /--calendar: hour/],
    [{ calendar: ['hour=2'] }, /--calendar: not JSON/],
    [{ every: '0s' }, /--every: a duration such as 30m, 12h or 7d of at least 1s/],
    [{ offset: '1h', cron: ['@daily'] }, /--offset: only with --every/],
    [
      { cron: ['@daily'], timezone: 'Mars/Olympus' },
      /--timezone: not an IANA time zone: "Mars\/Olympus" \(e\.g\. Europe\/Amsterdam\)$/,
    ],
    [
      { cron: ['@daily'], timezone: 'Europe/Amsterdm' },
      /--timezone: not an IANA time zone: "Europe\/Amsterdm" \(did you mean "Europe\/Amsterdam"\?\)$/,
    ],
    [
      { cron: ['@daily'], overlap: 'queue' },
      /--overlap: one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all, got "queue"$/,
    ],
    [{ cron: ['@daily'], overlap: 'bufer-all' }, /--overlap: one of .*, got "bufer-all"; did you mean buffer-all\?$/],
    [{ cron: ['@daily'], catchupWindow: '1s' }, /--catchup-window: .* of at least 10s/],
  ])('rejects %j by flag', (flags, message) => {
    expect(() => scheduleSpecOf({ ...base, ...flags } as ScheduleFlags)).toThrow(message);
  });

  it('checks schedule flags before connecting to anything (exit 2, one line)', async () => {
    const result = await fleet(
      'schedule',
      'create',
      'weekly',
      '--platform',
      'avisi',
      '--organisation',
      'acme',
      '--target',
      '1.31',
      '--cron',
      '0 2 * * 6',
      '--timezone',
      'Nowhere/Land',
    );
    expect(result).toMatchObject({
      code: EXIT.USAGE,
      stdout: '',
      stderr: 'fleet: --timezone: not an IANA time zone: "Nowhere/Land" (e.g. Europe/Amsterdam)\n',
    });
    const spec = await fleet(
      'schedule',
      'create',
      'weekly',
      '--platform',
      'avisi',
      '--organisation',
      'acme',
      '--target',
      '1.29.0.1',
      '--cron',
      '0 2 * * 6',
    );
    expect(spec).toMatchObject({
      code: EXIT.USAGE,
      stderr: expect.stringMatching(/targetVersion: not a Kubernetes version/),
    });
  });
});

describe('rollout watch picture', () => {
  const progress: RolloutProgress = {
    rolloutId: 'weekly',
    phase: 'upgrading',
    targetVersion: '1.31',
    resolvedVersion: '1.31.6',
    total: 10,
    pending: 5,
    running: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    counts: { ...emptyCounts(), SUCCEEDED: 2, FAILED: 1 },
    paused: true,
    maxParallel: 7,
    waves: [
      { name: 'canary', state: 'done', total: 1, maxParallel: 1, counts: { ...emptyCounts(), SUCCEEDED: 1 } },
      {
        name: 'rest',
        state: 'upgrading',
        total: 9,
        maxParallel: 7,
        counts: { ...emptyCounts(), SUCCEEDED: 1, FAILED: 1 },
      },
    ],
    currentWave: 1,
  };

  it('shows the rollout, each wave with its outcomes, and who is running', () => {
    expect(renderProgress(progress)).toEqual([
      'weekly -> 1.31.6  upgrading  PAUSED',
      '  [######..............] 3/10 ended, 7 running, 5 pending, max 7 at once',
      '  succeeded 2 failed 1',
      '  canary       done              [####################]         1/1  succeeded 1',
      '> rest         upgrading         [####................]         2/9  succeeded 1 failed 1',
      '  running: a, b, c, d, e and 2 more',
    ]);
  });

  it('maps each way a rollout ends to its own exit code', () => {
    expect([
      exitCodeOf({ status: 'SUCCEEDED' }),
      exitCodeOf({ status: 'PARTIAL' }),
      exitCodeOf({ status: 'HALTED' }),
      exitCodeOf({ status: 'ABORTED' }),
    ]).toEqual([0, 3, 4, 5]);
  });
});

describe('every command has help with an example', () => {
  /** Every leaf of the command tree, walked rather than listed, so a new command cannot be missed. */
  const leaves = (cmd: Command, path: string[] = []): [string, Command][] =>
    cmd.commands.length === 0
      ? [[path.join(' '), cmd]]
      : cmd.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
  const commands = leaves(buildProgram());

  it('covers the operator loop', () => {
    expect(commands.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'rollout start',
        'rollout plan',
        'rollout status',
        'rollout watch',
        'rollout list',
        'rollout pause',
        'rollout resume',
        'rollout approve',
        'rollout abort',
        'rollout skip',
        'rollout retry',
        'schedule create',
        'schedule list',
        'schedule describe',
        'schedule pause',
        'schedule unpause',
        'schedule trigger',
        'schedule delete',
      ]),
    );
  });

  it.each(commands)('fleet %s --help', (_name, cmd) => {
    let help = '';
    cmd.configureOutput({ writeOut: (text) => (help += text) });
    cmd.outputHelp();
    expect(help).toMatch(/Examples?:\n(\s+#.*\n)*\s+.*\b(fleet|npm run) /);
  });

  it('read commands take --json', () => {
    for (const [name, cmd] of commands.filter(([name]) =>
      /^(rollout (start|plan|status|watch|list)|schedule (list|describe))$/.test(name),
    )) {
      expect(
        cmd.options.map((o) => o.long),
        name,
      ).toContain('--json');
    }
  });
});
