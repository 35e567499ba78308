/**
 * `listOpenUpgrades`: the organisation's scheduled upgrades that have not ended, by the
 * page (what `fleet versions` reads instead of a findUpgrade per cluster), against the
 * simulator on loopback.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAvisiClient, type ClusterSnapshot, type PlatformClient } from '../../src/platforms/index.js';
import { startSimulator } from '../../src/simulator/index.js';

const ORG = 'acme';
let sim: Awaited<ReturnType<typeof startSimulator>>;
let client: PlatformClient;
let clusters: ClusterSnapshot[];

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    generate: { seed: 3, avisi: { organisation: ORG, clusters: 60 }, minors: ['1.29'] },
  });
  client = createAvisiClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.avisi });
  clusters = [];
  for await (const cluster of client.listClusters(ORG)) clusters.push(cluster);
});

afterAll(async () => {
  await sim?.close();
});

const open = async () => {
  const upgrades = [];
  for await (const upgrade of client.listOpenUpgrades!(ORG)) upgrades.push(upgrade);
  return upgrades;
};

it('lists the open upgrades of every page, and not the withdrawn ones', async () => {
  expect(await open()).toEqual([]);
  // More than a page (50) of them.
  const asked = await Promise.all(
    clusters.slice(0, 55).map((cluster) => client.requestUpgrade(ORG, cluster, { version: '1.30.10' })),
  );
  await client.cancelUpgrade(ORG, asked[0]!, clusters[0]!.version);
  const found = await open();
  expect(found.map((u) => u.clusterId).sort()).toEqual(
    clusters
      .slice(1, 55)
      .map((c) => c.id)
      .sort(),
  );
  for (const upgrade of found) {
    expect(['REQUESTED', 'SCHEDULED']).toContain(upgrade.status);
    expect(upgrade.toVersion).toMatch(/^v1\.30\.10-u-ame\.\d+$/);
  }
});
