/**
 * The `fleet` CLI, the second door: every bad spec in the shared table, given as a spec
 * file (and bad flags), is refused with exit code 2, a line per problem naming the field,
 * no stack trace, and nothing connected. TEMPORAL_ADDRESS points at a port nothing
 * listens on: a command that tried to connect would say "cannot reach Temporal" and exit 1.
 */
import { describe, expect, it } from 'vitest';
import { fleet as fleetWith, type FleetResult } from '../support/fleet-cli.js';
import { specFiles } from '../support/spec-files.js';
import {
  BAD_SPECS,
  CLUSTER_A,
  clusterUuids,
  expectProblems,
  type ExpectedProblem,
  type SpecBase,
} from '../support/bad-specs.js';

const fleet = (...args: string[]) => fleetWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, ...args);

const BASE: SpecBase = {
  avisi: { platform: 'avisi', organisation: 'acme', targetVersion: '1.31' },
  aether: { platform: 'aether', organisation: '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0', targetVersion: '1.31' },
};

const specFile = specFiles('fleet-bad-input-');

/** The problems a refusal lists: `fleet: invalid rollout spec:`, then `  field: message` per line. */
function refusedProblems(result: FleetResult): { field: string; message: string }[] {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toMatch(/cannot reach Temporal/);
  const [head, ...lines] = result.stderr.trimEnd().split('\n');
  expect(head).toBe('fleet: invalid rollout spec:');
  return lines.map((line) => {
    const match = /^ {2}([^:\s]+): (.+)$/.exec(line);
    expect(match, `not a "  field: message" line: ${line}`).not.toBeNull();
    return { field: match![1]!, message: match![2]! };
  });
}

describe('bad specs at the CLI (rollout start -f)', () => {
  it.concurrent.each(BAD_SPECS.filter((c) => c.cli).map((c) => [c.name, c] as const))(
    'refuses %s, a line per problem',
    async (_name, bad) => {
      expectProblems(refusedProblems(await fleet('rollout', 'start', '-f', specFile(bad.spec(BASE)))), bad.problems);
    },
  );

  it.concurrent('refuses a spec file that is not a mapping of fields', async () => {
    const path = specFile([BASE.avisi]);
    const result = await fleet('rollout', 'start', '-f', path);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`fleet: --file ${path}: must hold a mapping of spec fields`);
  });
});

/** Problems of several kinds at once, through each command that takes a spec. */
const EVERYTHING_WRONG = {
  ...BASE.aether,
  organisation: 'acme',
  targetVersion: 1.31,
  clusters: ['not-a-uuid', CLUSTER_A, CLUSTER_A],
  maxParallel: '10',
  waves: Array.from({ length: 51 }, (_, i) => ({ name: `w${i}`, size: 1 })),
  colour: 'blue',
};
const EVERYTHING_WRONG_PROBLEMS: readonly ExpectedProblem[] = [
  { field: 'organisation', message: /^not an Aether organisation UUID: "acme"$/ },
  { field: 'targetVersion', message: /^must be a string, got the number 1\.31$/ },
  { field: 'clusters[0]', message: /^not a cluster UUID: "not-a-uuid"$/ },
  { field: 'clusters[2]', message: /^cluster 5e08fe67-1274-475d-bd0c-a65b0330507f is listed twice$/ },
  { field: 'maxParallel', message: /^must be a number, got the string "10"$/ },
  { field: 'waves', message: /^lists 51 waves; at most 50 allowed$/ },
  { field: 'colour', message: /^unknown field$/ },
];

describe('every command that takes a spec refuses it the same way', () => {
  it.concurrent.each([
    ['rollout start', ['rollout', 'start']],
    ['rollout plan', ['rollout', 'plan']],
    ['schedule create', ['schedule', 'create', 'weekly', '--cron', '0 2 * * 6']],
  ])('%s', async (_name, command) => {
    expectProblems(
      refusedProblems(await fleet(...command, '-f', specFile(EVERYTHING_WRONG))),
      EVERYTHING_WRONG_PROBLEMS,
    );
  });
});

describe('a spec too big for Temporal', () => {
  // Valid, but 60,000 ids are 2.3 MiB of JSON: Temporal would refuse the start with "Blob data size exceeds limit".
  it.concurrent('is refused before connecting, saying why and what to do', async () => {
    const result = await fleet('rollout', 'start', '-f', specFile({ ...BASE.aether, clusters: clusterUuids(60_000) }));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^fleet: the spec is 2\.\d MiB as JSON \(60000 clusters\), over the 2 MiB Temporal takes as a workflow input: split the rollout, or omit clusters/,
    );
  });
});

describe('bad flags', () => {
  const good = ['--platform', 'avisi', '--organisation', 'acme', '--target', '1.31'];

  const cases: [string, string[], ExpectedProblem[]][] = [
    [
      'an empty cluster list',
      [...good, '--clusters', ' , '],
      [{ field: 'clusters', message: /^must list at least one cluster/ }],
    ],
    [
      'malformed durations and date',
      [...good, '--poll-interval', 'soon', '--cluster-deadline', '-1d', '--schedule-request-date', 'tomorrow'],
      [
        { field: 'pollInterval', message: /^not a duration: "soon"/ },
        { field: 'clusterDeadline', message: /^not a duration: "-1d"/ },
        { field: 'scheduleRequestDate', message: /^must be an RFC 3339 date-time$/ },
      ],
    ],
    [
      'flags that break a good spec file',
      ['-f', specFile(BASE.aether), '--organisation', 'acme', '--clusters', `${CLUSTER_A},${CLUSTER_A}`],
      [
        { field: 'organisation', message: /^not an Aether organisation UUID: "acme"$/ },
        { field: 'clusters[1]', message: /is listed twice$/ },
      ],
    ],
  ];

  it.concurrent.each(cases)('refuses %s, naming each', async (_name, args, expected) => {
    expectProblems(refusedProblems(await fleet('rollout', 'start', ...args)), expected);
  });

  // cli.test.ts has --max-parallel.
  it.concurrent('refuses a count that is not a whole number, in one line', async () => {
    const result = await fleet('rollout', 'start', ...good, '--retries', '-1');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('fleet: --retries: not a whole number: "-1"');
  });
});
