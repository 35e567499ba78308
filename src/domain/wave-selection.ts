/**
 * How waves with `match` divide a fleet (the rules in selectors.ts), computed over the
 * whole inventory at once. Planning runs it per hop to size the waves and to find the
 * clusters that matched no wave; each wave then reads the inventory itself a page at a
 * time (activities/plan-page.ts) and, through `earlierWaveOf` and the cut-off positions,
 * takes exactly the clusters this computes. Pure and deterministic.
 */
import { earlierWaveOf, type Matcher, type SelectableCluster, type WavePick } from './selectors.js';
import type { CountOrPercent } from './spec.js';
import { resolveCount } from './waves.js';

export interface SelectingWave {
  /** Absent: every cluster. */
  readonly matches?: Matcher;
  /** A wave of listed clusters (read by id): takes nothing from the inventory. */
  readonly listed?: boolean;
  readonly size?: CountOrPercent;
}

/**
 * A cluster of the inventory at its position (0-based, counted over every cluster the platform
 * lists, in its order).
 */
export interface Positioned {
  readonly cluster: SelectableCluster;
  readonly position: number;
}

export interface Selection {
  /** Clusters each wave takes, in order (0 for a wave of listed clusters: those are counted by the caller). */
  readonly sizes: number[];
  /** Where a wave's size cut its set short (see WavePick.cutoff). */
  readonly cutoffs: (number | undefined)[];
  /** Clusters left over when some wave takes "the rest" but its size cut it: they form a last wave, `rest`. */
  readonly rest: number;
  /** Clusters no wave took, when every wave selects: refused, or skipped with `"unmatched": "skip"`. */
  readonly unmatched: readonly Positioned[];
  /** The clusters of each wave (and of `rest` last, when there is one), in inventory order. */
  readonly members: readonly (readonly Positioned[])[];
}

/** Whether a wave picks by what clusters are (its `match` or its list), rather than taking what is left. */
export const selects = (wave: SelectingWave): boolean => wave.matches !== undefined || wave.listed === true;

/**
 * Divides `inPlay` (the clusters to upgrade in this pass, in inventory order) among
 * `waves`. `total`: the clusters to upgrade, listed ones included, which a size in
 * percent of a wave without `match` refers to (as waves.ts does); a wave with `match`
 * cuts the set it matched.
 */
export function selectWaves(inPlay: readonly Positioned[], waves: readonly SelectingWave[], total: number): Selection {
  const picks: WavePick[] = [];
  const sizes: number[] = [];
  const cutoffs: (number | undefined)[] = [];
  const members: Positioned[][] = [];
  for (const [index, wave] of waves.entries()) {
    if (wave.listed) {
      picks.push({ listed: true });
      sizes.push(0);
      cutoffs.push(undefined);
      members.push([]);
      continue;
    }
    const candidates = inPlay.filter(
      (p) =>
        (wave.matches ? wave.matches(p.cluster) : true) &&
        earlierWaveOf(p.cluster, p.position, picks, index) === undefined,
    );
    const cap =
      wave.size === undefined
        ? candidates.length
        : Math.max(resolveCount(wave.size, wave.matches ? candidates.length : total), 1);
    const taken = Math.min(cap, candidates.length);
    const cutoff = taken < candidates.length ? (candidates[taken - 1]?.position ?? -1) : undefined;
    picks.push({ ...(wave.matches ? { matches: wave.matches } : {}), ...(cutoff !== undefined ? { cutoff } : {}) });
    sizes.push(taken);
    cutoffs.push(cutoff);
    members.push(candidates.slice(0, taken));
  }
  const left = inPlay.filter((p) => earlierWaveOf(p.cluster, p.position, picks, picks.length) === undefined);
  const everyWaveSelects = waves.every(selects);
  if (!everyWaveSelects && left.length > 0) members.push(left);
  return { sizes, cutoffs, rest: everyWaveSelects ? 0 : left.length, unmatched: everyWaveSelects ? left : [], members };
}

/**
 * One page of a wave's own pass over the inventory: the clusters wave `index` takes
 * from it (at most `take`), and, when `take` is reached, its cut-off position, which
 * later waves need. `page` holds the clusters that may be taken at all (not excluded,
 * not listed by a wave) at their inventory positions; `inPlay` says which move in this pass.
 */
export function takeFromPage(
  page: readonly Positioned[],
  picks: readonly WavePick[],
  index: number,
  take: number,
  inPlay: (cluster: SelectableCluster) => boolean,
): { taken: Positioned[]; cutoff?: number } {
  const taken: Positioned[] = [];
  const matches = picks[index]?.matches;
  if (take <= 0) return { taken };
  for (const p of page) {
    if (earlierWaveOf(p.cluster, p.position, picks, index) !== undefined) continue;
    if ((matches && !matches(p.cluster)) || !inPlay(p.cluster)) continue;
    taken.push(p);
    if (taken.length === take) return { taken, cutoff: p.position };
  }
  return { taken };
}

/**
 * A cluster's inventory position in a rollout over several targets: the targets' inventories
 * one after the other, in the spec's order. Positions only order clusters, so each target
 * starts at a multiple of a stride no inventory reaches.
 */
export const inventoryPosition = (target: number, index: number): number => target * 2 ** 32 + index;
