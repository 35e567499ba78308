/** `fleet rollout start | status`, and the commands in rollout-*.ts and steer.ts. */
import type { Command } from 'commander';
import type { RolloutReport } from '../../domain/report.js';
import type { fleetRollout } from '../../workflows/rollout/workflow.js';
import { progressOf } from '../rollout-progress.js';
import { describeRollout, formatReport, progressLine, specSection, startRollout } from '../rollouts.js';
import { START_HELP, waitAsAsked, warnIfNoWorker, type StartFlags } from '../start-waits.js';
import { specFromInput, type SpecFlags } from '../spec-input.js';
import { requireRolloutNamespace } from '../namespace-guard.js';
import { connectClient } from '../temporal-client.js';
import { PickupWatch } from '../worker-presence.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';
import { registerListCommand } from './rollout-list.js';
import { registerPlanCommand } from './rollout-plan.js';
import { registerWatchCommand } from './rollout-watch.js';
import { specOptions } from './spec-options.js';
import { registerSteeringCommands } from './steer.js';

type JsonFlags = ConnectionFlags & { json?: boolean };

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('start and follow fleet upgrade rollouts');
  registerStartCommand(rollout);
  registerStatusCommand(rollout);
  registerPlanCommand(rollout);
  registerWatchCommand(rollout);
  registerListCommand(rollout);
  registerSteeringCommands(rollout);
}

function registerStartCommand(rollout: Command): void {
  connectionOptions(
    specOptions(rollout.command('start').description('validate a rollout spec and start it'))
      .option('--dry-run', 'plan and report, change nothing')
      .option(
        '--id <rolloutId>',
        'workflow id (default: derived from platform, organisation, target and time); a running id is attached to',
      )
      .option('--wait', 'once planning accepted it, follow progress until the rollout ends (exit codes as for watch)')
      .option('--no-wait', 'return once the workflow started, before planning accepted or refused it (fire and forget)')
      .option('--json', 'print JSON instead of text'),
  )
    .addHelpText('after', START_HELP)
    .action(startCommand);
}

async function startCommand(flags: SpecFlags & ConnectionFlags & StartFlags): Promise<void> {
  const { spec, plan } = await specFromInput(flags);
  const connected = await connectClient(flags);
  try {
    await requireRolloutNamespace(connected, plan);
    const taskQueue = connected.target.taskQueue;
    const pickup = await warnIfNoWorker(connected.client, taskQueue);
    const rolloutId = flags.id ? { rolloutId: flags.id } : {};
    const handle = await startRollout(connected.client, { taskQueue, spec, plan, ...rolloutId });
    process.exitCode = await waitAsAsked(handle, taskQueue, flags, pickup);
  } finally {
    await connected.close();
  }
}

function registerStatusCommand(rollout: Command): void {
  connectionOptions(
    rollout
      .command('status')
      .description('show a rollout: progress while it runs, the report once it ended')
      .argument('<rolloutId>', 'the rollout workflow id')
      .option('--json', 'print JSON instead of text'),
  )
    .addHelpText('after', '\nExample:\n  fleet rollout status rollout-avisi-acme-1.31-20261122T101500Z --json')
    .action(statusCommand);
}

async function statusCommand(rolloutId: string, flags: JsonFlags): Promise<void> {
  const connected = await connectClient(flags);
  try {
    const description = await describeRollout(connected.client, rolloutId, connected.target.namespace);
    const status = description.status.name;
    const handle = connected.client.workflow.getHandle<typeof fleetRollout>(rolloutId);
    const json = (body: object) => JSON.stringify({ status, ...body }, null, 2);
    if (status === 'RUNNING') {
      // Says (stderr) when nothing picks the rollout up, and asks no query then: it would only hang.
      const stuck = await new PickupWatch(connected.client.workflow, (line) => console.error(line)).check(description);
      const progress = stuck ? undefined : await progressOf(handle);
      const text = progress
        ? [progressLine(progress), ...specSection(progress.spec)].join('\n')
        : `rollout ${rolloutId}: RUNNING (no worker answered its progress query)`;
      console.log(flags.json ? json({ progress: progress ?? null }) : text);
    } else if (status === 'COMPLETED') {
      const report = (await handle.result()) as RolloutReport;
      console.log(flags.json ? json({ report }) : formatReport(report));
    } else {
      const reason = await failureReason(handle);
      console.log(flags.json ? json({ reason }) : `rollout ${rolloutId}: ${status}${reason ? `: ${reason}` : ''}`);
    }
  } finally {
    await connected.close();
  }
}

/** Why a rollout that did not complete ended: its result's failure, or '' when there is none. */
async function failureReason(handle: { result(): Promise<unknown> }): Promise<string> {
  try {
    await handle.result();
    return '';
  } catch (error) {
    return (error as { cause?: Error }).cause?.message ?? (error as Error).message;
  }
}
