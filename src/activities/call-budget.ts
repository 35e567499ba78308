/**
 * A platform's API budget as the worker's HTTP clients see it (`CallBudget`): before
 * each call, an `acquireApiCall` update on the fleet's `apiBudget` workflow (started
 * on first use: update-with-start) reserves the call and says when to send it. Every
 * worker on the task queue asks the same workflow, so the budget holds across
 * processes. See workflows/api-budget/workflow.ts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { PlatformName } from '../domain/platform.js';
import type { ApiBudgetConfig } from '../platforms/config.js';
import { ApiBudgetExhaustedError } from '../platforms/errors.js';
import type { CallBudget } from '../platforms/http.js';
import { apiBudgetWorkflowId, type apiBudget } from '../workflows/api-budget/workflow.js';
import { acquireApiCallUpdate } from '../workflows/messages.js';

export interface TemporalCallBudgetOptions extends ApiBudgetConfig {
  readonly client: Client;
  /** The fleet's task queue: its workers share the budget, and the budget workflow runs there. */
  readonly taskQueue: string;
  readonly platform: PlatformName;
  /**
   * The longest a call waits for its turn in process. Past it nothing is reserved and
   * the call fails with `ApiBudgetExhaustedError`, so the activity retries later
   * through Temporal instead of holding a slot (and running into its own timeout).
   * @default 20_000
   */
  readonly maxWaitMs?: number;
}

/** Asks this often (the budget rotating, the server busy) before the call fails as retryable. */
const MAX_ASKS = 20;

export function createTemporalCallBudget(options: TemporalCallBudgetOptions): CallBudget {
  const { client, taskQueue, platform, ratePerMinute, burst } = options;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const workflowId = apiBudgetWorkflowId(taskQueue, platform);
  const ask = () =>
    client.workflow.executeUpdateWithStart(acquireApiCallUpdate, {
      args: [{ maxWaitMs }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof apiBudget>('apiBudget', {
        workflowId,
        taskQueue,
        args: [{ platform, ratePerMinute, burst }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: `${platform} API budget: ${ratePerMinute} calls a minute, bursts of ${burst}`,
      }),
    });

  async function reserve(signal: AbortSignal | undefined) {
    for (let asked = 1; ; asked++) {
      signal?.throwIfAborted();
      try {
        return await (signal ? client.withAbortSignal(signal, ask) : ask());
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        // The budget rotating to a new run or ending after a quiet spell, or the server
        // shedding load: ask again shortly, with jitter so workers do not ask in step.
        if (asked >= MAX_ASKS) throw error;
        await delay(
          Math.min(1_000, 25 * 2 ** Math.min(asked, 6)) * (0.5 + Math.random() / 2),
          undefined,
          signal ? { signal } : {},
        );
      }
    }
  }

  return {
    async acquire(signal) {
      const grant = await reserve(signal);
      if (!grant.granted) throw new ApiBudgetExhaustedError(grant.waitMs);
      if (grant.waitMs > 0) await delay(grant.waitMs, undefined, signal ? { signal } : {});
    },
  };
}
