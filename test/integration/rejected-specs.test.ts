/**
 * Bad specs are rejected before any API call that changes anything: the workflow
 * fails with a clear, non-retryable error and the simulator saw no mutating request.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

describe('rejected specs', () => {
  let h: Harness;
  let avisiOrg: string;
  let aetherOrg: string;
  let avisiCluster: SimCluster;

  beforeAll(async () => {
    h = await startHarness({ generate: { seed: 5, avisi: { clusters: 5 }, aether: { clusters: 5 }, minors: ['1.30'] }, timeScale: 86_400, rateLimitPerMinute: { aether: 0 } });
    avisiOrg = h.sim.organisations.avisi[0]!;
    aetherOrg = h.sim.organisations.aether[0]!;
    avisiCluster = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters[0]!;
  });
  afterAll(() => h?.close());

  const rejection = async (spec: unknown) => {
    const error = await h.runRollout(spec as RolloutSpec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    return cause as ApplicationFailure;
  };

  it.each([
    ['an invalid cluster UUID', () => ({ platform: 'avisi', organisation: avisiOrg, targetVersion: '1.31', clusters: ['not-a-uuid'] }), /clusters\[0\]: not a cluster UUID/],
    ['an empty version', () => ({ platform: 'aether', organisation: aetherOrg, targetVersion: '' }), /targetVersion: must not be empty/],
    ['a downgrade', () => ({ platform: 'avisi', organisation: avisiOrg, targetVersion: '1.29' }), /downgrade from 1\.30\.\d+ to 1\.29/],
    ['a downgrade on Aether', () => ({ platform: 'aether', organisation: aetherOrg, targetVersion: '1.29' }), /downgrade/],
    ['a skipped minor', () => ({ platform: 'avisi', organisation: avisiOrg, targetVersion: '1.32', clusters: [avisiCluster.id] }), /skips a minor version/],
    ['a skipped minor on Aether', () => ({ platform: 'aether', organisation: aetherOrg, targetVersion: '1.32' }), /skips a minor version/],
    ['an unknown cluster', () => ({ platform: 'avisi', organisation: avisiOrg, targetVersion: '1.31', clusters: ['00000000-0000-4000-8000-000000000000'] }), /unknown cluster/],
  ])('rejects %s before any change', async (_name, spec, message) => {
    const failure = await rejection(spec());
    expect(failure.message).toMatch(message);
    const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
    expect(requests).toEqual([]);
  });
});
