/**
 * The spec described as it is, one labelled line per thing an operator asks "what did
 * this rollout say?" about: the targets, how each wave selects (listed clusters, match,
 * size, the rest), `exclude` and `unmatched`, approvals, soaks, health checks and gates
 * (names and bounds), freezes, notify channels and the limits. The UI's static and
 * current details, `fleet rollout status`, `plan` and the report all show these lines.
 *
 * Pure, free of zod and Node APIs (the rollout's workflow renders them), and bounded:
 * long lists are summarised (`1,000 excluded: a, b, c … and 997 more`), every line is
 * clipped, and at most MAX_WAVE_LINES waves get a line of their own.
 */
import { formatDuration } from './durations.js';
import type { FreezePeriod } from './freeze.js';
import type { HealthCheck } from './health.js';
import type { WaveGate } from './gate.js';
import type { NotifySpec } from './notify-events.js';
import type { PreCheck } from './pre-check.js';
import type { ClusterSelector } from './selectors.js';
import type { ApprovalGate, FailureBudget, RolloutPlan, WaveSpec } from './spec.js';
import type { SpecLine } from './report.js';
import { targetsLabel } from './targets.js';

export type { SpecLine };

/** Waves with a line of their own; the rest are named on one line. */
export const MAX_WAVE_LINES = 20;
/** The characters of wave lines, so that long waves fold sooner. */
export const WAVE_CHARS = 4_000;
/** Items of a list (exclusions, checks, freezes, channels) named before "… and N more". */
export const MAX_LISTED = 3;
/** The longest line's text; longer ones end in `…`. */
export const MAX_LINE = 300;

const clip = (text: string, max = MAX_LINE): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `a, b, c … and 997 more`: the first MAX_LISTED items (only they are formatted), then how many are left. */
function listed<T>(items: readonly T[], format: (item: T) => string, max = MAX_LISTED): string {
  // Clipped short of the line's bound, so the count of the rest always shows.
  const shown = clip(items.slice(0, max).map(format).join(', '), MAX_LINE - 60);
  return items.length > max ? `${shown} … and ${count(items.length - max)} more` : shown;
}

/** `environment=staging, region=eu-west|eu-north, name=web-*, autoUpgrade=true`: every field a selector names. */
export function selectorText(selector: ClusterSelector): string {
  const fields = Object.entries(selector).filter(([, v]) => v !== undefined);
  return clip(
    fields.map(([k, v]) => `${k}=${Array.isArray(v) ? (v as readonly string[]).join('|') : String(v)}`).join(', '),
    120,
  );
}

const budget = (b: FailureBudget) =>
  `at most ${b.maxFailed} failed${b.countSuperseded ? '' : ' (superseded not counted)'}`;

const approval = (a: ApprovalGate) =>
  a.timeoutMs === undefined ? 'approval' : `approval within ${formatDuration(a.timeoutMs)}, else ${a.onTimeout}`;

/** `ready (http status 200; pass for 1m, every 10s, within 10m)`: a check's name, its probe's bound and its timing. */
/** A pre-upgrade check: one evaluation (no `pass for`), asked again on transient errors within its timeout. */
const preCheckText = (check: PreCheck): string =>
  checkText(check)
    .replace(/pass for [^,]*, every/, 'once, again every')
    .replace(/\)$/, `; on fail ${check.onFail})`);

export function checkText(check: HealthCheck): string {
  const bound = check.prometheus
    ? [
        check.prometheus.min !== undefined ? `min ${check.prometheus.min}` : '',
        check.prometheus.max !== undefined ? `max ${check.prometheus.max}` : '',
      ]
        .filter(Boolean)
        .join(', ')
    : `status ${check.http.status}${check.http.json ? `, ${check.http.json.field} = ${JSON.stringify(check.http.json.equals)}` : ''}`;
  const timing = `pass for ${formatDuration(check.passForMs)}, every ${formatDuration(check.intervalMs)}, within ${formatDuration(check.timeoutMs)}`;
  return `${check.name} (${check.prometheus ? 'prometheus' : 'http'} ${bound}; ${timing})`;
}

const gateText = (gate: WaveGate) => `gate ${checkText(gate)}, on failure ${gate.onFail}`;

/** How a wave takes its clusters: listed ones, a selector cut by `size`, the next `size` of those left, or the rest. */
function selection(wave: WaveSpec): string {
  if (wave.clusters) return `${count(wave.clusters.length)} listed`;
  if (wave.match) return `match ${selectorText(wave.match)}${wave.size !== undefined ? `, first ${wave.size}` : ''}`;
  return wave.size !== undefined ? `next ${wave.size}` : 'the rest';
}

/** A wave's line: its selection, then what it adds (parallelism, approval, soak, budget, checks, gate). */
function waveText(wave: WaveSpec, soakMs: number): string {
  const parts = [
    selection(wave),
    ...(wave.maxParallel !== undefined ? [`${wave.maxParallel} at once`] : []),
    ...(wave.approval ? [approval(wave.approval)] : []),
    ...(soakMs > 0 ? [`soak ${formatDuration(soakMs)}`] : []),
    ...(wave.failureBudget ? [`failure budget ${budget(wave.failureBudget)}`] : []),
    ...(wave.preChecks?.length ? [`pre-checks ${listed(wave.preChecks, preCheckText)}`] : []),
    ...(wave.healthChecks?.length ? [`health checks ${listed(wave.healthChecks, checkText)}`] : []),
    ...(wave.gate ? [gateText(wave.gate)] : []),
  ];
  return clip(parts.join(' · '));
}

/** The soak after each wave: its own, else the rollout's after every wave but the last. */
const soakOf = (plan: RolloutPlan, index: number): number =>
  plan.waves[index]!.soakMs ?? (index < plan.waves.length - 1 ? plan.soakMs : 0);

