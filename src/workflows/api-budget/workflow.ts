/**
 * `apiBudget`: one platform's API budget, shared by every worker process of a fleet
 * (id `fleet-api-budget/<taskQueue>/<platform>`). Before each call it sends (retries
 * and planning included), a worker's HTTP client reserves it here (`acquireApiCall`,
 * update-with-start) and is told when to send it; the reservations follow a token
 * bucket (`ratePerMinute`, `burst`), in the order they come. So however many workers
 * and rollouts run, the platform sees at most its budget.
 *
 * Why not the task queue's rate limit (`maxTaskQueueActivitiesPerSecond`): it counts
 * activity tasks, and an activity here may make several calls (an inventory page and
 * a read, a lookup before a request, a client's own retries). The budget counts calls,
 * where they are made. Why reservations, not updates that wait for a token: the
 * server caps in-flight updates per workflow (10 by default), and a reservation is
 * answered in the workflow task that receives it.
 *
 * A worker process asks once for all the calls waiting in it (`count`), so the updates
 * a second this workflow takes grow with the processes asking, not with the calls.
 *
 * It ends after a minute without asks (the next ask starts it again with a full
 * bucket, which is what a minute of refill gives) and continues as new, carrying the
 * bucket, before the server's cap on updates per run.
 */
import { ApplicationFailure } from '@temporalio/common';
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PlatformName } from '../../domain/platform.js';
import { TokenBucket, type TokenBucketState } from '../../domain/token-bucket.js';
import {
  acquireApiCallUpdate,
  BUDGET_ROTATING,
  MAX_CALLS_PER_ASK,
  type ApiCallGrant,
  type ApiCallRequest,
} from '../messages.js';

export interface ApiBudgetInput {
  readonly platform: PlatformName;
  readonly ratePerMinute: number;
  readonly burst: number;
  /** The bucket as the previous run left it (continue-as-new). */
  readonly bucket?: TokenBucketState;
}

/** The budget workflow's id: per fleet (task queue) and platform. */
export const apiBudgetWorkflowId = (taskQueue: string, platform: PlatformName): string =>
  `fleet-api-budget/${taskQueue}/${platform}`;

/** Without asks for this long, the workflow ends. */
const IDLE_MS = 60_000;
/** Asks answered per run: well under the server's cap of 2,000 updates per run, two events each. */
const ASKS_PER_RUN = 1_000;

export async function apiBudget(input: ApiBudgetInput): Promise<void> {
  const bucket = new TokenBucket(input.ratePerMinute, input.burst, input.bucket, Date.now());
  let asks = 0;
  let closing = false;

  setHandler(
    acquireApiCallUpdate,
    (request: ApiCallRequest): ApiCallGrant => {
      asks++;
      if (request.count === undefined) {
        const reservation = bucket.reserve(Date.now(), Math.max(0, request.maxWaitMs));
        return { granted: reservation.reserved, waitMs: reservation.waitMs };
      }
      return reserveMany(bucket, request.count, request.maxWaitMs);
    },
    {
      validator: (request: ApiCallRequest) => {
        if (closing)
          throw ApplicationFailure.create({
            type: BUDGET_ROTATING,
            message: 'the API budget is rotating; ask again',
            nonRetryable: true,
          });
        if (typeof request?.maxWaitMs !== 'number' || !(request.maxWaitMs >= 0))
          throw ApplicationFailure.create({ message: 'maxWaitMs must be a number >= 0', nonRetryable: true });
        const { count } = request;
        if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= MAX_CALLS_PER_ASK))
          throw ApplicationFailure.create({
            message: `count must be a whole number from 1 to ${MAX_CALLS_PER_ASK}`,
            nonRetryable: true,
          });
      },
    },
  );

  const rotate = () => asks >= ASKS_PER_RUN || workflowInfo().continueAsNewSuggested;
  for (;;) {
    const seen = asks;
    const asked = await condition(() => asks !== seen || rotate(), IDLE_MS, {
      summary: 'idle: ends after a minute without asks',
    });
    if (rotate()) {
      closing = true;
      await condition(allHandlersFinished);
      return continueAsNew<typeof apiBudget>({ ...input, bucket: bucket.state() });
    }
    if (!asked && asks === seen) break;
  }
  closing = true;
  await condition(allHandlersFinished);
}

/** Reserves up to `count` calls in order, stopping at the first that would wait longer than `maxWaitMs`. */
function reserveMany(bucket: TokenBucket, count: number, maxWaitMs: number): ApiCallGrant {
  const waits: number[] = [];
  let refusedWaitMs = 0;
  while (waits.length < count) {
    const reservation = bucket.reserve(Date.now(), Math.max(0, maxWaitMs));
    if (!reservation.reserved) {
      refusedWaitMs = reservation.waitMs;
      break;
    }
    waits.push(reservation.waitMs);
  }
  const refused = waits.length < count ? { refusedWaitMs } : {};
  return { granted: waits.length > 0, waitMs: waits[0] ?? refusedWaitMs, waits, ...refused };
}
