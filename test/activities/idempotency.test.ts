/**
 * An activity delivered twice does not ask twice: `requestUpgrade` looks for the
 * upgrade the platform already has (business key: cluster and version) before it
 * sends one. Checked against the simulator's request log, on both platforms, for a
 * plain second delivery and for one after the first response was lost.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type RequestUpgradeResult } from '../../src/activities/index.js';
import type { PlatformName } from '../../src/domain/platform.js';
import { silentLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { depsFromEnv } from '../../src/worker.js';
import { NO_FAULTS, setFaults, simRequests } from '../platforms/support/sim.js';

let sim: RunningSimulator;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 61, avisi: { clusters: 4 }, aether: { clusters: 4 }, minors: ['1.30'] },
    timeScale: 1,
    rateLimitPerMinute: { aether: 0 },
  });
  const aetherOrg = sim.organisations.aether[0]!;
  activities = createActivities(
    depsFromEnv(silentLogger, {
      AVISI_API_URL: `${sim.url}/api/v1`,
      AVISI_API_TOKEN: sim.tokens.avisi,
      AETHER_API_URL: `${sim.url}/api/v1`,
      AETHER_API_TOKEN: sim.tokens.aether[aetherOrg],
      FLEET_HTTP_TIMEOUT_MS: '2000',
    }),
  );
});
afterAll(() => sim?.close());

const VERSIONS: Record<PlatformName, string> = { avisi: 'v1.31.6-u-ame.1', aether: '1.31' };

describe.each<PlatformName>(['avisi', 'aether'])('%s requestUpgrade', (platform) => {
  const clusterIds = async () =>
    (
      (await (await fetch(`${sim.url}/_sim/clusters?platform=${platform}`)).json()) as { clusters: { id: string }[] }
    ).clusters.map((c) => c.id);
  const mutationsFor = async (clusterId: string) =>
    (await simRequests(sim.url)).filter((r) => r.clusterId === clusterId);
  const request = (clusterId: string) => ({
    platform,
    organisation: sim.organisations[platform][0]!,
    clusterId,
    version: VERSIONS[platform],
  });

  it('sends once when delivered twice', async () => {
    const [clusterId] = await clusterIds();
    const env = new MockActivityEnvironment();
    const first = (await env.run(activities.requestUpgrade, request(clusterId!))) as RequestUpgradeResult;
    const second = (await env.run(activities.requestUpgrade, request(clusterId!))) as RequestUpgradeResult;
    expect(first.sent).toBe(true);
    expect(second).toMatchObject({ sent: false, upgrade: { upgradeId: first.upgrade.upgradeId } });
    expect(await mutationsFor(clusterId!)).toHaveLength(1);
  });

  it('sends once when the first response was lost', async () => {
    const [, clusterId] = await clusterIds();
    const env = new MockActivityEnvironment();
    // The simulator applies the request and drops the connection: the activity sees a network error.
    await setFaults(sim.url, { dropRate: 1, methods: ['POST', 'PUT'] });
    await expect(env.run(activities.requestUpgrade, request(clusterId!))).rejects.toThrow();
    await setFaults(sim.url, NO_FAULTS);
    const lost = await mutationsFor(clusterId!);
    // Avisi's POST is never retried in process; Aether's PUT is (it sets a desired state), so each attempt's response was lost.
    expect(lost.length).toBe(platform === 'avisi' ? 1 : 3);
    expect(lost.every((r) => r.fault === 'dropped' && r.status === 200)).toBe(true);

    const retried = (await env.run(activities.requestUpgrade, request(clusterId!))) as RequestUpgradeResult;
    expect(retried.sent).toBe(false);
    expect(await mutationsFor(clusterId!)).toHaveLength(lost.length);
    // One upgrade on the platform, whatever reached the wire.
    const cluster = (await (await fetch(`${sim.url}/_sim/clusters/${clusterId}`)).json()) as { upgrades: unknown[] };
    expect(cluster.upgrades).toHaveLength(1);
  });
});
