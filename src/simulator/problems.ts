/**
 * What a rejected request means, independent of dialect. Route handlers turn a
 * problem into Avisi's `{message, details[]}` or Aether's `{error: {code, message,
 * details?}}` (see dialects.ts), so the rules in avisi-upgrades.ts and
 * aether-upgrades.ts are written once.
 */
export interface FieldProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export interface ApiProblem {
  readonly status: number;
  /** Aether's machine-readable code; Avisi has none and ignores it. */
  readonly code: string;
  readonly message: string;
  readonly fields?: readonly FieldProblem[];
  /** Extra free-text details (Avisi `details[]`). */
  readonly notes?: readonly string[];
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: ApiProblem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (problem: ApiProblem): Result<never> => ({ ok: false, problem });

/** Zod issues as field problems; the path is dotted (`windows.0.day`), `(body)` for the root. */
export function fieldProblems(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string; message: string }>,
): FieldProblem[] {
  return issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    code: issue.code,
    message: issue.message,
  }));
}
