/**
 * Properties of hop planning (planRollout, src/activities/plan-rollout.ts), run as an
 * activity (MockActivityEnvironment, no server) against an in-memory platform with an
 * arbitrary fleet and offered versions: a plan is single minors, increasing, ending at
 * the target, each hop the latest offered patch of its minor; a rollout is rejected
 * exactly when a cluster would be downgraded or skip more minors than allowed, or the
 * path is not offered; and planning never asks the platform to change anything.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPlanRollout, type PlanRolloutResult } from '../../../src/activities/plan-rollout.js';
import { INVALID_ROLLOUT } from '../../../src/domain/failure-types.js';
import type { PlatformName } from '../../../src/domain/platform.js';
import {
  compareVersions,
  formatVersion,
  latestPatchOf,
  parseVersion,
  planStep,
  type KubeVersion,
} from '../../../src/domain/versions.js';
import { silentLogger } from '../../../src/logger.js';
import {
  PlatformApiError,
  type ClusterSnapshot,
  type OfferedVersion,
  type PlatformClient,
} from '../../../src/platforms/index.js';

/** A platform in memory: reads answer from the fleet, anything that would change it fails the property. */
function inMemoryPlatform(
  platform: PlatformName,
  fleet: readonly ClusterSnapshot[],
  offered: readonly OfferedVersion[] | undefined,
): PlatformClient {
  const refuse = (): never => {
    throw new Error('planning asked the platform to change something');
  };
  return {
    platform,
    async *listClusters() {
      yield* fleet;
    },
    listClusterPage: async () => ({ clusters: fleet }),
    getCluster: async (organisation, id) => {
      const cluster = fleet.find((c) => c.id === id);
      if (!cluster)
        throw new PlatformApiError({
          platform,
          status: 404,
          code: 'not_found',
          method: 'GET',
          path: `/clusters/${id}`,
          apiMessage: `no cluster ${id} in ${organisation}`,
        });
      return cluster;
    },
    listVersions: async () => offered,
    requestUpgrade: refuse,
    findUpgrade: refuse,
    getUpgrade: refuse,
    cancelUpgrade: refuse,
  };
}

/** Rejections are expected here: the activity environment's own log would only repeat them. */
const QUIET = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const MAJOR = 1;
const version = (minor: number, patch?: number): KubeVersion => ({
  major: MAJOR,
  minor,
  ...(patch === undefined ? {} : { patch }),
});

/** Anything: most such rollouts are rejected (a downgrade, a skip, a version not offered). */
const wildScenario = fc.record({
  platform: fc.constantFrom<PlatformName>('avisi', 'aether'),
  fleet: fc.array(fc.tuple(fc.integer({ min: 26, max: 32 }), fc.nat(6)), { maxLength: 12 }),
  offered: fc.uniqueArray(fc.tuple(fc.integer({ min: 26, max: 33 }), fc.nat(6)), {
    maxLength: 20,
    selector: ([m, p]) => `${m}.${p}`,
  }),
  target: fc.tuple(fc.integer({ min: 26, max: 33 }), fc.option(fc.nat(6), { nil: undefined })),
  maxHops: fc.integer({ min: 1, max: 4 }),
});

/** A fleet within reach of its target (now and then a minor too far, or a hop not offered): most are planned. */
const nearScenario = fc
  .record({
    platform: fc.constantFrom<PlatformName>('avisi', 'aether'),
    target: fc.integer({ min: 30, max: 33 }),
    maxHops: fc.integer({ min: 1, max: 4 }),
    exact: fc.boolean(),
  })
  .chain(({ platform, target, maxHops, exact }) =>
    fc.record({
      platform: fc.constant(platform),
      maxHops: fc.constant(maxHops),
      fleet: fc.array(fc.tuple(fc.integer({ min: target - maxHops - 1, max: target }), fc.nat(6)), { maxLength: 12 }),
      offered: fc.uniqueArray(fc.tuple(fc.integer({ min: target - 5, max: target }), fc.nat(6)), {
        minLength: 10,
        maxLength: 30,
        selector: ([m, p]) => `${m}.${p}`,
      }),
      target: fc.tuple(fc.constant(target), exact ? fc.nat(6) : fc.constant(undefined)),
    }),
  );

