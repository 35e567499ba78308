/**
 * Waits the integration tests share: on a rollout's progress, and on visibility (which
 * lags a little behind the workflows). Conditions, never fixed sleeps.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { RolloutProgress } from '../../src/domain/report.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';

/** The rollout's progress once `check` holds. */
export const progressUntil = (
  handle: WorkflowHandle<typeof fleetRollout>,
  check: (p: RolloutProgress) => boolean,
  what: string,
  timeoutMs = 60_000,
) =>
  eventually(
    async () => {
      const p = await handle.query(progressQuery);
      return check(p) ? p : undefined;
    },
    { timeoutMs, intervalMs: 100, what },
  );

/** The executions a visibility query lists, once there are `expected` of them. */
export const listed = (client: Client, query: string, expected: number) =>
  eventually(
    async () => {
      const found = [];
      for await (const execution of client.workflow.list({ query })) found.push(execution);
      return found.length === expected ? found : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `${expected} listed for ${query}` },
  );
