/**
 * The Temporal server's persistence counters, from its Prometheus text (dev server:
 * `--metrics-port`; the real server: `global.metrics.prometheus`): requests to its
 * database, by operation, and the time they took. The bench reads them before and after
 * a rollout and reports the difference per cluster. A server that does not expose the
 * counter gives `undefined`, never a zero.
 */
import type { Sample } from '../test/support/metrics-scrape.js';

/** Per operation (the `operation` label; `?` when a series has none). */
export type ByOperation = ReadonlyMap<string, number>;

export interface PersistenceCounters {
  /** `persistence_requests` summed per operation over every other label (service, namespace...). */
  readonly requests: ByOperation;
  /** `persistence_latency` seconds (a histogram's or summary's `_sum`) per operation; absent when the server does not report it. */
  readonly latencySeconds?: ByOperation;
}

/** Counters are exposed with or without the OpenMetrics `_total` suffix, depending on the reporter. */
const named = (sample: Sample, base: string) => sample.name === base || sample.name === `${base}_total`;

function byOperation(
  samples: readonly Sample[],
  matches: (sample: Sample) => boolean,
): Map<string, number> | undefined {
  let any = false;
  const out = new Map<string, number>();
  for (const sample of samples) {
    if (!matches(sample) || !Number.isFinite(sample.value)) continue;
    any = true;
    const operation = sample.labels.operation ?? '?';
    out.set(operation, (out.get(operation) ?? 0) + sample.value);
  }
  return any ? out : undefined;
}

/** Undefined when the text has no `persistence_requests` series at all (metrics off, or another name). */
export function persistenceCounters(samples: readonly Sample[]): PersistenceCounters | undefined {
  const requests = byOperation(samples, (s) => named(s, 'persistence_requests'));
  if (!requests) return undefined;
  const latencySeconds = byOperation(samples, (s) => s.name === 'persistence_latency_sum');
  return { requests, ...(latencySeconds ? { latencySeconds } : {}) };
}

/** `after - before` per operation (an operation first seen after counts from 0). */
export function counterDelta(before: ByOperation, after: ByOperation): Map<string, number> {
  return new Map([...after].map(([operation, value]) => [operation, value - (before.get(operation) ?? 0)]));
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The total and the `top` largest operations, each divided by `clusters`. */
export function perCluster(
  counts: ByOperation,
  clusters: number,
  top = 15,
): { total: number; byOperation: Record<string, number> } {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const largest = [...counts]
    .filter(([, n]) => n !== 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return {
    total: round(total / clusters),
    byOperation: Object.fromEntries(largest.map(([operation, n]) => [operation, round(n / clusters)])),
  };
}
