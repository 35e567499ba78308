/**
 * Before a workflow's first search attribute upsert: does the namespace have what it is
 * about to set? On a namespace that lacks one, the server fails the workflow task that
 * upserts it (BadSearchAttributes) and the task is retried every 10 s for ever, so a
 * rollout started by any client would wait in silence. Asked through an activity (the
 * worker's connection), it fails the workflow at once instead, with the message naming
 * each attribute and the command that registers it; nothing has been read or changed.
 *
 * An ordinary activity, not a local one: without a workflow cache
 * (FLEET_WORKER_MAX_CACHED_WORKFLOWS=0) a local activity costs a workflow task timeout.
 * Behind the `namespace-check` patch: histories from before replay without it. When the
 * namespace cannot be asked, the workflow goes on as before (logged).
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NAMESPACE_NOT_READY } from '../domain/failure-types.js';
import type { FleetSearchAttributeKey } from './search-attributes.js';

export const NAMESPACE_CHECK_PATCH = 'namespace-check';

/** A quick question to the server: a few tries, then the workflow goes on without the answer. */
const checker = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Fails the workflow (NamespaceNotReady, non-retryable) when the namespace lacks any of `keys`. */
export async function requireSearchAttributes(keys: readonly FleetSearchAttributeKey[]): Promise<void> {
  if (!patched(NAMESPACE_CHECK_PATCH)) return;
  const attributes = keys.map((key) => key.name);
  const answer = await checker.checkNamespace
    .executeWithOptions({ summary: `check the namespace has ${attributes.join(', ')}` }, [{ attributes }])
    .catch((error: unknown) => {
      // Say an older worker without the activity took it: the check guards, it does not gate.
      const why = error instanceof ActivityFailure && error.cause ? error.cause.message : String(error);
      return { unchecked: why, problem: undefined };
    });
  if (answer.unchecked)
    log.warn('could not check the namespace for search attributes; going on', { reason: answer.unchecked });
  if (answer.problem) throw ApplicationFailure.nonRetryable(answer.problem, NAMESPACE_NOT_READY);
}
