/**
 * Durations in specs are strings (`"30s"`, `"15m"`, `"7d"`) so that tests can shrink a
 * seven-day window to seconds without touching code. Parsed with `ms`.
 */
import ms from 'ms';

/** Milliseconds for a duration string or a non-negative number of milliseconds; undefined when invalid. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (!/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*$/i.test(value)) return undefined;
  const parsed = ms(value.trim() as ms.StringValue);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

export function formatDuration(milliseconds: number): string {
  return ms(milliseconds, { long: false });
}
