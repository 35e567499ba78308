/**
 * The spec's `freeze` (**contract**, see docs/spec.md): fixed periods (`from`, `to`) and
 * weekly ones (`weekly: {days, from, to, timeZone}`), each with a `reason`. The rules
 * live in freeze.ts; this is how a spec writes them and what is refused.
 */
import { z } from 'zod';
import { isTimeZone, TIME_OF_DAY, WEEKDAYS, type FreezePeriod } from './freeze.js';
import { gotInstead, quote, type SpecProblem } from './spec-messages.js';
import { didYouMean } from './suggest.js';

/** Periods one spec may list. */
const MAX_FREEZES = 50;

const instant = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time' });
const timeOfDay = z.string().regex(TIME_OF_DAY, 'must be a time of day such as "18:00" (00:00 to 24:00)');

/** `did you mean "Europe/Amsterdam"?` for a misspelt time zone, among the IANA names this runtime lists. */
export function timeZoneGuess(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return didYouMean(input, [...zones, 'UTC'], (name) => JSON.stringify(name));
}

const timeZoneHint = (input: unknown): string =>
  timeZoneGuess(input) ?? 'use an IANA name such as "Europe/Amsterdam" or "UTC"';

const weeklySchema = z
  .object({
    days: z
      .array(
        z.enum(WEEKDAYS, {
          error: (issue) => `must be one of ${WEEKDAYS.join(', ')}, ${gotInstead(issue.input, WEEKDAYS)}`,
        }),
      )
      .min(1, 'must list at least one day')
      .max(7),
    from: timeOfDay,
    to: timeOfDay,
    timeZone: z.string().refine(isTimeZone, {
      error: (issue) => `unknown time zone ${quote(issue.input)} (${timeZoneHint(issue.input)})`,
    }),
  })
  .strict();

export const freezeSchema = z
  .array(
    z
      .object({
        from: instant.optional(),
        to: instant.optional(),
        weekly: weeklySchema.optional(),
        reason: z.string().min(1, 'must not be empty').max(200),
      })
      .strict(),
  )
  .min(1, 'must list at least one period (omit it for none)')
  .max(MAX_FREEZES, {
    error: (issue) =>
      `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} periods; at most ${MAX_FREEZES} allowed`,
  });

export const FREEZE_KEYS: readonly string[] = ['from', 'to', 'weekly', 'reason'];
export const WEEKLY_KEYS: readonly string[] = Object.keys(weeklySchema.shape);

/** A period is fixed (`from` and `to`, `to` after `from`) or weekly, not both. */
export function freezeProblems(freeze: unknown): SpecProblem[] {
  if (!Array.isArray(freeze)) return [];
  const problems: SpecProblem[] = [];
  freeze.forEach((raw: unknown, index) => {
    if (!raw || typeof raw !== 'object') return;
    const period = raw as Record<string, unknown>;
    const field = `freeze[${index}]`;
    const fixed = period.from !== undefined || period.to !== undefined;
    if (fixed && period.weekly !== undefined) problems.push({ field, message: 'set from and to, or weekly, not both' });
    else if (!fixed && period.weekly === undefined)
      problems.push({ field, message: 'set from and to (RFC 3339), or weekly: {days, from, to, timeZone}' });
    else if (fixed && (period.from === undefined || period.to === undefined))
      problems.push({ field, message: 'a fixed period needs both from and to' });
    else if (
      typeof period.from === 'string' &&
      typeof period.to === 'string' &&
      Date.parse(period.to) <= Date.parse(period.from)
    ) {
      problems.push({ field: `${field}.to`, message: `must be after from (${period.from}), got ${period.to}` });
    }
  });
  return problems;
}

/** The periods of a valid spec, as freeze.ts reads them. */
export const freezePeriods = (freeze: z.output<typeof freezeSchema>): FreezePeriod[] =>
  freeze.map(({ from, to, weekly, reason }) => (weekly ? { weekly, reason } : { from: from!, to: to!, reason }));
