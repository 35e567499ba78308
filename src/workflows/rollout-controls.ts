/**
 * The operators' updates, wired to the `Rollout`'s methods: each validator is the
 * rollout's own (synchronous: an async one never rejects), each handler one
 * transition, then `changed` (the UI's phase, counts and details) and the progress as
 * the answer. Where `changed` returns a promise (rollout-inbox.ts: the rollout is shown
 * after the activation's reports are recorded), the answer waits for it.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { RolloutProgress } from '../domain/report.js';
import { abortUpdate, approveUpdate, freezeUpdate, pauseUpdate, resumeUpdate, retryClusterUpdate, setMaxParallelUpdate, skipClusterUpdate, unfreezeUpdate } from './messages.js';
import type { Rollout } from './rollout.js';

export function wireControls(rollout: Rollout, progress: () => RolloutProgress, changed: () => Promise<void> | undefined): void {
  const answer = (): RolloutProgress | Promise<RolloutProgress> => {
    const shown = changed();
    return shown ? shown.then(progress) : progress();
  };
  setHandler(pauseUpdate, (r) => (rollout.pause(r), answer()), { validator: (r) => rollout.validatePause(r) });
  setHandler(resumeUpdate, (r) => (rollout.resume(r), answer()), { validator: (r) => rollout.validateResume(r) });
  setHandler(
    abortUpdate,
    async (r) => {
      rollout.abort(r);
      // Answer once the main loop has acted (its cancellations sent): the update's completion
      // then follows those commands however workflow tasks are split into activations, which
      // a replay from history (a worker without the run cached) may do differently.
      await condition(() => rollout.stopActedOn);
      return answer();
    },
    { validator: (r) => rollout.validateAbort(r) },
  );
  setHandler(approveUpdate, (r) => (rollout.approve(r), answer()), { validator: (r) => rollout.validateApprove(r) });
  setHandler(setMaxParallelUpdate, (r) => (rollout.setMaxParallel(r), answer()), { validator: (r) => rollout.validateSetMaxParallel(r) });
  setHandler(freezeUpdate, (r) => (rollout.freeze(r), answer()), { validator: (r) => rollout.validateFreeze(r) });
  setHandler(unfreezeUpdate, (r) => (rollout.unfreeze(r), answer()), { validator: (r) => rollout.validateUnfreeze(r) });
  setHandler(skipClusterUpdate, (r) => (rollout.skip(r), answer()), { validator: (r) => rollout.validateSkip(r) });
  setHandler(retryClusterUpdate, (r) => (rollout.retry(r), answer()), { validator: (r) => rollout.validateRetry(r) });
}
