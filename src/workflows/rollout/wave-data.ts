/**
 * What the waves of one hop hold (the data `WaveQueues` in waves.ts owns and
 * continue-as-new carries), what a read asks for and brings, and where the rollout's
 * clusters are read from.
 */
import { MAX_GATE_CLUSTERS, type GateResult } from '../../domain/gate.js';
import type { ClusterPlanEntry, OutcomeCounts, WaveState } from '../../domain/report.js';
import type { RolloutPlan } from '../../domain/spec.js';
import type { WaveShape } from '../../domain/waves.js';

/** Clusters read per activity: an inventory page, or a batch of listed ids. */
export const PAGE_SIZE = 100;

export interface WaveRun {
  readonly plan: Omit<WaveShape, 'size' | 'ids'>;
  /** Clusters the wave was sized for. */
  readonly total: number;
  /** Clusters read and waiting to start, in order (a page at most). */
  readonly queue: ClusterPlanEntry[];
  /** Clusters still to take from the inventory stream. */
  toTake: number;
  /** Listed clusters not read yet. */
  readonly ids: string[];
  state: WaveState;
  readonly counts: OutcomeCounts;
  /** Waves that select (`match`): where this wave's own reading of the inventory is. */
  pass?: WavePass;
  /** Waves that select: the inventory position at which the wave took its last cluster, once its size was reached. */
  cutoff?: number;
  /** A gate with `{waveClusters}`: the names of the clusters the wave started (at most MAX_GATE_CLUSTERS + 1). */
  gateNames?: string[];
  /** The wave's gate, once it began (domain/gate.ts). */
  gate?: GateResult;
}

/** A wave's own reading of the inventory (waves that select read it each for themselves). */
export interface WavePass {
  /** The next page's cursor (inventory reads). */
  cursor?: string;
  /** The inventory position of the next cluster to read (within its target). */
  position: number;
  /** Which of the rollout's targets it reads now (absent: the first). */
  target?: number;
  done: boolean;
}

/** Where the current hop's reading of the inventory stands. */
export interface InventoryStream {
  /** The next page's cursor (inventory), or the next index into the spec's `clusters`. */
  cursor?: string;
  /** Which of the rollout's targets it reads now (absent: the first); `done` is for the last. */
  target?: number;
  done: boolean;
  /** Read, not yet taken by a wave. */
  readonly buffer: ClusterPlanEntry[];
}

/**
 * What a read brought: clusters to take, and (selecting waves) how far it read and where the wave's size was reached.
 */
export interface ReadPage {
  readonly entries: readonly ClusterPlanEntry[];
  readonly next?: string;
  readonly seen?: number;
  readonly cutoff?: number;
}

/** A cluster and the wave it belongs to (-1: none known, in runs recorded before retries kept their wave). */
export interface Placed {
  readonly entry: ClusterPlanEntry;
  readonly waveIndex: number;
  /** In flight: when its child was started (workflow time, epoch ms), for the measured durations the forecast uses. */
  readonly startedAt?: number;
  /** Taken again (a retry): this rollout's last child of the cluster may still be closing. */
  readonly again?: boolean;
  /** In flight, a lean child (children.ts): its workflow id and run, to cancel exactly it. */
  readonly childId?: string;
  readonly childRunId?: string;
  /** In flight, a child started with `hold`: failed, it waits for the rollout (held.ts). */
  readonly holds?: true;
}

/** What to read next: clusters by id (a wave's list, or a slice of the spec's `clusters`), or an inventory page. */
export type PlanRead =
  | { readonly kind: 'listed' | 'spec'; readonly ids: string[] }
  | { readonly kind: 'inventory'; readonly cursor?: string; readonly target: number }
  /**
   * A wave that selects reads for itself: at most `take` clusters from `position` on (ids of the spec's list, or an
   * inventory page).
   */
  | {
      readonly kind: 'select';
      readonly ids?: string[];
      readonly cursor?: string;
      readonly target: number;
      readonly position: number;
      readonly take: number;
    };

/** Where the stream reads from: the spec's `clusters` (less those waves list), or the organisation's inventory. */
export interface InventorySource {
  readonly specList?: readonly string[];
  /** Some wave has `match`: each wave reads the inventory for itself, in place of the shared stream. */
  readonly selecting?: boolean;
  /** Platforms and organisations the rollout spans, read one after the other (absent: one). */
  readonly targets?: number;
}

/** With `clusters` in the spec, the stream reads that list (less the clusters waves list); else the inventory. */
export function inventorySource(plan: RolloutPlan | undefined): InventorySource {
  const selecting = plan?.waves.some((w) => w.match !== undefined) ?? false;
  const targets = plan && plan.targets.length > 1 ? { targets: plan.targets.length } : {};
  if (!plan?.clusters) return { ...(selecting ? { selecting } : {}), ...targets };
  // A Set: `includes` per id would be quadratic at 100,000.
  const listed = new Set(plan.waves.flatMap((w) => w.clusters ?? []));
  return { specList: plan.clusters.filter((id) => !listed.has(id)), ...(selecting ? { selecting } : {}) };
}

export interface WavesSnapshot {
  readonly waves: readonly WaveRun[];
  readonly currentWave?: number;
  /** Entries as `Placed`; runs recorded before retries kept their wave carry bare entries. */
  readonly retryQueue: readonly (Placed | ClusterPlanEntry)[];
  readonly stream: InventoryStream;
  readonly skipList: readonly string[];
  /** Children that hold their failed cluster for the rollout (absent when none, and in runs from before). */
  readonly held?: readonly HeldChild[];
}

/** A name for `{waveClusters}`: one past the limit marks a wave too large for it (the gate then fails, saying so). */
export function noteGateName(names: string[], name: string): void {
  if (names.length <= MAX_GATE_CLUSTERS) names.push(name);
}

/** A child that holds its cluster for the rollout: the run to signal. */
export interface HeldChild {
  readonly clusterId: string;
  readonly childId: string;
  /**
   * Absent while the start is not confirmed (a report came first, or the start failed): such an entry is never
   * signalled.
   */
  readonly childRunId?: string;
}
