/**
 * How a spec's problems are told: the error that carries every one, the field an issue
 * names, and the fields an object may have (for "did you mean" on an unknown one).
 */
import { FREEZE_KEYS, WEEKLY_KEYS } from './spec-freeze.js';
import { gateKnownFields } from './spec-gate.js';
import { healthKnownFields } from './spec-health.js';
import { preCheckKnownFields } from './spec-pre-check.js';
import type { SpecProblem } from './spec-messages.js';
import { NOTIFY_KEYS } from './spec-notify.js';
import { approvalObjectSchema, failureBudgetSchema, rolloutSpecSchema, waveSchema } from './spec-schema.js';
import { SELECTOR_KEYS } from './spec-selectors.js';
import { TARGET_KEYS } from './spec-targets.js';

export class InvalidSpecError extends Error {
  constructor(readonly problems: readonly SpecProblem[]) {
    super(`invalid rollout spec: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'InvalidSpecError';
  }
}

/** `waves[0].size`: where a zod issue's path points, as the problems name fields. */
export function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'spec';
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** The fields an object at `path` may have, for "did you mean" on an unknown one. */
export function knownFieldsAt(path: readonly PropertyKey[]): readonly string[] {
  const last = path.at(-1);
  if (last === undefined) return Object.keys(rolloutSpecSchema.shape);
  const health = healthKnownFields(path) ?? preCheckKnownFields(path) ?? gateKnownFields(path);
  if (health) return health;
  if (last === 'match' || (typeof last === 'number' && path.at(-2) === 'exclude')) return SELECTOR_KEYS;
  if (typeof last === 'number' && path.at(-2) === 'targets') return TARGET_KEYS;
  if (typeof last === 'number' && path.at(-2) === 'freeze') return FREEZE_KEYS;
  if (typeof last === 'number' && path.at(-2) === 'notify') return NOTIFY_KEYS;
  if (last === 'weekly') return WEEKLY_KEYS;
  if (typeof last === 'number') return Object.keys(waveSchema.shape);
  if (last === 'failureBudget') return Object.keys(failureBudgetSchema.shape);
  if (last === 'approval') return Object.keys(approvalObjectSchema.shape);
  if (last === 'retry' || last === 'reschedule') return ['maxAttempts'];
  return [];
}
