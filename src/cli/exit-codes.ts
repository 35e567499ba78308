/**
 * How `fleet` says how things ended (**contract**: scripts and CI jobs branch on these).
 * A rollout's own ending has a code of its own, so `fleet rollout watch` in a pipeline
 * can tell "some clusters failed" from "an operator aborted".
 */
import type { RolloutReport, RolloutStatus } from '../domain/report.js';

export const EXIT = {
  /** Done; for a rollout: every cluster upgraded or already at the target. */
  OK: 0,
  /** A runtime error: Temporal unreachable, an update rejected, no such rollout. */
  ERROR: 1,
  /** Bad input: flags, spec fields, arguments. Nothing was started or changed. */
  USAGE: 2,
  /** The rollout ended PARTIAL: some clusters FAILED, MISSED, ... */
  PARTIAL: 3,
  /** The rollout HALTED: the failure budget ran out. */
  HALTED: 4,
  /** An operator ABORTED the rollout. */
  ABORTED: 5,
  /** The rollout workflow itself failed, was terminated, cancelled or timed out. */
  ROLLOUT_FAILED: 6,
} as const;

const BY_STATUS: Record<RolloutStatus, number> = {
  SUCCEEDED: EXIT.OK,
  PARTIAL: EXIT.PARTIAL,
  HALTED: EXIT.HALTED,
  ABORTED: EXIT.ABORTED,
};

export const exitCodeOf = (report: Pick<RolloutReport, 'status'>): number => BY_STATUS[report.status];
