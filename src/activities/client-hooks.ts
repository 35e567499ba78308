/**
 * What the worker plugs into the platform clients (platforms/http.ts `onApiError`,
 * `callSignal`), so that calls made by an activity belong to it: failed attempts are
 * counted on its metric meter (`fleet_api_errors_total`, by platform and status, on the
 * worker's metrics endpoint with the SDK's own), and a cancelled activity aborts its
 * calls. Outside an activity (client tests, the CLI) neither does anything.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { API_ERRORS_TOTAL } from '../domain/metrics.js';
import type { ApiErrorEvent } from '../platforms/http.js';

export function countApiError(event: ApiErrorEvent): void {
  const meter = asyncLocalStorage.getStore()?.metricMeter;
  meter
    ?.createCounter(API_ERRORS_TOTAL, undefined, 'platform API attempts that failed, by HTTP status')
    .add(1, { platform: event.platform, status: event.status });
}

/**
 * The running activity's cancellation signal. It fires when the activity is cancelled
 * (heartbeating activities hear of it from the server) and when the worker shuts down
 * and the activity outlives `shutdownGraceTime`: its calls then stop, the attempt fails
 * and Temporal retries it on a worker that runs (requests are idempotent by business
 * key, so a call cut off after the platform took it is not sent twice).
 */
export function activityCancellationSignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}
