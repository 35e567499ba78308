/**
 * `runWaveGate`: a wave's analysis (docs/spec.md "Wave gates"), after the wave and its
 * soak. The gate is a health check whose templates are filled with the wave's name and
 * its clusters' names (domain/gate.ts); it is observed like a cluster's checks
 * (`watchChecks`, health.ts: every `interval`, heartbeating, until it passed for
 * `passFor` or failed by its `timeout`), and its verdict is data, never an error to
 * retry: what a failed gate does is the rollout's decision (halt or pause).
 */
import { gateFacts, type GateOutcome } from '../domain/gate.js';
import type { HealthCheck } from '../domain/health.js';
import type { ActivityDeps } from './deps.js';
import { watchChecks, type HealthActivityOptions } from './health.js';

export interface RunWaveGateInput {
  readonly gate: HealthCheck;
  readonly wave: string;
  /** The names of the wave's clusters, for `{waveClusters}` (only when the gate uses it). */
  readonly clusterNames: readonly string[];
}

/** The activity's answer is the gate's outcome (domain/gate.ts), the name workflows use. */
export type RunWaveGateResult = GateOutcome;

export function createGateActivities(deps: ActivityDeps, options: HealthActivityOptions = {}) {
  async function runWaveGate(input: RunWaveGateInput): Promise<RunWaveGateResult> {
    const log = deps.logger.child({ wave: input.wave, gate: input.gate.name });
    const result = await watchChecks(
      [input.gate],
      gateFacts(input.wave, input.clusterNames),
      log,
      options.env ?? process.env,
      'gate',
    );
    const seen = result.results[0];
    const common = { ...(seen?.last !== undefined ? { value: seen.last } : {}), observations: seen?.observations ?? 0 };
    return result.passed ? { passed: true, ...common } : { passed: false, ...common, reason: result.reason };
  }
  return { runWaveGate };
}
