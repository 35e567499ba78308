/**
 * Whether one answer passes a health check, and what it showed, in words that fit a
 * cluster's report line: `0 (below min 1)`, `status 503 (expected 200)`, `empty result`.
 * Pure: the activity (activities/health.ts) makes the requests, this reads them.
 *
 * A judgement is `fatal` when waiting cannot help (Prometheus refused the query as
 * malformed): the check fails at once instead of at its timeout.
 */
import type { HttpProbe, JsonScalar, PrometheusProbe } from './health.js';

export interface Judgement {
  readonly ok: boolean;
  readonly value: string;
  readonly fatal?: boolean;
  /**
   * A failed answer, what it named: the body's start (HTTP), the series out of bounds with
   * their labels (Prometheus).
   */
  readonly detail?: string;
  /** No answer, or HTTP 408, 429 or 5xx: worth asking again (what a pre-check retries, pre-check.ts). */
  readonly transient?: boolean;
}

/** What a failure's `detail` keeps of a body: its start, on one line. */
export const MAX_DETAIL_LENGTH = 300;

/** `the body said: {"unhealthy": ["web-1"]}`: what an endpoint answered, on one line, clipped (redacted before). */
const bodySaid = (body: string): { detail?: string } => {
  const line = body.replace(/\s+/g, ' ').trim();
  return line ? { detail: `the body said: ${clip(line, MAX_DETAIL_LENGTH)}` } : {};
};

/** Values in reasons and heartbeats are cut to this many characters: a body may be large, a report line may not. */
export const MAX_VALUE_LENGTH = 160;

export const clip = (text: string, max = MAX_VALUE_LENGTH): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

const json = (value: unknown): string => clip(JSON.stringify(value) ?? String(value), 80);

/** The value at a dotted path (`checks.0.status`), or undefined when the path leads nowhere. */
export function fieldAt(body: unknown, path: string): { readonly found: boolean; readonly value?: unknown } {
  let here: unknown = body;
  for (const key of path.split('.')) {
    if (here === null || typeof here !== 'object' || !Object.prototype.hasOwnProperty.call(here, key))
      return { found: false };
    here = (here as Record<string, unknown>)[key];
  }
  return { found: true, value: here };
}

/** An HTTP answer: the expected status, and the JSON field's value when one is asked for. */
export function judgeHttp(probe: HttpProbe, status: number, body: string): Judgement {
  if (status !== probe.status)
    return { ok: false, value: `status ${status} (expected ${probe.status})`, ...bodySaid(body) };
  if (!probe.json) return { ok: true, value: `status ${status}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, value: `status ${status}, the body is not JSON`, ...bodySaid(body) };
  }
  const { field, equals } = probe.json;
  const found = fieldAt(parsed, field);
  if (!found.found) return { ok: false, value: `status ${status}, no field ${field}`, ...bodySaid(body) };
  const same = sameScalar(found.value, equals);
  return {
    ok: same,
    value: `status ${status}, ${field} = ${json(found.value)}${same ? '' : ` (expected ${json(equals)})`}`,
    ...(same ? {} : bodySaid(body)),
  };
}

const sameScalar = (actual: unknown, expected: JsonScalar): boolean => actual === expected;

/** Whether a number lies within the probe's bounds, and if not, which it broke. */
export function boundsBroken(value: number, probe: Pick<PrometheusProbe, 'min' | 'max'>): string | undefined {
  if (Number.isNaN(value)) return 'not a number';
  if (probe.min !== undefined && value < probe.min) return `below min ${probe.min}`;
  if (probe.max !== undefined && value > probe.max) return `above max ${probe.max}`;
  return undefined;
}

interface Sample {
  readonly labels: string;
  readonly value: number;
}

/** Prometheus writes sample values as strings: `"1"`, `"0.25"`, `"NaN"`, `"+Inf"`. */
const sampleValue = (pair: unknown): number | undefined => {
  if (!Array.isArray(pair) || typeof pair[1] !== 'string') return undefined;
  const text = pair[1];
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
};

const labelsOf = (metric: unknown): string => {
  if (!metric || typeof metric !== 'object') return '{}';
  const entries = Object.entries(metric as Record<string, unknown>).filter(([name]) => name !== '__name__');
  return `{${entries.map(([name, v]) => `${name}="${String(v)}"`).join(',')}}`;
};

/** The samples of an instant query's `data`, or what was wrong with it. */
function samplesOf(data: unknown): Sample[] | string {
  if (!data || typeof data !== 'object') return 'an answer without data';
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  if (resultType === 'scalar') {
    const value = sampleValue(result);
    return value === undefined ? 'a malformed scalar' : [{ labels: '', value }];
  }
  if (resultType !== 'vector')
    return `a ${String(resultType)} result (the query must give a number or an instant vector)`;
  if (!Array.isArray(result)) return 'a malformed vector';
  const samples: Sample[] = [];
  for (const series of result as { metric?: unknown; value?: unknown }[]) {
    const value = sampleValue(series?.value);
    if (value === undefined) return 'a malformed vector';
    samples.push({ labels: labelsOf(series.metric), value });
  }
  return samples;
}

/**
 * A Prometheus `/api/v1/query` answer: every series within bounds passes; no series is
 * a failure named `empty result` (the metric is not there, so nothing says healthy).
 */
export function judgePrometheus(probe: PrometheusProbe, status: number, body: string): Judgement {
  let parsed: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return { ok: false, value: `status ${status}, not a Prometheus API answer` };
  }
  if (parsed?.status !== 'success') {
    const why = clip(`${String(parsed?.errorType ?? 'error')}: ${String(parsed?.error ?? `status ${status}`)}`, 120);
    // bad_data: the query does not parse, or its parameters are wrong; no wait fixes that.
    return { ok: false, value: `Prometheus refused the query (${why})`, fatal: parsed?.errorType === 'bad_data' };
  }
  const samples = samplesOf(parsed.data);
  if (typeof samples === 'string') return { ok: false, value: samples, fatal: samples.includes('must give') };
  if (samples.length === 0) return { ok: false, value: 'empty result' };
  const broken = samples.flatMap((sample) => {
    const why = boundsBroken(sample.value, probe);
    return why ? [{ ...sample, why }] : [];
  });
  const first = broken[0];
  if (first) {
    const value = clip(
      `${formatNumber(first.value)}${samples.length > 1 ? ` for ${first.labels}` : ''} (${first.why})`,
    );
    return { ok: false, value, ...outOfBounds(broken, samples.length) };
  }
  const shown = samples.slice(0, 3).map((s) => formatNumber(s.value));
  return {
    ok: true,
    value:
      samples.length === 1
        ? shown[0]!
        : `${samples.length} series in bounds (${shown.join(', ')}${samples.length > 3 ? ', …' : ''})`,
  };
}

/** `2 of 5 series out of bounds: {cluster_name="web-1"} 0 (below min 1), …`; none for one series without labels. */
function outOfBounds(broken: readonly (Sample & { why: string })[], total: number): { detail?: string } {
  if (total === 1 && (broken[0]!.labels === '{}' || broken[0]!.labels === '')) return {};
  const series = broken.map((s) => `${s.labels} ${formatNumber(s.value)} (${s.why})`).join(', ');
  return { detail: clip(`${broken.length} of ${total} series out of bounds: ${series}`, MAX_DETAIL_LENGTH) };
}

const formatNumber = (value: number): string =>
  Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
