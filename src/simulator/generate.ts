/**
 * Seeded fleet generation: the same options always give the same fleet (names, ids,
 * versions, windows, tokens), so a benchmark or a bug report can be replayed.
 */
import { createHash } from 'node:crypto';
import type { AetherClusterDefinition, AvisiClusterDefinition, FleetDefinition } from './fleet.js';
import { patchesOf } from './catalog.js';
import { SeededRandom } from './random.js';
import { DAYS, type MaintenanceWindow } from '../domain/windows.js';

export interface GenerateOptions {
  /** Default 1. */
  seed?: number;
  /** Default `{ organisation: 'acme', clusters: 20 }`. */
  avisi?: { organisation?: string; clusters?: number };
  /** Default organisation: a UUID derived from the seed; 20 clusters. */
  aether?: { organisation?: string; clusters?: number };
  /**
   * Minors the fleet's versions are spread over; default `['1.30']`. Each cluster gets a random
   * offered patch of one.
   */
  minors?: string[];
  /** Maintenance windows per Avisi cluster: default 1 to 3 a week of 240 minutes. */
  windows?: { perWeek?: [number, number]; durationMinutes?: number };
}

const ENVIRONMENTS = ['production', 'staging', 'development'] as const;
/** Aether's own regions. */
const REGIONS = ['nl-ams-1', 'nl-ams-2', 'de-fra-1', 'be-bru-1'] as const;
/**
 * Where Avisi clusters run: Avisi manages clusters in the customer's cloud account, so
 * `cloudProvider` is one of its providers (the go-client's `CloudProviderType` values)
 * and `region` is that provider's own region slug (the terraform provider's example
 * uses `eu-west-1` on aws) [docs]. The European regions chosen per provider are [assumed].
 */
const AVISI_PLACEMENTS: Readonly<Record<string, readonly string[]>> = {
  aws: ['eu-west-1', 'eu-central-1'],
  azure: ['westeurope', 'germanywestcentral'],
  hetzner: ['fsn1', 'nbg1'],
};
const AVISI_PROVIDERS = Object.keys(AVISI_PLACEMENTS);
const ROLES = ['web', 'api', 'data', 'batch', 'edge', 'ml', 'ops', 'search'] as const;

export function generateFleet(options: GenerateOptions = {}): FleetDefinition {
  const seed = options.seed ?? 1;
  const minors = options.minors ?? ['1.30'];
  for (const minor of minors) {
    if (patchesOf(minor).length === 0) throw new Error(`minor ${minor} is not offered by the simulator`);
  }
  const [minWindows, maxWindows] = options.windows?.perWeek ?? [1, 3];
  if (!(
    Number.isInteger(minWindows) &&
    Number.isInteger(maxWindows) &&
    minWindows >= 1 &&
    maxWindows >= minWindows &&
    maxWindows <= 7
  )) {
    throw new Error(`windows.perWeek must be [min, max] with 1 <= min <= max <= 7, got [${minWindows}, ${maxWindows}]`);
  }
  const duration = options.windows?.durationMinutes ?? 240;
  // Separate streams per platform, so changing one platform's size leaves the other's fleet unchanged.
  const avisiRandom = new SeededRandom(seed * 2 + 1);
  const aetherRandom = new SeededRandom(seed * 2 + 2);
  // Placement came later: its own stream, so every seed's ids, names and versions stay what they were.
  const placementRandom = new SeededRandom(streamSeed(`avisi-placement/${seed}`));
  const randomVersion = (random: SeededRandom) => random.pick(patchesOf(random.pick(minors))).plain;

  const avisiOrganisation = options.avisi?.organisation ?? 'acme';
  const avisiClusters: AvisiClusterDefinition[] = [];
  const avisiCount = options.avisi?.clusters ?? 20;
  for (let i = 0; i < avisiCount; i++) {
    const environment = avisiRandom.pick(ENVIRONMENTS);
    const name = `${avisiRandom.pick(ROLES)}-${String(i + 1).padStart(String(avisiCount).length, '0')}`;
    const windowCount = avisiRandom.int(minWindows, maxWindows);
    const days = new Set<(typeof DAYS)[number]>();
    while (days.size < windowCount) days.add(avisiRandom.pick(DAYS));
    const maintenanceWindows: MaintenanceWindow[] = [...days]
      .sort((a, b) => DAYS.indexOf(a) - DAYS.indexOf(b))
      .map((day) => ({ day, startTime: `${String(avisiRandom.int(0, 23)).padStart(2, '0')}:00`, duration }));
    const cloudProvider = placementRandom.pick(AVISI_PROVIDERS);
    const region = placementRandom.pick(AVISI_PLACEMENTS[cloudProvider]!);
    const identity = avisiRandom.uuid();
    avisiClusters.push({
      identity,
      name,
      slug: name,
      environment,
      region,
      cloudProvider,
      version: randomVersion(avisiRandom),
      maintenanceWindows,
    });
  }

  const aetherOrganisation = options.aether?.organisation ?? aetherRandom.uuid();
  const token = `aether_${aetherRandom.hex(16)}`;
  const aetherClusters: AetherClusterDefinition[] = [];
  const aetherCount = options.aether?.clusters ?? 20;
  for (let i = 0; i < aetherCount; i++) {
    const id = aetherRandom.uuid();
    // Every fifth id upper-case: Aether may send them so, and clients must compare case-insensitively.
    aetherClusters.push({
      id: i % 5 === 4 ? id.toUpperCase() : id,
      name: `cluster-${String(i + 1).padStart(String(aetherCount).length, '0')}`,
      region: aetherRandom.pick(REGIONS),
      version: randomVersion(aetherRandom),
    });
  }

  return {
    avisi: [{ organisation: avisiOrganisation, clusters: avisiClusters }],
    aether: [{ organisation: aetherOrganisation, token, clusters: aetherClusters }],
  };
}

/** A 32-bit seed for a named stream, independent of the other streams' seeds. */
function streamSeed(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}
