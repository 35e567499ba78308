/**
 * The rollout's current details in the Temporal UI (`setCurrentDetails`, on its page under
 * User Metadata): a few lines of markdown and the waves as a fenced block of aligned
 * columns, rebuilt on every change and bounded (docs/development.md, "Why the rollout's
 * view is shaped so").
 */
import type { Forecast } from '../../../domain/forecast.js';
import { forecastText } from '../../../domain/forecast-text.js';
import { gateLine } from '../../../domain/gate.js';
import { specMarkdownLines, type SpecLine } from '../../../domain/spec-describe.js';
import type { ClusterResult, MinorGroup, OperatorAction, OutcomeCounts, WaveSummary } from '../../../domain/report.js';
import { skippedText, type SkippedBreakdown } from '../../../domain/skipped.js';
import type { FleetRolloutPhase } from '../../search-attributes.js';

export interface RolloutDetailsView {
  /** Where it runs: `avisi/acme`, or every target of a rollout over several (`aether/… + avisi/acme`). */
  readonly where: string;
  /** A freeze in force now. */
  readonly frozen?: { readonly reason: string; readonly until: string };
  /** When it is expected to end. */
  readonly forecast?: Forecast;
  /** The target as asked (`1.31`). */
  readonly targetVersion: string;
  /** The target in the platform's spelling (`v1.31.6-u-ame.1`), once planning resolved it. */
  readonly resolvedVersion?: string;
  readonly hop?: { readonly index: number; readonly count: number; readonly version: string };
  readonly phase: FleetRolloutPhase;
  readonly percent: number;
  readonly total: number;
  readonly ended: number;
  readonly failed: number;
  readonly running: number;
  readonly pending: number;
  readonly counts: OutcomeCounts;
  readonly stop?: { readonly status: string; readonly reason: string };
  readonly waves: readonly WaveSummary[];
  readonly currentWave?: number;
  /** The latest clusters that failed, newest last. */
  readonly latestFailures: readonly ClusterResult[];
  /** What `counts.SKIPPED` is made of (domain/skipped.ts). */
  readonly skipped?: SkippedBreakdown;
  /** The latest clusters an operator skipped (from the action log): who and why. */
  readonly operatorSkips?: readonly OperatorAction[];
  /** Planning's targeting: clusters the spec's `exclude` left out, and those no wave took (`"unmatched": "skip"`). */
  readonly excluded?: number;
  readonly unmatched?: number;
  /** A per-minor rollout: each minor's target and clusters; clusters planning left alone. */
  readonly minors?: readonly MinorGroup[];
  readonly leftAlone?: number;
  /** Planning's warnings (a selector value no cluster has); at most MAX_WARNINGS are shown. */
  readonly warnings?: readonly string[];
  /**
   * The spec as it is (domain/spec-describe.ts, bounded): also here, since a rollout started by
   * any client has no static details.
   */
  readonly spec?: readonly SpecLine[];
}

export const MAX_WAVE_ROWS = 10;
/** Planning's warnings shown; the rest are counted (the report has them all). */
export const MAX_WARNINGS = 3;
/** Per-minor groups the details name (a fleet spans a few minors; more would be a wall of text). */
export const MAX_MINOR_GROUPS = 6;
/** Wave gates shown (the latest): one line each, value, bound and when. */
export const MAX_GATE_LINES = 5;
const MAX_TEXT = 120;

/** Text from a platform or an operator, safe inside a markdown table cell or line. */
function text(value: string, max = MAX_TEXT): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  const clipped = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return clipped.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

