/**
 * A platform's upgrade lifecycle, normalised (platforms map their own words onto it),
 * and the sets of it that code decides by, each spelled here once. Pure: workflow code,
 * activities and clients all read these.
 */

/** A platform's upgrade lifecycle, normalised. Avisi's statuses map one to one. */
export type UpgradeStatus =
  | 'REQUESTED'
  | 'SCHEDULED'
  | 'IN_PROGRESS'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'MISSED'
  | 'SUPERSEDED'
  | 'CANCELLED'
  | 'UNKNOWN';

const ENDED_WITHOUT_SUCCESS_LIST = ['FAILED', 'MISSED', 'SUPERSEDED', 'CANCELLED'] as const;

/** Terminal, but not SUCCEEDED. Each is also a cluster outcome of the same name (domain/report.ts). */
export type EndedWithoutSuccess = (typeof ENDED_WITHOUT_SUCCESS_LIST)[number];
/** The platform will do nothing more with the upgrade. */
export type TerminalUpgradeStatus = 'SUCCEEDED' | EndedWithoutSuccess;

/** Terminal states after which asking again is a new attempt, not a duplicate. */
export const ENDED_WITHOUT_SUCCESS: ReadonlySet<UpgradeStatus> = new Set<UpgradeStatus>(ENDED_WITHOUT_SUCCESS_LIST);

/** The platform will do nothing more with the upgrade: what `pollUpgrade` waits for. */
export const TERMINAL_UPGRADE_STATUSES: ReadonlySet<UpgradeStatus> = new Set<UpgradeStatus>([
  'SUCCEEDED',
  ...ENDED_WITHOUT_SUCCESS_LIST,
]);

/** Asked for, but neither scheduled, running nor ended yet (or the platform's word was not understood). */
export const UNSCHEDULED_UPGRADE_STATUSES: ReadonlySet<UpgradeStatus> = new Set<UpgradeStatus>([
  'REQUESTED',
  'UNKNOWN',
]);

export const isTerminalUpgradeStatus = (status: UpgradeStatus): status is TerminalUpgradeStatus =>
  TERMINAL_UPGRADE_STATUSES.has(status);
export const endedWithoutSuccess = (status: UpgradeStatus): status is EndedWithoutSuccess =>
  ENDED_WITHOUT_SUCCESS.has(status);
export const isUnscheduled = (status: UpgradeStatus): boolean => UNSCHEDULED_UPGRADE_STATUSES.has(status);
