/**
 * The operators' updates, wired to the `Rollout`'s methods: each validator is the
 * rollout's own (synchronous: an async one never rejects), each handler one
 * transition, then `changed` (the UI's phase, counts and details) and the progress as
 * the answer. Where `changed` returns a promise (inbox.ts: the rollout is shown
 * after the activation's reports are recorded), the answer waits for it.
 */
import { RolloutControls } from './controls.js';
import { ApplicationFailure } from '@temporalio/common';
import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, FindClusterInput, FindClusterResult } from '../../activities/index.js';
import type { RolloutProgress } from '../../domain/report.js';
import { planning } from '../activity-options.js';
import { UPDATE_REJECTED, type ClusterRequest, rolloutUpdates as updates } from '../messages.js';
import { messageOf } from './activities.js';
import type { Rollout } from './state.js';

/** `skipCluster`/`retryCluster` look up a cluster the rollout has not read (cluster-key.ts). */
export const CLUSTER_LOOKUP_PATCH = 'cluster-lookup';
const finder = proxyActivities<Activities>(planning);

/**
 * `told` tells the channels the action just logged (view/notices.ts `operatorActed`):
 * it starts work only when a channel names operator events, so runs without stay as they were.
 */
export function wireControls(
  rollout: Rollout,
  progress: () => RolloutProgress,
  changed: () => Promise<void> | undefined,
  told: () => void = () => undefined,
): void {
  const controls = new RolloutControls(rollout);
  const answer = (): RolloutProgress | Promise<RolloutProgress> => {
    told();
    const shown = changed();
    return shown ? shown.then(progress) : progress();
  };
  setHandler(updates.pause, (r) => (controls.pause(r), answer()), { validator: (r) => controls.validatePause(r) });
  setHandler(updates.resume, (r) => (controls.resume(r), answer()), { validator: (r) => controls.validateResume(r) });
  setHandler(
    updates.recheckGate,
    async (r) => {
      controls.recheckGate(r);
      // Answer once the gate runs again (gate.ts), so the progress shows it running.
      await condition(() => !rollout.gates.recheckAsked || rollout.stop !== undefined);
      return answer();
    },
    { validator: (r) => controls.validateRecheckGate(r) },
  );
  setHandler(
    updates.abort,
    async (r) => {
      controls.abort(r);
      told();
      // Answer once the main loop has acted (its cancellations sent): the update's completion
      // then follows those commands however workflow tasks are split into activations, which
      // a replay from history (a worker without the run cached) may do differently.
      await condition(() => rollout.stopSettled);
      return answer();
    },
    { validator: (r) => controls.validateAbort(r) },
  );
  setHandler(updates.approve, (r) => (controls.approve(r), answer()), {
    validator: (r) => controls.validateApprove(r),
  });
  setHandler(updates.setMaxParallel, (r) => (controls.setMaxParallel(r), answer()), {
    validator: (r) => controls.validateSetMaxParallel(r),
  });
  setHandler(updates.freeze, (r) => (controls.freeze(r), answer()), { validator: (r) => controls.validateFreeze(r) });
  setHandler(updates.unfreeze, (r) => (controls.unfreeze(r), answer()), {
    validator: (r) => controls.validateUnfreeze(r),
  });
  const skip = (r: ClusterRequest) =>
    withLookup(controls.lookupFor(r, 'skip'), (found) => (controls.skip(r, found), answer()));
  const retry = (r: ClusterRequest) =>
    withLookup(controls.lookupFor(r, 'retry'), (found) => (controls.retry(r, found), answer()));
  setHandler(updates.skipCluster, skip, { validator: (r) => controls.validateSkip(r) });
  setHandler(updates.retryCluster, retry, { validator: (r) => controls.validateRetry(r) });
}

/**
 * Runs `act` at once when the rollout's state settles the cluster; otherwise (a cluster
 * not read yet, or a name) after `findCluster` read the targets, so that a key naming no
 * cluster of the rollout is refused rather than accepted. Runs from before the patch act
 * at once, as they did. A failed lookup refuses the update (nothing changed).
 */
type Answer = RolloutProgress | Promise<RolloutProgress>;
function withLookup(lookup: FindClusterInput | undefined, act: (found?: FindClusterResult) => Answer): Answer {
  if (!lookup || !patched(CLUSTER_LOOKUP_PATCH)) return act();
  const found = finder.findCluster.executeWithOptions({ summary: `find cluster ${lookup.key}` }, [lookup]);
  return found.then(act, (error: unknown) => {
    const message = `could not look up cluster ${lookup.key}: ${messageOf(error)}`;
    throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
  });
}
