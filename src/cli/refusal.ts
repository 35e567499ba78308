/**
 * How a rollout refused or failed at planning comes back to the command line. Planning
 * fails the workflow with an ApplicationFailure whose type says whose fault it is
 * (domain/failure-types.ts): the spec's (bad input, exit 2, worded like the parser's
 * refusal, a problem a line) or the infrastructure's (exit 1: the platform refused a
 * read or stayed down past planning's retries, the worker lacks a token, ...).
 */
import { ApplicationFailure, type WorkflowFailedError } from '@temporalio/client';
import { INVALID_ROLLOUT, INVALID_SPEC } from '../domain/failure-types.js';
import { UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';

/**
 * Failure types that are bad input: a field the spec got wrong (INVALID_SPEC, also a
 * notification channel or header variable the worker does not define), or a fleet that
 * makes the spec impossible (INVALID_ROLLOUT: an unknown cluster id, a target the
 * platform does not offer, a downgrade, a skipped minor, clusters no wave takes, a
 * selector that selects nothing). Every other failure at planning is the infrastructure's.
 */
export const BAD_INPUT_FAILURES: ReadonlySet<string> = new Set([INVALID_SPEC, INVALID_ROLLOUT]);

/** Splits `a; b (c; d); e` at the semicolons outside brackets: problems joined by planning, each whole. */
export function splitProblems(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === ';' && depth === 0 && text[i + 1] === ' ') {
      parts.push(text.slice(start, i));
      start = i + 2;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

const PREFIXES = ['invalid rollout spec: ', 'rollout rejected before any change: '];

/**
 * The problems a planning failure names: its details when it carries them
 * (`{field, message}`), else its message, split.
 */
export function planningProblems(failure: ApplicationFailure): string[] {
  const fields = (failure.details ?? []).filter(
    (d): d is { field: string; message: string } =>
      typeof (d as { field?: unknown })?.field === 'string' && typeof (d as { message?: unknown }).message === 'string',
  );
  if (fields.length > 0) return fields.map((d) => `${d.field}: ${d.message}`);
  const prefix = PREFIXES.find((p) => failure.message.startsWith(p));
  // A one-problem failure (a target the platform does not offer) says it with its own semicolons: keep it whole.
  return prefix ? splitProblems(failure.message.slice(prefix.length)) : [failure.message];
}

/** The error a command exits with when rollout `rolloutId` failed before it passed planning. */
export function planningRefusal(rolloutId: string, error: WorkflowFailedError): UsageError {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type && BAD_INPUT_FAILURES.has(cause.type)) {
    const lines = planningProblems(cause).map((p) => `  ${p}`);
    return new UsageError(
      `invalid rollout spec (planning refused rollout ${rolloutId}; nothing was changed):\n${lines.join('\n')}`,
      EXIT.USAGE,
    );
  }
  return new UsageError(
    `rollout ${rolloutId} failed at planning (nothing was changed): ${cause?.message ?? error.message}`,
    EXIT.ERROR,
  );
}
