/**
 * What a rollout keeps in its memo (**contract**): `fleetDryRun: true` on a dry run, so
 * `fleet rollout list` leaves dry runs out whoever started them (`fleet rollout plan`, a
 * schedule, a raw start of a spec with `dryRun: true`). The memo, not a search attribute:
 * a namespace set up before this needs nothing new registered. Rollouts recorded before
 * the `dry-run-memo` patch carry it only when the CLI set it at start.
 */
import { patched, upsertMemo } from '@temporalio/workflow';

export const DRY_RUN_MEMO = 'fleetDryRun';
export const DRY_RUN_MEMO_PATCH = 'dry-run-memo';

/** In a rollout's first run: marks a dry run. */
export function markDryRun(dryRun: boolean): void {
  if (dryRun && patched(DRY_RUN_MEMO_PATCH)) upsertMemo({ [DRY_RUN_MEMO]: true });
}
