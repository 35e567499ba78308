/**
 * Weekly maintenance windows (UTC) as Avisi writes them: `{day, startTime, duration}`,
 * duration in minutes. Pure: the simulator's scheduler and the planner's dry-run
 * prediction use the same rule.
 */
import { z } from 'zod';

export const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Day = (typeof DAYS)[number];

/** One window as Avisi's API writes it (extra fields pass: the API may grow). */
export const maintenanceWindowSchema = z.object({
  day: z.enum(DAYS, { message: `must be one of ${DAYS.join(', ')}` }),
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, UTC)'),
  duration: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});

export interface MaintenanceWindow {
  readonly day: Day;
  /** `HH:MM`, 24-hour, UTC. */
  readonly startTime: string;
  /** Minutes. */
  readonly duration: number;
}

export interface WindowInstance {
  readonly start: number;
  readonly end: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WEEK = 7 * DAY;

/** Start of the window's occurrence in the week that contains `at`, in ms. */
function occurrenceInWeekOf(window: MaintenanceWindow, at: number): number {
  const date = new Date(at);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  // getUTCDay: 0 = Sunday; DAYS starts on Monday.
  const todayIndex = (date.getUTCDay() + 6) % 7;
  const [hours, minutes] = window.startTime.split(':').map(Number);
  return midnight + (DAYS.indexOf(window.day) - todayIndex) * DAY + ((hours ?? 0) * 60 + (minutes ?? 0)) * MINUTE;
}

/**
 * The first window occurrence that starts at or after `from` (epoch ms), or
 * undefined when there are no windows. A window already open at `from` does not count:
 * the scheduler wants a whole window for the upgrade.
 */
export function nextWindow(windows: readonly MaintenanceWindow[], from: number): WindowInstance | undefined {
  let best: WindowInstance | undefined;
  for (const window of windows) {
    let start = occurrenceInWeekOf(window, from);
    while (start < from) start += WEEK;
    while (start - WEEK >= from) start -= WEEK;
    if (!best || start < best.start) best = { start, end: start + window.duration * MINUTE };
  }
  return best;
}
