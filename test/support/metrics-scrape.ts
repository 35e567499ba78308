/**
 * Reads a worker's Prometheus endpoint as Prometheus would, and sums what a test
 * asserts on over the series whose labels match.
 *
 * Hand-written on purpose: the one parser in the npm registry (parse-prometheus-text-
 * format 1.1.1) folds every series of a labelled histogram into one, losing labels,
 * `_count` and `_sum`, which is exactly what these tests read. Sample lines are all we
 * need: `name{label="value",...} value [timestamp]`.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  readonly samples: readonly Sample[];
  /** Samples named `name` whose labels include `labels`. */
  series(name: string, labels?: Readonly<Record<string, string>>): Sample[];
  /** Counter or gauge `name` summed over the matching series (0 when there is none). */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
  /** Samples recorded by histogram `name` over the matching series (its `_count`). */
  count(name: string, labels?: Readonly<Record<string, string>>): number;
  /** Their total (its `_sum`). */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (text: string) => text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line.trim());
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key!, unescape(value!)]),
    );
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

export async function scrapeMetrics(address: string): Promise<Scrape> {
  const response = await fetch(`http://${address}/metrics`);
  if (!response.ok) throw new Error(`GET http://${address}/metrics: ${response.status}`);
  const samples = parseExposition(await response.text());
  const series = (name: string, labels: Readonly<Record<string, string>> = {}) =>
    samples.filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  const value = (name: string, labels?: Readonly<Record<string, string>>) =>
    series(name, labels).reduce((total, sample) => total + sample.value, 0);
  return {
    samples,
    series,
    value,
    count: (name, labels) => value(`${name}_count`, labels),
    sum: (name, labels) => value(`${name}_sum`, labels),
  };
}
