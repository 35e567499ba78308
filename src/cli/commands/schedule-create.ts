/**
 * `fleet schedule create`: a Temporal Schedule whose action starts `fleetRollout` with a
 * spec validated here. Created paused, its next runs checked against the spec's freezes,
 * then unpaused (unless `--paused`): no run fires before that check.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleHandle } from '@temporalio/client';
import type { Command } from 'commander';
import type { RolloutSpec } from '../../domain/spec.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { ROLLOUT_WORKFLOW_TYPE, rolloutSummary } from '../rollouts.js';
import { DEFAULT_CATCHUP_WINDOW, OVERLAP_POLICIES, scheduleSpecOf, type ScheduleFlags } from '../schedule-options.js';
import { frozenRuns, frozenRunsText } from '../schedule-freezes.js';
import { specDetails } from '../spec-details.js';
import { specFromInput, type SpecFlags } from '../spec-input.js';
import type { ConnectedClient } from '../temporal-client.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';
import { withSchedule } from './schedule-connect.js';
import { specOptions } from './spec-options.js';

type CreateFlags = SpecFlags & ScheduleFlags & ConnectionFlags & { json?: boolean; allowFrozen?: boolean };
type ValidSpec = Awaited<ReturnType<typeof specFromInput>>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

const CREATE_EXAMPLES = `
Examples:
  # Every Saturday 02:00 Amsterdam time, the 1.31 clusters onto 1.31's latest patch:
  fleet schedule create weekly-patch-1.31 --platform avisi --organisation acme --target 1.31 \\
    --cron "0 2 * * 6" --timezone Europe/Amsterdam --overlap skip --catchup-window 2h
  fleet schedule create nightly-dry-run -f rollout.yaml --calendar '{"hour":3}' --pause-on-failure`;

/** When the schedule runs and what it does about overlaps and outages (schedule-options.ts reads them). */
const timingOptions = (cmd: Command): Command =>
  cmd
    .option('--cron <expression>', 'cron expression, e.g. "0 2 * * 6" (repeatable)', collect)
    .option('--calendar <json>', 'a calendar as JSON, e.g. \'{"dayOfWeek":"SATURDAY","hour":2}\' (repeatable)', collect)
    .option('--every <duration>', 'an interval, e.g. 7d')
    .option('--offset <duration>', 'with --every: shift within the interval, e.g. 2h')
    .option('--timezone <zone>', 'IANA time zone for --cron and --calendar (default UTC)')
    .option(
      '--overlap <policy>',
      `when a run is due while the last one still runs: ${Object.keys(OVERLAP_POLICIES).join(', ')}`,
      'skip',
    )
    .option(
      '--catchup-window <duration>',
      'after a server outage, still start runs missed by at most this much',
      DEFAULT_CATCHUP_WINDOW,
    );

export function registerScheduleCreate(schedule: Command): void {
  const create = schedule
    .command('create')
    .description('create a schedule that starts a rollout with this spec')
    .argument('<scheduleId>', 'the schedule id; each run is <scheduleId>-<time>');
  connectionOptions(
    timingOptions(specOptions(create))
      .option('--pause-on-failure', 'pause the schedule when a rollout workflow fails')
      .option('--paused', 'create it paused')
      .option(
        '--allow-frozen',
        "create it even when some of its next runs start inside the spec's freeze (each such run waits for the freeze to lift)",
      )
      .option('--note <text>', 'a note shown with the schedule')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', CREATE_EXAMPLES)
    .action(createSchedule);
}

async function createSchedule(scheduleId: string, flags: CreateFlags): Promise<void> {
  const times = scheduleSpecOf(flags);
  const valid = await specFromInput(flags);
  await withSchedule(flags, scheduleId, async (client, connected) => {
    await createPaused(client, connected, scheduleId, times, valid);
    const handle = client.schedule.getHandle(scheduleId);
    const { frozen, warning } = await refuseFrozenRuns(handle, scheduleId, valid, flags);
    // Not unpause(): it would replace the note with its own.
    if (!flags.paused)
      await handle.update((previous) => ({ ...previous, state: { ...previous.state, paused: false } }));
    if (warning) console.error(`fleet: warning: ${warning}`);
    const description = await handle.describe();
    const paused = description.state.paused;
    const next = description.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString());
    const line = `created schedule ${scheduleId}${paused ? ' (paused)' : ''}; next runs: ${next.join(', ') || 'none'}`;
    console.log(flags.json ? JSON.stringify({ scheduleId, paused, nextActionTimes: next, frozenRuns: frozen }) : line);
  });
}

/** Created paused so no run fires before its times are checked against the spec's freezes. */
async function createPaused(
  client: Client,
  connected: ConnectedClient,
  scheduleId: string,
  times: ReturnType<typeof scheduleSpecOf>,
  { spec, plan }: ValidSpec,
): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      ...times,
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
    if (error instanceof ScheduleAlreadyRunning) {
      throw new UsageError(`schedule ${scheduleId} exists already; delete it first or choose another id`, EXIT.ERROR);
    }
    const message = (error as Error).message;
    if (/invalid|cron|calendar/i.test(message)) {
      throw new UsageError(`the server rejected the schedule: ${message.split('\n')[0]}`);
    }
    throw error;
  }
}

/** The next runs that start inside the spec's freeze; without --allow-frozen any such run deletes the schedule. */
async function refuseFrozenRuns(handle: ScheduleHandle, scheduleId: string, { plan }: ValidSpec, flags: CreateFlags) {
  const upcoming = (await handle.describe()).info.nextActionTimes;
  const frozen = frozenRuns(upcoming, plan.freeze);
  const warning = frozenRunsText(frozen, upcoming.length);
  if (warning && !flags.allowFrozen) {
    await handle.delete();
    throw new UsageError(
      `schedule ${scheduleId} not created: ${warning}; choose times outside the freeze, or pass --allow-frozen`,
    );
  }
  return { frozen, warning };
}
