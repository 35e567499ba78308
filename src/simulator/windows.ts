/**
 * Weekly maintenance windows in the simulated calendar (UTC): `{day, startTime,
 * duration}` as Avisi writes them, duration in minutes.
 */
export const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Day = (typeof DAYS)[number];

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
 * The first window occurrence that starts at or after `from` (simulated ms), or
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
