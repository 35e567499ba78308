/**
 * Selectors and wave selection (src/domain/selectors.ts, wave-selection.ts): what a
 * `match` or an `exclude` takes, how waves divide a fleet (size cuts flowing to later
 * waves, the rest, the unmatched), and, as a property, that waves reading the inventory
 * a page at a time each (as the rollout does) take exactly what planning computed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileExclusions,
  compileSelector,
  globToRegExp,
  unknownValues,
  valuesIn,
  type SelectableCluster,
  type WavePick,
} from '../../src/domain/selectors.js';
import { selectWaves, takeFromPage, type Positioned, type SelectingWave } from '../../src/domain/wave-selection.js';
import { selectorText } from '../../src/domain/spec-describe.js';
import { selectable } from '../../src/activities/plan-targeting.js';

const cluster = (
  name: string,
  environment?: string,
  region?: string,
  extra: Partial<SelectableCluster> = {},
): SelectableCluster => ({
  id: `id-${name}`,
  name,
  platform: 'avisi',
  organisation: 'acme',
  ...(environment ? { environment } : {}),
  ...(region ? { region } : {}),
  ...extra,
});
const positioned = (clusters: readonly SelectableCluster[]): Positioned[] =>
  clusters.map((c, position) => ({ cluster: c, position }));
const names = (list: readonly Positioned[]) => list.map((p) => p.cluster.name);

describe('selectors', () => {
  it('globs: * and ? over the whole name, regex characters as themselves, any case', () => {
    expect(globToRegExp('web-*').test('web-01')).toBe(true);
    expect(globToRegExp('web-*').test('my-web-01')).toBe(false);
    expect(globToRegExp('db-?').test('DB-1')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('(x)+').test('(x)+')).toBe(true);
  });

  it('every field given must hold; a list means any of it; a missing field never matches', () => {
    const match = compileSelector({
      environment: ['staging', 'Production'],
      region: 'nl-ams-1',
      name: ['web-*', 'api-*'],
    });
    expect(match(cluster('web-1', 'staging', 'nl-ams-1'))).toBe(true);
    expect(match(cluster('api-1', 'production', 'NL-AMS-1'))).toBe(true);
    expect(match(cluster('data-1', 'staging', 'nl-ams-1'))).toBe(false);
    expect(match(cluster('web-1', 'development', 'nl-ams-1'))).toBe(false);
    expect(match(cluster('web-1', 'staging'))).toBe(false);
    expect(compileSelector({ platform: 'aether' })(cluster('x'))).toBe(false);
  });

  it('exclude: ids (any case) and selectors', () => {
    const excluded = compileExclusions(['ID-KEEP', { environment: 'production' }]);
    expect(excluded(cluster('keep'))).toBe(true);
    expect(excluded(cluster('p', 'production'))).toBe(true);
    expect(excluded(cluster('s', 'staging'))).toBe(false);
    expect(compileExclusions(undefined)(cluster('s'))).toBe(false);
  });

  it('names values no cluster of the fleet has, with the one a near miss most likely meant', () => {
    const fleet = valuesIn([cluster('a', 'staging', 'nl-ams-1'), cluster('b', 'Production', 'nl-ams-2')]);
    expect(
      unknownValues(
        { environment: ['staging', 'stagin', 'prod'], region: ['de-fra-1', 'NL-AMS-3'], name: 'zzz-*' },
        fleet,
      ),
    ).toEqual([
      'environment "stagin": no cluster of the fleet has it; did you mean "staging"?',
      'environment "prod": no cluster of the fleet has it; did you mean "production"?',
      'region "de-fra-1": no cluster of the fleet has it',
      'region "NL-AMS-3": no cluster of the fleet has it; did you mean "nl-ams-1"?',
    ]);
  });
});

describe('selectWaves', () => {
  const fleet = positioned([
    cluster('web-1', 'development'),
    cluster('web-2', 'staging'),
    cluster('data-1', 'staging'),
    cluster('web-3', 'production'),
    cluster('web-4', 'production'),
    cluster('data-2', 'production'),
  ]);
  const env = (environment: string): SelectingWave => ({ matches: compileSelector({ environment }) });

  it('development, then staging, then production', () => {
    const s = selectWaves(fleet, [env('development'), env('staging'), env('production')], fleet.length);
    expect(s.members.map(names)).toEqual([['web-1'], ['web-2', 'data-1'], ['web-3', 'web-4', 'data-2']]);
    expect([s.rest, s.unmatched.length]).toEqual([0, 0]);
  });

  it('a canary by name, cut by size: the cut-off clusters go to later waves', () => {
    const s = selectWaves(
      fleet,
      [
        { matches: compileSelector({ name: 'web-*' }), size: 1 },
        { matches: compileSelector({ name: 'web-*' }), size: '50%' },
        env('production'),
      ],
      fleet.length,
    );
    expect(s.members.map(names)).toEqual([['web-1'], ['web-2', 'web-3'], ['web-4', 'data-2']]);
    expect(s.cutoffs).toEqual([0, 3, undefined]);
    expect(names(s.unmatched)).toEqual(['data-1']);
  });

  it('clusters no wave matches: unmatched when every wave selects, else a last wave takes them', () => {
    expect(names(selectWaves(fleet, [env('staging')], fleet.length).unmatched)).toEqual([
      'web-1',
      'web-3',
      'web-4',
      'data-2',
    ]);
    const withSize = selectWaves(fleet, [env('staging'), { size: 1 }], fleet.length);
    expect([withSize.rest, withSize.unmatched.length]).toEqual([3, 0]);
    expect(withSize.members.map(names)).toEqual([['web-2', 'data-1'], ['web-1'], ['web-3', 'web-4', 'data-2']]);
  });
});

/** An arbitrary fleet over a few values, so that selectors match some and miss some. */
const fleetArb = fc.array(
  fc.record({
    name: fc.constantFrom('web-1', 'web-2', 'api-1', 'data-1', 'db-9'),
    environment: fc.constantFrom('development', 'staging', 'production', undefined),
    region: fc.constantFrom('a', 'b', undefined),
    inPlay: fc.boolean(),
  }),
  { minLength: 0, maxLength: 60 },
);
const selectorArb = fc.record(
  {
    environment: fc.constantFrom('development', 'staging', 'production'),
    region: fc.constantFrom('a', 'b'),
    name: fc.constantFrom('web-*', '*-1', 'd*'),
  },
  { requiredKeys: [] },
);
const waveArb = fc.record({
  match: fc.option(selectorArb, { nil: undefined }),
  size: fc.option(fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constantFrom('10%', '50%')), { nil: undefined }),
});

