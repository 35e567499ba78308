/**
 * `fleet schedule create | list | describe | pause | unpause | trigger | delete`:
 * rollouts on Temporal Schedules. A schedule's action starts `fleetRollout` with a spec
 * validated here, on this task queue; each run's id is the schedule id plus the time
 * Temporal stamps on it, and `TemporalScheduledById` finds them all.
 */
import type { Client, ScheduleDescription, ScheduleSummary } from '@temporalio/client';
import type { Command } from 'commander';
import { ROLLOUT_WORKFLOW_TYPE } from '../rollouts.js';
import { describeScheduleText, scheduleFrozenRuns, scheduleListing } from '../schedule-view.js';
import { formatTable } from '../table.js';
import { connectClient } from '../temporal-client.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';
import { withSchedule } from './schedule-connect.js';
import { registerScheduleCreate } from './schedule-create.js';

type JsonFlags = ConnectionFlags & { json?: boolean };
type NoteFlags = JsonFlags & { note?: string };
/** What a one-step subcommand does to a schedule; it answers with the line to print. */
type Act = (client: Client, scheduleId: string, flags: NoteFlags) => Promise<string>;

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('run rollouts on Temporal Schedules (cron, calendar or interval)');
  registerScheduleCreate(schedule);
  registerList(schedule);
  registerDescribe(schedule);
  const pause = 'fleet schedule pause weekly-patch-1.31 --note "change freeze"';
  registerOneStep(schedule, 'pause', 'stop starting rollouts until unpaused', pause, pauseSchedule, true);
  const unpause = 'fleet schedule unpause weekly-patch-1.31';
  registerOneStep(schedule, 'unpause', 'start rollouts on schedule again', unpause, unpauseSchedule, true);
  const trigger = "start a rollout now, with the schedule's spec and overlap policy";
  registerOneStep(schedule, 'trigger', trigger, 'fleet schedule trigger weekly-patch-1.31', triggerSchedule);
  const remove = 'delete a schedule (rollouts it started keep running)';
  registerOneStep(schedule, 'delete', remove, 'fleet schedule delete weekly-patch-1.31', deleteSchedule);
}

function registerList(schedule: Command): void {
  const examples =
    "\nExamples:\n  fleet schedule list\n  fleet schedule list --json | jq -r '.[] | select(.paused) | .scheduleId'";
  connectionOptions(
    schedule
      .command('list')
      .description('list the schedules that start rollouts')
      .option('--json', 'print a JSON array'),
  )
    .addHelpText('after', examples)
    .action(listSchedules);
}

async function listSchedules(flags: JsonFlags): Promise<void> {
  const connected = await connectClient(flags);
  const summaries: ScheduleSummary[] = [];
  try {
    for await (const summary of connected.client.schedule.list()) {
      const action = summary.action;
      if (action?.type === 'startWorkflow' && action.workflowType === ROLLOUT_WORKFLOW_TYPE) summaries.push(summary);
    }
  } finally {
    await connected.close();
  }
  const listings = summaries.map(scheduleListing).sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  if (flags.json) console.log(JSON.stringify(listings, null, 2));
  else if (listings.length === 0) console.log('no rollout schedules');
  else console.log(formatTable(['SCHEDULE', 'STATE', 'WHEN', 'NEXT RUN (UTC)', 'LAST RUN'], listings.map(listingRow)));
}

const listingRow = (l: ReturnType<typeof scheduleListing>): string[] => [
  l.scheduleId,
  l.paused ? 'paused' : 'active',
  l.when,
  l.nextActionTimes[0]?.slice(0, 16).replace('T', ' ') ?? '-',
  l.lastRolloutId ?? '-',
];

function registerDescribe(schedule: Command): void {
  const describe = schedule
    .command('describe')
    .description('show a schedule: when, policies, the rollout spec, next and recent runs')
    .argument('<scheduleId>')
    .option('--json', 'print JSON');
  connectionOptions(describe)
    .addHelpText('after', '\nExample:\n  fleet schedule describe weekly-patch-1.31')
    .action(describeSchedule);
}

const describeSchedule = (scheduleId: string, flags: JsonFlags) =>
  withSchedule(flags, scheduleId, async (client) => {
    const description: ScheduleDescription = await client.schedule.getHandle(scheduleId).describe();
    console.log(
      flags.json ? JSON.stringify(describeScheduleJson(description), null, 2) : describeScheduleText(description),
    );
  });

/** A subcommand that takes a schedule id, does one thing and prints one line (`--note` says why, with `withNote`). */
function registerOneStep(
  schedule: Command,
  name: string,
  description: string,
  example: string,
  act: Act,
  withNote = false,
) {
  const cmd = schedule.command(name).description(description).argument('<scheduleId>');
  if (withNote) cmd.option('--note <text>', 'why (shown with the schedule)');
  connectionOptions(cmd.option('--json', 'print the result as JSON'))
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action((scheduleId: string, flags: NoteFlags) =>
      withSchedule(flags, scheduleId, async (client) => {
        const done = await act(client, scheduleId, flags);
        console.log(flags.json ? JSON.stringify({ scheduleId, done: name }) : done);
      }),
    );
}

const operator = () => process.env.USER ?? 'an operator';

const pauseSchedule: Act = async (client, id, flags) => {
  await client.schedule.getHandle(id).pause(flags.note ?? `paused with fleet by ${operator()}`);
  return `paused schedule ${id}`;
};

const unpauseSchedule: Act = async (client, id, flags) => {
  await client.schedule.getHandle(id).unpause(flags.note ?? `unpaused with fleet by ${operator()}`);
  return `unpaused schedule ${id}`;
};

const triggerSchedule: Act = async (client, id) => {
  const handle = client.schedule.getHandle(id);
  await handle.trigger((await handle.describe()).policies.overlap);
  return `triggered schedule ${id}; fleet rollout list --query 'TemporalScheduledById = "${id}"' shows its runs`;
};

const deleteSchedule: Act = async (client, id) => {
  await client.schedule.getHandle(id).delete();
  return `deleted schedule ${id}`;
};

function describeScheduleJson(d: ScheduleDescription) {
  const action =
    d.action.type === 'startWorkflow'
      ? {
          workflowType: d.action.workflowType,
          workflowId: d.action.workflowId,
          taskQueue: d.action.taskQueue,
          spec: d.action.args?.[0],
        }
      : d.action;
  return {
    scheduleId: d.scheduleId,
    spec: d.spec,
    policies: d.policies,
    state: d.state,
    action,
    nextActionTimes: d.info.nextActionTimes,
    frozenRuns: scheduleFrozenRuns(d),
    recentRollouts: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt,
      takenAt: a.takenAt,
      rolloutId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : undefined,
    })),
    runningRollouts: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
}
