/**
 * What planning found of a spec's targeting (the report's `excluded`, `unmatched` and
 * `warnings`), as the CLI prints it: in full in `fleet rollout plan`, briefly in a
 * report and in the live progress. Pure: notes in, lines out.
 */
import type { ClusterSample, RolloutReport } from '../domain/report.js';

export type TargetingNotes = Partial<
  Pick<RolloutReport, 'excluded' | 'unmatched' | 'warnings' | 'minors' | 'leftAlone'>
>;

const clusters = (n: number) => `${n} cluster${n === 1 ? '' : 's'}`;

/** `web-01, api-02 and 18 more`: the first `max` names of the sample, and how many it leaves out of `count`. */
export function namesOf(sample: ClusterSample, max: number): string {
  const shown = sample.clusters.slice(0, max).map((c) => c.name);
  const more = sample.count - shown.length;
  if (shown.length === 0) return more > 0 ? `${more} not named` : '';
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * One line for the excluded clusters, one for the unmatched, then the warnings, each
 * indented by `indent`. `maxNames`: clusters named per group (the report holds the first
 * 20); `maxWarnings`: warnings printed before "and N more" (default all); `planned`: a
 * plan says what will happen, a report what did.
 */
export function targetingLines(
  notes: TargetingNotes,
  options: {
    readonly maxNames: number;
    readonly maxWarnings?: number;
    readonly planned: boolean;
    readonly indent?: string;
  },
): string[] {
  const indent = options.indent ?? '  ';
  const lines: string[] = [];
  const { excluded, unmatched, warnings, minors, leftAlone } = notes;
  if (minors && minors.length > 0) lines.push(`${indent}per minor: ${minorsText(minors)}`);
  for (const group of leftAlone ?? [])
    lines.push(`${indent}left alone: ${clusters(group.count)}, ${group.why}: ${namesOf(group, options.maxNames)}`);
  if (excluded && excluded.count > 0)
    lines.push(`${indent}excluded: ${clusters(excluded.count)}, never touched: ${namesOf(excluded, options.maxNames)}`);
  if (unmatched && unmatched.count > 0) {
    const fate = options.planned ? 'will be SKIPPED (not upgraded)' : 'SKIPPED (not upgraded)';
    const one = unmatched.count === 1;
    lines.push(
      `${indent}unmatched: ${clusters(unmatched.count)} ${one ? 'matches' : 'match'} no wave and ${options.planned ? fate : `${one ? 'was' : 'were'} ${fate}`}: ${namesOf(unmatched, options.maxNames)}`,
    );
  }
  const shown = (warnings ?? []).slice(0, options.maxWarnings ?? Infinity);
  for (const warning of shown) lines.push(`${indent}warning: ${warning}`);
  const more = (warnings?.length ?? 0) - shown.length;
  if (more > 0) lines.push(`${indent}... and ${more} more warning${more === 1 ? '' : 's'} (--json has them all)`);
  return lines;
}

/** `1.29 -> 1.29.14 (3, 1 current) · 1.30 -> 1.30.10 (5)`: each minor's target and clusters that move. */
export function minorsText(minors: NonNullable<TargetingNotes['minors']>): string {
  return minors
    .map((g) => `${g.minor} -> ${g.to} (${g.clusters}${g.atTarget > 0 ? `, ${g.atTarget} current` : ''})`)
    .join(' · ');
}

/** `excluded 3 · unmatched 2 (SKIPPED) · 1 warning`, or undefined when there is nothing to say. */
export function targetingSummary(notes: TargetingNotes): string | undefined {
  const leftAlone = (notes.leftAlone ?? []).reduce((n, g) => n + g.count, 0);
  const parts = [
    ...(leftAlone > 0 ? [`left alone ${leftAlone}`] : []),
    ...(notes.excluded?.count ? [`excluded ${notes.excluded.count}`] : []),
    ...(notes.unmatched?.count ? [`unmatched ${notes.unmatched.count} (SKIPPED)`] : []),
    ...(notes.warnings?.length ? [`${notes.warnings.length} warning${notes.warnings.length === 1 ? '' : 's'}`] : []),
  ];
  return parts.length > 0 ? parts.join(' · ') : undefined;
}
