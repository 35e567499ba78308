/**
 * Drives a `Rollout` the way rollout/loop.ts does, without Temporal: an inventory in
 * memory answers its reads (`nextRead` / `received`), children are plain calls to
 * `record`. What the tests check is the class's own bookkeeping.
 */
import type { ClusterPlanEntry, ClusterResult, ClusterOutcome } from '../../../src/domain/report.js';
import { parseRolloutSpec, type RolloutSpec } from '../../../src/domain/spec.js';
import { shapeWaves } from '../../../src/domain/waves.js';
import { RolloutControls } from '../../../src/workflows/rollout/controls.js';
import { Rollout } from '../../../src/workflows/rollout/state.js';

export const ORG = 'acme';
export const clusterId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const entry = (n: number): ClusterPlanEntry => ({
  id: clusterId(n),
  name: `c${n}`,
  version: '1.30.4',
  action: 'upgrade',
});

/** A fleet of `size` clusters to upgrade (ids 1..size) and `atTarget` more already there. */
const controlsByRollout = new WeakMap<Rollout, RolloutControls>();

/** The operators' updates on a rollout, as the workflow's handlers (handlers.ts) hold them: one per run. */
export function controlsOf(rollout: Rollout): RolloutControls {
  let controls = controlsByRollout.get(rollout);
  if (!controls) controlsByRollout.set(rollout, (controls = new RolloutControls(rollout)));
  return controls;
}

export function startRollout(
  spec: Partial<RolloutSpec>,
  size: number,
  options: { atTarget?: number; hops?: number } = {},
): Rollout {
  const plan = parseRolloutSpec({ platform: 'avisi', organisation: ORG, targetVersion: '1.31', ...spec });
  const rollout = Rollout.start('rollout-1', plan, '2026-11-30T00:00:00.000Z');
  const hops = Array.from({ length: options.hops ?? 1 }, (_, i) => ({
    version: `1.${31 - (options.hops ?? 1) + 1 + i}.2`,
    requestVersion: `v1.${31 - (options.hops ?? 1) + 1 + i}.2`,
    clusters: size,
    listed: 0,
  }));
  const atTarget = options.atTarget ?? 0;
  rollout.planned({
    resolvedVersion: hops.at(-1)!.requestVersion,
    hops,
    total: size + atTarget,
    atTarget,
    apiRatePerMinute: 0,
  });
  rollout.beginHop(shapeWaves(size, 0, plan.waves, { maxParallel: plan.maxParallel, soakMs: plan.soakMs }));
  return rollout;
}

/** The inventory the stream reads: clusters 1..size in pages of the class's page size. */
export function inventory(size: number) {
  const all = Array.from({ length: size }, (_, i) => entry(i + 1));
  return (read: { kind: string; ids?: readonly string[]; cursor?: string }, pageSize = 100) => {
    if (read.kind !== 'inventory') return { entries: all.filter((e) => read.ids!.includes(e.id)) };
    const from = Number(read.cursor ?? 0);
    const next = from + pageSize < all.length ? String(from + pageSize) : undefined;
    return { entries: all.slice(from, from + pageSize), ...(next ? { next } : {}) };
  };
}

/** Reads until wave `index` has a cluster to start or nothing is left (rollout/activities.ts refill). */
export function refill(rollout: Rollout, index: number, read: ReturnType<typeof inventory>): void {
  for (let next = rollout.nextRead(index); next; next = rollout.nextRead(index))
    rollout.received(index, next, read(next));
}

export function result(entry: ClusterPlanEntry, outcome: ClusterOutcome, message?: string): ClusterResult {
  return {
    clusterId: entry.id,
    name: entry.name,
    outcome,
    fromVersion: entry.version,
    requests: outcome === 'NOT_STARTED' ? 0 : 1,
    retries: 0,
    reschedules: 0,
    ...(message ? { message } : {}),
  };
}

/** Sum of a counts record. */
export const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Every cluster is somewhere, once: ended (counted), waiting (queued, to read, to
 * retry) or in flight, for the rollout and for each wave.
 */
export function accounting(rollout: Rollout) {
  const waves = rollout.waves.map((wave, index) => {
    const inFlight = [...rollout.inFlight.values()].filter((f) => f.waveIndex === index).length;
    const retrying = rollout.queues.retryQueue.filter((r) => r.waveIndex === index).length;
    return {
      name: wave.plan.name,
      total: wave.total,
      accounted: sum(wave.counts) + wave.queue.length + wave.toTake + wave.ids.length + inFlight + retrying,
    };
  });
  return {
    total: rollout.tally.upgradeTotal + rollout.tally.atTarget,
    accounted: rollout.tally.ended + rollout.queues.pending + rollout.inFlight.size,
    waves,
  };
}
