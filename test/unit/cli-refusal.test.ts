/**
 * A rollout refused at planning comes back worded like the parser's refusal, a problem a
 * line, with exit 2 for bad input and 1 for the infrastructure (src/cli/refusal.ts).
 * The failures are built as the workflow throws them (rollout/activities.ts, notify/channel.ts).
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { planningProblems, planningRefusal, splitProblems } from '../../src/cli/refusal.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { INVALID_ROLLOUT, INVALID_SPEC, PLANNING_FAILED } from '../../src/domain/failure-types.js';

const failed = (cause: ApplicationFailure) =>
  new WorkflowFailedError('Workflow execution failed', cause, 'NON_RETRYABLE_FAILURE');

describe('planning refusals', () => {
  it('splits problems at the semicolons outside brackets only', () => {
    expect(
      splitProblems('a: b; waves[0] (x): none (environment "e": unknown; region "r": unknown); and 3 more'),
    ).toEqual(['a: b', 'waves[0] (x): none (environment "e": unknown; region "r": unknown)', 'and 3 more']);
  });

  it('names the fields an invalid spec carries in its details', () => {
    const cause = ApplicationFailure.nonRetryable(
      'invalid rollout spec: notify[0].channel: not defined',
      INVALID_SPEC,
      { field: 'notify[0].channel', message: 'not defined' },
    );
    const refusal = planningRefusal('r1', failed(cause));
    expect(refusal.exitCode).toBe(EXIT.USAGE);
    expect(refusal.message).toBe(
      'invalid rollout spec (planning refused rollout r1; nothing was changed):\n  notify[0].channel: not defined',
    );
  });

  it("splits a rejected rollout's message, and keeps a one-problem message whole", () => {
    const rejected = ApplicationFailure.nonRetryable(
      'rollout rejected before any change: clusters: unknown cluster x in acme; waves: cluster y is not in this rollout',
      INVALID_ROLLOUT,
    );
    expect(planningProblems(rejected)).toEqual([
      'clusters: unknown cluster x in acme',
      'waves: cluster y is not in this rollout',
    ]);
    const notOffered = ApplicationFailure.nonRetryable(
      'targetVersion 1.35 is not offered by avisi; offered: 1.30.4, 1.31.6',
      INVALID_ROLLOUT,
    );
    expect(planningRefusal('r2', failed(notOffered)).message).toBe(
      'invalid rollout spec (planning refused rollout r2; nothing was changed):\n  targetVersion 1.35 is not offered by avisi; offered: 1.30.4, 1.31.6',
    );
  });

  it('exits 1 for a failure of the platform or the worker, with its own message', () => {
    for (const type of [PLANNING_FAILED, 'PlatformApiErrorFinal', 'PlatformConfigError']) {
      const refusal = planningRefusal(
        'r3',
        failed(ApplicationFailure.nonRetryable('avisi GET /api/v1/orgs/x/clusters failed: 401 unauthorized', type)),
      );
      expect(refusal.exitCode).toBe(EXIT.ERROR);
      expect(refusal.message).toBe(
        'rollout r3 failed at planning (nothing was changed): avisi GET /api/v1/orgs/x/clusters failed: 401 unauthorized',
      );
    }
  });
});
