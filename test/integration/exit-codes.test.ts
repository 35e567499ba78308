/**
 * Every exit code docs/operations.md documents, for every command that can return it,
 * held by a run of the real `fleet` CLI against the dev server, a simulator and a worker
 * (docs/operations.md#exit-codes). The docs' table and this file's table must name the
 * same pairs: a code documented and not tested fails here, and so does one tested and
 * not documented. Cases run side by side, a few CLI processes at a time (test/support/case-chains.ts);
 * the cases of one chain in order, as later ones act on the rollouts or schedule earlier ones made.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { runChains, type Chain, type Outcome } from '../support/case-chains.js';
import { fleet as fleetWith, type FleetResult } from '../support/fleet-cli.js';
import { spawnFleet, type RunningFleet } from '../support/fleet-spawn.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

const env = () => ({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') });
const fleet = (...args: string[]) => fleetWith(env(), ...args);
/** Nothing listens on port 1: a command that connects fails at once. */
const offline = (...args: string[]) => fleetWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, ...args);
const until = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 60_000, interval: 200 });

interface Case {
  /** As docs/operations.md names it, without `fleet `. */
  readonly command: string;
  readonly code: number;
  readonly why: string;
  run(): Promise<FleetResult>;
  check?(result: FleetResult): void;
}

let h: Harness;
let dir: string;
let aether: string;
let avisi: string;
let c: SimCluster[];
const id = (name: string) => `${h.taskQueue}-${name}`;
const q = () => ['--task-queue', h.taskQueue];
const on = (...clusters: SimCluster[]) => [
  '--platform',
  'aether',
  '--organisation',
  aether,
  '--target',
  '1.31',
  '--clusters',
  clusters.map((x) => x.id).join(','),
  ...q(),
];
const file = async (name: string, spec: object) => {
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(spec));
  return path;
};
const fail = (...clusters: SimCluster[]) =>
  Promise.all(clusters.map((x) => h.control(`/_sim/clusters/${x.id}/outcomes`, { outcomes: ['FAILED'] })));
const quick = { pollInterval: '200ms', retry: { maxAttempts: 0 } };
const stderrLike = (pattern: RegExp) => (r: FleetResult) => expect(r.stderr).toMatch(pattern);
const stdoutLike = (pattern: RegExp) => (r: FleetResult) => expect(r.stdout).toMatch(pattern);

const gated = () => file('gated', { waves: [{ name: 'gated', approval: true }] });

/** Runs `start --wait` in the background until its rollout is accepted, does `act`, and returns how it ended. */
async function waitThen(
  name: string,
  act: (rolloutId: string) => Promise<unknown>,
  ...extra: string[]
): Promise<FleetResult> {
  const running: RunningFleet = spawnFleet(
    env(),
    'rollout',
    'start',
    ...extra,
    '-f',
    await gated(),
    '--id',
    id(name),
    '--wait',
  );
  await until(() => expect(running.output().stderr).toContain(`rollout ${id(name)} accepted; following progress`));
  await act(id(name));
  return running.done;
}

/** `start` of a rollout on a task queue no worker polls, ended by a terminate once its output matches `said` (or once it returned). */
async function unpolled(args: string[], name: string, said?: RegExp): Promise<FleetResult> {
  const queue = ['--task-queue', `nobody-${randomUUID()}`];
  const running = spawnFleet(
    env(),
    'rollout',
    'start',
    '--platform',
    'aether',
    '--organisation',
    aether,
    '--target',
    '1.31',
    ...queue,
    '--id',
    id(name),
    ...args,
  );
  const terminate = () => h.client.workflow.getHandle(id(name)).terminate('test: nothing polls its task queue');
  if (!said) return running.done.finally(terminate);
  await until(() => expect(running.output().stderr).toMatch(said));
  await terminate();
  return running.done;
}

const steer = (rollout: string, verb: string, ...args: string[]) =>
  fleet('rollout', verb, id(rollout), ...args, '--reason', 'test');
