/**
 * `fleet rollout watch <id>`: live progress per wave and per outcome until the rollout
 * ends, then its report; the exit code says how it ended (exit-codes.ts). Attaching to a
 * rollout that has already ended just prints how it ended.
 */
import type { Command } from 'commander';
import type { fleetRollout } from '../../workflows/rollout/workflow.js';
import { UsageError } from '../errors.js';
import { EXIT, exitCodeOf } from '../exit-codes.js';
import { LiveBlock } from '../live-block.js';
import { renderProgress } from '../progress-view.js';
import { describeRollout, followToEnding, printEnding } from '../rollouts.js';
import { connectClient } from '../temporal-client.js';
import { PickupWatch } from '../worker-presence.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';

interface WatchFlags extends ConnectionFlags {
  json?: boolean;
  interval?: string;
}

const WATCH_HELP = `
Exit codes: 0 every cluster upgraded, 3 PARTIAL, 4 HALTED (failure budget), 5 ABORTED,
6 the rollout workflow failed, was terminated or cancelled, 1 an error (no such rollout),
2 bad input (--interval). While nothing picks the rollout up (no worker polls its task
queue, or none takes its task) it says so on stderr, with what to do, and keeps waiting.

Examples:
  fleet rollout watch weekly-patch
  fleet rollout watch weekly-patch --json | jq -c .progress.counts`;

export function registerWatchCommand(rollout: Command): void {
  connectionOptions(
    rollout
      .command('watch')
      .description(
        'draw live progress per wave and per outcome until the rollout ends; the exit code says how it ended',
      )
      .argument('<rolloutId>', 'the rollout workflow id')
      .option('--interval <seconds>', 'how often to ask for progress', '1')
      .option('--json', 'one JSON line per change ({"progress": ...}), then {"report": ...} or {"status", "reason"}'),
  )
    .addHelpText('after', WATCH_HELP)
    .action(watchRollout);
}

async function watchRollout(rolloutId: string, flags: WatchFlags): Promise<void> {
  const seconds = Number(flags.interval);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600)
    throw new UsageError(`--interval: seconds from 0.1 to 3600, got ${JSON.stringify(flags.interval)}`);
  const connected = await connectClient(flags);
  try {
    await describeRollout(connected.client, rolloutId, connected.target.namespace);
    const handle = connected.client.workflow.getHandle<typeof fleetRollout>(rolloutId);
    const block = new LiveBlock();
    const print = (value: unknown) => console.log(JSON.stringify(value));
    // Says on stderr when nothing picks the rollout up (no worker polls its task queue, none takes its task).
    const pickup = new PickupWatch(connected.client.workflow, (line) => console.error(line));
    const draw = (p: Parameters<typeof renderProgress>[0]) =>
      flags.json ? print({ progress: p }) : block.draw(renderProgress(p));
    const ending = await followToEnding(handle, draw, seconds * 1000, pickup);
    if (flags.json) {
      // One JSON value per line: the ending as `{"report": ...}` or `{"status", "reason"}`.
      print(ending);
      process.exitCode = 'report' in ending ? exitCodeOf(ending.report) : EXIT.ROLLOUT_FAILED;
    } else {
      process.exitCode = printEnding(rolloutId, ending, false);
    }
  } finally {
    await connected.close();
  }
}
