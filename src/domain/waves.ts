/**
 * Turning the spec's waves into the clusters each wave upgrades, and failure budgets
 * into numbers. Pure and deterministic: the workflow runs it.
 *
 * Assignment:
 *  1. Waves that list `clusters` take those (a listed cluster already at the target is
 *     simply not upgraded; planning rejects one that is not in the rollout).
 *  2. The other waves, in order, take the next clusters of the inventory: `size`
 *     clusters, or `size` percent of the clusters to upgrade (rounded up, at least one
 *     while any are left); a wave without `size` takes the rest.
 *  3. Clusters no wave took form a last wave named `rest`.
 * Waves left empty stay in the plan (their gates and soaks are skipped).
 *
 * Waves with `match` select by what clusters are (see selectors.ts): planning sizes every
 * wave from the whole inventory then (`sizes`), and `rest` is there only when planning
 * found clusters left for it. So it does when every wave lists its clusters: the others
 * are unmatched (refused or skipped), never a `rest` wave.
 */
import type { ClusterSelector } from './selectors.js';
import type { CountOrPercent, FailureBudget, WaveSpec } from './spec.js';

/** `n` of `total`: a count as is, a percentage rounded up. */
export function resolveCount(value: CountOrPercent, total: number): number {
  if (typeof value === 'number') return value;
  return Math.ceil((total * Number.parseFloat(value)) / 100);
}

/** Failures a budget allows (one more trips it): a count as is, a percentage of `total` rounded down. */
export function allowedFailures(budget: FailureBudget, total: number): number {
  if (typeof budget.maxFailed === 'number') return budget.maxFailed;
  return Math.floor((total * Number.parseFloat(budget.maxFailed)) / 100);
}

/** A wave before its clusters are read: how many it takes from the inventory, or which ones. */
export interface WaveShape {
  readonly name: string;
  /** Clusters this wave takes from the inventory, in its order (0 for a wave of listed clusters). */
  readonly size: number;
  /** The clusters a wave lists; they are read by id, not taken from the inventory. */
  readonly ids?: readonly string[];
  /** The wave lists its clusters (`ids` empties as they are read; this stays). */
  readonly listed?: boolean;
  /** The wave takes clusters by what they are: each wave then reads the inventory for itself. */
  readonly match?: ClusterSelector;
  readonly maxParallel: number;
  readonly soakMs: number;
  readonly approval?: WaveSpec['approval'];
  readonly failureBudget?: FailureBudget;
  readonly gate?: WaveSpec['gate'];
}

/**
 * Sizes the waves for `total` clusters to upgrade, of which `listed` are named by waves'
 * `clusters` (those are not taken from the inventory again). The rules of the module
 * comment; no cluster needs to be known yet, so the inventory can be read page by page.
 */
export function shapeWaves(
  total: number,
  listed: number,
  specs: readonly WaveSpec[],
  defaults: { readonly maxParallel: number; readonly soakMs: number },
  /** Planning's sizes when waves select (`rest` last when it has one); counts are then not divided here. */
  sizes?: readonly number[],
): WaveShape[] {
  let left = sizes ? (sizes[specs.length] ?? 0) : Math.max(total - listed, 0);
  const shapes: WaveShape[] = specs.map((spec, index) => {
    let size = 0;
    if (sizes) size = spec.clusters ? 0 : (sizes[index] ?? 0);
    else if (!spec.clusters) {
      const wanted = spec.size === undefined ? left : Math.max(resolveCount(spec.size, total), 1);
      size = Math.min(wanted, left);
      left -= size;
    }
    const last = index === specs.length - 1;
    return {
      name: spec.name,
      size,
      ...(spec.clusters ? { ids: spec.clusters, listed: true } : {}),
      ...(spec.match ? { match: spec.match } : {}),
      maxParallel: spec.maxParallel ?? defaults.maxParallel,
      // The top-level soak sits between waves: none after the last.
      soakMs: spec.soakMs ?? (last ? 0 : defaults.soakMs),
      ...(spec.approval ? { approval: spec.approval } : {}),
      ...(spec.failureBudget ? { failureBudget: spec.failureBudget } : {}),
      ...(spec.gate ? { gate: spec.gate } : {}),
    };
  });
  if (left > 0)
    shapes.push({
      name: shapes.some((w) => w.name === 'rest') ? 'rest-2' : 'rest',
      size: left,
      maxParallel: defaults.maxParallel,
      soakMs: 0,
    });
  return shapes;
}
