/**
 * What `fleet rollout start` waits for once the workflow started: by default until
 * planning accepted or refused the rollout (acceptance.ts); `--wait` then follows it to
 * its end; `--no-wait` not at all (today's scripts that want fire and forget). Notes
 * (planning's steps, nothing picking the rollout up) go to stderr, results to stdout.
 */
import type { Client } from '@temporalio/client';
import type { RolloutProgress } from '../domain/report.js';
import { awaitAcceptance } from './acceptance.js';
import { EXIT } from './exit-codes.js';
import { followToEnding, printEnding, progressLine, type RolloutHandle } from './rollouts.js';
import { noWorkerWarning, PickupWatch } from './worker-presence.js';

export interface StartFlags {
  id?: string;
  /** undefined: wait for acceptance; true: and follow to the end (`--wait`); false: neither (`--no-wait`). */
  wait?: boolean;
  json?: boolean;
}

export const START_HELP = `
Waiting: start returns once planning accepted the rollout (read the platform's versions
and inventory, every cluster can move) or refused it, saying what planning does meanwhile.
--wait then follows it to its end; --no-wait returns as soon as the workflow started.

Exit codes: 0 accepted (with --wait: every cluster upgraded); 2 bad input (flags, the spec,
or refused at planning: nothing was changed); 1 an error (Temporal unreachable, planning
failed for the platform or the worker); 6 terminated or cancelled before planning ended.
With --wait also 3 PARTIAL, 4 HALTED, 5 ABORTED, 6 the rollout failed, was terminated or cancelled.

Examples:
  fleet rollout start --platform avisi --organisation acme --target 1.31 --wait
  fleet rollout start -f rollout.yaml --id weekly-patch --wait --json
  fleet rollout start -f rollout.yaml --no-wait`;

const say = (line: string): void => console.error(line);

/**
 * Warns (stderr) before anything starts when no worker polls the task queue; the watch
 * that follows does not say it again at once.
 */
export async function warnIfNoWorker(client: Client, taskQueue: string): Promise<PickupWatch> {
  const warning = await noWorkerWarning(client.workflow, taskQueue).catch(() => undefined);
  if (warning) say(`fleet: ${warning}`);
  return new PickupWatch(client.workflow, say, warning ? 'no-worker' : undefined);
}

/** `started rollout X on task queue Q: planning accepted it (...)`: how far it got, and how to follow it. */
function acceptedLine(rolloutId: string, taskQueue: string, progress: RolloutProgress | undefined): string {
  const started = `started rollout ${rolloutId} on task queue ${taskQueue}`;
  if (!progress) return `${started}: it has ended already; see \`fleet rollout status ${rolloutId}\``;
  const target = `${progress.targetVersion}${progress.resolvedVersion && progress.resolvedVersion !== progress.targetVersion ? ` (${progress.resolvedVersion})` : ''}`;
  const clusters = `${progress.total} cluster${progress.total === 1 ? '' : 's'}`;
  return `${started}: planning accepted it (${clusters} to ${target}); follow it with \`fleet rollout watch ${rolloutId}\``;
}

/** Waits as the flags ask and returns the exit code; a refusal at planning throws (refusal.ts). */
export async function waitAsAsked(
  handle: RolloutHandle,
  taskQueue: string,
  flags: StartFlags,
  pickup: PickupWatch,
): Promise<number> {
  const rolloutId = handle.workflowId;
  if (flags.wait === false) {
    console.log(
      flags.json ? JSON.stringify({ rolloutId, taskQueue }) : `started rollout ${rolloutId} on task queue ${taskQueue}`,
    );
    return EXIT.OK;
  }
  say(`rollout ${rolloutId} started on task queue ${taskQueue}; waiting for planning to accept or refuse it`);
  const acceptance = await awaitAcceptance(handle, say, pickup);
  if (!acceptance.accepted) return printEnding(rolloutId, acceptance.ending, flags.json);
  if (!flags.wait) {
    console.log(
      flags.json
        ? JSON.stringify({
            rolloutId,
            taskQueue,
            accepted: true,
            ...(acceptance.progress ? { progress: acceptance.progress } : {}),
          })
        : acceptedLine(rolloutId, taskQueue, acceptance.progress),
    );
    return EXIT.OK;
  }
  say(`rollout ${rolloutId} accepted; following progress`);
  const ending = await followToEnding(handle, (p) => !flags.json && say(progressLine(p)), undefined, pickup);
  return printEnding(rolloutId, ending, flags.json);
}
