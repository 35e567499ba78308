/**
 * Why clusters were skipped (**contract**: the report's and the progress's `skipped`).
 * `counts.SKIPPED` stays one number, as before; the breakdown says what it is made of:
 * clusters at the target already, clusters no wave matched (`"unmatched": "skip"`) and
 * clusters an operator skipped (`skipCluster`), which add up to `counts.SKIPPED`; and,
 * beside them, the clusters the spec's `exclude` left out, which are not in `total` and
 * not counted SKIPPED. Pure, so the workflow, the CLI and the notices share it.
 */
export interface SkippedBreakdown {
  /** Running the target already when planning read them (no line each). */
  readonly atTarget: number;
  /** Matched by no wave, with `"unmatched": "skip"` (the report's `unmatched` names the first few). */
  readonly unmatched: number;
  /** Skipped by an operator (`skipCluster`): each has a line with who and why (`skippedBy`). */
  readonly byOperator: number;
  /** Left out by the spec's `exclude`: never touched, not in `total` nor in `counts.SKIPPED`. */
  readonly excluded: number;
}

/**
 * From the tally: `skipped` (counts.SKIPPED), `planned` (what planning counted SKIPPED at
 * once: at the target plus unmatched), and planning's unmatched and excluded counts.
 */
export function skippedBreakdown(
  skipped: number,
  planned: number,
  unmatched: number,
  excluded: number,
): SkippedBreakdown {
  return {
    atTarget: Math.max(0, planned - unmatched),
    unmatched,
    byOperator: Math.max(0, skipped - planned),
    excluded,
  };
}

/**
 * `8 at the target, 2 matched no wave, 1 by an operator`, or undefined when nothing was
 * skipped; `excluded` too when asked.
 */
export function skippedText(b: SkippedBreakdown, withExcluded = false): string | undefined {
  const parts = [
    ...(b.atTarget ? [`${b.atTarget} at the target`] : []),
    ...(b.unmatched ? [`${b.unmatched} matched no wave`] : []),
    ...(b.byOperator ? [`${b.byOperator} by an operator`] : []),
    ...(withExcluded && b.excluded ? [`${b.excluded} excluded (not counted)`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A line's message for a cluster an operator skipped: `skipped by alice: INC-42`. */
export const operatorSkipMessage = (who: { readonly by?: string; readonly reason?: string }): string =>
  `skipped by ${who.by ?? 'an operator'}${who.reason ? `: ${who.reason}` : ''}`;
