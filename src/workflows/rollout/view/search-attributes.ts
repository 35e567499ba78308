/**
 * What a rollout shows in the Temporal UI's list: its identity, FleetPhase,
 * FleetProgressPercent and FleetFailedClusters (see ../../search-attributes.ts), kept
 * current while it runs and cheap in history: an upsert only when what an operator filters
 * on changes, and none at a run boundary that flushed (docs/development.md, "Why the
 * rollout's view is shaped so").
 */
import type { SearchAttributePair, TypedSearchAttributes } from '@temporalio/common';
import type { RolloutPhase, RolloutStatus } from '../../../domain/report.js';
import {
  FleetFailedClusters,
  FleetOrganisation,
  FleetPhase,
  FleetPlatform,
  FleetPlatforms,
  FleetProgressPercent,
  FleetRolloutId,
  FleetTargetVersion,
  type FleetRolloutPhase,
} from '../../search-attributes.js';

/** What the list shows of a rollout while it moves. */
export interface RolloutSignals {
  readonly phase: FleetRolloutPhase;
  /** 0..100, see progressPercent. */
  readonly percent: number;
  readonly failed: number;
}

/** Who the rollout is: set once, in the first run. */
export interface RolloutIdentity {
  readonly rolloutId: string;
  readonly platform: string;
  readonly organisation: string;
  readonly targetVersion: string;
  /**
   * A rollout over several targets: every platform it spans (FleetPlatforms). Absent for
   * one target, so a server set up before FleetPlatforms existed runs those as before.
   */
  readonly platforms?: readonly string[];
}

/** FleetPhase from the workflow's own phase and the operators' doing: a stop, then a pause, say more than the step. */
export function fleetPhaseOf(
  phase: RolloutPhase,
  state: {
    readonly paused: boolean;
    readonly stop?: { readonly status: Extract<RolloutStatus, 'HALTED' | 'ABORTED'> };
  },
): FleetRolloutPhase {
  if (phase === 'done') return state.stop ? (state.stop.status === 'HALTED' ? 'halted' : 'aborted') : 'done';
  if (state.stop) return 'compensating';
  if (state.paused) return 'paused';
  return phase === 'validating' ? 'planning' : phase;
}

/** Percent of the fleet's clusters that have ended, rounded down (100 only when all have, or the rollout has ended). */
export function progressPercent(ended: number, total: number, finished: boolean): number {
  if (finished) return 100;
  if (total <= 0) return 0;
  return Math.min(100, Math.floor((ended * 100) / total));
}

type Shown = Partial<RolloutSignals & RolloutIdentity>;

/** Decides which search attributes to upsert, and remembers what the server has. */
export class RolloutSearchAttributes {
  private shown: Shown;

  /** `current`: what the run started with (nothing in a first run; the previous run's values after continue-as-new). */
  constructor(
    current: TypedSearchAttributes,
    private readonly identity: RolloutIdentity,
  ) {
    const phase = current.get(FleetPhase);
    const percent = current.get(FleetProgressPercent);
    const failed = current.get(FleetFailedClusters);
    this.shown = {
      rolloutId: current.get(FleetRolloutId),
      platform: current.get(FleetPlatform),
      ...(current.get(FleetPlatforms) ? { platforms: current.get(FleetPlatforms) } : {}),
      organisation: current.get(FleetOrganisation),
      targetVersion: current.get(FleetTargetVersion),
      ...(phase !== undefined ? { phase: phase as FleetRolloutPhase } : {}),
      ...(percent !== undefined ? { percent } : {}),
      ...(failed !== undefined ? { failed } : {}),
    };
  }

  /**
   * The pairs to upsert now for `want` (empty: nothing worth an event), taken as shown.
   * `flush`: every difference goes, however small (the end, before continue-as-new).
   */
  next(want: RolloutSignals, flush = false): SearchAttributePair[] {
    const shown = this.shown;
    const due =
      flush ||
      shown.rolloutId === undefined ||
      want.phase !== shown.phase ||
      want.percent !== shown.percent ||
      (want.failed > 0 && !(shown.failed !== undefined && shown.failed > 0));
    if (!due) return [];
    const id = this.identity;
    const pairs: SearchAttributePair[] = [];
    if (id.rolloutId !== shown.rolloutId) pairs.push({ key: FleetRolloutId, value: id.rolloutId });
    if (id.platform !== shown.platform) pairs.push({ key: FleetPlatform, value: id.platform });
    if (id.organisation !== shown.organisation) pairs.push({ key: FleetOrganisation, value: id.organisation });
    if (id.platforms && id.platforms.join() !== shown.platforms?.join())
      pairs.push({ key: FleetPlatforms, value: [...id.platforms] });
    if (id.targetVersion !== shown.targetVersion) pairs.push({ key: FleetTargetVersion, value: id.targetVersion });
    if (want.phase !== shown.phase) pairs.push({ key: FleetPhase, value: want.phase });
    if (want.percent !== shown.percent) pairs.push({ key: FleetProgressPercent, value: want.percent });
    if (want.failed !== shown.failed) pairs.push({ key: FleetFailedClusters, value: want.failed });
    this.shown = { ...id, ...want };
    return pairs;
  }
}