const noSuchRollout = (verb: string, ...args: string[]): Case => ({
  command: `rollout ${verb}`,
  code: EXIT.ERROR,
  why: 'no such running rollout',
  run: () => fleet('rollout', verb, 'no-such-rollout', ...args, '--reason', 'test'),
  check: stderrLike(/no running rollout with id no-such-rollout/),
});
const missingArgument = (command: string, ...args: string[]): Case => ({
  command,
  code: EXIT.USAGE,
  why: 'a missing argument',
  run: () => offline(...command.split(' '), ...args),
  check: stderrLike(/missing required argument/),
});
const noSchedule = (verb: string): Case => ({
  command: `schedule ${verb}`,
  code: EXIT.ERROR,
  why: 'no such schedule',
  run: () => fleet('schedule', verb, 'no-such-schedule'),
  check: stderrLike(/no schedule no-such-schedule/),
});
/** `fleet versions` reads Avisi at the simulator with `token`. */
const avisiEnv = (token: string) => ({ AVISI_API_URL: `${h.sim.url}/api/v1`, AVISI_API_TOKEN: token });
const noWorker = /no worker polls task queue nobody-\S+ in namespace \S+/;
const whatToDo =
  /start a worker: `npx fleet worker` with FLEET_TASK_QUEUE=nobody-\S+ and TEMPORAL_NAMESPACE=\S+ \(and the platforms' tokens\)/;

const opzSpec = () =>
  file('opz', { platform: 'aether', organisation: aether, targetVersion: '1.31', notify: [{ channel: 'opz' }] });
const unknownOrg = ['--platform', 'avisi', '--organisation', 'no-such-org', '--target', '1.31'];
const atPlanning404 = /^fleet: rollout \S+ failed at planning \(nothing was changed\): avisi GET \S+ failed: 404 /m;
const refusedAtPlanning = (name: string) =>
  new RegExp(`^fleet: invalid rollout spec \\(planning refused rollout \\S+${name}; nothing was changed\\):\\n`, 'm');

/** The rollout the steering commands steer: its canary failed, its second wave waits for approval. */
async function steered(): Promise<void> {
  await fail(c[8]!);
  const spec = await file('steered', {
    ...quick,
    failureBudget: { maxFailed: 5 },
    waves: [
      { name: 'canary', clusters: [c[8]!.id] },
      { name: 'rest', approval: true },
    ],
  });
  expect((await fleet('rollout', 'start', '-f', spec, ...on(c[8]!, c[9]!, c[10]!), '--id', id('steered'))).code).toBe(
    EXIT.OK,
  );
  await until(async () =>
    expect(await h.client.workflow.getHandle(id('steered')).query(progressQuery)).toMatchObject({
      phase: 'awaiting-approval',
      counts: { FAILED: 1 },
    }),
  );
}

/** A rollout paused by its canary's gate (onFail "pause"), which failed as the canary is unhealthy. */
async function pausedByGate(): Promise<void> {
  const [canary, rest] = [c[12]!, c[13]!];
  await h.control(`/_sim/health/${canary.id}`, { healthy: false });
  const http = {
    url: `${h.sim.url}/_sim/fleet-health?clusters={waveClusters}`,
    json: { field: 'status', equals: 'ok' },
  };
  const gate = { name: 'fleet-healthy', http, passFor: '1s', interval: '300ms', timeout: '2s', onFail: 'pause' };
  const spec = await file('gate', {
    ...quick,
    waves: [{ name: 'canary', clusters: [canary.id], gate }, { name: 'rest' }],
  });
  expect((await fleet('rollout', 'start', '-f', spec, ...on(canary, rest), '--id', id('gate'))).code).toBe(EXIT.OK);
  await until(async () =>
    expect(await h.client.workflow.getHandle(id('gate')).query(progressQuery)).toMatchObject({
      paused: true,
      waves: [{ gate: { verdict: 'failed' } }, {}],
    }),
  );
}

/** Cases that act on what the cases before them in their chain did; chains run side by side. */
const CHAINS: Chain<Case>[] = [
  // steering, on three rollouts so that fewer commands wait for one another
  {
    setup: steered,
    cases: [
      {
        command: 'rollout skip',
        code: EXIT.OK,
        why: 'a cluster not started',
        run: () => steer('steered', 'skip', c[10]!.id),
      },
      {
        command: 'rollout retry',
        code: EXIT.OK,
        why: 'the failed canary',
        run: () => steer('steered', 'retry', c[8]!.id),
      },
      {
        command: 'rollout approve',
        code: EXIT.OK,
        why: 'the gated wave',
        run: () => steer('steered', 'approve', 'rest'),
      },
    ],
  },
  {
    // At its approval gate until it is aborted.
    setup: async () =>
      expect((await fleet('rollout', 'start', '-f', await gated(), ...on(c[11]!), '--id', id('abort-cmd'))).code).toBe(
        EXIT.OK,
      ),
    cases: [
      {
        command: 'rollout set-max-parallel',
        code: EXIT.OK,
        why: 'set',
        run: () => steer('abort-cmd', 'set-max-parallel', '3'),
      },
      {
        command: 'rollout freeze',
        code: EXIT.OK,
        why: 'frozen',
        run: () => steer('abort-cmd', 'freeze', '--until', '1h'),
      },
      { command: 'rollout unfreeze', code: EXIT.OK, why: 'lifted', run: () => steer('abort-cmd', 'unfreeze') },
      {
        command: 'rollout unfreeze',
        code: EXIT.ERROR,
        why: 'rejected: nothing is frozen',
        run: () => steer('abort-cmd', 'unfreeze'),
        check: stderrLike(/unfreeze rejected: /),
      },
      { command: 'rollout abort', code: EXIT.OK, why: 'aborted', run: () => steer('abort-cmd', 'abort') },
    ],
  },
  {
    cases: [
      {
        command: 'schedule create',
        code: EXIT.OK,
        why: 'created',
        run: async () =>
          fleet(
            'schedule',
            'create',
            id('schedule'),
            '-f',
            await file('dry', { dryRun: true }),
            ...on(c[9]!),
            '--cron',
            '0 2 * * 6',
            '--paused',
          ),
      },
      {
        command: 'schedule create',
        code: EXIT.ERROR,
        why: 'the id exists',
        run: () => fleet('schedule', 'create', id('schedule'), ...on(c[9]!), '--cron', '0 2 * * 6'),
        check: stderrLike(/exists already/),
      },
      ...['describe', 'pause', 'unpause', 'trigger', 'delete'].map((verb): Case => ({
        command: `schedule ${verb}`,
        code: EXIT.OK,
        why: verb,
        run: () => fleet('schedule', verb, id('schedule')),
      })),
    ],
  },
  {
    setup: pausedByGate,
    cases: [
      {
        command: 'rollout recheck-gate',
        code: EXIT.OK,
        why: 'the gate that failed and paused the rollout runs again',
        run: async () => {
          await h.control(`/_sim/health/${c[12]!.id}`, { healthy: true });
          const result = await fleet('rollout', 'recheck-gate', id('gate'), '--reason', 'test');
          // Run again, the gate passes now, and the rollout goes on to the end.
          if (result.code === EXIT.OK)
            expect(await h.client.workflow.getHandle(id('gate')).result()).toMatchObject({
              status: 'SUCCEEDED',
              waves: [{ gate: { verdict: 'passed' } }, {}],
            });
          return result;
        },
        check: stdoutLike(/^recheck-gate: /),
      },
    ],
  },
  // start waits for planning; `started` waits at its approval gate (no failed gate holds it) until the test ends
  {
    cases: [
      {
        command: 'rollout start',
        code: EXIT.OK,
        why: 'planning accepted it',
        run: async () => fleet('rollout', 'start', '-f', await gated(), ...on(c[0]!), '--id', id('started')),
        check: stdoutLike(
          /^started rollout \S+-started on task queue \S+: planning accepted it \(1 cluster to 1\.31\); follow it with /,
        ),
      },
      {
        command: 'rollout recheck-gate',
        code: EXIT.ERROR,
        why: 'rejected: no failed gate holds the rollout',
        run: () => fleet('rollout', 'recheck-gate', id('started'), '--reason', 'test'),
        check: stderrLike(/^fleet: recheck-gate rejected: no gate holds the rollout/),
      },
      { command: 'rollout pause', code: EXIT.OK, why: 'paused', run: () => steer('started', 'pause') },
      { command: 'rollout resume', code: EXIT.OK, why: 'resumed', run: () => steer('started', 'resume') },
    ],
  },
  {
    cases: [
      {
        command: 'rollout start',
        code: EXIT.USAGE,
        why: 'a wave selects an environment no cluster has',
        run: async () =>
          fleet(
            'rollout',
            'start',
            '-f',
            await file('stagin', {
              platform: 'avisi',
              organisation: avisi,
              targetVersion: '1.31',
              waves: [{ name: 'staging', match: { environment: 'stagin' } }],
            }),
            ...q(),
            '--id',
            id('stagin'),
          ),
        check: (r) => {
          expect(r.stderr).toMatch(refusedAtPlanning('-stagin'));
          expect(r.stderr).toMatch(
            /^ {2}waves\[0\] \(staging\): match selects no cluster of the fleet \(environment "stagin": no cluster of the fleet has it/m,
          );
        },
      },
      {
        command: 'rollout watch',
        code: EXIT.ROLLOUT_FAILED,
        why: 'refused at planning',
        run: () => fleet('rollout', 'watch', id('stagin')),
        check: stdoutLike(/: FAILED: rollout rejected before any change: /),
      },
      {
        command: 'rollout status',
        code: EXIT.OK,
        why: 'a rollout refused at planning',
        run: () => fleet('rollout', 'status', id('stagin')),
        check: stdoutLike(/: FAILED: /),
      },
    ],
  },
  // start --wait, then watch the rollout it followed
  {
    cases: [
      {
        command: 'rollout start --wait',
        code: EXIT.OK,
        why: 'every cluster upgraded',
        run: () => fleet('rollout', 'start', ...on(c[1]!), '--poll-interval', '200ms', '--id', id('ok'), '--wait'),
        check: stdoutLike(/^rollout \S+-ok: SUCCEEDED/m),
      },
      { command: 'rollout watch', code: EXIT.OK, why: 'SUCCEEDED', run: () => fleet('rollout', 'watch', id('ok')) },
    ],
  },
  {
    cases: [
      {
        command: 'rollout start --wait',
        code: EXIT.PARTIAL,
        why: 'a cluster failed',
        run: async () => (
          await fail(c[2]!),
          fleet(
            'rollout',
            'start',
            '-f',
            await file('partial', quick),
            ...on(c[2]!, c[3]!),
            '--id',
            id('partial'),
            '--wait',
          )
        ),
        check: stdoutLike(/: PARTIAL\n/),
      },
      {
        command: 'rollout watch',
        code: EXIT.PARTIAL,
        why: 'PARTIAL',
        run: () => fleet('rollout', 'watch', id('partial')),
      },
    ],
  },
  {
    cases: [
      {
        command: 'rollout start --wait',
        code: EXIT.HALTED,
        why: 'the failure budget ran out',
        run: async () => (
          await fail(c[4]!, c[5]!),
          fleet(
            'rollout',
            'start',
            '-f',
            await file('halted', { ...quick, failureBudget: { maxFailed: 0 } }),
            ...on(c[4]!, c[5]!),
            '--id',
            id('halted'),
            '--wait',
          )
        ),
        check: stdoutLike(/: HALTED\n/),
      },
      {
        command: 'rollout watch',
        code: EXIT.HALTED,
        why: 'HALTED',
        run: () => fleet('rollout', 'watch', id('halted')),
      },
    ],
  },
  {
    cases: [
      {
        command: 'rollout start --wait',
        code: EXIT.ABORTED,
        why: 'aborted while it waited',
        run: () => waitThen('aborted', (r) => fleet('rollout', 'abort', r, '--reason', 'test'), ...on(c[6]!)),
        check: stdoutLike(/: ABORTED\n/),
      },
      {
        command: 'rollout watch',
        code: EXIT.ABORTED,
        why: 'ABORTED',
        run: () => fleet('rollout', 'watch', id('aborted')),
      },
    ],
  },
];

/** Cases on rollouts of their own, that wait on a rollout or on a process: run side by side with the rest. */
const ALONE: Case[] = [
  {
    command: 'rollout start',
    code: EXIT.ROLLOUT_FAILED,
    why: 'terminated while nothing polled its task queue',
    run: () => unpolled([], 'unpolled', /planning rollout \S+…\n/),
    check: (r) => {
      expect(r.stderr).toMatch(
        new RegExp(
          `^fleet: warning: ${noWorker.source}: the rollout will wait until one does; ${whatToDo.source}`,
          'm',
        ),
      );
      expect(r.stdout).toMatch(/^rollout \S+: TERMINATED: test: nothing polls its task queue$/m);
    },
  },
  {
    command: 'rollout start --no-wait',
    code: EXIT.OK,
    why: 'the workflow started, nothing polls it',
    run: () => unpolled(['--no-wait'], 'no-wait'),
    check: (r) => {
      expect(r.stdout).toMatch(/^started rollout \S+ on task queue nobody-\S+\n$/);
      expect(r.stderr).toMatch(noWorker);
    },
  },
  {
    command: 'rollout start --wait',
    code: EXIT.ROLLOUT_FAILED,
    why: 'terminated while it waited',
    run: () => waitThen('terminated', (r) => h.client.workflow.getHandle(r).terminate('test'), ...on(c[7]!)),
    check: stdoutLike(/: TERMINATED: test\n/),
  },
  {
    command: 'rollout watch',
    code: EXIT.ROLLOUT_FAILED,
    why: 'terminated while it said nothing polls its task queue',
    run: async () => {
      await h.client.workflow.start('fleetRollout', {
        workflowId: id('watched'),
        taskQueue: `nobody-${randomUUID()}`,
        args: [{ platform: 'aether', organisation: aether, targetVersion: '1.31' }],
      });
      const running = spawnFleet(env(), 'rollout', 'watch', id('watched'));
      const said = new RegExp(
        `^${noWorker.source}, so nothing picks rollout ${id('watched')} up: ${whatToDo.source}; still waiting$`,
        'm',
      );
      await until(() => expect(running.output().stderr).toMatch(said));
      await h.client.workflow.getHandle(id('watched')).terminate('test');
      return running.done;
    },
  },
];

/** Cases that share nothing, each a quick CLI run. */
const INDEPENDENT: Case[] = [
  {
    command: 'versions',
    code: EXIT.OK,
    why: 'the view',
    run: () => fleetWith(avisiEnv(h.sim.tokens.avisi), 'versions', '--platform', 'avisi', '--organisation', avisi),
    check: stdoutLike(/^avisi\/\S+ \(Avisi Cloud\): 3 clusters$/m),
  },
  {
    command: 'versions',
    code: EXIT.ERROR,
    why: 'a token the platform refuses',
    run: () => fleetWith(avisiEnv('not-a-token'), 'versions', '--platform', 'avisi', '--organisation', avisi),
    check: stderrLike(/^fleet: could not read Avisi Cloud organisation \S+: .*401/),
  },
  {
    command: 'versions',
    code: EXIT.USAGE,
    why: 'an organisation in the wrong form',
    run: () => offline('versions', '--platform', 'aether', '--organisation', 'acme'),
    check: stderrLike(/^fleet: --organisation: not an Aether organisation UUID: "acme"/),
  },
  {
    command: 'rollout plan',
    code: EXIT.OK,
    why: 'the plan',
    run: () => fleet('rollout', 'plan', ...on(c[0]!), '--id', id('plan')),
    check: stdoutLike(/^plan \S+: aether\//),
  },
  {
    command: 'rollout plan',
    code: EXIT.USAGE,
    why: 'a bad spec',
    run: () => offline('rollout', 'plan', '--platform', 'gke', '--organisation', 'a', '--target', '1.31'),
    check: stderrLike(/^fleet: invalid rollout spec:\n {2}platform: /),
  },
  {
    command: 'rollout plan',
    code: EXIT.USAGE,
    why: 'a target the platform does not offer',
    run: () => fleet('rollout', 'plan', '--platform', 'avisi', '--organisation', avisi, '--target', '1.35', ...q()),
    check: (r) => {
      expect(r.stderr).toMatch(refusedAtPlanning(''));
      expect(r.stderr).toMatch(/^ {2}targetVersion 1\.35 is not offered by avisi; offered: /m);
    },
  },
  {
    command: 'rollout plan',
    code: EXIT.USAGE,
    why: 'an unknown cluster id',
    run: () => fleet('rollout', 'plan', ...on({ id: '00000000-0000-4000-8000-000000000000' } as SimCluster)),
    check: stderrLike(/^ {2}clusters: unknown cluster 00000000-0000-4000-8000-000000000000 in /m),
  },
  {
    command: 'rollout plan',
    code: EXIT.ERROR,
    why: 'an organisation the platform does not know',
    run: () => fleet('rollout', 'plan', ...unknownOrg, ...q()),
    check: stderrLike(atPlanning404),
  },
  {
    command: 'rollout start',
    code: EXIT.USAGE,
    why: 'a bad flag',
    run: () =>
      offline(
        'rollout',
        'start',
        '--platform',
        'avisi',
        '--organisation',
        'acme',
        '--target',
        '1.31',
        '--max-parallel',
        'many',
      ),
    check: stderrLike(/--max-parallel: not a whole number/),
  },
  {
    command: 'rollout start',
    code: EXIT.USAGE,
    why: 'a channel the worker does not define',
    run: async () => fleet('rollout', 'start', '-f', await opzSpec(), ...q(), '--id', id('opz')),
    check: (r) => {
      expect(r.stderr).toMatch(refusedAtPlanning('-opz'));
      expect(r.stderr).toMatch(/^ {2}notify\[0\]\.channel: channel "opz" is not defined on this worker/m);
    },
  },
  {
    command: 'rollout start',
    code: EXIT.ERROR,
    why: 'planning failed for the platform',
    run: () => fleet('rollout', 'start', ...unknownOrg, ...q()),
    check: stderrLike(atPlanning404),
  },
  {
    command: 'rollout start --no-wait',
    code: EXIT.USAGE,
    why: 'a bad spec',
    run: () => offline('rollout', 'start', '--no-wait', '--platform', 'gke'),
    check: stderrLike(/invalid rollout spec:/),
  },
  {
    command: 'rollout start --no-wait',
    code: EXIT.ERROR,
    why: 'Temporal unreachable',
    run: () =>
      offline('rollout', 'start', '--no-wait', '--platform', 'avisi', '--organisation', 'acme', '--target', '1.31'),
    check: stderrLike(/cannot reach Temporal/),
  },
  {
    command: 'rollout start --wait',
    code: EXIT.ERROR,
    why: 'planning failed for the platform',
    run: () => fleet('rollout', 'start', ...unknownOrg, ...q(), '--wait'),
    check: stderrLike(atPlanning404),
  },
  {
    command: 'rollout start --wait',
    code: EXIT.USAGE,
    why: 'planning refused it',
    run: async () => fleet('rollout', 'start', '-f', await opzSpec(), ...q(), '--wait'),
    check: stderrLike(/^ {2}notify\[0\]\.channel: channel "opz"/m),
  },
  {
    command: 'rollout watch',
    code: EXIT.ERROR,
    why: 'no such rollout',
    run: () => fleet('rollout', 'watch', 'no-such-rollout'),
    check: stderrLike(/no rollout with id no-such-rollout/),
  },
  {
    command: 'rollout watch',
    code: EXIT.USAGE,
    why: 'a bad --interval',
    run: () => offline('rollout', 'watch', 'x', '--interval', '0'),
    check: stderrLike(/--interval: /),
  },
  {
    command: 'rollout status',
    code: EXIT.ERROR,
    why: 'no such rollout',
    run: () => fleet('rollout', 'status', 'no-such-rollout'),
  },
  { command: 'rollout list', code: EXIT.OK, why: 'the list', run: () => fleet('rollout', 'list', '--limit', '1') },
  {
    command: 'rollout list',
    code: EXIT.ERROR,
    why: 'the server rejects --query',
    run: () => fleet('rollout', 'list', '--query', 'FleetPhase ='),
    check: stderrLike(/^fleet: /),
  },
  {
    command: 'rollout list',
    code: EXIT.USAGE,
    why: 'a bad --status',
    run: () => offline('rollout', 'list', '--status', 'Bogus'),
  },
  ...[
    'pause',
    'resume',
    'abort',
    'unfreeze',
    'set-max-parallel 2',
    'skip x',
    'retry x',
    'approve rest',
    'freeze --until 1h',
    'recheck-gate',
  ].map((v) => noSuchRollout(...(v.split(' ') as [string, ...string[]]))),
  missingArgument('rollout pause'),
  missingArgument('rollout resume'),
  missingArgument('rollout recheck-gate'),
  missingArgument('rollout approve', 'x'),
  missingArgument('rollout skip', 'x'),
  missingArgument('rollout retry', 'x'),
  {
    command: 'rollout abort',
    code: EXIT.USAGE,
    why: 'no --reason',
    run: () => offline('rollout', 'abort', 'x'),
    check: stderrLike(/abort needs --reason/),
  },
  {
    command: 'rollout unfreeze',
    code: EXIT.USAGE,
    why: 'no --reason',
    run: () => offline('rollout', 'unfreeze', 'x'),
    check: stderrLike(/unfreeze needs --reason/),
  },
  {
    command: 'rollout freeze',
    code: EXIT.USAGE,
    why: 'no --until',
    run: () => offline('rollout', 'freeze', 'x', '--reason', 'r'),
    check: stderrLike(/--until/),
  },
  {
    command: 'rollout set-max-parallel',
    code: EXIT.USAGE,
    why: '0',
    run: () => offline('rollout', 'set-max-parallel', 'x', '0'),
    check: stderrLike(/a whole number from 1 to 1000/),
  },
  {
    command: 'schedule create',
    code: EXIT.USAGE,
    why: 'a bad --cron',
    run: () =>
      offline(
        'schedule',
        'create',
        'x',
        '--platform',
        'avisi',
        '--organisation',
        'acme',
        '--target',
        '1.31',
        '--cron',
        'bad',
      ),
    check: stderrLike(/--cron: /),
  },
  { command: 'schedule list', code: EXIT.OK, why: 'the list', run: () => fleet('schedule', 'list') },
  {
    command: 'schedule list',
    code: EXIT.ERROR,
    why: 'Temporal unreachable',
    run: () => offline('schedule', 'list'),
    check: stderrLike(/cannot reach Temporal/),
  },
  ...['describe', 'pause', 'unpause', 'trigger', 'delete'].flatMap((verb) => [
    noSchedule(verb),
    missingArgument(`schedule ${verb}`),
  ]),
];

/** `| \`fleet rollout start\` | 0 ...; 1 ...; 2 ... |` rows of docs/operations.md: each command with the codes it documents. */
async function documentedPairs(): Promise<string[]> {
  const text = await readFile(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const table = text.slice(text.indexOf('Which command returns which code'));
  const rows = [...table.matchAll(/^\| `fleet ([^`]+)` \| (.+) \|$/gm)];
  return rows.flatMap(([, command, codes]) =>
    codes!.split('; ').map((part) => `${command} ${part.match(/^\d/)?.[0] ?? `? (${part})`}`),
  );
}

/** CLI processes at once: each is a tsx process that loads the CLI, on a machine of 2 cores. */
const SLOTS = 6;
const ALL: Chain<Case>[] = [...CHAINS, ...[...ALONE, ...INDEPENDENT].map((k) => ({ cases: [k] }))];

describe('exit codes, command by command', () => {
  let outcomes: Map<Case, Promise<Outcome<FleetResult>>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-exit-'));
    h = await startHarness({
      generate: { seed: 1717, avisi: { clusters: 3 }, aether: { clusters: 14 }, minors: ['1.30'] },
      timeScale: 86_400,
      rateLimitPerMinute: { aether: 0 },
    });
    [aether, avisi] = [h.sim.organisations.aether[0]!, h.sim.organisations.avisi[0]!];
    c = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    // Every case starts now; each `it` below waits for its own and checks it.
    outcomes = runChains(ALL, (k) => k.run(), SLOTS);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(outcomes?.values() ?? []);
    // The rollout `start` left waiting at its gate.
    await h?.client.workflow
      .getHandle(id('started'))
      .terminate('test over')
      .catch(() => undefined);
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('tests every code the docs give each command, and documents every code tested', async () => {
    const tested = [...new Set(ALL.flatMap((chain) => chain.cases).map((k) => `${k.command} ${k.code}`))].sort();
    expect(tested).toEqual([...new Set(await documentedPairs())].sort());
  });

  for (const k of ALL.flatMap((chain) => chain.cases)) {
    it(`fleet ${k.command} exits ${k.code}: ${k.why}`, async () => {
      const outcome = await outcomes.get(k)!;
      if ('error' in outcome) throw outcome.error;
      const { result } = outcome;
      expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(k.code);
      k.check?.(result);
    });
  }
});
