/**
 * `fleet rollout pause | resume | recheck-gate | approve | abort | freeze | unfreeze | skip | retry |
 * set-max-parallel`: the rollout's updates (messages.ts) from the terminal. Each prints the progress the
 * update answered with; a rejection is one line with the workflow's reason, exit 1
 * (exit 2 for a cluster that is none of the rollout's: `skip` and `retry` take ids or names).
 */
import { userInfo } from 'node:os';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Command } from 'commander';
import type { RolloutProgress } from '../../domain/report.js';
import type { fleetRollout } from '../../workflows/rollout/workflow.js';
import { parseDuration } from '../../domain/durations.js';
import { rolloutUpdates as updates, UNKNOWN_CLUSTER } from '../../workflows/messages.js';
import { UsageError } from '../errors.js';
import { sendAcrossRuns } from '../update-retry.js';
import { progressLine } from '../rollouts.js';
import { connectClient } from '../temporal-client.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';

interface SteerFlags extends ConnectionFlags {
  reason?: string;
  by?: string;
  json?: boolean;
}

/** Who steers: `--by`, else the local user name, so the report's action log says who did what. */
const operator = (flags: SteerFlags): string => flags.by ?? (process.env.USER || userInfo().username);

type Send = (client: Client, rolloutId: string, who: { by: string; reason?: string }) => Promise<RolloutProgress>;

const handleOf = (client: Client, rolloutId: string) => client.workflow.getHandle<typeof fleetRollout>(rolloutId);

/** The `--reason` an update requires, refused here before anything connects; `why` says what it is for. */
function requiredReason(flags: SteerFlags, verb: string, why: string): string {
  if (!flags.reason?.trim()) throw new UsageError(`${verb} needs --reason: ${why}`);
  return flags.reason;
}

const FOR_THE_REPORT = 'it lands in the report for whoever reads it later';

const CLUSTER_ARGUMENT = "the cluster's id or name (platform/organisation/name when several targets have the name)";

const isUnknownCluster = (cause: unknown): boolean =>
  cause instanceof ApplicationFailure && cause.type === UNKNOWN_CLUSTER;

async function steer(rolloutId: string, flags: SteerFlags, what: string, send: Send): Promise<void> {
  const connected = await connectClient(flags);
  try {
    const who = { by: operator(flags), ...(flags.reason ? { reason: flags.reason } : {}) };
    const progress = await sendAcrossRuns(() => send(connected.client, rolloutId, who)).catch((error: unknown) => {
      // A cluster that is none of the rollout's (unknown, ambiguous, left out by the spec) is bad input: exit 2.
      if (error instanceof WorkflowUpdateFailedError)
        throw new UsageError(
          `${what} rejected: ${error.cause?.message ?? error.message}`,
          isUnknownCluster(error.cause) ? 2 : 1,
        );
      if (error instanceof WorkflowNotFoundError)
        throw new UsageError(`no running rollout with id ${rolloutId} in namespace ${connected.target.namespace}`, 1);
      throw error;
    });
    console.log(flags.json ? JSON.stringify(progress, null, 2) : `${what}: ${progressLine(progress)}`);
  } finally {
    await connected.close();
  }
}

const steering = (cmd: Command, example: string) =>
  connectionOptions(
    cmd
      .option('--reason <text>', 'why (lands in the report with the time and who)')
      .option('--by <name>', 'who asks (default: the local user)')
      .option('--json', 'print the progress as JSON'),
  ).addHelpText('after', `\nExample:\n  ${example}`);

/** A command whose update takes who asks and a reason it requires, nothing else (abort, unfreeze). */
function reasoned(
  rollout: Command,
  name: string,
  description: string,
  example: string,
  update: UpdateDefinition<RolloutProgress, [{ reason: string; by?: string }]>,
): void {
  const cmd = rollout.command(name).description(`${description} (--reason is required)`).argument('<rolloutId>');
  steering(cmd, example).action((id: string, flags: SteerFlags) => {
    const reason = requiredReason(flags, name, FOR_THE_REPORT);
    return steer(id, flags, name, (c, r, who) => handleOf(c, r).executeUpdate(update, { args: [{ ...who, reason }] }));
  });
}

export function registerSteeringCommands(rollout: Command): void {
  registerPause(rollout);
  registerResume(rollout);
  registerRecheckGate(rollout);
  registerApprove(rollout);
  const abort = 'stop: start no more, withdraw upgrades that have not begun, report ABORTED';
  reasoned(rollout, 'abort', abort, 'fleet rollout abort weekly-patch --reason "bad canary metrics"', updates.abort);
  registerFreeze(rollout);
  const unfreeze =
    "lift the freeze in force now (the spec's or an operator's) until it would have ended; later freezes still hold";
  reasoned(
    rollout,
    'unfreeze',
    unfreeze,
    'fleet rollout unfreeze weekly-patch --reason "INC-42 resolved"',
    updates.unfreeze,
  );
  registerSkip(rollout);
  registerRetry(rollout);
  registerSetMaxParallel(rollout);
}

function registerPause(rollout: Command): void {
  const cmd = rollout
    .command('pause')
    .description('start no new cluster; running ones continue')
    .argument('<rolloutId>');
  steering(cmd, 'fleet rollout pause weekly-patch --reason "incident INC-42"').action(pause);
}

const pause = (id: string, flags: SteerFlags) =>
  steer(id, flags, 'pause', (c, r, who) => handleOf(c, r).executeUpdate(updates.pause, { args: [who] }));

