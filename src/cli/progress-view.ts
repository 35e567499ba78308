/**
 * The picture `fleet rollout watch` draws: a header, one line per wave (state, a bar,
 * done/total, outcomes, and its gate's result under it) and the running clusters by
 * name. Pure: progress in, lines out, so it is tested without a terminal.
 */
import { forecastText } from '../domain/forecast-text.js';
import { CLUSTER_OUTCOMES, type OutcomeCounts, type RolloutProgress, type WaveSummary } from '../domain/report.js';
import { gateLine } from '../domain/gate.js';
import { skippedText } from '../domain/skipped.js';
import { targetingSummary, type TargetingNotes } from './targeting-notes.js';

const BAR_WIDTH = 20;
/** Running clusters named before "and N more": enough to see, small enough for a screen. */
const RUNNING_SHOWN = 5;

export const endedCount = (c: OutcomeCounts): number => CLUSTER_OUTCOMES.reduce((sum, outcome) => sum + c[outcome], 0);

/** `succeeded 3 failed 1`: the outcomes that happened, in contract order. */
export function outcomeList(c: OutcomeCounts): string {
  const parts = CLUSTER_OUTCOMES.filter((o) => c[o] > 0).map((o) => `${o.toLowerCase().replace('_', ' ')} ${c[o]}`);
  return parts.length > 0 ? parts.join(' ') : 'none ended yet';
}

export function bar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function waveLine(wave: WaveSummary, current: boolean): string {
  const done = endedCount(wave.counts);
  const marker = current ? '>' : ' ';
  return `${marker} ${wave.name.padEnd(12)} ${wave.state.padEnd(17)} ${bar(done, wave.total)} ${`${done}/${wave.total}`.padStart(11)}  ${outcomeList(wave.counts)}`;
}

/**
 * The picture. Planning's targeting notes (excluded, unmatched, warnings) get a line when
 * the progress carries them (the `progress` query does not yet; the report always does).
 */
export function renderProgress(p: RolloutProgress & TargetingNotes): string[] {
  const done = endedCount(p.counts);
  const hop = p.hop && p.hop.count > 1 ? ` hop ${p.hop.index + 1}/${p.hop.count} (${p.hop.version})` : '';
  const flags = [
    p.paused ? 'PAUSED' : '',
    p.frozen ? `FROZEN until ${p.frozen.until}: ${p.frozen.reason}` : '',
    p.stopReason ? `STOPPING: ${p.stopReason}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [
    `${p.rolloutId} -> ${p.resolvedVersion ?? p.targetVersion}${hop}  ${p.phase}${flags ? `  ${flags}` : ''}`,
    `  ${bar(done, p.total)} ${done}/${p.total} ended, ${p.running.length} running, ${p.pending} pending${p.maxParallel ? `, max ${p.maxParallel} at once` : ''}`,
    `  ${outcomeList(p.counts)}`,
    ...[p.skipped && p.counts.SKIPPED > 0 ? skippedText(p.skipped) : undefined]
      .filter((why) => why !== undefined)
      .map((why) => `  skipped: ${why}`),
    ...[targetingSummary(p)].filter((line) => line !== undefined).map((line) => `  ${line}`),
    ...(p.forecast ? [`  expected to end ${forecastText(p.forecast)}`] : []),
    ...p.waves.flatMap((w, i) => [waveLine(w, i === p.currentWave), ...(w.gate ? [`    ${gateLine(w.gate)}`] : [])]),
  ];
  if (p.running.length > 0) {
    const more = p.running.length - RUNNING_SHOWN;
    lines.push(
      `  running: ${runningNames(p).slice(0, RUNNING_SHOWN).join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  return lines;
}

/**
 * The running clusters by name (`platform/organisation/name` over several targets); ids
 * from a worker that sends no names.
 */
export function runningNames(p: RolloutProgress): string[] {
  if (!p.runningClusters) return [...p.running];
  return p.runningClusters.map((c) => (c.platform ? `${c.platform}/${c.organisation}/${c.name}` : c.name));
}
