/**
 * Starting and following rollouts from a Temporal client: shared by `rollout start`,
 * `rollout status` and `demo`.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { gateLine } from '../domain/gate.js';
import { skippedText } from '../domain/skipped.js';
import type { RolloutProgress, RolloutReport } from '../domain/report.js';
import { specTextLines, type SpecLine } from '../domain/spec-describe.js';
import type { RolloutPlan, RolloutSpec } from '../domain/spec.js';
import { targetsLabel } from '../domain/spec-targets.js';
import type { fleetRollout } from '../workflows/rollout/workflow.js';
import { progressOf } from './rollout-progress.js';
import { runningNames } from './progress-view.js';
import { UsageError } from './errors.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { specDetails } from './spec-details.js';
import { targetingLines, targetingSummary, type TargetingNotes } from './targeting-notes.js';
import type { PickupWatch } from './worker-presence.js';

/** **Contract**: the workflow type any Temporal client starts. */
export const ROLLOUT_WORKFLOW_TYPE = 'fleetRollout';

export type RolloutHandle = WorkflowHandle<typeof fleetRollout>;

export function defaultRolloutId(plan: RolloutPlan, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const where =
    plan.targets.length > 1
      ? [...new Set(plan.targets.map((t) => t.platform))].join('+')
      : `${plan.platform}-${plan.organisation.slice(0, 13)}`;
  // A per-minor map's label (`1.30.10, 1.31.6`) is no part of an id.
  const to = plan.targetVersions ? 'per-minor' : plan.targetVersion;
  return `rollout-${where}-${to}-${stamp}`;
}

/** The target as it resolved: one version, or one per platform of a rollout over several. */
export const resolvedLabel = (report: RolloutReport): string => {
  // A per-minor rollout has a version per minor, listed on its own line.
  if (report.minors?.length) return 'per minor';
  return report.targets
    ? report.targets.map((t) => `${t.platform} ${t.resolvedVersion}`).join(', ')
    : report.resolvedVersion;
};

/** The one-line summary the Temporal UI shows for a rollout (and a schedule's action). */
export const rolloutSummary = (plan: RolloutPlan): string =>
  `Upgrade ${targetsLabel(plan.targets)} to ${plan.targetVersion}${plan.dryRun ? ' (dry run)' : ''}`;

export async function startRollout(
  client: Client,
  options: { taskQueue: string; spec: RolloutSpec; plan: RolloutPlan; rolloutId?: string },
): Promise<RolloutHandle> {
  const workflowId = options.rolloutId ?? defaultRolloutId(options.plan);
  try {
    return await client.workflow.start<typeof fleetRollout>(ROLLOUT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: options.taskQueue,
      args: [options.spec],
      staticSummary: rolloutSummary(options.plan),
      staticDetails: specDetails(options.plan),
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      // A rollout with this id is running: attach to it rather than start a second.
      return client.workflow.getHandle<typeof fleetRollout>(workflowId);
    }
    throw error;
  }
}

/** One line of progress; `excluded`, `unmatched` and `warnings` are added when the progress carries them. */
export function progressLine(p: RolloutProgress & TargetingNotes): string {
  const c = p.counts;
  const blocked = c.BLOCKED ?? 0;
  const done = c.SUCCEEDED + c.SKIPPED + c.FAILED + c.MISSED + c.SUPERSEDED + blocked + c.CANCELLED + c.NOT_STARTED;
  const wave = p.currentWave !== undefined ? p.waves[p.currentWave] : undefined;
  const where = wave ? ` wave ${wave.name} (${wave.state})${wave.gate ? ` ${gateLine(wave.gate)}` : ''}` : '';
  const flags = `${p.paused ? ' PAUSED' : ''}${p.frozen ? ` FROZEN until ${p.frozen.until}: ${p.frozen.reason}` : ''}${p.stopReason ? ` STOPPING: ${p.stopReason}` : ''}`;
  const notes = targetingSummary(p);
  const ends = p.forecast ? ` ends ~${p.forecast.at}` : '';
  return `${p.rolloutId} ${p.phase}${where}${flags} ${done}/${p.total} done (running ${runningText(p)}, pending ${p.pending}) succeeded ${c.SUCCEEDED} skipped ${c.SKIPPED} failed ${c.FAILED} missed ${c.MISSED} superseded ${c.SUPERSEDED}${blocked ? ` blocked ${blocked}` : ''}${ends}${skippedWhy(p)}${notes ? ` (${notes})` : ''}`;
}

/** ` (skipped: 8 at the target, 1 by an operator)` on the status line, when the progress says why. */
function skippedWhy(p: RolloutProgress): string {
  const why = p.skipped && p.counts.SKIPPED > 0 ? skippedText(p.skipped) : undefined;
  return why ? ` (skipped: ${why})` : '';
}

