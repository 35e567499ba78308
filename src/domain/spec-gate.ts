/**
 * A wave's `gate` (**contract**, see docs/spec.md "Wave gates"): a health check of the
 * wave as a whole, run after the wave and its soak, before the next wave starts. Its
 * fields are a health check's (spec-health.ts) with the wave's template variables
 * (`{wave}`, `{waveClusters}`) in place of a cluster's, a default name, and `onFail`.
 */
import { z } from 'zod';
import type { WaveGate } from './gate.js';
import { checkFields, healthCheckOf, probeKnownFields, probeProblems } from './spec-health.js';
import { gotInstead, type SpecProblem } from './spec-messages.js';

const fields = checkFields('gate');
const ON_FAIL = ['halt', 'pause'] as const;

export const gateSchema = z
  .object({
    ...fields,
    name: fields.name.default('gate'),
    onFail: z
      .enum(ON_FAIL, { error: (issue) => `must be "halt" or "pause", ${gotInstead(issue.input, ON_FAIL)}` })
      .default('halt'),
  })
  .strict();

/** A valid gate, as the workflows read it. */
export const waveGateOf = ({ onFail, ...check }: z.output<typeof gateSchema>): WaveGate => ({
  ...healthCheckOf(check),
  onFail,
});

/** Fields of the objects under a wave's `gate`, for "did you mean"; undefined elsewhere. */
export function gateKnownFields(path: readonly PropertyKey[]): readonly string[] | undefined {
  if (!path.includes('gate')) return undefined;
  return path.at(-1) === 'gate' ? Object.keys(gateSchema.shape) : probeKnownFields(path);
}

/** Rules across a gate's fields, on the raw spec: one of http and prometheus, a bound on a query, header names. */
export function gateProblems(spec: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const waves = Array.isArray(spec.waves) ? spec.waves : [];
  waves.forEach((wave: unknown, index) => {
    const gate = wave && typeof wave === 'object' ? (wave as Record<string, unknown>).gate : undefined;
    if (gate && typeof gate === 'object' && !Array.isArray(gate))
      probeProblems(gate as Record<string, unknown>, `waves[${index}].gate`, problems);
  });
  return problems;
}
