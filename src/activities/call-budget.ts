/**
 * A platform's API budget as the worker's HTTP clients see it (`CallBudget`): before
 * each call, an `acquireApiCall` update on the fleet's `apiBudget` workflow (started
 * on first use: update-with-start) reserves the call and says when to send it. Every
 * worker on the task queue asks the same workflow, so the budget holds across
 * processes. The calls waiting in this process are asked for together, one update at
 * a time (CallQueue). See workflows/api-budget/workflow.ts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { asyncLocalStorage } from '@temporalio/activity';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { API_BUDGET_WAIT_SECONDS } from '../domain/metrics.js';
import type { PlatformName } from '../domain/platform.js';
import type { ApiBudgetConfig } from '../platforms/config.js';
import { ApiBudgetExhaustedError } from '../platforms/errors.js';
import type { CallBudget } from '../platforms/http.js';
import { apiBudgetWorkflowId, type apiBudget } from '../workflows/api-budget/workflow.js';
import { acquireApiCallUpdate, MAX_CALLS_PER_ASK, type ApiCallGrant } from '../workflows/messages.js';

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
  const ask = (count: number) =>
    client.workflow.executeUpdateWithStart(acquireApiCallUpdate, {
      args: [{ maxWaitMs, count }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof apiBudget>('apiBudget', {
        workflowId,
        taskQueue,
        args: [{ platform, ratePerMinute, burst }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: `${platform} API budget: ${ratePerMinute} calls a minute, bursts of ${burst}`,
      }),
    });

  async function reserve(count: number): Promise<ApiCallGrant> {
    for (let asked = 1; ; asked++) {
      try {
        return await ask(count);
      } catch (error) {
        // The budget rotating to a new run or ending after a quiet spell, or the server
        // shedding load: ask again shortly, with jitter so workers do not ask in step.
        if (asked >= MAX_ASKS) throw error;
        await delay(Math.min(1_000, 25 * 2 ** Math.min(asked, 6)) * (0.5 + Math.random() / 2));
      }
    }
  }

  const queue = new CallQueue(reserve);
  return {
    async acquire(signal) {
      const asked = Date.now();
      const waitMs = await queue.take(signal);
      if (waitMs > 0) await delay(waitMs, undefined, signal ? { signal } : {});
      // On the calling activity's meter (none outside an activity): the worker's metrics endpoint.
      asyncLocalStorage
        .getStore()
        ?.metricMeter.createHistogram(API_BUDGET_WAIT_SECONDS, 'float', 's', 'API calls waiting for the budget')
        .record((Date.now() - asked) / 1000, { platform });
    },
  };
}

interface WaitingCall {
  readonly resolve: (waitMs: number) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * The calls of this process waiting for the budget: one ask at a time, for all of them
 * (up to MAX_CALLS_PER_ASK). Calls that come while it is out go in the next.
 */
export class CallQueue {
  #waiting: WaitingCall[] = [];
  #asking = false;

  constructor(private readonly reserve: (count: number) => Promise<ApiCallGrant>) {}

  /** Resolves with how long to wait before the call; rejects with ApiBudgetExhaustedError when too long. */
  take(signal: AbortSignal | undefined): Promise<number> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const withdraw = () => this.#withdraw(call);
      // The listener goes with the answer: a signal may outlive many calls.
      const settled = () => signal?.removeEventListener('abort', withdraw);
      const call: WaitingCall = {
        resolve: (waitMs) => (settled(), resolve(waitMs)),
        reject: (error) => (settled(), reject(error)),
        signal,
      };
      this.#waiting.push(call);
      signal?.addEventListener('abort', withdraw, { once: true });
      void this.#pump();
    });
  }

  #withdraw(call: WaitingCall): void {
    const index = this.#waiting.indexOf(call);
    if (index < 0) return; // its ask is out: the call it reserved goes unused
    this.#waiting.splice(index, 1);
    call.reject(call.signal!.reason);
  }

  async #pump(): Promise<void> {
    if (this.#asking || this.#waiting.length === 0) return;
    this.#asking = true;
    const calls = this.#waiting.splice(0, MAX_CALLS_PER_ASK);
    try {
      const grant = await this.reserve(calls.length);
      // A budget from before counts (an older worker's run) grants one call and says nothing of the rest.
      const waits = grant.waits ?? (grant.granted ? [grant.waitMs] : []);
      calls.slice(0, waits.length).forEach((call, i) => call.resolve(waits[i]!));
      const rest = calls.slice(waits.length);
      if (grant.waits === undefined && grant.granted) this.#waiting.unshift(...rest);
      else for (const call of rest) call.reject(new ApiBudgetExhaustedError(grant.refusedWaitMs ?? grant.waitMs));
    } catch (error) {
      for (const call of calls) call.reject(error);
    } finally {
      this.#asking = false;
      void this.#pump();
    }
  }
}
