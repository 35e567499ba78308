/**
 * Properties of version planning (src/domain/versions.ts): versions read back as they
 * are written, planStep never proposes a downgrade nor touches a cluster already at its
 * target, hops are single minors that end at the target, and the latest patch is the
 * latest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  formatVersion,
  latestPatchOf,
  parseVersion,
  planStep,
  satisfiesTarget,
  takesHop,
  type KubeVersion,
} from '../../../src/domain/versions.js';
import { kubeVersion, RUNS, versionText } from './arbitraries.js';

/** A running cluster's version: always with a patch. */
const runningVersion = kubeVersion.map((v) => ({ ...v, patch: v.patch ?? 0 }));
/** Two versions on the same major, so most pairs are upgrades, downgrades or the same. */
const sameMajorPair = fc.tuple(fc.nat(3), runningVersion, kubeVersion).map(
  ([major, current, target]) =>
    [
      { ...current, major },
      { ...target, major },
    ] as const,
);

describe('parseVersion and formatVersion', () => {
  it('read back what they write', () => {
    fc.assert(
      fc.property(kubeVersion, (v) => {
        expect(parseVersion(formatVersion(v))).toEqual(v);
      }),
      RUNS,
    );
  });

  it('read every spelling a platform uses (v prefix, build suffix) as the plain version', () => {
    fc.assert(
      fc.property(versionText, (text) => {
        const parsed = parseVersion(text);
        expect(parsed).toBeDefined();
        expect(text).toMatch(new RegExp(`^v?${formatVersion(parsed!).replace(/\./g, '\\.')}([-+]|$)`));
      }),
      RUNS,
    );
  });

  it('never throw on arbitrary text, and what they read is stable', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (text) => {
        const parsed = parseVersion(text);
        if (parsed) expect(parseVersion(formatVersion(parsed))).toEqual(parsed);
      }),
      RUNS,
    );
  });
});

describe('planStep', () => {
  it('never proposes a downgrade or a major change: an upgrade goes up, by the minors between', () => {
    fc.assert(
      fc.property(fc.oneof(sameMajorPair, fc.tuple(runningVersion, kubeVersion)), ([current, target]) => {
        const step = planStep(current, target);
        if (step.kind !== 'upgrade') return;
        expect(current.major).toBe(target.major);
        expect(compareVersions(target, current)).toBeGreaterThan(0);
        expect(step.hops).toBe(target.minor - current.minor);
        expect(step.hops).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('leaves a cluster at its target alone, and only such a cluster', () => {
    fc.assert(
      fc.property(fc.oneof(sameMajorPair, fc.tuple(runningVersion, kubeVersion)), ([current, target]) => {
        expect(planStep(current, target).kind === 'at-target').toBe(satisfiesTarget(current, target));
      }),
      RUNS,
    );
  });

  it('rejects every downgrade, saying so', () => {
    fc.assert(
      fc.property(sameMajorPair, ([current, target]) => {
        fc.pre(!satisfiesTarget(current, target) && compareVersions(target, current) < 0);
        const step = planStep(current, target);
        expect(step).toEqual({ kind: 'rejected', reason: expect.stringMatching(/^downgrade from /) });
      }),
      RUNS,
    );
  });

  it('a cluster at any patch of a minor target is at the target', () => {
    fc.assert(
      fc.property(runningVersion, (current) => {
        expect(planStep(current, { major: current.major, minor: current.minor })).toEqual({ kind: 'at-target' });
      }),
      RUNS,
    );
  });
});

describe('takesHop: the path from a cluster to its target', () => {
  /** A cluster, a target up to five minors above it, and whether each hop succeeds. */
  const journey = fc
    .tuple(runningVersion, fc.integer({ min: 0, max: 5 }), fc.option(fc.nat(50), { nil: undefined }))
    .chain(([current, ahead, patch]) => {
      const target: KubeVersion = {
        major: current.major,
        minor: current.minor + ahead,
        ...(patch === undefined ? {} : { patch }),
      };
      return fc.tuple(
        fc.constant(current),
        fc.constant(target),
        fc.array(fc.boolean(), { minLength: ahead + 1, maxLength: ahead + 1 }),
      );
    });

  it('with every hop succeeding, takes single minors, in increasing order, and ends at the target', () => {
    fc.assert(
      fc.property(journey, ([start, target]) => {
        fc.pre(planStep(start, target).kind === 'upgrade');
        // The hops a rollout plans: every minor above the cluster's, the target last.
        const hops: KubeVersion[] = [];
        for (let minor = start.minor + 1; minor < target.minor; minor++)
          hops.push({ major: target.major, minor, patch: 0 });
        hops.push(target);
        let at: KubeVersion = start;
        const taken: KubeVersion[] = [];
        hops.forEach((hop, index) => {
          if (!takesHop(at, hop, index === hops.length - 1)) return;
          expect(hop.minor - at.minor).toBeLessThanOrEqual(1);
          expect(compareVersions(hop, at)).toBeGreaterThan(0);
          taken.push(hop);
          at = { ...hop, patch: hop.patch ?? 0 };
        });
        expect(taken).toEqual(hops);
        expect(satisfiesTarget(at, target)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a cluster that failed a hop sits out the later ones: never two minors at once, never down', () => {
    fc.assert(
      fc.property(journey, ([start, target, succeeds]) => {
        const hops: KubeVersion[] = [];
        for (let minor = start.minor + 1; minor < target.minor; minor++)
          hops.push({ major: target.major, minor, patch: 0 });
        hops.push(target);
        let at: KubeVersion = start;
        hops.forEach((hop, index) => {
          if (!takesHop(at, hop, index === hops.length - 1)) return;
          expect(hop.minor - at.minor).toBeLessThanOrEqual(1);
          expect(compareVersions(hop, at)).toBeGreaterThan(0);
          if (succeeds[index]) at = { ...hop, patch: hop.patch ?? 0 };
        });
        expect(compareVersions(at, start)).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('never takes a hop at or below what the cluster runs', () => {
    fc.assert(
      fc.property(runningVersion, runningVersion, fc.boolean(), (current, hop, last) => {
        fc.pre(compareVersions(hop, current) <= 0);
        expect(takesHop(current, hop, last)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('latestPatchOf', () => {
  it('finds the highest patch of the minor among those offered, or nothing when none is', () => {
    fc.assert(
      fc.property(
        fc.array(
          runningVersion.map((version) => ({ version })),
          { maxLength: 12 },
        ),
        kubeVersion,
        (offered, minor) => {
          const sameMinor = offered.filter((o) => o.version.major === minor.major && o.version.minor === minor.minor);
          const latest = latestPatchOf(offered, minor);
          if (sameMinor.length === 0) {
            expect(latest).toBeUndefined();
            return;
          }
          expect(offered).toContain(latest);
          for (const other of sameMinor) expect(compareVersions(other.version, latest!.version)).toBeLessThanOrEqual(0);
          expect(satisfiesTarget(latest!.version, { major: minor.major, minor: minor.minor })).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
