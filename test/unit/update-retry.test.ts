import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { abortedByContinueAsNew, sendAcrossRuns } from '../../src/cli/update-retry.js';

const aborted = () =>
  new WorkflowNotFoundError('workflow update was aborted by closing workflow', 'rollout-1', undefined);

describe('sending an update across continue-as-new', () => {
  it('sends again while a continue-as-new aborts it, and answers with what the next run said', async () => {
    let calls = 0;
    const answer = await sendAcrossRuns(async () => {
      calls++;
      if (calls < 3) throw aborted();
      return 'paused';
    });
    expect(answer).toBe('paused');
    expect(calls).toBe(3);
  });

  it('gives up after its attempts, with the last error', async () => {
    let calls = 0;
    await expect(
      sendAcrossRuns(async () => {
        calls++;
        throw aborted();
      }, 2),
    ).rejects.toThrow(/aborted by closing workflow/);
    expect(calls).toBe(2);
  });

  it('does not send again when the rollout does not exist, or the update was rejected', async () => {
    for (const error of [
      new WorkflowNotFoundError('workflow not found for ID: rollout-1', 'rollout-1', undefined),
      new Error('the rollout is already paused'),
    ]) {
      let calls = 0;
      await expect(
        sendAcrossRuns(async () => {
          calls++;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
      expect(abortedByContinueAsNew(error)).toBe(false);
    }
  });
});
