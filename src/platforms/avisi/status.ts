/**
 * Avisi's words for upgrade and cluster states, mapped to fleetwave's.
 *
 * The current API's statuses map one to one (SCHEDULED_NOTIFIED is SCHEDULED with the
 * customer told). Older API versions sent three more, accepted so that history read
 * back from them still makes sense:
 * - `CANCELLED` (also spelled `CANCELED`): withdrawn before it started: CANCELLED.
 * - `UPDATED`: the schedule of a pending upgrade was changed; it is still pending with a
 *   window: SCHEDULED (not terminal, so the caller keeps polling).
 * - `SKIPPED`: the scheduler did not run it (the cluster stopped, or was already there):
 *   SUPERSEDED, the terminal state for "ended by something other than this upgrade",
 *   which tells a caller to re-read the cluster rather than count a failure.
 * Anything else: UNKNOWN with the raw word kept, reported once; never an error.
 */
import type { ClusterState, UpgradeStatus } from '../types.js';

const UPGRADE_STATUSES: Readonly<Record<string, UpgradeStatus>> = {
  REQUESTED: 'REQUESTED',
  SCHEDULED: 'SCHEDULED',
  SCHEDULED_NOTIFIED: 'SCHEDULED',
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  MISSED: 'MISSED',
  SUPERSEDED: 'SUPERSEDED',
  CANCELLED: 'CANCELLED',
  CANCELED: 'CANCELLED',
  UPDATED: 'SCHEDULED',
  SKIPPED: 'SUPERSEDED',
};

/** The normalised status, or undefined for a word this client does not know. */
export function avisiUpgradeStatus(raw: string): UpgradeStatus | undefined {
  return UPGRADE_STATUSES[raw.trim().toUpperCase()];
}

const CLUSTER_STATES: Readonly<Record<string, ClusterState>> = {
  running: 'ready',
  started: 'ready',
  stopped: 'unavailable',
};

/** The cluster's health, or undefined for a word this client does not know. */
export function avisiClusterState(raw: string): ClusterState | undefined {
  return CLUSTER_STATES[raw.trim().toLowerCase()];
}
