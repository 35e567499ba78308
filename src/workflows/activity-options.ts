/**
 * The activity option sets the workflows use, named once (after samples-typescript's
 * saga, `defaultActivity`). Every set bounds its retries (unbounded is the SDK's
 * default) and says why its numbers are what they are.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { healthCheckTimeouts, probeTimeoutMs, type CheckTiming } from '../domain/health.js';

/** Platform reads and writes (request, read back, undo): short, retried with backoff, bounded. */
export const platformCall: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

/** Planning and inventory pages: may read a whole organisation, so they heartbeat and may take longer. */
export const planning: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

/**
 * Polling an upgrade until it settles: the retry policy is the poll loop (a fixed
 * interval, no attempt limit), bounded by the attempt's deadline.
 */
export const polling = (pollIntervalMs: number, deadlineMs: number): ActivityOptions => ({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: Math.max(deadlineMs, 1),
  retry: { initialInterval: pollIntervalMs, backoffCoefficient: 1, maximumInterval: pollIntervalMs },
});

/**
 * Delivering a notification (workflows/notify.ts): backoff from 1 s doubling to a
 * minute, for as long as `giveUpAfterMs` (an hour by default). Each attempt is one POST
 * with a 10 s timeout; a receiver's `Retry-After` moves the next attempt
 * (`nextRetryDelay`). No attempt limit: the deadline is the bound.
 */
export const notifyDelivery = (giveUpAfterMs: number): ActivityOptions => ({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: Math.max(giveUpAfterMs, 1),
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A cluster's health checks: one activity observing every check in process (heartbeating)
 * for up to `timeout + passFor`; a retried attempt continues from its last heartbeat.
 */
export const healthChecking = (checks: readonly CheckTiming[]): ActivityOptions => {
  const { startToCloseMs, heartbeatMs } = healthCheckTimeouts(checks);
  return {
    startToCloseTimeout: startToCloseMs,
    heartbeatTimeout: heartbeatMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  };
};

/** Checking the spec's channels against the worker's: local, quick, a few tries. */
export const notifyCheck: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
};

/**
 * A cluster's pre-upgrade checks (domain/pre-check.ts): one activity evaluating them one
 * after the other, each asked again on transient errors within its `timeout`; a few tries
 * when the activity itself fails (the cluster's read).
 */
export const preChecking = (checks: readonly CheckTiming[]): ActivityOptions => ({
  startToCloseTimeout: checks.reduce((ms, c) => ms + c.timeoutMs + c.intervalMs + probeTimeoutMs(c), 60_000),
  heartbeatTimeout: healthCheckTimeouts(checks).heartbeatMs,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});
