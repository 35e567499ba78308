/**
 * The activity option sets the workflows use, named once (after samples-typescript's
 * saga, `defaultActivity`). Every set bounds its retries (unbounded is the SDK's
 * default) and says why its numbers are what they are.
 */
import type { ActivityOptions } from '@temporalio/workflow';

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
