/**
 * Bad input at the third door, a workflow started with raw JSON (as from the Temporal
 * CLI or UI): it is rejected before any API call that changes anything. The workflow
 * fails with a clear, non-retryable error naming every problem, and the simulator saw
 * no mutating request. Spec problems (the shared table in test/support/bad-specs.ts)
 * are found before the platform is asked anything at all; fleet problems (a downgrade,
 * a skipped minor, an unknown cluster) and a refused token are found by reading it.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_SPEC } from '../../src/domain/failure-types.js';
import type { RolloutSpec, SpecProblem } from '../../src/domain/spec.js';
import { BAD_SPECS, expectProblems, type SpecBase } from '../support/bad-specs.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';

const FLEET = {
  generate: { seed: 5, avisi: { clusters: 5 }, aether: { clusters: 5 }, minors: ['1.30'] },
  timeScale: 86_400,
  rateLimitPerMinute: { aether: 0 },
};

async function rejection(h: Harness, spec: unknown): Promise<ApplicationFailure> {
  const error = await h.runRollout(spec as RolloutSpec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  return cause as ApplicationFailure;
}

const mutatingRequests = async (h: Harness) => (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests')).requests;
/** API requests of both dialects the simulator answered (reads included). */
const apiRequests = async (h: Harness) => {
  const traffic = await h.inspect<Record<'avisi' | 'aether', { requests: number }>>('/_sim/traffic');
  return traffic.avisi.requests + traffic.aether.requests;
};

describe('rejected specs', () => {
  let h: Harness;
  let base: SpecBase;
  let avisiOrg: string;
  let aetherOrg: string;
  let avisiCluster: SimCluster;

  beforeAll(async () => {
    h = await startHarness(FLEET);
    avisiOrg = h.sim.organisations.avisi[0]!;
    aetherOrg = h.sim.organisations.aether[0]!;
    base = {
      avisi: { platform: 'avisi', organisation: avisiOrg, targetVersion: '1.31' },
      aether: { platform: 'aether', organisation: aetherOrg, targetVersion: '1.31' },
    };
    avisiCluster = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters[0]!;
  });
  afterAll(() => h?.close());

  describe('spec problems: rejected before the platform is asked anything', () => {
    it.each(BAD_SPECS.map((c) => [c.name, c] as const))('rejects %s, naming every problem', async (_name, bad) => {
      const before = await apiRequests(h);
      const failure = await rejection(h, bad.spec(base));
      expect(failure.type).toBe(INVALID_SPEC);
      // The problems travel as the failure's details, and each is in its message too.
      expectProblems(failure.details as { field: string; message: string }[], bad.problems);
      for (const problem of failure.details as { field: string; message: string }[])
        expect(failure.message).toContain(`${problem.field}: ${problem.message}`);
      expect(await apiRequests(h)).toBe(before);
      expect(await mutatingRequests(h)).toEqual([]);
    });
  });

  it('rejects a notify channel the worker does not define, before the platform is asked anything', async () => {
    const before = await apiRequests(h);
    const failure = await rejection(h, { ...base.avisi, notify: [{ channel: 'pager' }] });
    expect(failure.type).toBe(INVALID_SPEC);
    expectProblems(failure.details as SpecProblem[], [
      {
        field: 'notify[0].channel',
        message: /^channel "pager" is not defined on this worker \(set FLEET_NOTIFY_PAGER_URL; it defines none\)$/,
      },
    ]);
    expect(await apiRequests(h)).toBe(before);
    expect(await mutatingRequests(h)).toEqual([]);
  });

  describe('fleet problems: rejected after reading, before any change', () => {
    it.each([
      [
        'a downgrade',
        () => ({ platform: 'avisi', organisation: avisiOrg, targetVersion: '1.29' }),
        /downgrade from 1\.30\.\d+ to 1\.29/,
      ],
      [
        'a downgrade on Aether',
        () => ({ platform: 'aether', organisation: aetherOrg, targetVersion: '1.29' }),
        /downgrade/,
      ],
      [
        'a skipped minor',
        () => ({ platform: 'avisi', organisation: avisiOrg, targetVersion: '1.32', clusters: [avisiCluster.id] }),
        /skips a minor version/,
      ],
      [
        'a skipped minor on Aether',
        () => ({ platform: 'aether', organisation: aetherOrg, targetVersion: '1.32' }),
        /skips a minor version/,
      ],
      [
        'an unknown cluster',
        () => ({
          platform: 'avisi',
          organisation: avisiOrg,
          targetVersion: '1.31',
          clusters: ['00000000-0000-4000-8000-000000000000'],
        }),
        /unknown cluster/,
      ],
      [
        'a wave that selects nothing',
        () => ({
          platform: 'avisi',
          organisation: avisiOrg,
          targetVersion: '1.31',
          waves: [{ name: 'eu', match: { region: 'mars-1' } }, { name: 'rest' }],
        }),
        /waves\[0\] \(eu\): match selects no cluster of the fleet \(region "mars-1": no cluster of the fleet has it\)/,
      ],
      // A near miss of a value the fleet has: the refusal names the one it most likely meant.
      [
        'a wave whose match names a near miss',
        () => ({
          platform: 'avisi',
          organisation: avisiOrg,
          targetVersion: '1.31',
          waves: [{ name: 'prod', match: { environment: 'prodution' } }, { name: 'rest' }],
        }),
        /waves\[0\] \(prod\): match selects no cluster of the fleet \(environment "prodution": no cluster of the fleet has it; did you mean "production"\?\)/,
      ],
      [
        'clusters that match no wave',
        () => ({
          platform: 'aether',
          organisation: aetherOrg,
          targetVersion: '1.31',
          waves: [{ name: 'one', match: { name: 'no-such-*' } }],
        }),
        /^(?=.*5 clusters match no wave \(.*\): add a wave that takes them, exclude them, or set "unmatched": "skip")(?=.*waves\[0\] \(one\): match selects no cluster of the fleet)/,
      ],
    ])('rejects %s before any change', async (_name, spec, message) => {
      const failure = await rejection(h, spec());
      expect(failure.message).toMatch(message);
      expect(await mutatingRequests(h)).toEqual([]);
    });

    it("rejects an Aether organisation the worker's token is not for (403), naming the platform and the variable", async () => {
      const failure = await rejection(h, {
        platform: 'aether',
        organisation: '00000000-0000-4000-8000-0000000000ff',
        targetVersion: '1.31',
      });
      expect(failure.message).toMatch(
        /^aether GET \S+ failed: 403 forbidden: token is not valid for this organization; .*check that AETHER_API_TOKEN holds a token for this organisation$/,
      );
      expect(failure.message).not.toContain(h.env.AETHER_API_TOKEN!);
      expect(await mutatingRequests(h)).toEqual([]);
    });
  });
});

