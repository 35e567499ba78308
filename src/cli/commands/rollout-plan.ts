/**
 * `fleet rollout plan`: what a rollout would do, without doing it. Runs the rollout as
 * a dry run (the same planning code, the platform's real inventory and windows, nothing
 * sent that changes anything) and prints each cluster's wave, path and first window.
 */
import type { Command } from 'commander';
import type { RolloutReport } from '../../domain/report.js';
import { defaultRolloutId, followRollout, startRollout } from '../rollouts.js';
import { specFromInput, type SpecFlags } from '../spec-input.js';
import { formatTable } from '../table.js';
import { connectClient } from '../temporal-client.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';
import { specOptions } from './spec-options.js';

export function formatPlan(report: RolloutReport): string {
  const lines = [
    `plan ${report.rolloutId}: ${report.platform}/${report.organisation} -> ${report.targetVersion} (${report.resolvedVersion})`,
    `  ${report.total} clusters; path ${report.hops.join(' -> ')}`,
    `  waves: ${report.waves.map((w) => `${w.name} (${w.total}, ${Math.min(w.total, w.maxParallel)} at once)`).join(', ')}`,
  ];
  if (report.clusters.length > 0) {
    lines.push('', formatTable(['CLUSTER', 'ID', 'NOW', 'WAVE', 'PLAN'], report.clusters.map((l) => [l.name, l.clusterId, l.fromVersion, l.wave ?? '-', l.message ?? ''])));
  }
  if (report.clustersOmitted) lines.push(`  ... and ${report.clustersOmitted} more`);
  return lines.join('\n');
}

export function registerPlanCommand(rollout: Command): void {
  connectionOptions(specOptions(rollout.command('plan').description('plan a rollout without changing anything: waves, paths and windows per cluster')))
    .option('--id <planId>', 'workflow id of the dry run (default: plan-<platform>-<organisation>-<target>-<time>)')
    .option('--json', 'print the dry-run report as JSON')
    .addHelpText('after', '\nExamples:\n  fleet rollout plan --platform avisi --organisation acme --target 1.31\n  fleet rollout plan -f rollout.yaml --json | jq \'.clusters[] | {name, message}\'')
    .action(async (flags: SpecFlags & ConnectionFlags & { id?: string; json?: boolean }) => {
      const { spec, plan } = await specFromInput({ ...flags, dryRun: true });
      const connected = await connectClient(flags);
      try {
        const rolloutId = flags.id ?? defaultRolloutId(plan).replace(/^rollout-/, 'plan-');
        const handle = await startRollout(connected.client, { taskQueue: connected.target.taskQueue, spec, plan, rolloutId });
        const report = await followRollout(handle, () => undefined);
        console.log(flags.json ? JSON.stringify(report, null, 2) : formatPlan(report));
      } finally {
        await connected.close();
      }
    });
}
