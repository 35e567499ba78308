/**
 * Freeze periods (**contract**: the spec's `freeze`, the `freeze` update): times when no
 * cluster may start its upgrade, as AKS's `notAllowedDates` and GKE's maintenance
 * exclusions. A period is fixed (`from`, `to`: RFC 3339 instants) or weekly: on each of
 * a set of days, from one local time to another in an IANA time zone (`to` at or before
 * `from` ends the next day; `24:00` is the end of the day). Periods that overlap or touch
 * make one freeze: a weekend is `{days: ["fri"], from: "18:00", to: "24:00"}` and
 * `{days: ["sat", "sun"], from: "00:00", to: "24:00"}`. An operator can lift the freeze
 * in force (`unfreeze`): its span until then is cut out of the periods there were.
 *
 * Pure and deterministic (workflow code runs it, with workflow time): time zones come
 * from `Intl`, whose rules are the worker's ICU data. No zod here (workflows import it).
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Hours of a day as written: `HH:MM`, 00:00 to 24:00. */
export const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export interface FixedFreeze {
  /** RFC 3339. */
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface WeeklyFreeze {
  readonly weekly: {
    /** The days a freeze starts on. */
    readonly days: readonly Weekday[];
    /** Local time it starts, `HH:MM`. */
    readonly from: string;
    /** Local time it ends; at or before `from`: the next day. */
    readonly to: string;
    /** IANA time zone, e.g. `Europe/Amsterdam`. */
    readonly timeZone: string;
  };
  readonly reason: string;
}

export type FreezePeriod = FixedFreeze | WeeklyFreeze;

/** One occurrence of a freeze, as instants (epoch ms). */
export interface FreezeWindow {
  readonly start: number;
  readonly end: number;
  readonly reason: string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Whether `zone` is a time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at `instant`, in ms (east positive). */
function offsetAt(zone: string, instant: number): number {
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return local - Math.floor(instant / 1000) * 1000;
}

/** The instant a local wall-clock time (given as if it were UTC) has in `zone`. */
function instantOf(zone: string, localAsUtc: number): number {
  const first = localAsUtc - offsetAt(zone, localAsUtc);
  // Once more at the instant found: right across a daylight-saving change.
  return localAsUtc - offsetAt(zone, first);
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The weekly freeze's occurrences that start from a week before `from` to `days` after it. */
function weeklyWindows(freeze: WeeklyFreeze, from: number, days: number): FreezeWindow[] {
  const { weekly, reason } = freeze;
  const zone = weekly.timeZone;
  const localNow = from + offsetAt(zone, from);
  const today = Math.floor(localNow / DAY) * DAY;
  const start = minutesOf(weekly.from) * MINUTE;
  const span = ((minutesOf(weekly.to) - minutesOf(weekly.from) + 24 * 60) % (24 * 60) || 24 * 60) * MINUTE;
  const windows: FreezeWindow[] = [];
  for (let day = today - 7 * DAY; day <= today + days * DAY; day += DAY) {
    if (!weekly.days.includes(WEEKDAYS[new Date(day).getUTCDay()]!)) continue;
    windows.push({ start: instantOf(zone, day + start), end: instantOf(zone, day + start + span), reason });
  }
  return windows;
}

/**
 * A span an operator lifted the freezes from (the `unfreeze` update: "the incident is
 * over"), RFC 3339. It lifts the first `periods` of the list (those there were when it
 * was made): a freeze added later holds in full.
 */
export interface FreezeLift {
  readonly from: string;
  readonly to: string;
  readonly periods: number;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** `spans` with every one of `cuts` taken out: a span a cut falls inside becomes two. */
function without<T extends Span>(spans: readonly T[], cuts: readonly Span[]): T[] {
  let rest = [...spans];
  for (const cut of cuts) {
    rest = rest.flatMap((s) => {
      if (cut.end <= s.start || cut.start >= s.end) return [s];
      const pieces: T[] = [];
      if (s.start < cut.start) pieces.push({ ...s, end: cut.start });
      if (cut.end < s.end) pieces.push({ ...s, start: cut.end });
      return pieces;
    });
  }
  return rest;
}

/** Every occurrence of `periods` that overlaps [`from`, `from` + `days`), less the `lifted` spans, earliest first. */
export function freezeWindows(
  periods: readonly FreezePeriod[],
  from: number,
  days: number,
  lifted: readonly FreezeLift[] = [],
): FreezeWindow[] {
  const until = from + days * DAY;
  const windows = periods.flatMap((p, index) => {
    const occurrences =
      'weekly' in p
        ? weeklyWindows(p, from, days)
        : [{ start: Date.parse(p.from), end: Date.parse(p.to), reason: p.reason }];
    const cuts = lifted
      .filter((l) => index < l.periods)
      .map((l) => ({ start: Date.parse(l.from), end: Date.parse(l.to) }));
    return without(occurrences, cuts);
  });
  return windows.filter((w) => w.end > from && w.start < until).sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * `windows` (earliest first) with those that overlap or touch made one, as the runtime
 * holds them: one freeze, from the first's start to the last's end, naming each reason once.
 */
export function mergedFreezeWindows(windows: readonly FreezeWindow[]): FreezeWindow[] {
  const merged: { start: number; end: number; reasons: string[] }[] = [];
  for (const w of windows) {
    const last = merged.at(-1);
    if (last && w.start <= last.end) {
      last.end = Math.max(last.end, w.end);
      if (!last.reasons.includes(w.reason)) last.reasons.push(w.reason);
    } else merged.push({ start: w.start, end: w.end, reasons: [w.reason] });
  }
  return merged.map(({ start, end, reasons }) => ({ start, end, reason: reasons.join('; ') }));
}

/** At most this many days of freezes are followed end to end (a freeze that never lifts is reported as this). */
const HORIZON_DAYS = 400;

/**
 * The freeze in force at `now`, if any: its reason and when starting clusters is allowed
 * again (freezes that overlap or touch are one: followed to the last one's end, each reason named).
 */
export function freezeAt(
  periods: readonly FreezePeriod[],
  now: number,
  lifted: readonly FreezeLift[] = [],
): { readonly reason: string; readonly until: number } | undefined {
  if (periods.length === 0) return undefined;
  // A week and a day is enough unless freezes chain past it (the rollout loop asks this for every cluster it starts).
  for (let days = 8; ; days = Math.min(days * 5, HORIZON_DAYS)) {
    // The windows from now on: a part already over (or lifted) is named no more.
    const first = mergedFreezeWindows(freezeWindows(periods, now, days, lifted)).find(
      (w) => w.start <= now && now < w.end,
    );
    if (!first) return undefined;
    if (first.end < now + (days - 1) * DAY || days >= HORIZON_DAYS) return { reason: first.reason, until: first.end };
  }
}
