/**
 * When a rollout is expected to end (**contract**: the progress's and the report's
 * `forecast`). A simulation of what is left, not a formula: each wave from the current
 * one starts its clusters `maxParallel` at a time, each taking the cluster duration
 * (the mean of those measured so far in this rollout, or before any the spec's
 * `forecast.clusterDuration`), never starting one inside a freeze (it waits for the
 * freeze to lift), then soaks; hops still ahead repeat a pass over their clusters.
 * Approval gates are counted as opened at once (a person's delay is no estimate) and
 * said so; a wave's analysis gate as passing at its first chance (its `passFor`).
 * Maintenance-window waits are inside the measured durations; a dry run, which knows
 * each cluster's first window, starts no earlier than the earliest and ends no earlier
 * than the latest (plus a cluster's duration).
 *
 * Pure and deterministic: workflow code runs it with workflow time.
 */
import { freezeWindows, type FreezeLift, type FreezePeriod } from './freeze.js';

export interface ForecastWave {
  /** Clusters still to start (queued, unread, retries). */
  readonly pending: number;
  /** Clusters upgrading now. */
  readonly running: number;
  readonly maxParallel: number;
  /** The soak after it (0 for the last wave). */
  readonly soakMs: number;
  /** Whether it still waits for an approval. */
  readonly gated: boolean;
  /** Its analysis gate still to run (or running): at least its passFor, counted as passing then. */
  readonly gateMs?: number;
}

export interface ForecastInput {
  /** Workflow time now (epoch ms). */
  readonly now: number;
  /** The waves from the current one on, in order. */
  readonly waves: readonly ForecastWave[];
  /** Whole passes still ahead after this hop's waves (each of `clustersPerHop`, `maxParallel` at once). */
  readonly hopsAhead: readonly { readonly clusters: number }[];
  readonly maxParallel: number;
  /** Soak between hops. */
  readonly hopSoakMs: number;
  /** Mean duration of the clusters measured so far, if any ended. */
  readonly measuredClusterMs?: number;
  /** The spec's assumption, used until a cluster has ended. */
  readonly assumedClusterMs: number;
  readonly freeze: readonly FreezePeriod[];
  /** Spans operators lifted the freezes from. */
  readonly lifted?: readonly FreezeLift[];
  /** Earliest start the platform allows the first clusters (a dry run's predicted windows), epoch ms. */
  readonly notBefore?: number;
  /** When the last of the clusters' first maintenance windows opens (a dry run's): no end before it and a cluster's duration. */
  readonly lastWindowAt?: number;
}

export interface Forecast {
  /** RFC 3339: when the last cluster is expected to end. */
  readonly at: string;
  /** What a cluster's duration was taken from. */
  readonly basis: 'measured' | 'assumed';
  readonly clusterMs: number;
  /** Approval gates ahead, counted as opened at once. */
  readonly gatesAhead: number;
}

const DAY = 86_400_000;

/** Freeze windows from `from` on, merged into disjoint intervals, earliest first. */
function blockedIntervals(freeze: readonly FreezePeriod[], lifted: readonly FreezeLift[], from: number, days: number): [number, number][] {
  const merged: [number, number][] = [];
  for (const w of freezeWindows(freeze, from, days, lifted)) {
    const last = merged.at(-1);
    if (last && w.start <= last[1]) last[1] = Math.max(last[1], w.end);
    else merged.push([w.start, w.end]);
  }
  return merged;
}

/** A start at `t` waits for a freeze in force to lift (intervals merged: one jump at most). */
function startable(t: number, blocked: readonly [number, number][]): number {
  let lo = 0;
  let hi = blocked.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = blocked[mid]!;
    if (t < start) hi = mid - 1;
    else if (t >= end) lo = mid + 1;
    else return end;
  }
  return t;
}

/**
 * When `count` clusters end, `parallel` at a time from `t`, each taking `clusterMs`;
 * `running` more started already (counted half done): free slots start at once, the
 * rest in rounds as slots free up.
 */
function pass(t: number, count: number, running: number, parallel: number, clusterMs: number, blocked: readonly [number, number][]): number {
  const width = Math.max(1, parallel);
  let end = running > 0 ? t + clusterMs / 2 : t;
  let left = count;
  let next = t;
  const freeNow = Math.min(left, Math.max(0, width - running));
  if (freeNow > 0) {
    const start = startable(t, blocked);
    end = Math.max(end, start + clusterMs);
    left -= freeNow;
    next = running > 0 ? t + clusterMs / 2 : start + clusterMs;
  } else if (running > 0) next = t + clusterMs / 2;
  const rounds = Math.ceil(left / width);
  // Without freezes, rounds follow one another: no need to walk them.
  if (blocked.length === 0) return rounds > 0 ? Math.max(end, next + rounds * clusterMs) : end;
  for (let round = rounds; round > 0; round--) {
    const start = startable(next, blocked);
    end = Math.max(end, start + clusterMs);
    next = start + clusterMs;
  }
  return end;
}

export function forecastEnd(input: ForecastInput): Forecast {
  const basis = input.measuredClusterMs !== undefined ? 'measured' : 'assumed';
  const clusterMs = Math.max(1, Math.round(input.measuredClusterMs ?? input.assumedClusterMs));
  const start = Math.max(input.now, input.notBefore ?? input.now);
  const walk = (blocked: readonly [number, number][]) => {
    let t = start;
    for (const [index, wave] of input.waves.entries()) {
      if (wave.pending + wave.running > 0) {
        t = pass(t, wave.pending, wave.running, wave.maxParallel, clusterMs, blocked);
        if (index < input.waves.length - 1) t += wave.soakMs;
      }
      t += wave.gateMs ?? 0;
    }
    for (const hop of input.hopsAhead) t = pass(t + input.hopSoakMs, hop.clusters, 0, input.maxParallel, clusterMs, blocked);
    return t;
  };
  // Freezes over the span the rollout would take without them, twice over and a month more.
  const unfrozen = walk([]);
  const days = Math.min(400, Math.ceil((unfrozen - start) / DAY) * 2 + 31);
  const walked = input.freeze.length > 0 ? walk(blockedIntervals(input.freeze, input.lifted ?? [], start, days)) : unfrozen;
  const end = input.lastWindowAt !== undefined ? Math.max(walked, input.lastWindowAt + clusterMs) : walked;
  return { at: new Date(end).toISOString(), basis, clusterMs, gatesAhead: input.waves.filter((w) => w.gated).length };
}
