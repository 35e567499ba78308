/** Why clusters were skipped (domain/skipped.ts): the breakdown adds up to counts.SKIPPED; the excluded stand beside it. */
import { describe, expect, it } from 'vitest';
import { operatorSkipMessage, skippedBreakdown, skippedText } from '../../src/domain/skipped.js';
import { renderRolloutDetails, type RolloutDetailsView } from '../../src/workflows/rollout/view/details.js';
import { emptyCounts } from '../../src/domain/report.js';

describe('skipped clusters', () => {
  it('splits counts.SKIPPED into at the target, matched no wave and by an operator', () => {
    // 12 skipped: planning counted 10 at once (8 at the target, 2 unmatched), operators 2; 3 excluded beside.
    const b = skippedBreakdown(12, 10, 2, 3);
    expect(b).toEqual({ atTarget: 8, unmatched: 2, byOperator: 2, excluded: 3 });
    expect(b.atTarget + b.unmatched + b.byOperator).toBe(12);
    expect(skippedText(b)).toBe('8 at the target, 2 matched no wave, 2 by an operator');
    expect(skippedText(b, true)).toBe('8 at the target, 2 matched no wave, 2 by an operator, 3 excluded (not counted)');
    expect(skippedText(skippedBreakdown(0, 0, 0, 4))).toBeUndefined();
  });

  it("words an operator's skip", () => {
    expect(operatorSkipMessage({ by: 'alice', reason: 'INC-42' })).toBe('skipped by alice: INC-42');
    expect(operatorSkipMessage({})).toBe('skipped by an operator');
  });

  it("the UI's details say why, and name the latest operator skips", () => {
    const view: RolloutDetailsView = {
      where: 'aether/acme',
      targetVersion: '1.31',
      phase: 'done',
      percent: 100,
      total: 14,
      ended: 14,
      failed: 0,
      running: 0,
      pending: 0,
      counts: { ...emptyCounts(), SUCCEEDED: 2, SKIPPED: 12 },
      waves: [],
      latestFailures: [],
      skipped: skippedBreakdown(12, 10, 2, 3),
      operatorSkips: [
        { at: '2026-12-07T04:00:00Z', action: 'skipCluster', target: 'web-01 (id-1)', by: 'alice', reason: 'INC-42' },
      ],
    };
    const text = renderRolloutDetails(view);
    expect(text).toContain('skipped 12: 8 at the target, 2 matched no wave, 2 by an operator');
    expect(text).toContain('- web-01 (id-1) by alice: INC-42');
  });
});