const scenario = fc.oneof({ arbitrary: wildScenario, weight: 1 }, { arbitrary: nearScenario, weight: 3 });

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** What the platform would upgrade to for `wanted`: the latest offered patch of a minor, or that exact patch; Aether resolves versions itself. */
function resolve(s: Scenario, wanted: KubeVersion): KubeVersion | undefined {
  if (s.platform === 'aether') return wanted;
  const offered = s.offered.map(([minor, patch]) => ({ version: version(minor, patch) }));
  return wanted.patch === undefined
    ? latestPatchOf(offered, wanted)?.version
    : offered.find((o) => compareVersions(o.version, wanted) === 0)?.version;
}

async function plan(s: Scenario): Promise<PlanRolloutResult | ApplicationFailure> {
  const fleet: ClusterSnapshot[] = s.fleet.map(([minor, patch], i) => {
    const text = formatVersion(version(minor, patch));
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: `c${i}`,
      locator: `c${i}`,
      version: text,
      platformVersion: `v${text}`,
      state: 'ready',
      rawStatus: 'running',
    };
  });
  const offered =
    s.platform === 'avisi'
      ? s.offered.map(([minor, patch]) => ({
          version: `${MAJOR}.${minor}.${patch}`,
          platformVersion: `v${MAJOR}.${minor}.${patch}-u-ame.1`,
        }))
      : undefined;
  const planRollout = createPlanRollout({
    clientFor: () => inMemoryPlatform(s.platform, fleet, offered),
    logger: silentLogger,
  });
  const target = formatVersion(version(s.target[0], s.target[1]));
  const planned = new MockActivityEnvironment(undefined, { logger: QUIET }).run(planRollout, {
    platform: s.platform,
    organisation: 'acme',
    targetVersion: target,
    maxHops: s.maxHops,
  }) as Promise<PlanRolloutResult>;
  return planned.catch((error: unknown) => {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  });
}

describe('planRollout', () => {
  it('plans single-minor hops up to the target, or rejects the rollout exactly when it must', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const outcome = await plan(s);
        const wanted = version(s.target[0], s.target[1]);
        const resolved = resolve(s, wanted);
        if (!resolved) {
          expect(outcome).toBeInstanceOf(ApplicationFailure);
          expect((outcome as ApplicationFailure).message).toMatch(/is not offered/);
          return;
        }
        const steps = s.fleet.map(([minor, patch]) => planStep(version(minor, patch), resolved));
        const moving = s.fleet.filter((_, i) => steps[i]!.kind === 'upgrade').map(([minor]) => minor);
        const oldest = Math.min(resolved.minor, ...moving);
        const between = Array.from({ length: Math.max(0, resolved.minor - oldest - 1) }, (_, i) => oldest + 1 + i);
        const mustReject =
          steps.some((step) => step.kind === 'rejected' || (step.kind === 'upgrade' && step.hops > s.maxHops)) ||
          between.some((minor) => resolve(s, version(minor)) === undefined);

        if (mustReject) {
          expect(outcome).toBeInstanceOf(ApplicationFailure);
          expect(outcome).toMatchObject({
            type: INVALID_ROLLOUT,
            nonRetryable: true,
            message: expect.stringMatching(/^rollout rejected before any change: /),
          });
          return;
        }
        expect(outcome).not.toBeInstanceOf(ApplicationFailure);
        const result = outcome as PlanRolloutResult;
        const hops = result.hops.map((h) => parseVersion(h.version)!);
        // Single minors, increasing, from the oldest cluster's next minor to the target.
        expect(hops.map((h) => h.minor)).toEqual([...between, resolved.minor]);
        expect(formatVersion(hops.at(-1)!)).toBe(formatVersion(resolved));
        // Every hop before the target at its minor's latest offered patch.
        hops.slice(0, -1).forEach((hop) => expect(hop).toEqual(resolve(s, version(hop.minor))));
        expect(result.total).toBe(s.fleet.length);
        expect(result.atTarget).toBe(steps.filter((step) => step.kind === 'at-target').length);
        expect(result.hops.at(-1)!.clusters).toBe(moving.length);
        // A hop takes the clusters below its minor: never more as the path goes on.
        result.hops
          .slice(0, -1)
          .forEach((hop, i) => expect(hop.clusters).toBe(moving.filter((m) => m < hops[i]!.minor).length));
      }),
      { numRuns: 150 },
    );
  });
});
