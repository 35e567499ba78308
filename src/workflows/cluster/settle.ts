/**
 * Settling one requested upgrade (steps.ts, an attempt of clusterUpgrade): wait until the
 * platform has scheduled it, sleep until its maintenance window opens (a durable timer:
 * days cost two events), then poll until it is terminal. Polling is the activity's
 * retry policy (activity-options.ts `polling`), bounded by the attempt's deadline.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities, ClusterCall } from '../../activities/index.js';
import { isTerminalUpgradeStatus, isUnscheduled } from '../../domain/upgrade-status.js';
import type { UpgradeState } from '../../platforms/types.js';
import { polling } from '../activity-options.js';

/** The retry policy is the poll loop: a fixed interval, no attempt limit, bounded by the deadline. */
export const pollerFor = (pollIntervalMs: number, deadlineMs: number) =>
  proxyActivities<Activities>(polling(pollIntervalMs, deadlineMs));

export interface SettleOptions {
  readonly call: ClusterCall;
  readonly name: string;
  readonly pollIntervalMs: number;
  /** When this attempt must have settled (workflow time, epoch ms). */
  readonly deadline: number;
  readonly phase: (value: string) => void;
}

/** Waits for the window (a durable timer), then polls until the upgrade is terminal. */
export async function settle(
  requested: UpgradeState,
  { call, name, pollIntervalMs, deadline, phase }: SettleOptions,
): Promise<UpgradeState> {
  const remaining = () => deadline - Date.now();
  let state = requested;
  if (isUnscheduled(state.status)) {
    phase('scheduling');
    state = await pollerFor(pollIntervalMs, remaining()).pollUpgrade.executeWithOptions(
      { summary: `wait until ${name} is scheduled` },
      [{ ...call, upgrade: state, until: 'scheduled', pollIntervalMs }],
    );
  }
  if (state.status === 'SCHEDULED' && state.windowStart) {
    const wait = Date.parse(state.windowStart) - Date.now();
    if (wait > 0) {
      phase('waiting-window');
      await sleep(wait, { summary: `maintenance window opens ${state.windowStart}` });
    }
  }
  if (isTerminalUpgradeStatus(state.status)) return state;
  phase('upgrading');
  return pollerFor(pollIntervalMs, remaining()).pollUpgrade.executeWithOptions(
    { summary: `poll ${name} until settled` },
    [{ ...call, upgrade: state, until: 'settled', pollIntervalMs }],
  );
}