/** At most MAX_WAVE_LINES waves, and no more than WAVE_CHARS characters of them, get a line of their own. */
function waveLines(plan: RolloutPlan): SpecLine[] {
  const lines: SpecLine[] = [];
  let chars = 0;
  for (const [i, w] of plan.waves.entries()) {
    const line = { label: `wave ${w.name}`, text: waveText(w, soakOf(plan, i)) };
    chars += line.label.length + line.text.length;
    if (lines.length === MAX_WAVE_LINES || (lines.length > 0 && chars > WAVE_CHARS)) break;
    lines.push(line);
  }
  const rest = plan.waves.slice(lines.length);
  if (rest.length > 0)
    lines.push({ label: 'waves', text: clip(`… and ${rest.length} more: ${rest.map((w) => w.name).join(', ')}`, 200) });
  return lines;
}

function clustersText(plan: RolloutPlan): string {
  const every =
    plan.targets.length > 1
      ? `every cluster of the ${plan.targets.length} targets`
      : 'every cluster of the organisation';
  const which = plan.clusters ? `${count(plan.clusters.length)} listed` : every;
  return plan.patchOnly ? `${which}, those on ${plan.targetVersion}'s minor only (patch upgrades)` : which;
}

const exclusionText = (e: string | ClusterSelector) => (typeof e === 'string' ? e : selectorText(e));

/**
 * Whether `unmatched` matters: every wave selects (listed clusters or `match`), so a cluster
 * may fall through them all.
 */
const everyWaveSelects = (plan: RolloutPlan) =>
  plan.waves.every((w) => w.clusters !== undefined || w.match !== undefined);

export function freezeText(period: FreezePeriod): string {
  const when =
    'weekly' in period
      ? `weekly ${period.weekly.days.join(', ')} ${period.weekly.from}-${period.weekly.to} ${period.weekly.timeZone}`
      : `${period.from} to ${period.to}`;
  return `${when} (${clip(period.reason, 60)})`;
}

/** A channel and what it hears; in a dry run, a channel that did not ask for dry runs hears nothing. */
const notifyText = (dryRun: boolean) => (n: NotifySpec) =>
  `${n.channel} (${dryRun && !n.dryRun ? 'nothing: a dry run' : `${n.events ? listed(n.events, String, 4) : 'every event'}${n.dryRun ? '; dry runs too' : ''}`})`;

function limitLines(plan: RolloutPlan): SpecLine[] {
  const limits = `${plan.maxParallel} at once · retry ${plan.retry.maxAttempts} · reschedule ${plan.reschedule.maxAttempts} · poll every ${formatDuration(plan.pollIntervalMs)} · ${formatDuration(plan.clusterDeadlineMs)} per attempt`;
  return [
    { label: 'limits', text: limits },
    ...(plan.failureBudget ? [{ label: 'failure budget', text: budget(plan.failureBudget) }] : []),
    ...(plan.maxHops > 1 ? [{ label: 'hops', text: `up to ${plan.maxHops} minor versions, one pass each` }] : []),
    ...(plan.ignoreMaintenanceSchedule ? [{ label: 'windows', text: 'maintenance windows ignored' }] : []),
    ...(plan.scheduleRequestDate ? [{ label: 'windows', text: `from ${plan.scheduleRequestDate}` }] : []),
  ];
}

/** The spec as it is, line by line (see the file's comment); bounded whatever the spec's size. */
export function describeSpec(plan: RolloutPlan): SpecLine[] {
  const exclude = plan.exclude ?? [];
  const lines: SpecLine[] = [
    {
      label: plan.targets.length > 1 ? 'targets' : 'target',
      text: clip(
        `${targetsLabel(plan.targets)} → ${plan.targetVersion}${plan.dryRun ? ' (dry run: nothing is changed)' : ''}`,
      ),
    },
    { label: 'clusters', text: clustersText(plan) },
    ...(exclude.length > 0
      ? [{ label: 'exclude', text: clip(`${count(exclude.length)} excluded: ${listed(exclude, exclusionText)}`) }]
      : []),
    ...(everyWaveSelects(plan)
      ? [
          {
            label: 'unmatched',
            text:
              plan.unmatched === 'skip'
                ? 'skip (clusters no wave selects are SKIPPED)'
                : 'refuse (a cluster no wave selects stops planning)',
          },
        ]
      : []),
    ...waveLines(plan),
    ...(plan.preChecks?.length ? [{ label: 'pre-checks', text: clip(listed(plan.preChecks, preCheckText)) }] : []),
    ...(plan.healthChecks?.length
      ? [{ label: 'health checks', text: clip(listed(plan.healthChecks, checkText)) }]
      : []),
    ...(plan.freeze?.length ? [{ label: 'freeze', text: clip(listed(plan.freeze, freezeText)) }] : []),
    ...(plan.notify?.length ? [{ label: 'notify', text: clip(listed(plan.notify, notifyText(plan.dryRun))) }] : []),
    ...limitLines(plan),
  ];
  return lines;
}

/** `label: text` lines, for a terminal. */
export const specTextLines = (lines: readonly SpecLine[]): string[] => lines.map((l) => `${l.label}: ${l.text}`);

/** Text safe in a markdown list item: what markdown would read as formatting is escaped, so it shows as written. */
const escapeMarkdown = (value: string): string =>
  value.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);

/** `- label: text` list items, for the Temporal UI's details. */
export const specMarkdownLines = (lines: readonly SpecLine[]): string[] =>
  lines.map((l) => `- ${escapeMarkdown(l.label)}: ${escapeMarkdown(l.text)}`);
