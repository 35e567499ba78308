/** `fleet rollout start | status`, and the commands in rollout-*.ts and steer.ts. */
import type { Command } from 'commander';
import type { RolloutReport } from '../../domain/report.js';
import type { fleetRollout } from '../../workflows/fleet-rollout.js';
import { progressOf } from '../acceptance.js';
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

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('start and follow fleet upgrade rollouts');

  connectionOptions(
    specOptions(rollout.command('start').description('validate a rollout spec and start it'))
      .option('--dry-run', 'plan and report, change nothing')
      .option('--id <rolloutId>', 'workflow id (default: derived from platform, organisation, target and time); a running id is attached to')
      .option('--wait', 'once planning accepted it, follow progress until the rollout ends (exit codes as for watch)')
      .option('--no-wait', 'return once the workflow started, before planning accepted or refused it (fire and forget)')
      .option('--json', 'print JSON instead of text'),
  )
    .addHelpText('after', START_HELP)
    .action(async (flags: SpecFlags & ConnectionFlags & StartFlags) => {
      const { spec, plan } = await specFromInput(flags);
      const connected = await connectClient(flags);
      try {
        await requireRolloutNamespace(connected, plan);
        const pickup = await warnIfNoWorker(connected.client, connected.target.taskQueue);
        const handle = await startRollout(connected.client, { taskQueue: connected.target.taskQueue, spec, plan, ...(flags.id ? { rolloutId: flags.id } : {}) });
        process.exitCode = await waitAsAsked(handle, connected.target.taskQueue, flags, pickup);
      } finally {
        await connected.close();
      }
    });

  connectionOptions(
    rollout
      .command('status')
      .description('show a rollout: progress while it runs, the report once it ended')
      .argument('<rolloutId>', 'the rollout workflow id')
      .option('--json', 'print JSON instead of text'),
  )
    .addHelpText('after', '\nExample:\n  fleet rollout status rollout-avisi-acme-1.31-20261122T101500Z --json')
    .action(async (rolloutId: string, flags: ConnectionFlags & { json?: boolean }) => {
      const connected = await connectClient(flags);
      try {
        const handle = connected.client.workflow.getHandle<typeof fleetRollout>(rolloutId);
        const description = await describeRollout(connected.client, rolloutId, connected.target.namespace);
        const status = description.status.name;
        if (status === 'RUNNING') {
          // Says (stderr) when nothing picks the rollout up, and asks no query then: it would only hang.
          const stuck = await new PickupWatch(connected.client.workflow, (line) => console.error(line)).check(description);
          const progress = stuck ? undefined : await progressOf(handle);
          if (progress) console.log(flags.json ? JSON.stringify({ status, progress }, null, 2) : [progressLine(progress), ...specSection(progress.spec)].join('\n'));
          else console.log(flags.json ? JSON.stringify({ status, progress: null }, null, 2) : `rollout ${rolloutId}: RUNNING (no worker answered its progress query)`);
        } else if (status === 'COMPLETED') {
          const report = (await handle.result()) as RolloutReport;
          console.log(flags.json ? JSON.stringify({ status, report }, null, 2) : formatReport(report));
        } else {
          let reason = '';
          try {
            await handle.result();
          } catch (error) {
            reason = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
          }
          console.log(flags.json ? JSON.stringify({ status, reason }, null, 2) : `rollout ${rolloutId}: ${status}${reason ? `: ${reason}` : ''}`);
        }
      } finally {
        await connected.close();
      }
    });

  registerPlanCommand(rollout);
  registerWatchCommand(rollout);
  registerListCommand(rollout);
  registerSteeringCommands(rollout);
}
