/** `fleet worker`: runs a worker until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { runWorker } from '../../worker.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a fleetwave worker (Temporal connection from envconfig; platform URLs and tokens from the environment)')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or temporal.toml profile)')
    .option('--namespace <name>', 'Temporal namespace')
    .option('--task-queue <name>', 'task queue (default: FLEET_TASK_QUEUE or fleet-rollouts)')
    .addHelpText('after', '\nExample:\n  AVISI_API_TOKEN=... TEMPORAL_ADDRESS=temporal.example:7233 fleet worker')
    .action(async (flags: { address?: string; namespace?: string; taskQueue?: string }) => {
      await runWorker(flags);
    });
}
