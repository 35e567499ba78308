/**
 * "Started means accepted": `fleet rollout start` (and `plan`) wait until the rollout
 * has passed planning or been refused. Read from the client side only, the way any
 * client could (describe, the `progress` query), so the workflow's history is what it
 * was: the rollout has passed planning once its progress carries the version the
 * target resolved to (or a phase after planning), or once it completed. While it
 * waits it says what planning is doing and whether anything picks the rollout up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowExecutionDescription } from '@temporalio/client';
import type { RolloutProgress } from '../domain/report.js';
import { planningRefusal } from './refusal.js';
import { progressOf } from './rollout-progress.js';
import type { RolloutEnding, RolloutHandle } from './rollouts.js';
import type { PickupWatch } from './worker-presence.js';

/** Accepted (with its progress, unless it had ended already), or closed without a report before planning ended. */
export type Acceptance =
  | { readonly accepted: true; readonly progress?: RolloutProgress }
  | { readonly accepted: false; readonly ending: Extract<RolloutEnding, { status: string }> };

const TICK_MS = 500;

/** What each of planning's activities does, as a waiting command says it. */
const PLANNING_STEPS: Readonly<Record<string, string>> = {
  planRollout: 'reading versions and the inventory, checking that every cluster can move',
  checkNotifyChannels: "checking the spec's notification channels on the worker",
  checkHealthConfig: "checking on the worker the variables the health checks' headers read",
};

export const passedPlanning = (p: RolloutProgress): boolean =>
  p.resolvedVersion !== undefined || (p.phase !== 'validating' && p.phase !== 'planning');

/** `planning: reading versions and the inventory… (attempt 3; last: 503 ...)` from the activity planning waits for. */
export function planningNote(d: WorkflowExecutionDescription): string {
  const activity = (d.raw.pendingActivities ?? []).find(
    (a) => PLANNING_STEPS[a.activityType?.name ?? ''] !== undefined,
  );
  if (!activity) return `planning rollout ${d.workflowId}…`;
  const attempt = activity.attempt ?? 1;
  const last = activity.lastFailure?.message;
  return `planning: ${PLANNING_STEPS[activity.activityType!.name!]}…${attempt > 1 ? ` (attempt ${attempt}${last ? `; last: ${last}` : ''})` : ''}`;
}

/**
 * Waits until the rollout has passed planning (accepted), or closed before it did: a
 * failure at planning throws its refusal (exit 2 for bad input, 1 otherwise: see
 * refusal.ts); a rollout terminated, cancelled or timed out comes back as its ending.
 */
export async function awaitAcceptance(
  handle: RolloutHandle,
  say: (line: string) => void,
  pickup: PickupWatch,
): Promise<Acceptance> {
  let said = '';
  for (;;) {
    const description = await handle.describe();
    const status = description.status.name;
    if (status !== 'RUNNING') return closedBeforeAcceptance(handle, status);
    if (!(await pickup.check(description))) {
      const progress = await progressOf(handle);
      if (progress && passedPlanning(progress)) return { accepted: true, progress };
    }
    const note = planningNote(description);
    if (note !== said) say(note);
    said = note;
    await sleep(TICK_MS);
  }
}

async function closedBeforeAcceptance(handle: RolloutHandle, status: string): Promise<Acceptance> {
  // Completed: it planned (and ran, or had nothing to do); a run continued as new had planned too.
  if (status === 'COMPLETED' || status === 'CONTINUED_AS_NEW') return { accepted: true };
  try {
    await handle.result();
    return { accepted: true };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    if (status === 'FAILED') throw planningRefusal(handle.workflowId, error);
    return { accepted: false, ending: { status, reason: error.cause?.message ?? error.message } };
  }
}
