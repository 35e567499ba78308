/**
 * A forecast in words, the same in `plan`, `status`/`watch` and the UI's details: when,
 * what a cluster's duration was taken from, and the approvals it cannot count (a person's
 * delay is no estimate). Pure (workflow code renders the details with it).
 */
import type { Forecast } from './forecast.js';

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** `1h 30m`, `2d 4h`, `45s`: the two largest units (the ms package rounds 1.5 h to `2h`). */
export function spanText(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
  }
  const shown = parts.slice(0, 2).filter((p, i) => i === 0 || !p.startsWith('0'));
  return shown.length > 0 ? shown.join(' ') : `${ms}ms`;
}

/** `30m a cluster, assumed` or `2s a cluster: 12 clusters measured, blended with the assumed 30m`. */
export function forecastBasisText(f: Forecast): string {
  const each = `${spanText(f.clusterMs)} a cluster`;
  if (f.basis === 'assumed') return `${each}, assumed (expectedClusterDuration)`;
  // Reports made before the blend carry neither field.
  if (f.measuredClusters === undefined || f.assumedClusterMs === undefined) return `${each}, measured`;
  return `${each}: ${f.measuredClusters} cluster${f.measuredClusters === 1 ? '' : 's'} measured, blended with the assumed ${spanText(f.assumedClusterMs)}`;
}

/** `after approval of wave prod (asked about T), then 2h` and how many more approvals; empty without any ahead. */
export function forecastApprovalText(f: Forecast): string {
  const [first, ...more] = f.approvals ?? [];
  if (!first) return f.gatesAhead > 0 ? `${f.gatesAhead} approval(s) ahead counted as given when asked` : '';
  const others =
    more.length > 0
      ? `; ${more.length} more approval${more.length === 1 ? '' : 's'} after it, each counted as given when asked`
      : '';
  return `after approval of wave ${first.wave} (asked about ${first.askedAt}), then ${spanText(first.thenMs)}${others}`;
}

/** `2026-12-07T10:00:00.000Z (30m a cluster, assumed (...)); after approval of wave prod (...)`. */
export function forecastText(f: Forecast): string {
  const approval = forecastApprovalText(f);
  return `${f.at}${approval && f.approvals?.length ? ' at the earliest' : ''} (${forecastBasisText(f)})${approval ? `; ${approval}` : ''}`;
}