describe('a worker with wrong tokens', () => {
  const WRONG = {
    AVISI_API_TOKEN: 'avisi-not-the-token-0123456789',
    AETHER_API_TOKEN: 'aether_0123456789abcdef0123456789abcdef',
  };
  let h: Harness;
  let clustersBefore: SimCluster[];

  beforeAll(async () => {
    h = await startHarness(FLEET, undefined, { env: WRONG });
    clustersBefore = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters')).clusters;
  });
  afterAll(() => h?.close());

  it.each([
    [
      'avisi',
      'AVISI_API_TOKEN',
      /^avisi GET \S+ failed: 401 unauthorized: Unauthorized .*; the avisi API did not accept the worker's token: check AVISI_API_TOKEN$/,
    ],
    [
      'aether',
      'AETHER_API_TOKEN',
      /^aether GET \S+ failed: 401 invalid_credentials: invalid or revoked token; the aether API did not accept the worker's token: check AETHER_API_TOKEN$/,
    ],
  ] as const)(
    'fails the %s rollout with a 401 naming the platform and the variable, not the token; nothing changed',
    async (platform, variable, message) => {
      const failure = await rejection(h, {
        platform,
        organisation: h.sim.organisations[platform][0]!,
        targetVersion: '1.31',
      });
      expect(failure.message).toMatch(message);
      expect(failure.message).not.toContain(WRONG[variable]);
      expect(JSON.stringify(failure.details)).not.toContain(WRONG[variable]);
      expect(await mutatingRequests(h)).toEqual([]);
      expect((await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters')).clusters).toEqual(clustersBefore);
    },
  );
});
