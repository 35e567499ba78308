/**
 * Planning's per-cluster targets (src/activities/plan-versions.ts, plan-fleet.ts), without a
 * server: each judge's verdicts, each minor resolved once, and the warning for clusters the
 * platform upgrades itself.
 */
import { describe, expect, it } from 'vitest';
import { judgeFleet, type TargetRead } from '../../src/activities/plan-fleet.js';
import { OneVersionJudge, PerMinorJudge } from '../../src/activities/plan-versions.js';
import { mustParseVersion } from '../../src/domain/versions.js';
import type { ClusterSnapshot } from '../../src/platforms/types.js';

const catalog = ['1.29.10', '1.29.14', '1.30.4', '1.30.10', '1.31.2', '1.31.6'].map((v) => ({
  version: mustParseVersion(v),
  platformVersion: `v${v}-u-ame.1`,
}));
const v = mustParseVersion;

describe('PerMinorJudge', () => {
  it('takes each cluster to the latest patch of its own minor, naming the request spelling', () => {
    const judge = new PerMinorJudge('avisi', catalog, { targetVersion: 'latest-patch', maxHops: 1 }, {}, []);
    expect(judge.judge(v('1.29.10'))).toEqual({
      kind: 'move',
      minor: 29,
      to: { version: v('1.29.14'), requestVersion: 'v1.29.14-u-ame.1' },
    });
    expect(judge.judge(v('1.31.6'))).toEqual({ kind: 'at-target' });
    expect(judge.judge(v('1.28.15'))).toEqual({ kind: 'left-alone', why: 'avisi no longer offers 1.28' });
    expect(judge.minorGroups()).toEqual([
      { minor: '1.29', to: '1.29.14', clusters: 1, atTarget: 0 },
      { minor: '1.31', to: '1.31.6', clusters: 0, atTarget: 1 },
    ]);
    expect(judge.minors()).toEqual({
      '1.29': { version: '1.29.14', requestVersion: 'v1.29.14-u-ame.1' },
      '1.31': { version: '1.31.6', requestVersion: 'v1.31.6-u-ame.1' },
    });
  });

  it('takes targetVersions over latest-patch, the target own over the spec, and leaves clusters past them alone', () => {
    const problems: string[] = [];
    const ask = { targetVersion: 'latest-patch', targetVersions: { '1.30': '1.30.4' }, maxHops: 1 };
    const judge = new PerMinorJudge('avisi', catalog, ask, { '1.31': '1.31.2' }, problems);
    expect(judge.judge(v('1.30.10'))).toEqual({ kind: 'left-alone', why: 'already past 1.30.4' });
    expect(judge.judge(v('1.31.2'))).toEqual({ kind: 'at-target' });
    expect(judge.judge(v('1.29.10'))).toMatchObject({ kind: 'move', to: { version: v('1.29.14') } });
    expect(problems).toEqual([]);
  });

  it('names a version the catalog does not offer once, however many clusters run its minor', () => {
    const problems: string[] = [];
    const ask = { targetVersion: '1.30.99', targetVersions: { '1.30': '1.30.99' }, maxHops: 1 };
    const judge = new PerMinorJudge('avisi', catalog, ask, {}, problems);
    judge.judge(v('1.30.4'));
    judge.judge(v('1.30.10'));
    expect(problems).toEqual(['targetVersions["1.30"]: 1.30.99 is not offered by avisi; it offers 1.30.4, 1.30.10']);
  });

  it('without a catalog (Aether): only the minors targetVersions names move, as written', () => {
    const ask = { targetVersion: 'latest-patch', maxHops: 1 };
    const judge = new PerMinorJudge('aether', undefined, ask, { '1.30': '1.30.8' }, []);
    expect(judge.judge(v('1.30.4'))).toMatchObject({ kind: 'move', to: { requestVersion: '1.30.8' } });
    expect(judge.judge(v('1.31.2'))).toEqual({
      kind: 'left-alone',
      why: 'targetVersions names no version for 1.31',
    });
  });
});

describe('OneVersionJudge', () => {
  const resolved = { version: v('1.31.6'), requestVersion: 'v1.31.6-u-ame.1' };
  it('leaves clusters past a channel alone, and refuses a downgrade otherwise', () => {
    const channel = new OneVersionJudge(resolved, { targetVersion: 'stable', maxHops: 1 }, v('1.31.6'));
    expect(channel.judge(v('1.32.2'))).toEqual({ kind: 'left-alone', why: 'already past stable (1.31.6)' });
    const pinned = new OneVersionJudge(resolved, { targetVersion: '1.31', maxHops: 1 }, v('1.31'));
    expect(pinned.judge(v('1.32.2'))).toMatchObject({ kind: 'problem', reason: expect.stringMatching(/downgrade/) });
    expect(pinned.judge(v('1.29.10'))).toMatchObject({
      kind: 'problem',
      reason: expect.stringMatching(/^1\.29\.10 -> 1\.31 skips a minor version .*set maxHops to 2/),
    });
  });
});

describe('judgeFleet', () => {
  const cluster = (name: string, version: string, autoUpgrade?: boolean): ClusterSnapshot => ({
    id: name,
    name,
    locator: `prod/${name}`,
    version,
    platformVersion: `v${version}-u-ame.1`,
    state: 'ready',
    rawStatus: 'running',
    ...(autoUpgrade !== undefined ? { autoUpgrade } : {}),
  });

  it('warns of moving clusters with autoUpgrade on, and counts those left alone by why', () => {
    const judge = new PerMinorJudge('avisi', catalog, { targetVersion: 'latest-patch', maxHops: 1 }, {}, []);
    const read: TargetRead = {
      target: { platform: 'avisi', organisation: 'acme' },
      offered: catalog,
      judge,
      clusters: [
        cluster('a', '1.29.10', true),
        cluster('b', '1.30.4', false),
        cluster('c', '1.28.15', true),
        cluster('d', '1.31.6', true),
      ],
    };
    const fleet = judgeFleet({}, [read], new Set(), []);
    expect(fleet.moving.map((m) => m.cluster.name)).toEqual(['a', 'b']);
    expect(fleet.atTarget).toBe(1);
    expect(fleet.leftAlone.groups()).toEqual([
      { why: 'avisi no longer offers 1.28', count: 1, clusters: [{ id: 'c', name: 'c' }] },
    ]);
    expect(fleet.warnings).toEqual([
      '1 cluster has autoUpgrade on (a): the platform upgrades it along its update channel too',
    ]);
  });
});
