/**
 * `fleet rollout plan`: what a rollout would do, without doing it. Runs the rollout as
 * a dry run (the same planning code, the platform's real inventory and windows, nothing
 * sent that changes anything) and prints each wave's clusters with their path and first
 * window, then the clusters excluded or matching no wave, and planning's warnings.
 * Exits 2 when planning refuses the spec (bad input), 1 when it fails for the platform or
 * the worker (see refusal.ts).
 */
import type { Command } from 'commander';
import { forecastText } from '../../domain/forecast-text.js';
import type { RolloutReport } from '../../domain/report.js';
import { targetsLabel } from '../../domain/spec-targets.js';
import { awaitAcceptance } from '../acceptance.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { defaultRolloutId, followRollout, resolvedLabel, specSection, startRollout } from '../rollouts.js';
import { specFromInput, type SpecFlags } from '../spec-input.js';
import { formatTable } from '../table.js';
import { targetingLines } from '../targeting-notes.js';
import { requireRolloutNamespace } from '../namespace-guard.js';
import { connectClient } from '../temporal-client.js';
import { PickupWatch } from '../worker-presence.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';
import { specOptions } from './spec-options.js';

/** Names a plan prints per group (excluded, unmatched): all the report holds (its first 20). */
const NAMED_IN_A_PLAN = 20;

/** `10 clusters: 7 to upgrade, 2 at the target already, 1 matching no wave` (a dry run counts both kinds SKIPPED). */
function clustersLine(report: RolloutReport): string {
  const unmatched = report.unmatched?.count ?? 0;
  const atTarget = report.counts.SKIPPED - unmatched;
  const parts = [
    `${report.total - report.counts.SKIPPED} to upgrade`,
    ...(atTarget > 0 ? [`${atTarget} at the target already`] : []),
    ...(unmatched > 0 ? [`${unmatched} matching no wave`] : []),
  ];
  return `${report.total} clusters${parts.length > 1 ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * The plan as an operator reads it before anything changes: the waves, then a row per
 * cluster in wave order (as the selectors took them), then the excluded and unmatched
 * clusters and planning's warnings.
 */
export function formatPlan(report: RolloutReport): string {
  const lines = [
    `plan ${report.rolloutId}: ${targetsLabel(report.targets ?? [report])} -> ${report.targetVersion} (${resolvedLabel(report)})`,
    `  ${clustersLine(report)}; ${report.minors?.length ? 'one pass, each cluster to its own minor' : `path ${report.hops.join(' -> ')}`}`,
    `  waves: ${report.waves.map((w) => `${w.name} (${w.total}, ${Math.min(w.total, w.maxParallel)} at once)`).join(', ')}`,
    ...(report.forecast ? [`  forecast, if started now: ends ${forecastText(report.forecast)}`] : []),
  ];
  if (report.clusters.length > 0) {
    // Lines arrive wave by wave; sorting (stable) by the waves' order keeps it so whatever the report's order.
    const order = new Map(report.waves.map((w, i) => [w.name, i]));
    const rank = (wave: string | undefined) => (wave !== undefined ? (order.get(wave) ?? order.size) : order.size + 1);
    const rows = [...report.clusters].sort((a, b) => rank(a.wave) - rank(b.wave));
    // Over several targets, each row says where its cluster is.
    const where = report.targets ? ['WHERE'] : [];
    const whereOf = (l: (typeof rows)[number]) =>
      report.targets ? [`${l.platform ?? '-'}/${l.organisation ?? '-'}`] : [];
    // A per-minor rollout: each cluster's own target.
    const perCluster = rows.some((l) => l.toVersion !== undefined);
    const to = perCluster ? ['TO'] : [];
    const toOf = (l: (typeof rows)[number]) => (perCluster ? [l.toVersion ?? '-'] : []);
    lines.push(
      '',
      formatTable(
        ['WAVE', ...where, 'CLUSTER', 'ID', 'NOW', ...to, 'PLAN'],
        rows.map((l) => [
          l.wave ?? '-',
          ...whereOf(l),
          l.name,
          l.clusterId,
          l.fromVersion,
          ...toOf(l),
          l.message ?? '',
        ]),
      ),
    );
  }
  if (report.clustersOmitted) lines.push(`  ... and ${report.clustersOmitted} more`);
  const notes = targetingLines(report, { maxNames: NAMED_IN_A_PLAN, planned: true });
  if (notes.length > 0) lines.push('', ...notes);
  const spec = specSection(report.spec, '');
  if (spec.length > 0) lines.push('', ...spec);
  if (report.freezes)
    lines.push(
      '',
      'freezes in the next 30 days, touching ones as one (no cluster starts; running ones finish):',
      ...report.freezes.map((f) => `  ${f.from} to ${f.to}: ${f.reason}`),
    );
  return lines.join('\n');
}

export function registerPlanCommand(rollout: Command): void {
  connectionOptions(
    specOptions(
      rollout
        .command('plan')
        .description('plan a rollout without changing anything: waves, paths and windows per cluster'),
    ),
  )
    .option('--id <planId>', 'workflow id of the dry run (default: plan-<platform>-<organisation>-<target>-<time>)')
    .option('--json', 'print the dry-run report as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 the plan; 2 bad input (flags, the spec, or refused at planning); 1 an error (Temporal unreachable, planning failed for the platform or the worker).' +
        "\n\nExamples:\n  fleet rollout plan --platform avisi --organisation acme --target 1.31\n  fleet rollout plan -f rollout.yaml --json | jq '.clusters[] | {name, message}'",
    )
    .action(planRollout);
}

async function planRollout(flags: SpecFlags & ConnectionFlags & { id?: string; json?: boolean }): Promise<void> {
  const { spec, plan } = await specFromInput({ ...flags, dryRun: true });
  const connected = await connectClient(flags);
  try {
    await requireRolloutNamespace(connected, plan);
    const rolloutId = flags.id ?? defaultRolloutId(plan).replace(/^rollout-/, 'plan-');
    const handle = await startRollout(connected.client, {
      taskQueue: connected.target.taskQueue,
      spec,
      plan,
      rolloutId,
    });
    // Notes to stderr while planning runs; a refusal throws (exit 2 for bad input, 1 for
    // the infrastructure: refusal.ts).
    const say = (line: string) => console.error(line);
    const pickup = new PickupWatch(connected.client.workflow, say);
    const acceptance = await awaitAcceptance(handle, say, pickup);
    if (!acceptance.accepted) {
      const { status, reason } = acceptance.ending;
      throw new UsageError(`plan ${rolloutId}: ${status}: ${reason}`, EXIT.ERROR);
    }
    const report = await followRollout(handle, () => undefined, undefined, pickup);
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatPlan(report));
  } finally {
    await connected.close();
  }
}
