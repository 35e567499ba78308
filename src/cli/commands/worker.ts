/**
 * `fleet worker`: runs a worker until SIGINT/SIGTERM (then lets running activities finish
 * within the grace time and exits 0).
 */
import type { Command } from 'commander';
import { runWorker } from '../../worker.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'run a fleetwave worker (Temporal connection from envconfig; platform URLs and tokens from the environment)',
    )
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or temporal.toml profile)')
    .option('--namespace <name>', 'Temporal namespace')
    .option('--task-queue <name>', 'task queue (default: FLEET_TASK_QUEUE or fleet-rollouts)')
    .addHelpText(
      'after',
      [
        '',
        'Metrics and shutdown:',
        '  FLEET_METRICS_ADDRESS=127.0.0.1:9464   serve Prometheus metrics on /metrics (off by default; a port alone binds 127.0.0.1)',
        '  FLEET_WORKER_SHUTDOWN_GRACE_TIME=30s   on SIGTERM, how long running activities may finish (default 10s)',
        '',
        'Example:',
        '  AVISI_API_TOKEN=... TEMPORAL_ADDRESS=temporal.example:7233 FLEET_METRICS_ADDRESS=9464 fleet worker',
      ].join('\n'),
    )
    .action(async (flags: { address?: string; namespace?: string; taskQueue?: string }) => {
      await runWorker(flags);
    });
}
