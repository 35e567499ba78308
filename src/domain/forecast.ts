/**
 * When a rollout is expected to end (**contract**: the progress's and the report's
 * `forecast`). A simulation of what is left, not a formula: each wave from the current
 * one starts its clusters `maxParallel` at a time, each taking the cluster duration,
 * never starting one inside a freeze (it waits for the freeze to lift), then soaks;
 * hops still ahead repeat a pass over their clusters. The cluster duration is the spec's
 * assumption (`expectedClusterDuration`) until clusters have ended, then the measured
 * mean blended with it, the assumption weighing as PRIOR_CLUSTERS clusters: the first
 * few ends move it, they do not replace it. An approval gate is no estimate: the end
 * is counted as if it is given when asked, and `approvals` says when each is asked and
 * how long the rest takes after it. A wave's analysis gate passes at its first chance
 * (its `passFor`). A dry run knows each cluster's first maintenance window: a wave
 * starts no earlier than its earliest and ends no earlier than its latest plus a
 * cluster's duration, wave after wave (a running rollout's window waits are inside
 * the durations it measures). Under a platform's API budget a pass takes at least a
 * request per cluster at the budget's rate (the request floor), then a cluster's duration.
 *
 * Pure and deterministic: workflow code runs it with workflow time.
 */
import { freezeWindows, mergedFreezeWindows, type FreezeLift, type FreezePeriod } from './freeze.js';

export interface ForecastWave {
  /** Named in `approvals`. */
  readonly name?: string;
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
  /** A dry run's: when the first maintenance windows of its clusters open (epoch ms), earliest and latest. */
  readonly windows?: { readonly earliest: number; readonly latest: number };
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
  /** The clusters measured so far, if any ended: their mean duration and how many. */
  readonly measured?: { readonly meanMs: number; readonly clusters: number };
  /** The spec's assumption: alone until a cluster has ended, then blended with the measured mean. */
  readonly assumedClusterMs: number;
  readonly freeze: readonly FreezePeriod[];
  /** Spans operators lifted the freezes from. */
  readonly lifted?: readonly FreezeLift[];
  /**
   * The platform's API budget, calls a minute (absent or 0: none): each start is a
   * request, so a pass of n clusters takes at least n requests' worth of it.
   */
  readonly apiRatePerMinute?: number;
}

export interface Forecast {
  /** RFC 3339: when the last cluster is expected to end (approvals given when asked). */
  readonly at: string;
  /** What a cluster's duration was taken from: the spec's assumption alone, or clusters measured (blended with it). */
  readonly basis: 'measured' | 'assumed';
  readonly clusterMs: number;
  /** The spec's `expectedClusterDuration`. */
  readonly assumedClusterMs: number;
  /** Clusters of this rollout whose duration was measured (0: `basis` is `assumed`). */
  readonly measuredClusters: number;
  /** Approval gates ahead. */
  readonly gatesAhead: number;
  /** Each approval ahead, in order: when it is expected to be asked and how long the rest takes once given. */
  readonly approvals?: readonly ForecastApproval[];
}

export interface ForecastApproval {
  readonly wave: string;
  /** RFC 3339, counting the approvals before it as given when asked. */
  readonly askedAt: string;
  /** From its approval to the end. */
  readonly thenMs: number;
}

/** How many clusters the spec's assumed duration weighs as against the measured ones. */
export const PRIOR_CLUSTERS = 4;

const DAY = 86_400_000;

/** Freeze windows from `from` on, merged into disjoint intervals, earliest first. */
function blockedIntervals(
  freeze: readonly FreezePeriod[],
  lifted: readonly FreezeLift[],
  from: number,
  days: number,
): [number, number][] {
  return mergedFreezeWindows(freezeWindows(freeze, from, days, lifted)).map((w) => [w.start, w.end]);
}

/** The assumption until clusters have ended; then their mean, the assumption weighing as PRIOR_CLUSTERS of them. */
function clusterDuration(input: ForecastInput): { clusterMs: number; measured: number } {
  const measured = input.measured;
  if (!measured || measured.clusters <= 0) return { clusterMs: input.assumedClusterMs, measured: 0 };
  const n = measured.clusters;
  return {
    clusterMs: (input.assumedClusterMs * PRIOR_CLUSTERS + measured.meanMs * n) / (PRIOR_CLUSTERS + n),
    measured: n,
  };
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

/** Under an API budget the last of `count` starts comes no sooner than a request each, then takes a cluster. */
const requestFloor = (t: number, count: number, gapMs: number, clusterMs: number): number =>
  count > 0 && gapMs > 0 ? t + count * gapMs + clusterMs : t;

/**
 * When `count` clusters end, `parallel` at a time from `t`, each taking `clusterMs`;
 * `running` more started already (counted half done): free slots start at once, the
 * rest in rounds as slots free up.
 */
function pass(
  t: number,
  count: number,
  running: number,
  parallel: number,
  clusterMs: number,
  blocked: readonly [number, number][],
): number {
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
  const duration = clusterDuration(input);
  const clusterMs = Math.max(1, Math.round(duration.clusterMs));
  const start = input.now;
  const gapMs = input.apiRatePerMinute ? 60_000 / input.apiRatePerMinute : 0;
  const walk = (blocked: readonly [number, number][], asked: { wave: string; at: number }[] = []) => {
    let t = start;
    for (const [index, wave] of input.waves.entries()) {
      // Asked once the waves before it (their soaks and gates) are done.
      if (wave.gated) asked.push({ wave: wave.name ?? `#${index + 1}`, at: t });
      if (wave.pending + wave.running > 0) {
        const from = wave.windows ? Math.max(t, wave.windows.earliest) : t;
        t = Math.max(
          pass(from, wave.pending, wave.running, wave.maxParallel, clusterMs, blocked),
          requestFloor(from, wave.pending, gapMs, clusterMs),
        );
        if (wave.windows) t = Math.max(t, wave.windows.latest + clusterMs);
        if (index < input.waves.length - 1) t += wave.soakMs;
      }
      t += wave.gateMs ?? 0;
    }
    for (const hop of input.hopsAhead)
      t = Math.max(
        pass(t + input.hopSoakMs, hop.clusters, 0, input.maxParallel, clusterMs, blocked),
        requestFloor(t + input.hopSoakMs, hop.clusters, gapMs, clusterMs),
      );
    return t;
  };
  // Freezes over the span the rollout would take without them, twice over and a month more.
  const unfrozen = walk([]);
  const days = Math.min(400, Math.ceil((unfrozen - start) / DAY) * 2 + 31);
  const asked: { wave: string; at: number }[] = [];
  const end = walk(
    input.freeze.length > 0 ? blockedIntervals(input.freeze, input.lifted ?? [], start, days) : [],
    asked,
  );
  const approvals = asked.map((a) => ({ wave: a.wave, askedAt: new Date(a.at).toISOString(), thenMs: end - a.at }));
  return {
    at: new Date(end).toISOString(),
    basis: duration.measured > 0 ? 'measured' : 'assumed',
    clusterMs,
    assumedClusterMs: input.assumedClusterMs,
    measuredClusters: duration.measured,
    gatesAhead: approvals.length,
    ...(approvals.length > 0 ? { approvals } : {}),
  };
}
