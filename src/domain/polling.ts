/**
 * How often a cluster's upgrade is polled when its platform has an API budget: never
 * faster than the spec's `pollInterval`, and slow enough that the clusters a wave may
 * have in flight together poll within `POLL_SHARE` of the budget. The rest is left for
 * upgrade requests, verification reads and planning, so polls never starve them. Polls
 * read by the page where the platform allows (activities/read-board.ts), so a round
 * costs pages, not clusters, there.
 */

/** The part of a platform's API budget that polling may use. */
export const POLL_SHARE = 0.5;

/**
 * `statusPages`: where the platform's list pages carry upgrade states, the pages that
 * list the rollout's clusters; a poll round then costs the fewer of those and the
 * clusters in flight (read-board.ts chooses the same way). Absent: a read per cluster.
 */
export function spacedPollInterval(
  pollIntervalMs: number,
  inFlight: number,
  ratePerMinute: number,
  statusPages?: number,
): number {
  if (ratePerMinute <= 0 || inFlight <= 0) return pollIntervalMs;
  const requestsPerRound = Math.min(inFlight, statusPages ?? inFlight);
  return Math.max(pollIntervalMs, Math.ceil((requestsPerRound * 60_000) / (ratePerMinute * POLL_SHARE)));
}

/** The pages that list `clusters`, `pageClusters` a page (a `statusPage`); undefined without status pages. */
export function statusPagesFor(pageClusters: number | undefined, clusters: number): number | undefined {
  return pageClusters ? Math.max(1, Math.ceil(clusters / pageClusters)) : undefined;
}
