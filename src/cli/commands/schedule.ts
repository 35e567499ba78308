/**
 * `fleet schedule create | list | describe | pause | unpause | trigger | delete`:
 * rollouts on Temporal Schedules. A schedule's action starts `fleetRollout` with a spec
 * validated here, on this task queue; each run's id is the schedule id plus the time
 * Temporal stamps on it, and `TemporalScheduledById` finds them all.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription, type ScheduleSummary } from '@temporalio/client';
import type { Command } from 'commander';
import type { RolloutSpec } from '../../domain/spec.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { ROLLOUT_WORKFLOW_TYPE, rolloutSummary } from '../rollouts.js';
import { DEFAULT_CATCHUP_WINDOW, OVERLAP_POLICIES, scheduleSpecOf, type ScheduleFlags } from '../schedule-options.js';
import { frozenRuns, frozenRunsText } from '../schedule-freezes.js';
import { describeScheduleText, scheduleFrozenRuns, scheduleListing } from '../schedule-view.js';
import { specDetails } from '../spec-details.js';
import { specFromInput, type SpecFlags } from '../spec-input.js';
import { formatTable } from '../table.js';
import { connectClient, type ConnectedClient } from '../temporal-client.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';
import { specOptions } from './spec-options.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs `body` connected, turning "no such schedule" into one line. */
async function withSchedule<T>(flags: ConnectionFlags, scheduleId: string, body: (client: Client, connected: ConnectedClient) => Promise<T>): Promise<T> {
  const connected = await connectClient(flags);
  try {
    return await body(connected.client, connected);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new UsageError(`no schedule ${scheduleId} in namespace ${connected.target.namespace}`, EXIT.ERROR);
    throw error;
  } finally {
    await connected.close();
  }
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('run rollouts on Temporal Schedules (cron, calendar or interval)');

  connectionOptions(
    specOptions(schedule.command('create').description('create a schedule that starts a rollout with this spec').argument('<scheduleId>', 'the schedule id; each run is <scheduleId>-<time>'))
      .option('--cron <expression>', 'cron expression, e.g. "0 2 * * 6" (repeatable)', collect)
      .option('--calendar <json>', 'a calendar as JSON, e.g. \'{"dayOfWeek":"SATURDAY","hour":2}\' (repeatable)', collect)
      .option('--every <duration>', 'an interval, e.g. 7d')
      .option('--offset <duration>', 'with --every: shift within the interval, e.g. 2h')
      .option('--timezone <zone>', 'IANA time zone for --cron and --calendar (default UTC)')
      .option('--overlap <policy>', `when a run is due while the last one still runs: ${Object.keys(OVERLAP_POLICIES).join(', ')}`, 'skip')
      .option('--catchup-window <duration>', 'after a server outage, still start runs missed by at most this much', DEFAULT_CATCHUP_WINDOW)
      .option('--pause-on-failure', 'pause the schedule when a rollout workflow fails')
      .option('--paused', 'create it paused')
      .option('--allow-frozen', "create it even when some of its next runs start inside the spec's freeze (each such run waits for the freeze to lift)")
      .option('--note <text>', 'a note shown with the schedule')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      `
Examples:
  # Every Saturday 02:00 Amsterdam time, the 1.31 clusters onto 1.31's latest patch:
  fleet schedule create weekly-patch-1.31 --platform avisi --organisation acme --target 1.31 \\
    --cron "0 2 * * 6" --timezone Europe/Amsterdam --overlap skip --catchup-window 2h
  fleet schedule create nightly-dry-run -f rollout.yaml --calendar '{"hour":3}' --pause-on-failure`,
    )
    .action(async (scheduleId: string, flags: SpecFlags & ScheduleFlags & ConnectionFlags & { json?: boolean; allowFrozen?: boolean }) => {
      const times = scheduleSpecOf(flags);
      const { spec, plan } = await specFromInput(flags);
      await withSchedule(flags, scheduleId, async (client, connected) => {
        try {
          await client.schedule.create({
            scheduleId,
            ...times,
            // Created paused so no run fires before its times are checked against the spec's freezes (unpaused below).
            state: { ...times.state, paused: true },
            action: {
              type: 'startWorkflow',
              workflowType: ROLLOUT_WORKFLOW_TYPE,
              workflowId: scheduleId,
              taskQueue: connected.target.taskQueue,
              args: [spec satisfies RolloutSpec],
              staticSummary: `${rolloutSummary(plan)} (schedule ${scheduleId})`,
              staticDetails: specDetails(plan),
            },
          });
        } catch (error) {
          if (error instanceof ScheduleAlreadyRunning) throw new UsageError(`schedule ${scheduleId} exists already; delete it first or choose another id`, EXIT.ERROR);
          const message = (error as Error).message;
          if (/invalid|cron|calendar/i.test(message)) throw new UsageError(`the server rejected the schedule: ${message.split('\n')[0]}`);
          throw error;
        }
        const handle = client.schedule.getHandle(scheduleId);
        const upcoming = (await handle.describe()).info.nextActionTimes;
        const frozen = frozenRuns(upcoming, plan.freeze);
        const warning = frozenRunsText(frozen, upcoming.length);
        if (warning && !flags.allowFrozen) {
          await handle.delete();
          throw new UsageError(`schedule ${scheduleId} not created: ${warning}; choose times outside the freeze, or pass --allow-frozen`);
        }
        // Not unpause(): it would replace the note with its own.
        if (!flags.paused) await handle.update((previous) => ({ ...previous, state: { ...previous.state, paused: false } }));
        if (warning) console.error(`fleet: warning: ${warning}`);
        const description = await handle.describe();
        const next = description.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString());
        console.log(flags.json ? JSON.stringify({ scheduleId, paused: description.state.paused, nextActionTimes: next, frozenRuns: frozen }) : `created schedule ${scheduleId}${description.state.paused ? ' (paused)' : ''}; next runs: ${next.join(', ') || 'none'}`);
      });
    });

  connectionOptions(schedule.command('list').description('list the schedules that start rollouts').option('--json', 'print a JSON array'))
    .addHelpText('after', '\nExamples:\n  fleet schedule list\n  fleet schedule list --json | jq -r \'.[] | select(.paused) | .scheduleId\'')
    .action(async (flags: ConnectionFlags & { json?: boolean }) => {
      const connected = await connectClient(flags);
      const summaries: ScheduleSummary[] = [];
      try {
        for await (const summary of connected.client.schedule.list()) {
          if (summary.action?.type === 'startWorkflow' && summary.action.workflowType === ROLLOUT_WORKFLOW_TYPE) summaries.push(summary);
        }
      } finally {
        await connected.close();
      }
      const listings = summaries.map(scheduleListing).sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
      if (flags.json) console.log(JSON.stringify(listings, null, 2));
      else if (listings.length === 0) console.log('no rollout schedules');
      else console.log(formatTable(['SCHEDULE', 'STATE', 'WHEN', 'NEXT RUN (UTC)', 'LAST RUN'], listings.map((l) => [l.scheduleId, l.paused ? 'paused' : 'active', l.when, l.nextActionTimes[0]?.slice(0, 16).replace('T', ' ') ?? '-', l.lastRolloutId ?? '-'])));
    });

  connectionOptions(schedule.command('describe').description('show a schedule: when, policies, the rollout spec, next and recent runs').argument('<scheduleId>').option('--json', 'print JSON'))
    .addHelpText('after', '\nExample:\n  fleet schedule describe weekly-patch-1.31')
    .action((scheduleId: string, flags: ConnectionFlags & { json?: boolean }) =>
      withSchedule(flags, scheduleId, async (client) => {
        const description: ScheduleDescription = await client.schedule.getHandle(scheduleId).describe();
        console.log(flags.json ? JSON.stringify(describeScheduleJson(description), null, 2) : describeScheduleText(description));
      }),
    );

  const simple = (name: string, description: string, example: string, act: (client: Client, id: string, flags: ConnectionFlags & { note?: string; json?: boolean }) => Promise<string>, withNote = false) => {
    const cmd = schedule.command(name).description(description).argument('<scheduleId>');
    if (withNote) cmd.option('--note <text>', 'why (shown with the schedule)');
    connectionOptions(cmd.option('--json', 'print the result as JSON'))
      .addHelpText('after', `\nExample:\n  ${example}`)
      .action((scheduleId: string, flags: ConnectionFlags & { note?: string; json?: boolean }) =>
        withSchedule(flags, scheduleId, async (client) => {
          const done = await act(client, scheduleId, flags);
          console.log(flags.json ? JSON.stringify({ scheduleId, done: name }) : done);
        }),
      );
  };
  simple('pause', 'stop starting rollouts until unpaused', 'fleet schedule pause weekly-patch-1.31 --note "change freeze"', async (c, id, f) => (await c.schedule.getHandle(id).pause(f.note ?? `paused with fleet by ${process.env.USER ?? 'an operator'}`), `paused schedule ${id}`), true);
  simple('unpause', 'start rollouts on schedule again', 'fleet schedule unpause weekly-patch-1.31', async (c, id, f) => (await c.schedule.getHandle(id).unpause(f.note ?? `unpaused with fleet by ${process.env.USER ?? 'an operator'}`), `unpaused schedule ${id}`), true);
  simple('trigger', "start a rollout now, with the schedule's spec and overlap policy", 'fleet schedule trigger weekly-patch-1.31', async (c, id) => {
    const handle = c.schedule.getHandle(id);
    await handle.trigger((await handle.describe()).policies.overlap);
    return `triggered schedule ${id}; fleet rollout list --query 'TemporalScheduledById = "${id}"' shows its runs`;
  });
  simple('delete', 'delete a schedule (rollouts it started keep running)', 'fleet schedule delete weekly-patch-1.31', async (c, id) => (await c.schedule.getHandle(id).delete(), `deleted schedule ${id}`));
}

function describeScheduleJson(d: ScheduleDescription) {
  const action = d.action.type === 'startWorkflow' ? { workflowType: d.action.workflowType, workflowId: d.action.workflowId, taskQueue: d.action.taskQueue, spec: d.action.args?.[0] } : d.action;
  return {
    scheduleId: d.scheduleId,
    spec: d.spec,
    policies: d.policies,
    state: d.state,
    action,
    nextActionTimes: d.info.nextActionTimes,
    frozenRuns: scheduleFrozenRuns(d),
    recentRollouts: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt, rolloutId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : undefined })),
    runningRollouts: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
}
