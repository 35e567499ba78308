/**
 * A rollout's spec in short, as markdown: the static details the Temporal UI shows on
 * the rollout's page (User Metadata) beside its summary, so an operator sees what was
 * asked without opening the input JSON. Bounded: at most MAX_WAVES waves are named.
 */
import { formatDuration } from '../domain/durations.js';
import type { ApprovalGate, FailureBudget, RolloutPlan, WaveSpec } from '../domain/spec.js';
import { targetsLabel } from '../domain/spec-targets.js';

const MAX_WAVES = 12;

const budget = (b: FailureBudget) => `at most ${b.maxFailed} failed${b.countSuperseded ? '' : ' (superseded not counted)'}`;

const gate = (a: ApprovalGate) => (a.timeoutMs === undefined ? 'approval' : `approval within ${formatDuration(a.timeoutMs)}, else ${a.onTimeout}`);

function wave(w: WaveSpec): string {
  const size = w.clusters ? `${w.clusters.length} listed` : w.size !== undefined ? String(w.size) : 'the rest';
  const extras = [
    ...(w.maxParallel !== undefined ? [`${w.maxParallel} at once`] : []),
    ...(w.approval ? [gate(w.approval)] : []),
    ...(w.soakMs ? [`soak ${formatDuration(w.soakMs)}`] : []),
    ...(w.failureBudget ? [budget(w.failureBudget)] : []),
    ...(w.gate ? [`gate ${w.gate.name}${w.gate.onFail === 'pause' ? ' (pauses on failure)' : ''}`] : []),
  ];
  return `${w.name} (${[size, ...extras].join(', ')})`;
}

export function specDetails(plan: RolloutPlan): string {
  const waves = plan.waves.slice(0, MAX_WAVES).map(wave).join(' → ') + (plan.waves.length > MAX_WAVES ? ` → … ${plan.waves.length - MAX_WAVES} more` : '');
  const lines = [
    `**${targetsLabel(plan.targets)} → ${plan.targetVersion}**${plan.dryRun ? ' · **dry run**: nothing is changed' : ''}`,
    '',
    `- clusters: ${plan.clusters ? `${plan.clusters.length} listed` : 'every cluster of the organisation'}`,
    `- waves: ${waves}`,
    `- ${plan.maxParallel} at once · retry ${plan.retry.maxAttempts} · reschedule ${plan.reschedule.maxAttempts} · poll every ${formatDuration(plan.pollIntervalMs)} · ${formatDuration(plan.clusterDeadlineMs)} per attempt`,
    ...(plan.failureBudget ? [`- failure budget: ${budget(plan.failureBudget)}`] : []),
    ...(plan.soakMs > 0 ? [`- soak ${formatDuration(plan.soakMs)} after each wave`] : []),
    ...(plan.maxHops > 1 ? [`- up to ${plan.maxHops} minor versions, one pass each`] : []),
    ...(plan.ignoreMaintenanceSchedule ? ['- maintenance windows ignored'] : []),
    ...(plan.scheduleRequestDate ? [`- windows from ${plan.scheduleRequestDate}`] : []),
  ];
  return lines.join('\n');
}
