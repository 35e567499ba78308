/**
 * `fleet schedule create` flags -> a Temporal Schedule's spec and policies. Pure and
 * strict: every problem is a usage error naming the flag, found before anything is
 * created. Times are cron expressions, calendars (the SDK's CalendarSpec as JSON) or
 * intervals; the catch-up window is always set explicitly (temporal-notes: the SDK's
 * typings disagree about its default).
 */
import { ScheduleOverlapPolicy, type CalendarSpec, type ScheduleOptions } from '@temporalio/client';
import { z } from 'zod';
import { parseDuration } from '../domain/durations.js';
import { timeZoneGuess } from '../domain/spec-freeze.js';
import { didYouMean } from '../domain/suggest.js';
import { UsageError } from './errors.js';

export interface ScheduleFlags {
  cron?: string[];
  calendar?: string[];
  every?: string;
  offset?: string;
  timezone?: string;
  overlap: string;
  catchupWindow: string;
  pauseOnFailure?: boolean;
  paused?: boolean;
  note?: string;
}

export const DEFAULT_CATCHUP_WINDOW = '1h';

/** Overlap policies by their CLI names (`buffer-one`), so the help can list them. */
export const OVERLAP_POLICIES: Record<string, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;

const rangeOf = <T extends z.ZodTypeAny>(value: T) =>
  z.union([
    value,
    z.strictObject({ start: value, end: value.optional(), step: z.number().int().positive().optional() }),
  ]);
const field = <T extends z.ZodTypeAny>(value: T) =>
  z.union([z.literal('*'), rangeOf(value), z.array(rangeOf(value)).min(1)]).optional();
const within = (min: number, max: number) => z.number().int().min(min).max(max);

const calendarSchema = z.strictObject({
  second: field(within(0, 59)),
  minute: field(within(0, 59)),
  hour: field(within(0, 23)),
  dayOfMonth: field(within(1, 31)),
  month: field(z.enum(MONTHS)),
  year: field(within(2000, 2200)),
  dayOfWeek: field(z.enum(DAYS)),
  comment: z.string().optional(),
});

function parseCalendar(text: string): CalendarSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--calendar: not JSON: ${JSON.stringify(text)} (e.g. '{"dayOfWeek":"SATURDAY","hour":2}')`);
  }
  const parsed = calendarSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--calendar: ${issue.path.join('.') || 'value'}: ${issue.message}`);
  }
  return parsed.data as CalendarSpec;
}

function duration(flag: string, value: string, { min = 0 } = {}): number {
  const parsed = parseDuration(value);
  if (parsed === undefined || parsed < min)
    throw new UsageError(
      `--${flag}: a duration such as 30m, 12h or 7d${min ? ` of at least ${min / 1000}s` : ''}, got ${JSON.stringify(value)}`,
    );
  return parsed;
}

/** Five fields (or six with seconds), or the @-shorthands the server knows. */
function checkCron(expression: string): string {
  const text = expression.trim();
  const fields = text.split(/\s+/).length;
  if (!(text.startsWith('@') || fields === 5 || fields === 6 || fields === 7))
    throw new UsageError(
      `--cron: five fields "minute hour day-of-month month day-of-week", got ${JSON.stringify(expression)}`,
    );
  return text;
}

function checkTimezone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    const hint = timeZoneGuess(zone) ?? 'e.g. Europe/Amsterdam';
    throw new UsageError(`--timezone: not an IANA time zone: ${JSON.stringify(zone)} (${hint})`);
  }
  return zone;
}

export function scheduleSpecOf(flags: ScheduleFlags): Pick<ScheduleOptions, 'spec' | 'policies' | 'state'> {
  const cronExpressions = (flags.cron ?? []).map(checkCron);
  const calendars = (flags.calendar ?? []).map(parseCalendar);
  if (flags.offset !== undefined && flags.every === undefined) throw new UsageError('--offset: only with --every');
  const intervals =
    flags.every === undefined
      ? []
      : [
          {
            every: duration('every', flags.every, { min: 1000 }),
            ...(flags.offset !== undefined ? { offset: duration('offset', flags.offset) } : {}),
          },
        ];
  if (cronExpressions.length + calendars.length + intervals.length === 0)
    throw new UsageError('when to run: give --cron, --calendar or --every');
  const overlap = OVERLAP_POLICIES[flags.overlap];
  if (!overlap) {
    const guess = didYouMean(flags.overlap, Object.keys(OVERLAP_POLICIES));
    const got = `got ${JSON.stringify(flags.overlap)}${guess ? `; ${guess}` : ''}`;
    throw new UsageError(`--overlap: one of ${Object.keys(OVERLAP_POLICIES).join(', ')}, ${got}`);
  }
  return {
    spec: {
      ...(cronExpressions.length ? { cronExpressions } : {}),
      ...(calendars.length ? { calendars } : {}),
      ...(intervals.length ? { intervals } : {}),
      ...(flags.timezone !== undefined ? { timezone: checkTimezone(flags.timezone) } : {}),
    },
    policies: {
      overlap,
      catchupWindow: duration('catchup-window', flags.catchupWindow, { min: 10_000 }),
      pauseOnFailure: flags.pauseOnFailure ?? false,
    },
    state: { paused: flags.paused ?? false, ...(flags.note !== undefined ? { note: flags.note } : {}) },
  };
}
