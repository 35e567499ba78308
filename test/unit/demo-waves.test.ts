/**
 * The demo's Avisi waves (a canary by name inside development, then development,
 * staging, production) are built from the generated fleet, so every wave selects a
 * cluster (planning refuses one that selects none) and the canary one that moves,
 * whatever `--clusters` says; and the spec they make is valid.
 */
import { describe, expect, it } from 'vitest';
import { demoAvisiWaves } from '../../src/cli/commands/demo.js';
import { compileSelector } from '../../src/domain/selectors.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { resolvePlain } from '../../src/simulator/catalog.js';
import { generateFleet } from '../../src/simulator/index.js';

const TARGET = resolvePlain('1.31')!.plain;
const fleetOf = (clusters: number) =>
  generateFleet({ seed: 7, avisi: { clusters }, aether: { clusters }, minors: ['1.30', '1.31'] }).avisi![0]!.clusters;

describe('demo waves', () => {
  it('the default fleet: a web-* canary in development, then development, staging, production', () => {
    const waves = demoAvisiWaves(fleetOf(20), '1.31');
    expect(waves.map((w) => w.name)).toEqual(['canary', 'development', 'staging', 'production']);
    expect(waves[0]).toMatchObject({
      match: { environment: 'development', name: expect.stringMatching(/^[a-z]+-\*$/) },
      size: 1,
    });
  });

  it.each([1, 2, 3, 5, 8, 20, 50, 200])(
    '%i clusters: every wave selects a cluster, the canary one that moves, and none is left unmatched',
    (size) => {
      const clusters = fleetOf(size);
      const waves = demoAvisiWaves(clusters, '1.31');
      const selectable = clusters.map((c) => ({
        id: c.identity ?? c.name,
        name: c.name,
        platform: 'avisi',
        organisation: 'acme',
        ...(c.environment ? { environment: c.environment } : {}),
      }));
      const version = new Map(clusters.map((c) => [c.identity ?? c.name, c.version]));
      for (const wave of waves) {
        const matches = compileSelector(wave.match!);
        const selected = selectable.filter(matches);
        expect(selected.length, wave.name).toBeGreaterThan(0);
        if (
          wave.name === 'canary' &&
          clusters.some((c) => c.environment === wave.match!.environment && c.version !== TARGET)
        ) {
          expect(
            selected.some((c) => version.get(c.id) !== TARGET),
            'canary takes a cluster that moves',
          ).toBe(true);
        }
      }
      const everyWave = waves.filter((w) => w.name !== 'canary').map((w) => compileSelector(w.match!));
      expect(selectable.filter((c) => !everyWave.some((m) => m(c)))).toEqual([]);
      expect(() =>
        parseRolloutSpec({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', waves }),
      ).not.toThrow();
    },
  );

  it('clusters without an environment go to a last wave that takes the rest', () => {
    const waves = demoAvisiWaves(
      [
        { name: 'web-1', environment: 'staging', version: '1.30.4' },
        { name: 'api-2', version: '1.30.4' },
      ],
      '1.31',
    );
    expect(waves).toEqual([
      { name: 'canary', match: { environment: 'staging', name: 'web-*' }, size: 1 },
      { name: 'staging', match: { environment: 'staging' } },
      { name: 'rest' },
    ]);
  });
});
