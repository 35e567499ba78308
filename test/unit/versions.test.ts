import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  formatVersion,
  latestPatchOf,
  mustParseVersion,
  parseVersion,
  planStep,
  satisfiesTarget,
} from '../../src/domain/versions.js';

const v = (text: string) => mustParseVersion(text);

describe('parseVersion', () => {
  it.each([
    ['1.31', { major: 1, minor: 31 }],
    ['1.31.4', { major: 1, minor: 31, patch: 4 }],
    ['v1.30.4', { major: 1, minor: 30, patch: 4 }],
    ['v1.30.4-u-ame.3', { major: 1, minor: 30, patch: 4 }],
  ])('reads %s', (text, expected) => expect(parseVersion(text)).toEqual(expected));

  it.each(['', '1', 'latest', '1.x', '1.31.4.5', 'v', ' '])('rejects %j', (text) =>
    expect(parseVersion(text)).toBeUndefined(),
  );

  it('names the bad text when it must parse', () => expect(() => mustParseVersion('one.two')).toThrow(/"one.two"/));
});

describe('ordering and matching', () => {
  it('orders by major, minor, patch; a bare minor sorts first', () => {
    const sorted = ['1.31.2', '1.30.10', '1.31', '1.30.9'].map(v).sort(compareVersions).map(formatVersion);
    expect(sorted).toEqual(['1.30.9', '1.30.10', '1.31', '1.31.2']);
  });

  it('a minor target matches any patch of it; a patch target only itself', () => {
    expect(satisfiesTarget(v('1.31.6'), v('1.31'))).toBe(true);
    expect(satisfiesTarget(v('1.31.6'), v('1.31.4'))).toBe(false);
    expect(satisfiesTarget(v('1.30.6'), v('1.31'))).toBe(false);
  });

  it('finds the latest patch of a minor', () => {
    const offered = ['1.30.10', '1.31.2', '1.31.6', '1.31.4'].map((t) => ({ version: v(t), t }));
    expect(latestPatchOf(offered, v('1.31'))?.t).toBe('1.31.6');
    expect(latestPatchOf(offered, v('1.32'))).toBeUndefined();
  });
});

describe('planStep', () => {
  it('skips a cluster at the target', () => expect(planStep(v('1.31.6'), v('1.31.6'))).toEqual({ kind: 'at-target' }));
  it('counts minor hops', () => {
    expect(planStep(v('1.30.4'), v('1.31.6'))).toEqual({ kind: 'upgrade', hops: 1 });
    expect(planStep(v('1.31.2'), v('1.31.6'))).toEqual({ kind: 'upgrade', hops: 0 });
    expect(planStep(v('1.29.4'), v('1.31.6'))).toEqual({ kind: 'upgrade', hops: 2 });
  });
  it('rejects downgrades and major changes with a reason', () => {
    expect(planStep(v('1.31.6'), v('1.30.10'))).toMatchObject({
      kind: 'rejected',
      reason: expect.stringMatching(/downgrade/),
    });
    expect(planStep(v('1.31.6'), v('1.31.2'))).toMatchObject({ kind: 'rejected' });
    expect(planStep(v('1.31.6'), v('2.0.0'))).toMatchObject({
      kind: 'rejected',
      reason: expect.stringMatching(/major/),
    });
  });
});
