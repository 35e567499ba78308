/**
 * Wave gates (**contract**, see docs/spec.md "Wave gates"): analysis after a wave and
 * its soak, before the next wave starts, in the manner of Argo Rollouts' analysis but
 * across a wave of clusters. A gate is a health check (health.ts) whose templates speak
 * of the wave, not of one cluster: `{wave}` (its name) and `{waveClusters}` (its
 * clusters' names as a regex alternative, for PromQL's `=~` or an API that takes one).
 *
 * Pure and free of zod and Node APIs: the rollout's workflow imports it (the schema is
 * spec-gate.ts; the activity is activities/gate.ts).
 */
import type { HealthCheck } from './health.js';

/** What a failing gate does: halt the rollout (compensation as for a blown budget), or pause it for a person. */
export type GateOnFail = 'halt' | 'pause';

export type WaveGate = HealthCheck & { readonly onFail: GateOnFail };

/** The variables a gate's URL and query may use. */
export const GATE_TEMPLATE_VARIABLES = ['wave', 'waveClusters'] as const;

/**
 * At most this many names in `{waveClusters}`: an alternative of a thousand names is
 * ~40 KB of query, about what Prometheus and most proxies take in a GET. A larger wave
 * whose gate needs them fails the gate (naming the reason), never a silently cut list.
 */
export const MAX_GATE_CLUSTERS = 1_000;

export type GateVerdict = 'running' | 'passed' | 'failed';

/** A gate's result, as progress, the report and the UI show it (**contract**). */
export interface GateResult {
  readonly name: string;
  readonly verdict: GateVerdict;
  /** What it must show: `max 0.05`, `min 1, max 2`, `status 200, status = "ok"`. */
  readonly bound: string;
  /** The last value seen (`0 (below min 1)`, `status 503 (expected 200)`, `empty result`), once there is one. */
  readonly value?: string;
  /** RFC 3339 (workflow time): when it began, and when it ended. */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly observations?: number;
  /** A failed gate: what it did (`halt` or `pause`). */
  readonly onFail: GateOnFail;
  /**
   * A failed gate, for its report line: the gate's name, why, its last value, and what that
   * answer named (a body's start, the series out of bounds).
   */
  readonly reason?: string;
}

/** What a wave gate's activity (`runWaveGate`, or the rollout when it cannot run it) found. */
export interface GateOutcome {
  readonly passed: boolean;
  /** The last value seen, when there was one. */
  readonly value?: string;
  readonly observations: number;
  /** A failed gate: its name, why, its last value, and what that answer named (health-judge.ts `detail`). */
  readonly reason?: string;
}

/** The bound a check holds its answers to, in words: `min 1`, `max 0.05`, `status 200, ready = true`. */
export function boundOf(check: HealthCheck): string {
  if (check.prometheus) {
    const { min, max } = check.prometheus;
    return [min !== undefined ? `min ${min}` : '', max !== undefined ? `max ${max}` : ''].filter(Boolean).join(', ');
  }
  const { status, json } = check.http;
  return json ? `status ${status}, ${json.field} = ${JSON.stringify(json.equals)}` : `status ${status}`;
}

/** Whether the gate's URL or query names the wave's clusters (only then does the rollout keep their names). */
export function usesWaveClusters(gate: HealthCheck): boolean {
  const probe = gate.http ?? gate.prometheus;
  const texts = [probe.url, gate.prometheus?.query ?? ''];
  return texts.some((text) => text.includes('{waveClusters}'));
}

/** RE2's (and JavaScript's) metacharacters: a name is matched as written, never as a pattern. */
const escapeRegex = (name: string): string => name.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/**
 * The wave's cluster names as one regex alternative (`web-1|web-2|db\.a`), each escaped
 * so it matches only itself; in PromQL, `cluster_name=~"{waveClusters}"` (Prometheus
 * anchors the match). An empty wave gives a pattern that matches nothing.
 */
export function waveClustersPattern(names: readonly string[]): string {
  return names.length === 0 ? '^$' : names.map(escapeRegex).join('|');
}

/** The template values of a gate (health.ts's `expandTemplate` takes them). */
export function gateFacts(
  wave: string,
  names: readonly string[],
): { readonly wave: string; readonly waveClusters: string } {
  return { wave, waveClusters: waveClustersPattern(names) };
}

/**
 * One line for a gate's result, as the CLI, the report and the UI show it:
 * `gate error-rate passed: 0 (bound max 0.05) at 2026-11-30T15:03:12Z after 4 observations`,
 * `gate error-rate failed: 0.2 (above max 0.05) (bound max 0.05) at …; the rollout paused`.
 */
export function gateLine(gate: GateResult): string {
  const value = gate.value !== undefined ? `: ${gate.value}` : '';
  const bound = ` (bound ${gate.bound})`;
  if (gate.verdict === 'running')
    return `gate ${gate.name} running since ${gate.startedAt}${gate.value !== undefined ? `, last ${gate.value}` : ''}${bound}`;
  const seen =
    gate.observations !== undefined
      ? ` after ${gate.observations} observation${gate.observations === 1 ? '' : 's'}`
      : '';
  const then = gate.verdict === 'failed' ? `; the rollout ${gate.onFail === 'pause' ? 'paused' : 'halted'}` : '';
  return `gate ${gate.name} ${gate.verdict}${value}${bound} at ${gate.endedAt ?? gate.startedAt}${seen}${then}`;
}
