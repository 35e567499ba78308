/**
 * Whether a schedule's next runs start inside its rollout spec's freezes: such a run
 * starts, plans, and then waits for the freeze to lift before any cluster starts (a
 * Saturday 02:00 run of a spec that freezes the weekend sits until Monday). `schedule
 * create` refuses such a schedule unless `--allow-frozen`; `describe` shows them. The
 * run times are Temporal's own (the schedule's next action times), so cron, calendar,
 * interval and time zone are read exactly as the server will fire them.
 */
import { freezeAt, type FreezePeriod } from '../domain/freeze.js';

export interface FrozenRun {
  /** RFC 3339: when the run is due. */
  readonly at: string;
  /** The freeze in force then (touching ones as one), and when it lifts. */
  readonly reason: string;
  readonly until: string;
}

/** The runs among `times` that fall inside a freeze, earliest first. */
export function frozenRuns(times: readonly Date[], freeze: readonly FreezePeriod[] | undefined): FrozenRun[] {
  if (!freeze || freeze.length === 0) return [];
  return times.flatMap((time) => {
    const frozen = freezeAt(freeze, time.getTime());
    return frozen
      ? [{ at: time.toISOString(), reason: frozen.reason, until: new Date(frozen.until).toISOString() }]
      : [];
  });
}

/** `2 of the next 10 runs start inside a freeze: <at> (<reason>, lifts <until>), ...`; undefined when none does. */
export function frozenRunsText(frozen: readonly FrozenRun[], of: number): string | undefined {
  if (frozen.length === 0) return undefined;
  const runs = frozen.map((r) => `${r.at} (${r.reason}; lifts ${r.until})`).join(', ');
  return `${frozen.length} of the next ${of} run${of === 1 ? '' : 's'} start${frozen.length === 1 ? 's' : ''} inside the spec's freeze and would wait for it: ${runs}`;
}
