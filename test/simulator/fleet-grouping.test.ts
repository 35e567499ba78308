/**
 * Where clusters are grouped, as fleets give it: generated fleets spread Avisi clusters
 * over environments, cloud providers and their regions, and Aether clusters over
 * regions, the same way every time for a seed; fleet files may name them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet, loadFleetFile, parseFleetDefinition } from '../../src/simulator/index.js';

const OPTIONS = { avisi: { clusters: 60 }, aether: { clusters: 60 }, minors: ['1.29', '1.30'] };
/** The providers and regions generated fleets use (generate.ts). */
const REGIONS_OF: Record<string, string[]> = {
  aws: ['eu-west-1', 'eu-central-1'],
  azure: ['westeurope', 'germanywestcentral'],
  hetzner: ['fsn1', 'nbg1'],
};

describe('generated fleets', () => {
  it('are the same for the same seed, grouping fields included, and differ across seeds', () => {
    expect(generateFleet({ seed: 5, ...OPTIONS })).toEqual(generateFleet({ seed: 5, ...OPTIONS }));
    const placement = (seed: number) =>
      generateFleet({ seed, ...OPTIONS }).avisi![0]!.clusters.map((c) => `${c.cloudProvider}/${c.region}`);
    expect(placement(5)).not.toEqual(placement(6));
  });

  it('give every Avisi cluster an environment and a provider with one of its own regions, spread over all of them', () => {
    const clusters = generateFleet({ seed: 5, ...OPTIONS }).avisi![0]!.clusters;
    for (const cluster of clusters) {
      expect(['production', 'staging', 'development']).toContain(cluster.environment);
      expect(REGIONS_OF[cluster.cloudProvider!]).toContain(cluster.region);
    }
    expect(new Set(clusters.map((c) => c.environment)).size).toBe(3);
    expect(new Set(clusters.map((c) => c.cloudProvider)).size).toBe(3);
    expect(new Set(clusters.map((c) => c.region)).size).toBeGreaterThan(3);
  });

  it('give every Aether cluster one of its regions', () => {
    const clusters = generateFleet({ seed: 5, ...OPTIONS }).aether![0]!.clusters;
    for (const cluster of clusters) expect(['nl-ams-1', 'nl-ams-2', 'de-fra-1', 'be-bru-1']).toContain(cluster.region);
    expect(new Set(clusters.map((c) => c.region)).size).toBeGreaterThan(1);
  });

  it('kept every older draw when placement came: ids, names, versions and windows of a seed are unchanged', () => {
    // A seed is quoted in bug reports and benchmarks: the fields it produced before
    // region and cloud provider existed must stay what they were (placement has a stream of its own).
    const fleet = generateFleet({
      seed: 1,
      avisi: { clusters: 50 },
      aether: { clusters: 50 },
      minors: ['1.29', '1.30'],
    });
    const older = {
      avisi: fleet.avisi!.map((org) => ({
        ...org,
        clusters: org.clusters.map(({ region: _r, cloudProvider: _c, ...rest }) => rest),
      })),
      aether: fleet.aether,
    };
    expect(createHash('sha256').update(JSON.stringify(older)).digest('hex').slice(0, 16)).toBe('9b7bcf5a13c7b552');
  });
});

describe('fleet files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-grouping-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('may name an Avisi cluster region and cloud provider, and an Aether region; both may be left out', async () => {
    const path = join(dir, 'fleet.yaml');
    await writeFile(
      path,
      [
        'avisi:',
        '  - organisation: acme',
        '    clusters:',
        '      - { name: web-1, environment: staging, region: eu-west-1, cloudProvider: aws, version: "1.30.4" }',
        '      - { name: lab-1, version: "1.30.4" }',
        'aether:',
        '  - organisation: 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0',
        '    clusters:',
        '      - { name: edge-1, region: de-fra-1, version: "1.30.4" }',
      ].join('\n'),
    );
    const fleet = await loadFleetFile(path);
    expect(fleet.avisi![0]!.clusters).toEqual([
      { name: 'web-1', environment: 'staging', region: 'eu-west-1', cloudProvider: 'aws', version: '1.30.4' },
      { name: 'lab-1', version: '1.30.4' },
    ]);
    expect(fleet.aether![0]!.clusters[0]).toMatchObject({ region: 'de-fra-1' });
  });

  it('reject a cloud provider that is not a slug and an empty region, naming the field', () => {
    const bad = {
      avisi: [
        {
          organisation: 'acme',
          clusters: [{ name: 'x', version: '1.30.4', cloudProvider: 'Amazon Web Services', region: '' }],
        },
      ],
    };
    expect(() => parseFleetDefinition(bad)).toThrow(/avisi\.0\.clusters\.0\.cloudProvider: must be a slug/);
    expect(() => parseFleetDefinition(bad)).toThrow(/avisi\.0\.clusters\.0\.region/);
  });
});
