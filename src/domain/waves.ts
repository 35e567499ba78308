/**
 * Turning the spec's waves into the clusters each wave upgrades, and failure budgets
 * into numbers. Pure and deterministic: the workflow runs it.
 *
 * Assignment, in this order:
 *  1. Waves that list `clusters` take those (a listed cluster already at the target is
 *     simply not upgraded; one not in the rollout at all is a problem).
 *  2. The other waves, in order, take the next clusters of the inventory: `size`
 *     clusters, or `size` percent of the clusters to upgrade (rounded up, at least one
 *     while any are left); a wave without `size` takes the rest.
 *  3. Clusters no wave took form a last wave named `rest`.
 * Waves left empty stay in the plan (their gates and soaks are skipped).
 */
import type { CountOrPercent, FailureBudget, WaveSpec } from './spec.js';

export interface PlannedWave<T> {
  readonly name: string;
  readonly clusters: readonly T[];
  readonly maxParallel: number;
  readonly soakMs: number;
  readonly approval?: WaveSpec['approval'];
  readonly failureBudget?: FailureBudget;
}

export type WavePlanResult<T> = { readonly ok: true; readonly waves: PlannedWave<T>[] } | { readonly ok: false; readonly problems: string[] };

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

export function planWaves<T extends { readonly id: string }>(
  clusters: readonly T[],
  specs: readonly WaveSpec[],
  defaults: { readonly maxParallel: number; readonly soakMs: number },
  /** Every cluster of the rollout, those already at the target included: a wave may list those, not others. */
  inRollout: ReadonlySet<string> = new Set(clusters.map((c) => c.id)),
): WavePlanResult<T> {
  const byId = new Map(clusters.map((c) => [c.id, c]));
  const problems: string[] = [];
  const claimed = new Set<string>();
  const explicit = new Map<string, T[]>();
  for (const spec of specs) {
    if (!spec.clusters) continue;
    const taken: T[] = [];
    for (const id of spec.clusters) {
      const cluster = byId.get(id);
      if (cluster) taken.push(cluster);
      else if (!inRollout.has(id)) problems.push(`waves: wave ${spec.name} lists cluster ${id}, which is not in this rollout`);
      claimed.add(id);
    }
    explicit.set(spec.name, taken);
  }
  const remaining = clusters.filter((c) => !claimed.has(c.id));
  let next = 0;
  const waves: PlannedWave<T>[] = specs.map((spec, index) => {
    let taken: readonly T[];
    if (spec.clusters) taken = explicit.get(spec.name) ?? [];
    else {
      const wanted = spec.size === undefined ? remaining.length - next : Math.max(resolveCount(spec.size, clusters.length), 1);
      taken = remaining.slice(next, next + wanted);
      next += taken.length;
    }
    const last = index === specs.length - 1;
    return {
      name: spec.name,
      clusters: taken,
      maxParallel: spec.maxParallel ?? defaults.maxParallel,
      // The top-level soak sits between waves: none after the last.
      soakMs: spec.soakMs ?? (last ? 0 : defaults.soakMs),
      ...(spec.approval ? { approval: spec.approval } : {}),
      ...(spec.failureBudget ? { failureBudget: spec.failureBudget } : {}),
    };
  });
  if (next < remaining.length) {
    const rest = remaining.slice(next);
    if (waves.some((w) => w.name === 'rest')) problems.push(`${rest.length} cluster(s) fall into no wave, and a wave named "rest" already exists: give the last wave no size`);
    waves.push({ name: 'rest', clusters: rest, maxParallel: defaults.maxParallel, soakMs: 0 });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, waves };
}
