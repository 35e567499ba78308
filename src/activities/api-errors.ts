/**
 * Counts failed platform API attempts (`fleet_api_errors_total`, by platform and
 * status) on the metric meter of the activity making the call, so they come out on the
 * worker's metrics endpoint with the SDK's own. The platform clients call it through
 * their `onApiError` hook (platforms/http.ts), which the worker wires up: outside an
 * activity (client tests, the CLI) there is no meter and nothing is counted.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { API_ERRORS_TOTAL } from '../domain/metrics.js';
import type { ApiErrorEvent } from '../platforms/http.js';

export function countApiError(event: ApiErrorEvent): void {
  const meter = asyncLocalStorage.getStore()?.metricMeter;
  meter?.createCounter(API_ERRORS_TOTAL, undefined, 'platform API attempts that failed, by HTTP status').add(1, { platform: event.platform, status: event.status });
}
