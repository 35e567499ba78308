/** The flags every command that talks to Temporal takes; envconfig supplies the defaults. */
import type { Command } from 'commander';

export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

export const connectionOptions = (cmd: Command): Command =>
  cmd
    .option(
      '--address <host:port>',
      'Temporal frontend (default: TEMPORAL_ADDRESS or temporal.toml profile, else localhost:7233)',
    )
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or profile, else default)')
    .option('--task-queue <name>', 'task queue of the fleet workers (default: FLEET_TASK_QUEUE or fleet-rollouts)');