const sum = (counts: OutcomeCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * A wave name or a folded row's label, safe inside the fenced block: one line, no backticks (a
 * name can't have them; spec validation sees to that).
 */
function cell(value: string, max = 64): string {
  const flat = value.replace(/\s+/g, ' ').trim().replace(/`/g, "'");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const HEADER = [
  'wave',
  'state',
  'ended',
  'succeeded',
  'skipped',
  'failed',
  'missed',
  'superseded',
  'blocked',
  'stopped',
] as const;

/** A wave row's cells: name, state, `ended of total`, then each outcome (stopped = cancelled + not started). */
function row(name: string, state: string, total: number, c: OutcomeCounts): string[] {
  return [
    cell(name),
    state,
    `${sum(c)} of ${total}`,
    // BLOCKED: absent from counts carried from before it existed.
    ...[c.SUCCEEDED, c.SKIPPED, c.FAILED, c.MISSED, c.SUPERSEDED, c.BLOCKED ?? 0, c.CANCELLED + c.NOT_STARTED].map(
      String,
    ),
  ];
}

function folded(label: string, waves: readonly WaveSummary[]): string[] {
  const counts = waves.reduce<OutcomeCounts>(
    (acc, w) => {
      for (const [k, v] of Object.entries(w.counts)) acc[k as keyof OutcomeCounts] += v;
      return acc;
    },
    { SUCCEEDED: 0, SKIPPED: 0, FAILED: 0, MISSED: 0, SUPERSEDED: 0, BLOCKED: 0, CANCELLED: 0, NOT_STARTED: 0 },
  );
  return row(
    `… ${waves.length} ${label}`,
    '',
    waves.reduce((n, w) => n + w.total, 0),
    counts,
  );
}

/** The wave rows, marked `>` on the current wave: every wave when they fit, else a window around the current one. */
function waveRows(
  waves: readonly WaveSummary[],
  current: number | undefined,
): { readonly mark: string; readonly cells: string[] }[] {
  const rowOf = (w: WaveSummary, i: number) => ({
    mark: i === current ? '>' : ' ',
    cells: row(w.name, w.state, w.total, w.counts),
  });
  const fold = (label: string, ws: readonly WaveSummary[]) => ({ mark: ' ', cells: folded(label, ws) });
  if (waves.length <= MAX_WAVE_ROWS) return waves.map(rowOf);
  const shown = MAX_WAVE_ROWS - 2;
  const from = Math.max(0, Math.min((current ?? 0) - 2, waves.length - shown));
  const to = from + shown;
  return [
    ...(from > 0 ? [fold('earlier waves', waves.slice(0, from))] : []),
    ...waves.slice(from, to).map((w, i) => rowOf(w, from + i)),
    ...(to < waves.length ? [fold('later waves', waves.slice(to))] : []),
  ];
}

/** Columns always shown: wave, state, ended of total, succeeded, failed; other outcomes once a row shown has one. */
const ALWAYS: readonly string[] = ['wave', 'state', 'ended', 'succeeded', 'failed'];

/**
 * The waves as a fenced block of aligned columns, zero-only outcome columns left out: the
 * UI draws markdown tables unpadded (docs/development.md, "Why the rollout's view is shaped so").
 */
function waveBlock(waves: readonly WaveSummary[], current: number | undefined): string[] {
  const body = waveRows(waves, current);
  const columns = HEADER.map((_, i) => i).filter(
    (i) => ALWAYS.includes(HEADER[i]!) || body.some((r) => r.cells[i] !== '0'),
  );
  const rows = [{ mark: ' ', cells: [...HEADER] }, ...body].map((r) => ({
    mark: r.mark,
    cells: columns.map((i) => r.cells[i]!),
  }));
  const widths = columns.map((_, j) => Math.max(...rows.map((r) => r.cells[j]!.length)));
  const line = (r: { mark: string; cells: string[] }) =>
    `${r.mark} ${r.cells.map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')}`.trimEnd();
  return ['```', ...rows.map(line), '```'];
}

/**
 * `3 excluded · 2 matched no wave (skipped) · warnings: …; …`: one line, bounded, or undefined when
 * planning found nothing to say.
 */
function targetingLine(view: RolloutDetailsView): string | undefined {
  const warnings = view.warnings ?? [];
  const shown = warnings.slice(0, MAX_WARNINGS).map((w) => text(w));
  const more = warnings.length - shown.length;
  const parts = [
    ...(view.minors?.length ? [`per minor: ${minorsLine(view.minors)}`] : []),
    ...(view.leftAlone ? [`${view.leftAlone} left alone`] : []),
    ...(view.excluded ? [`${view.excluded} excluded`] : []),
    ...(view.unmatched ? [`${view.unmatched} matched no wave (skipped)`] : []),
    ...(shown.length > 0
      ? [`warning${warnings.length === 1 ? '' : 's'}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`]
      : []),
  ];
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** `1.29 → 1.29.14 (3) · 1.30 → 1.30.10 (5)`, at most MAX_MINOR_GROUPS groups. */
function minorsLine(minors: readonly MinorGroup[]): string {
  const shown = minors.slice(0, MAX_MINOR_GROUPS).map((g) => `${g.minor} → ${text(g.to, 20)} (${g.clusters})`);
  const more = minors.length - shown.length;
  return `${shown.join(' · ')}${more > 0 ? ` · and ${more} more` : ''}`;
}

export function renderRolloutDetails(view: RolloutDetailsView): string {
  const wave = view.currentWave !== undefined ? view.waves[view.currentWave] : undefined;
  const hop = view.hop ? ` · hop ${view.hop.index + 1}/${view.hop.count} (${view.hop.version})` : '';
  const where =
    wave && view.phase !== 'done' && view.phase !== 'halted' && view.phase !== 'aborted' ? ` · wave ${wave.name}` : '';
  const c = view.counts;
  const lines = [
    `**${text(view.where, 120)} → ${text(view.targetVersion, 40)}**${view.resolvedVersion && view.resolvedVersion !== view.targetVersion && !view.minors?.length ? ` (${text(view.resolvedVersion, 40)})` : ''} · **${view.phase}**${where}${hop}`,
    '',
    `${view.percent}% ended (${view.ended} of ${view.total} clusters) · ${view.running} upgrading · ${view.pending} waiting · ${c.SUCCEEDED} succeeded · ${c.SKIPPED} skipped · ${view.failed} failed${c.CANCELLED + c.NOT_STARTED > 0 ? ` · ${c.CANCELLED} cancelled · ${c.NOT_STARTED} not started` : ''}`,
  ];
  const skipped = view.skipped && c.SKIPPED > 0 ? skippedText(view.skipped) : undefined;
  if (skipped) lines.push('', `skipped ${c.SKIPPED}: ${skipped}`);
  const targeting = targetingLine(view);
  if (targeting) lines.push('', targeting);
  if (view.forecast) {
    lines.push('', `expected to end ${text(forecastText(view.forecast), 300)}`);
  }
  if (view.frozen)
    lines.push(
      '',
      `**frozen** until ${view.frozen.until}: ${text(view.frozen.reason, 200)} (no cluster starts; running ones finish)`,
    );
  if (view.stop) lines.push('', `**${view.stop.status}**: ${text(view.stop.reason, 200)}`);
  if (view.waves.length > 0) {
    lines.push('', ...waveBlock(view.waves, view.currentWave));
  }
  const gated = view.waves.filter((w) => w.gate).slice(-MAX_GATE_LINES);
  if (gated.length > 0) {
    lines.push('', 'Wave gates:', '');
    for (const w of gated) lines.push(`- wave ${text(w.name, 60)}: ${text(gateLine(w.gate!), 300)}`);
  }
  if (view.failed > 0) {
    const latest = view.latestFailures;
    lines.push(
      '',
      `Failed, missed or superseded${latest.length < view.failed ? ` (the latest ${latest.length} of ${view.failed})` : ''}:`,
      '',
    );
    for (const line of [...latest].reverse())
      lines.push(`- ${text(line.name, 60)} ${line.outcome}${line.message ? `: ${text(line.message)}` : ''}`);
  }
  if (view.operatorSkips?.length) {
    lines.push('', 'Skipped by an operator (the latest):', '');
    for (const a of [...view.operatorSkips].reverse())
      lines.push(
        `- ${text(a.target ?? '', 100)} by ${text(a.by ?? 'an operator', 60)}${a.reason ? `: ${text(a.reason)}` : ''}`,
      );
  }
  if (view.spec?.length) lines.push('', 'Spec:', '', ...specMarkdownLines(view.spec));
  return lines.join('\n');
}