/** Running clusters on the status line: how many, and the first few by name (`running 2: web-01, web-02`). */
const RUNNING_NAMED = 5;
function runningText(p: RolloutProgress): string {
  if (p.running.length === 0) return '0';
  const names = runningNames(p);
  const more = names.length - RUNNING_NAMED;
  return `${p.running.length}: ${names.slice(0, RUNNING_NAMED).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Reads progress until the rollout closes, calling `onProgress` on every change. With a
 * `pickup` watch it says when nothing picks the rollout up (and asks no query then).
 */
export async function followRollout(
  handle: RolloutHandle,
  onProgress: (p: RolloutProgress) => void,
  intervalMs = 1000,
  pickup?: PickupWatch,
): Promise<RolloutReport> {
  const result = handle.result();
  let closed = false;
  result.then(
    () => (closed = true),
    () => (closed = true),
  );
  let last = '';
  while (!closed) {
    // Undefined when the query races the workflow's first task or its close, or no worker answers: the next turn tells.
    const progress = (await pickup?.checkEvery(handle)) ? undefined : await progressOf(handle);
    const line = JSON.stringify(progress);
    if (progress && line !== last) onProgress(progress);
    if (progress) last = line;
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
  }
  try {
    return await result;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause)
      throw new Error(`rollout ${handle.workflowId} failed: ${error.cause.message}`);
    throw error;
  }
}

/**
 * The spec as it is (the report's or the progress's `spec`), indented under `spec:`; none
 * from a worker that sends none.
 */
export const specSection = (spec: readonly SpecLine[] | undefined, indent = '  '): string[] =>
  spec?.length ? [`${indent}spec:`, ...specTextLines(spec).map((line) => `${indent}  ${line}`)] : [];

/** Excluded and unmatched clusters a report names, and warnings it prints (the rest are counted; `--json` has more). */
const NAMED_IN_A_REPORT = 5;
const WARNINGS_IN_A_REPORT = 3;

/** `  skipped 12: 8 at the target, 2 matched no wave, 2 by an operator` (each operator's skip has its line below). */
function skippedLines(report: RolloutReport): string[] {
  const why = report.skipped && report.counts.SKIPPED > 0 ? skippedText(report.skipped) : undefined;
  return why ? [`  skipped ${report.counts.SKIPPED}: ${why}`] : [];
}

export function formatReport(report: RolloutReport): string {
  const c = report.counts;
  const lines = [
    `rollout ${report.rolloutId}: ${report.status}${report.dryRun ? ' (dry run)' : ''}`,
    `  ${targetsLabel(report.targets ?? [report])} -> ${report.targetVersion} (${resolvedLabel(report)}), ${report.total} clusters`,
    `  succeeded ${c.SUCCEEDED}, skipped ${c.SKIPPED}, failed ${c.FAILED}, missed ${c.MISSED}, superseded ${c.SUPERSEDED}${c.BLOCKED ? `, blocked ${c.BLOCKED}` : ''}, cancelled ${c.CANCELLED}, not started ${c.NOT_STARTED}`,
    ...skippedLines(report),
    ...(report.stopReason ? [`  stopped: ${report.stopReason}`] : []),
    `  waves: ${report.waves.map((w) => `${w.name} ${w.state} (${w.counts.SUCCEEDED}/${w.total} upgraded)`).join(', ')}`,
    ...report.waves.filter((w) => w.gate).map((w) => `  wave ${w.name}: ${gateLine(w.gate!)}`),
    ...targetingLines(report, {
      maxNames: NAMED_IN_A_REPORT,
      maxWarnings: WARNINGS_IN_A_REPORT,
      planned: report.dryRun,
    }),
    ...specSection(report.spec),
  ];
  for (const cluster of report.clusters) {
    const compensation = cluster.compensation ? ` [compensation: ${cluster.compensation}]` : '';
    lines.push(
      `  - ${cluster.name} (${cluster.clusterId}): ${cluster.outcome}${cluster.message ? `: ${cluster.message}` : ''}${compensation}`,
    );
  }
  if (report.clustersOmitted) lines.push(`  ... and ${report.clustersOmitted} more`);
  for (const action of report.actions) {
    lines.push(
      `  ${action.at} ${action.action}${action.target ? ` ${action.target}` : ''}${action.by ? ` by ${action.by}` : ''}${action.reason ? `: ${action.reason}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** How a rollout workflow ended: its report, or why there is none (terminated, failed, ...). */
export type RolloutEnding = { readonly report: RolloutReport } | { readonly status: string; readonly reason: string };

/** Waits for the rollout to close (following continue-as-new) and says how it ended. */
export async function endingOf(handle: RolloutHandle): Promise<RolloutEnding> {
  try {
    return { report: await handle.result() };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const status = (await handle.describe()).status.name;
    return { status, reason: error.cause?.message ?? error.message };
  }
}

/** Follows the rollout (progress on every change) until it closes, then says how it ended. */
export async function followToEnding(
  handle: RolloutHandle,
  onProgress: (p: RolloutProgress) => void,
  intervalMs?: number,
  pickup?: PickupWatch,
): Promise<RolloutEnding> {
  return followRollout(handle, onProgress, intervalMs, pickup).then(
    (report) => ({ report }),
    () => endingOf(handle),
  );
}

/** Prints how a rollout ended (its report, or why there is none) and returns the exit code that says so. */
export function printEnding(rolloutId: string, ending: RolloutEnding, json: boolean | undefined): number {
  if ('report' in ending) {
    console.log(json ? JSON.stringify(ending.report, null, 2) : formatReport(ending.report));
    return exitCodeOf(ending.report);
  }
  console.log(json ? JSON.stringify(ending) : `rollout ${rolloutId}: ${ending.status}: ${ending.reason}`);
  return EXIT.ROLLOUT_FAILED;
}

/** A rollout by id, or a one-line error naming the id and namespace. */
export async function describeRollout(client: Client, rolloutId: string, namespace: string) {
  try {
    return await client.workflow.getHandle(rolloutId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new UsageError(`no rollout with id ${rolloutId} in namespace ${namespace}`, EXIT.ERROR);
    throw error;
  }
}
