/**
 * How often a cluster's upgrade is polled when its platform has an API budget: never
 * faster than the spec's `pollInterval`, and slow enough that the clusters a wave may
 * have in flight together poll within `POLL_SHARE` of the budget. The rest is left for
 * upgrade requests, verification reads and planning, so polls never starve them.
 */

/** The part of a platform's API budget that polling may use. */
export const POLL_SHARE = 0.5;

export function spacedPollInterval(pollIntervalMs: number, inFlight: number, ratePerMinute: number): number {
  if (ratePerMinute <= 0 || inFlight <= 0) return pollIntervalMs;
  return Math.max(pollIntervalMs, Math.ceil((inFlight * 60_000) / (ratePerMinute * POLL_SHARE)));
}
