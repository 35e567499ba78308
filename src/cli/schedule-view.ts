/** How `fleet schedule list | describe` show a schedule: pure functions of what Temporal returns. */
import type {
  CalendarSpecDescription,
  Range,
  ScheduleDescription,
  ScheduleSpecDescription,
  ScheduleSummary,
} from '@temporalio/client';
import { formatDuration } from '../domain/durations.js';
import { parseRolloutSpec } from '../domain/spec.js';
import { frozenRuns, frozenRunsText, type FrozenRun } from './schedule-freezes.js';

const FULL: Record<string, [number | string, number | string]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: ['JANUARY', 'DECEMBER'],
  dayOfWeek: ['SUNDAY', 'SATURDAY'],
};

const rangeText = <T>(r: Range<T>): string =>
  (r.end === undefined || r.end === r.start ? `${String(r.start)}` : `${String(r.start)}-${String(r.end)}`) +
  ((r.step ?? 1) > 1 ? `/${r.step}` : '');

/** `dayOfWeek=SATURDAY hour=2`: only the fields that narrow anything (second=0 and minute=0 are left out). */
function calendarText(c: CalendarSpecDescription): string {
  if (c.comment) return c.comment;
  const parts: string[] = [];
  for (const key of ['month', 'dayOfMonth', 'dayOfWeek', 'hour', 'minute', 'second'] as const) {
    const ranges = c[key] as Range<number | string>[];
    if (ranges.length === 0) continue;
    const full = FULL[key]!;
    if (
      ranges.length === 1 &&
      ranges[0]!.start === full[0] &&
      ranges[0]!.end === full[1] &&
      (ranges[0]!.step ?? 1) === 1
    )
      continue;
    if (
      (key === 'second' || key === 'minute') &&
      ranges.length === 1 &&
      ranges[0]!.start === 0 &&
      (ranges[0]!.end ?? 0) === 0
    )
      continue;
    parts.push(`${key}=${ranges.map(rangeText).join(',')}`);
  }
  return parts.length > 0 ? parts.join(' ') : 'every second';
}

export function whenText(spec: ScheduleSpecDescription | undefined): string {
  if (!spec) return '-';
  const parts = [
    ...(spec.calendars ?? []).map(calendarText),
    ...(spec.intervals ?? []).map(
      (i) => `every ${formatDuration(i.every)}${i.offset ? ` +${formatDuration(i.offset)}` : ''}`,
    ),
  ];
  return `${parts.join('; ') || '-'}${spec.timezone ? ` (${spec.timezone})` : ' (UTC)'}`;
}

export interface ScheduleListing {
  readonly scheduleId: string;
  readonly paused: boolean;
  readonly note: string | undefined;
  readonly when: string;
  readonly nextActionTimes: readonly string[];
  readonly lastRolloutId: string | undefined;
}

export function scheduleListing(s: ScheduleSummary): ScheduleListing {
  return {
    scheduleId: s.scheduleId,
    paused: s.state.paused,
    note: s.state.note,
    when: whenText(s.spec),
    nextActionTimes: s.info.nextActionTimes.map((t) => t.toISOString()),
    lastRolloutId: s.info.recentActions.at(-1)?.action.workflow.workflowId,
  };
}

export function describeScheduleText(d: ScheduleDescription): string {
  const action = d.action;
  const spec = (action.args?.[0] ?? {}) as Record<string, unknown>;
  const lines = [
    `schedule ${d.scheduleId}: ${d.state.paused ? 'PAUSED' : 'active'}${d.state.note ? ` (${d.state.note})` : ''}`,
    `  when:           ${whenText(d.spec)}`,
    `  overlap:        ${d.policies.overlap}; catch-up window ${formatDuration(d.policies.catchupWindow)}; pause on failure: ${d.policies.pauseOnFailure ? 'yes' : 'no'}`,
    `  starts:         ${action.workflowType} ${action.workflowId}-<time> on task queue ${String(action.taskQueue)}`,
    `  rollout spec:   ${JSON.stringify(spec)}`,
    `  next runs:      ${
      d.info.nextActionTimes
        .slice(0, 5)
        .map((t) => t.toISOString())
        .join(', ') || 'none'
    }`,
    ...freezeLines(d),
    `  runs so far:    ${d.info.numActionsTaken} (skipped for overlap ${d.info.numActionsSkippedOverlap}, missed catch-up window ${d.info.numActionsMissedCatchupWindow})`,
  ];
  for (const run of d.info.runningActions) lines.push(`  running:        ${run.workflow.workflowId}`);
  for (const recent of d.info.recentActions.slice(-5))
    lines.push(`  recent:         ${recent.scheduledAt.toISOString()} ${recent.action.workflow.workflowId}`);
  return lines.join('\n');
}

/**
 * The schedule's next runs (Temporal's, up to 10) that start inside its spec's freezes;
 * none for a spec that no longer parses.
 */
export function scheduleFrozenRuns(d: ScheduleDescription): FrozenRun[] {
  try {
    return frozenRuns(d.info.nextActionTimes, parseRolloutSpec(d.action.args?.[0]).freeze);
  } catch {
    return [];
  }
}

/** `freezes:` a line saying whether the next runs start inside the spec's freezes (none without freezes). */
function freezeLines(d: ScheduleDescription): string[] {
  const spec = d.action.args?.[0] as { freeze?: unknown[] } | undefined;
  if (!spec?.freeze?.length) return [];
  const of = d.info.nextActionTimes.length;
  const text = frozenRunsText(scheduleFrozenRuns(d), of);
  return [`  freezes:        ${text ?? `none of the next ${of} runs starts inside the spec's freeze`}`];
}