function registerResume(rollout: Command): void {
  const cmd = rollout
    .command('resume')
    .description('start clusters again')
    .argument('<rolloutId>')
    .option(
      '--skip-gate',
      'go on although the wave gate that paused the rollout has not passed (the action log says so)',
    );
  steering(cmd, 'fleet rollout resume weekly-patch').action(resume);
}

function resume(id: string, flags: SteerFlags & { skipGate?: boolean }) {
  const skip = flags.skipGate ? { skipGate: true } : {};
  const what = flags.skipGate ? 'resume (gate skipped)' : 'resume';
  return steer(id, flags, what, (c, r, who) =>
    handleOf(c, r).executeUpdate(updates.resume, { args: [{ ...who, ...skip }] }),
  );
}

function registerRecheckGate(rollout: Command): void {
  const cmd = rollout
    .command('recheck-gate')
    .description('run again the wave gate that failed and paused the rollout; passing, it goes on')
    .argument('<rolloutId>');
  steering(cmd, 'fleet rollout recheck-gate weekly-patch --reason "INC-42 fixed"').action(recheckGate);
}

const recheckGate = (id: string, flags: SteerFlags) =>
  steer(id, flags, 'recheck-gate', (c, r, who) => handleOf(c, r).executeUpdate(updates.recheckGate, { args: [who] }));

function registerApprove(rollout: Command): void {
  const cmd = rollout
    .command('approve')
    .description("open a wave's approval gate (before or when it is reached)")
    .argument('<rolloutId>')
    .argument('<wave>');
  steering(cmd, 'fleet rollout approve weekly-patch rest').action(approve);
}

const approve = (id: string, wave: string, flags: SteerFlags) =>
  steer(id, flags, `approve ${wave}`, (c, r, who) =>
    handleOf(c, r).executeUpdate(updates.approve, { args: [{ ...who, wave }] }),
  );

function registerFreeze(rollout: Command): void {
  const cmd = rollout
    .command('freeze')
    .description(
      "start no cluster until a time (running ones finish); adds to the spec's freezes (--until and --reason are required)",
    )
    .argument('<rolloutId>')
    .requiredOption('--until <time>', 'RFC 3339 (2026-12-01T18:00:00+01:00), or a duration from now (2h)')
    .option('--from <time>', 'RFC 3339 (default: now)');
  steering(cmd, 'fleet rollout freeze weekly-patch --until 2h --reason "incident INC-42"').action(freeze);
}

function freeze(id: string, flags: SteerFlags & { until: string; from?: string }) {
  const reason = requiredReason(flags, 'freeze', 'it lands in the report and the UI for whoever looks');
  const inMs = parseDuration(flags.until);
  // A duration is read here, against this machine's clock; a date-time goes as written and the workflow checks it.
  const until =
    inMs !== undefined && !flags.until.includes('T') ? new Date(Date.now() + inMs).toISOString() : flags.until;
  const request = { reason, until, ...(flags.from ? { from: flags.from } : {}) };
  return steer(id, flags, `freeze until ${until}`, (c, r, who) =>
    handleOf(c, r).executeUpdate(updates.freeze, { args: [{ ...who, ...request }] }),
  );
}

/** `skip` and `retry`: a rollout and one of its clusters. */
const clusterCommand = (rollout: Command, name: string, description: string) =>
  rollout.command(name).description(description).argument('<rolloutId>').argument('<cluster>', CLUSTER_ARGUMENT);

function registerSkip(rollout: Command): void {
  const cmd = clusterCommand(rollout, 'skip', 'leave out a cluster that has not started (reported SKIPPED)');
  steering(cmd, 'fleet rollout skip weekly-patch edge-19').action(skip);
}

const skip = (id: string, clusterId: string, flags: SteerFlags) =>
  steer(id, flags, `skip ${clusterId}`, (c, r, who) =>
    handleOf(c, r).executeUpdate(updates.skipCluster, { args: [{ ...who, clusterId }] }),
  );

function registerRetry(rollout: Command): void {
  const description = 'upgrade a cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED again, same inputs';
  steering(clusterCommand(rollout, 'retry', description), 'fleet rollout retry weekly-patch edge-19').action(retry);
}

const retry = (id: string, clusterId: string, flags: SteerFlags) =>
  steer(id, flags, `retry ${clusterId}`, (c, r, who) =>
    handleOf(c, r).executeUpdate(updates.retryCluster, { args: [{ ...who, clusterId }] }),
  );

function registerSetMaxParallel(rollout: Command): void {
  const cmd = rollout
    .command('set-max-parallel')
    .description('clusters upgrading at once from now on, in every wave (1..1000)')
    .argument('<rolloutId>')
    .argument('<n>');
  steering(cmd, 'fleet rollout set-max-parallel weekly-patch 25').action(setMaxParallel);
}

function setMaxParallel(id: string, n: string, flags: SteerFlags) {
  const maxParallel = Number(n);
  if (!Number.isInteger(maxParallel) || maxParallel < 1 || maxParallel > 1000) {
    throw new UsageError(`<n>: a whole number from 1 to 1000, got ${JSON.stringify(n)}`);
  }
  return steer(id, flags, `set-max-parallel ${maxParallel}`, (c, r, who) =>
    handleOf(c, r).executeUpdate(updates.setMaxParallel, { args: [{ ...who, maxParallel }] }),
  );
}
