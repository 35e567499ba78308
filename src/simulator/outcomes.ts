/**
 * Forced outcomes: how an upgrade attempt ends, chosen by a test or a fleet file. Each
 * cluster has a queue; every accepted upgrade attempt (Avisi POST, Aether PUT that
 * starts an upgrade) takes the next entry, and an empty queue means the simulator's
 * default (SUCCEEDED, or a draw from `outcomeProbabilities`).
 */
import type { SeededRandom } from './random.js';

export const AVISI_OUTCOMES = ['SUCCEEDED', 'FAILED', 'MISSED', 'SUPERSEDED'] as const;
export type AvisiOutcome = (typeof AVISI_OUTCOMES)[number];

export const AETHER_OUTCOMES = ['SUCCEEDED', 'FAILED', 'DEGRADED', 'STUCK'] as const;
export type AetherOutcome = (typeof AETHER_OUTCOMES)[number];

/** Relative weights per outcome; the remainder up to 1 (or all, when the sum is 0) goes to SUCCEEDED. */
export type OutcomeProbabilities<T extends string> = Partial<Record<T, number>>;

export function drawOutcome<T extends string>(
  queue: T[],
  probabilities: OutcomeProbabilities<T> | undefined,
  random: SeededRandom,
): T | 'SUCCEEDED' {
  const forced = queue.shift();
  if (forced !== undefined) return forced;
  if (!probabilities) return 'SUCCEEDED';
  let roll = random.float();
  for (const [outcome, weight] of Object.entries(probabilities) as Array<[T, number | undefined]>) {
    roll -= weight ?? 0;
    if (roll < 0) return outcome;
  }
  return 'SUCCEEDED';
}
