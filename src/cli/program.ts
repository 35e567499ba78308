/** The `fleet` command tree (commander). */
import { Command } from 'commander';
import { PLATFORM_DESCRIPTORS } from '../domain/platform.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerSimulatorCommand } from './commands/simulator.js';
import { registerVersionsCommand } from './commands/versions.js';
import { registerWorkerCommand } from './commands/worker.js';

export function buildProgram(): Command {
  const program = new Command('fleet')
    .description(
      `fleetwave: durable Kubernetes fleet upgrades on Temporal (${PLATFORM_DESCRIPTORS.map((d) => d.label).join(', ')})`,
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSimulatorCommand(program);
  registerWorkerCommand(program);
  registerRolloutCommands(program);
  registerScheduleCommands(program);
  registerVersionsCommand(program);
  registerDemoCommand(program);
  program.addHelpText(
    'after',
    '\nExamples:\n  fleet demo\n  fleet simulator --time-scale 86400\n  fleet rollout start --platform avisi --organisation acme --target 1.31 --wait\n  fleet rollout watch <rolloutId>\n  fleet schedule create weekly-patch-1.31 --platform avisi --organisation acme --target 1.31 --cron "0 2 * * 6"',
  );
  return program;
}
