/**
 * `ClusterLines`: the report's lines the rollout writes itself (tally.ts keeps them): a
 * child's report placed in its target and hop, an operator's skip with who and why, the
 * clusters a stop left unstarted, a compensation's outcome. Owned by the rollout's state.
 */
import type { PlannedHop } from '../../activities/index.js';
import type { ClusterPlanEntry, ClusterResult } from '../../domain/report.js';
import { operatorSkipMessage } from '../../domain/skipped.js';
import type { RolloutPlan } from '../../domain/spec.js';
import type { ActionLog } from './action-log.js';
import type { Stop } from './snapshot.js';
import { budgetVerdict, type Tally } from './tally.js';
import { placedLine } from './targets.js';
import type { Placed, WaveRun } from './waves.js';

/** What the lines read of the rest of the state. */
export interface LinesHost {
  readonly plan: RolloutPlan | undefined;
  readonly hops: readonly PlannedHop[];
  readonly hop: PlannedHop;
  readonly lastHop: boolean;
  readonly waves: readonly WaveRun[];
  readonly stop: Stop | undefined;
  readonly tally: Tally;
  readonly actionLog: ActionLog;
}

/** The line of a cluster that never ran (the keys in the order reports have always had). */
function unstarted<O extends 'SKIPPED' | 'NOT_STARTED'>(entry: ClusterPlanEntry, outcome: O) {
  const { id: clusterId, name, version: fromVersion } = entry;
  return { clusterId, name, outcome, fromVersion, requests: 0, retries: 0, reschedules: 0 };
}

export class ClusterLines {
  constructor(private readonly run: LinesHost) {}

  /** A child's report on its line (a hop done on the way only counts in its wave); what budget it exceeds, if any. */
  reported(flight: Placed, result: ClusterResult): string | undefined {
    const { plan, hops, tally } = this.run;
    const wave = this.run.waves[flight.waveIndex];
    if (result.outcome === 'SUCCEEDED' && !this.run.lastHop) {
      if (wave) wave.counts[result.outcome]++;
    } else {
      const placed = placedLine(
        plan,
        flight.entry,
        hops.length > 1 ? { ...result, hop: this.run.hop.version } : result,
      );
      tally.record(placed, wave && { name: wave.plan.name, counts: wave.counts });
    }
    return tally.budgetExceeded(plan?.failureBudget) ?? this.waveBudgetExceeded(flight.waveIndex);
  }

  /** An operator's skip: the line keeps who and why. */
  skipped(
    entry: ClusterPlanEntry,
    waveIndex: number,
    skippedBy: { readonly by?: string; readonly reason?: string },
  ): void {
    const line = unstarted(entry, 'SKIPPED');
    const message = operatorSkipMessage(skippedBy);
    this.run.tally.record(placedLine(this.run.plan, entry, { ...line, message, skippedBy }), this.waveOf(waveIndex));
  }

  /** A cluster skipped before it was read: who and why from the action log, while it still holds the skip. */
  skippedEarlier(entry: ClusterPlanEntry, waveIndex: number): void {
    const action = this.run.actionLog.lastSkipOf(entry.id);
    this.skipped(entry, waveIndex, {
      ...(action?.by ? { by: action.by } : {}),
      ...(action?.reason ? { reason: action.reason } : {}),
    });
  }

  /** A cluster the stop left unstarted. */
  notStarted(entry: ClusterPlanEntry, waveIndex: number): void {
    const line = { ...unstarted(entry, 'NOT_STARTED'), message: `not started: ${this.run.stop?.reason}` };
    this.run.tally.record(placedLine(this.run.plan, entry, line), this.waveOf(waveIndex));
  }

  /** A compensation's outcome, on the cluster's line. */
  compensated(clusterId: string, compensation: string): void {
    const line = this.run.tally.notSucceeded.get(clusterId);
    if (line) this.run.tally.setLine({ ...line, compensation });
  }

  private waveOf(index: number) {
    const wave = this.run.waves[index];
    return wave && { name: wave.plan.name, counts: wave.counts };
  }

  private waveBudgetExceeded(index: number): string | undefined {
    const wave = this.run.waves[index];
    const budget = wave?.plan.failureBudget;
    const what = `failure budget of wave ${wave?.plan.name}`;
    return wave && budget ? budgetVerdict(budget, wave.counts, wave.total, what) : undefined;
  }
}