describe('waves reading the inventory page by page (property)', () => {
  it('take exactly the clusters planning assigned them, with the cut-offs they record as they go', () => {
    fc.assert(
      fc.property(
        fleetArb,
        fc.array(waveArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        (rows, waveSpecs, pageSize) => {
          const clusters = rows.map((r, i) => ({
            ...cluster(`${r.name}-${i}`, r.environment, r.region),
            inPlay: r.inPlay,
          }));
          const inPlay = (c: SelectableCluster) => (c as (typeof clusters)[number]).inPlay;
          const all = positioned(clusters);
          const waves: SelectingWave[] = waveSpecs.map((w) => ({
            ...(w.match ? { matches: compileSelector(w.match) } : {}),
            ...(w.size !== undefined ? { size: w.size } : {}),
          }));
          const planned = selectWaves(
            all.filter((p) => inPlay(p.cluster)),
            waves,
            all.filter((p) => inPlay(p.cluster)).length,
          );
          // The rollout's waves: the spec's, then `rest` when planning made one; each reads with the size planning gave it.
          const caps = [...planned.sizes, ...(planned.rest > 0 ? [planned.rest] : [])];
          const picks: WavePick[] = [
            ...waves.map((w) => (w.matches ? { matches: w.matches } : {})),
            ...(planned.rest > 0 ? [{}] : []),
          ];
          caps.forEach((cap, index) => {
            const taken: Positioned[] = [];
            for (let from = 0; from < all.length && taken.length < cap; from += pageSize) {
              const page = takeFromPage(all.slice(from, from + pageSize), picks, index, cap - taken.length, inPlay);
              taken.push(...page.taken);
              if (page.cutoff !== undefined) picks[index] = { ...picks[index], cutoff: page.cutoff };
            }
            expect(names(taken), `wave ${index}`).toEqual(names(planned.members[index]!));
          });
          // Every cluster in play is in one wave or unmatched, once.
          const placed = [...planned.members.flat(), ...planned.unmatched].map((p) => p.position).sort((a, b) => a - b);
          expect(placed).toEqual(all.filter((p) => inPlay(p.cluster)).map((p) => p.position));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("selectors on Avisi's own model (autoUpgrade, updateChannel)", () => {
  const auto = cluster('web-1', 'production', undefined, { autoUpgrade: true, updateChannel: 'v1.31' });
  const manual = cluster('web-2', 'production', undefined, { autoUpgrade: false, updateChannel: 'v1.30' });
  // An Aether cluster: no flag, no channel.
  const aether = cluster('edge-1', undefined, 'nl-ams-1', { platform: 'aether' });

  it('autoUpgrade matches the flag; a cluster without one matches neither true nor false', () => {
    const on = compileSelector({ autoUpgrade: true });
    const off = compileSelector({ autoUpgrade: false });
    expect([auto, manual, aether].map(on)).toEqual([true, false, false]);
    expect([auto, manual, aether].map(off)).toEqual([false, true, false]);
    expect(compileExclusions([{ autoUpgrade: true }])(auto)).toBe(true);
  });

  it('updateChannel values are globs, any case; a cluster without a channel never matches', () => {
    expect([auto, manual, aether].map(compileSelector({ updateChannel: 'V1.3*' }))).toEqual([true, true, false]);
    expect([auto, manual, aether].map(compileSelector({ updateChannel: ['v1.31', 'v1.29'] }))).toEqual([
      true,
      false,
      false,
    ]);
    expect(compileSelector({ updateChannel: 'v1.3*', autoUpgrade: true, environment: 'production' })(auto)).toBe(true);
  });

  it('names channel values and flags no cluster has; a glob that matches one is known', () => {
    const fleet = valuesIn([manual, aether]);
    expect(unknownValues({ updateChannel: ['v1.3?', 'v1.32'], autoUpgrade: true }, fleet)).toEqual([
      'updateChannel "v1.32": no cluster of the fleet has it; did you mean "v1.30"?',
      'autoUpgrade true: no cluster of the fleet has it',
    ]);
    expect(unknownValues({ autoUpgrade: false, updateChannel: '*' }, fleet)).toEqual([]);
  });

  it('planning sees a snapshot’s channel by its name and its flag as given (plan-targeting selectable)', () => {
    const snapshot = {
      id: 'id-1',
      name: 'web-1',
      locator: 'production/web-1',
      version: '1.31.2',
      platformVersion: 'v1.31.2-u-ame.2',
      state: 'ready' as const,
      rawStatus: 'running',
      environment: 'production',
      autoUpgrade: false,
      updateChannel: { name: 'v1.31', available: true, version: '1.31.6', platformVersion: 'v1.31.6-u-ame.1' },
    };
    expect(selectable(snapshot, 'avisi', 'acme')).toEqual({
      id: 'id-1',
      name: 'web-1',
      platform: 'avisi',
      organisation: 'acme',
      environment: 'production',
      updateChannel: 'v1.31',
      autoUpgrade: false,
    });
    expect(selectorText({ updateChannel: ['v1.30', 'v1.31'], autoUpgrade: false })).toBe(
      'updateChannel=v1.30|v1.31, autoUpgrade=false',
    );
  });
});
