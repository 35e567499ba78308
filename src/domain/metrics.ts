/**
 * fleetwave's own metric names, in one place: workflow code, activities and the
 * worker's Prometheus exporter all use these. They come out on the worker's metrics
 * endpoint exactly as spelled here, beside the SDK's `temporal_*` metrics (the SDK's
 * prefix applies only to its own metrics, and counters get no extra `_total`).
 * Every metric also carries the SDK's labels: `namespace`, `task_queue`, and
 * `workflow_type` (workflow metrics) or `activity_type` (activity metrics).
 */

/** Counter, labels `platform`, `outcome` (a ClusterOutcome): one per `clusterUpgrade` child when it ends. */
export const CLUSTER_OUTCOMES_TOTAL = 'fleet_cluster_outcomes_total';

/**
 * Histogram in seconds, labels `platform`, `outcome`: from a `clusterUpgrade` child's start to
 * its end, window waits included.
 */
export const CLUSTER_UPGRADE_DURATION_SECONDS = 'fleet_cluster_upgrade_duration_seconds';

/**
 * Counter, labels `platform`, `status`: every platform API attempt that failed, the
 * clients' own retries included. `status` is the HTTP status (`429`, `503`, ...), or
 * `timeout`, `network` or `invalid_response` when no readable answer came.
 */
export const API_ERRORS_TOTAL = 'fleet_api_errors_total';

/**
 * Histogram in seconds, label `platform`: how long each platform API call waited for the
 * fleet's API budget, from asking to sending. Its mean says how hard the budget binds.
 */
export const API_BUDGET_WAIT_SECONDS = 'fleet_api_budget_wait_seconds';

/** Buckets of the budget wait histogram, in seconds: none to the 20 s a call waits at most in process. */
export const API_BUDGET_WAIT_BUCKETS: readonly number[] = [0.01, 0.1, 0.5, 1, 2, 5, 10, 20];

/**
 * Buckets of the upgrade duration histogram, in seconds: a minute to two weeks, since
 * an upgrade waits for its maintenance window (the SDK's default buckets are meant for
 * milliseconds of task latency).
 */
export const CLUSTER_UPGRADE_DURATION_BUCKETS: readonly number[] = [
  60,
  300,
  900,
  1_800,
  3_600,
  2 * 3_600,
  4 * 3_600,
  8 * 3_600,
  86_400,
  2 * 86_400,
  4 * 86_400,
  7 * 86_400,
  14 * 86_400,
];
