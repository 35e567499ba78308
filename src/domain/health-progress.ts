/**
 * One health check's verdict over time, from its observations: pure, so the rules are
 * tested without a clock or a network, and a resumed activity attempt continues the same
 * clock from its heartbeat.
 *
 * The rules (docs/spec.md "Health checks"):
 * - A check **passes** once its observations have passed without a break for `passFor`
 *   (with `passFor` 0, at its first passing observation).
 * - A check **fails** at a failed observation made `timeout` or later after its start:
 *   it had that long to start passing. A streak that began in time may run past the
 *   timeout; if it breaks there, the check fails.
 * - Observations come every `interval`, and one is always made at the timeout and at the
 *   moment the streak completes, so neither verdict waits for the next interval.
 * So a check ends by `start + timeout + passFor` (plus its last request), whatever it sees.
 */
import type { CheckTiming } from './health.js';

export interface Observation {
  /** When the request was sent, epoch ms. */
  readonly at: number;
  readonly ok: boolean;
  /** What was seen, short and free of secrets: `1`, `0 (below min 1)`, `status 503 (expected 200)`, `empty result`. */
  readonly value: string;
}

export type CheckVerdict = 'waiting' | 'passing' | 'passed' | 'failed';

export interface CheckProgress {
  /** When the check began (its clock for `timeout`), epoch ms. */
  readonly startedAt: number;
  /** The first observation of the current unbroken run of passes. */
  readonly streakSince?: number;
  readonly last?: Observation;
  readonly observations: number;
  /** `waiting`: not passing now; `passing`: in a streak shorter than passFor; `passed`/`failed`: over. */
  readonly verdict: CheckVerdict;
}

export const startCheck = (at: number): CheckProgress => ({ startedAt: at, observations: 0, verdict: 'waiting' });

export const isOver = (progress: CheckProgress): boolean =>
  progress.verdict === 'passed' || progress.verdict === 'failed';

/** The progress after one more observation; an ended check stays as it ended. */
export function observe(progress: CheckProgress, timing: CheckTiming, observation: Observation): CheckProgress {
  if (isOver(progress)) return progress;
  const observations = progress.observations + 1;
  if (!observation.ok) {
    const late = observation.at - progress.startedAt >= timing.timeoutMs;
    return { startedAt: progress.startedAt, last: observation, observations, verdict: late ? 'failed' : 'waiting' };
  }
  const streakSince = progress.streakSince ?? observation.at;
  const verdict = observation.at - streakSince >= timing.passForMs ? 'passed' : 'passing';
  return { startedAt: progress.startedAt, streakSince, last: observation, observations, verdict };
}

/** When to observe next (epoch ms); undefined once the check is over. Never later than the verdict's moment. */
export function nextObservationAt(progress: CheckProgress, timing: CheckTiming): number | undefined {
  if (isOver(progress)) return undefined;
  if (!progress.last) return progress.startedAt;
  const next = progress.last.at + timing.intervalMs;
  if (progress.streakSince !== undefined) return Math.min(next, progress.streakSince + timing.passForMs);
  const deadline = progress.startedAt + timing.timeoutMs;
  // Past the deadline (a slow request) the next observation decides: at once.
  return progress.last.at >= deadline ? progress.last.at : Math.min(next, deadline);
}

/**
 * A progress carried over from an earlier attempt (its heartbeat): the clock and the
 * verdicts stay, but a streak does not, since nobody watched the cluster in between.
 */
export function resumeCheck(progress: CheckProgress): CheckProgress {
  if (isOver(progress)) return progress;
  return {
    startedAt: progress.startedAt,
    ...(progress.last ? { last: progress.last } : {}),
    observations: progress.observations,
    verdict: 'waiting',
  };
}

/** Whether `value` is a progress as a heartbeat carried it (it crossed JSON and may come from older code). */
export function isCheckProgress(value: unknown): value is CheckProgress {
  if (!value || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.startedAt === 'number' &&
    typeof p.observations === 'number' &&
    ['waiting', 'passing', 'passed', 'failed'].includes(p.verdict as string)
  );
}
